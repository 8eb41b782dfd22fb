/** Shared bits of the producer/gateway benchmarks: a ~1.5 KB event, percentiles, result files. */
import { mkdirSync, writeFileSync } from 'node:fs';

/** A response event that serialises to about 1.5 KB once the producer stamps it. */
export function event1500(i: number) {
  return {
    type: 'response' as const,
    conversation_id: `conv-${i % 5000}`,
    turn: i % 7,
    user_id: `user-${i % 9000}`,
    channel: 'web',
    model: 'gpt-4o-mini',
    provider: 'openai',
    prompt_version: 'support-v12',
    kb_version: 'kb-2025-11-20',
    output_text:
      'Sorry about the double charge on your order. I can see two payments; I have requested a refund of the duplicate, which usually reaches your account within five business days. '.repeat(5) +
      `Reference ${i}.`,
    retrieved: [{ doc_id: 'billing-duplicate-charges', kb_version: 'kb-2025-11-20', score: 0.82, snippet: 'Duplicate charges are refunded within 5 business days.' }],
    usage: { input_tokens: 812, output_tokens: 64, cached_input_tokens: 512 },
    latency_ms: 1420,
    ttft_ms: 380,
  };
}

export function percentile(sorted: ArrayLike<number>, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export function save(name: string, result: unknown): void {
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  writeFileSync(new URL(`./results/${name}.json`, import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
  console.log(`saved bench/results/${name}.json`);
}

export function brokersFromEnv(): string[] {
  return (process.env.LOOKOUT_BENCH_KAFKA_BROKERS ?? process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
}
