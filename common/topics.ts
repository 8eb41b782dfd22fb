/** Creates Lookout's Kafka topics when missing (idempotent; safe on every start). */
import type { Kafka } from 'kafkajs';
import type { Config } from './config.ts';

export async function ensureTopics(kafka: Kafka, config: Config): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const wanted = [config.kafka.eventsTopic, config.kafka.deadLetterTopic].filter((t) => !existing.has(t));
    if (wanted.length === 0) return [];
    await admin.createTopics({
      waitForLeaders: true,
      topics: wanted.map((topic) => ({
        topic,
        numPartitions: topic === config.kafka.eventsTopic ? config.kafka.partitions : Math.min(3, config.kafka.partitions),
        replicationFactor: config.kafka.replicationFactor,
      })),
    });
    return wanted;
  } finally {
    await admin.disconnect();
  }
}
