/** For integration tests: stop and restart the test stack's servers (owned by test/run.ts). */
async function control(which: 'kafka' | 'clickhouse', action: 'stop' | 'start'): Promise<void> {
  const base = process.env.LOOKOUT_TEST_CONTROL_URL;
  if (!base) throw new Error('LOOKOUT_TEST_CONTROL_URL is not set: run integration tests through `npm test`');
  const res = await fetch(`${base}/${which}/${action}`, { method: 'POST' });
  if (!res.ok) throw new Error(`${action} ${which} failed: ${res.status} ${await res.text()}`);
}

export const stopKafka = () => control('kafka', 'stop');
export const startKafka = () => control('kafka', 'start');
export const stopClickHouse = () => control('clickhouse', 'stop');
export const startClickHouse = () => control('clickhouse', 'start');
