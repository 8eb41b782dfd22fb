/**
 * Precision and recall of the redaction detectors per entity type on the committed labelled set
 * (processors/redaction/eval/labelled.ndjson). Prints a table, saves bench/results/redaction-eval.json.
 * Run: node --import tsx bench/redaction-eval.ts
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { evaluate, loadLabelled, TARGETS, targetFailures } from '../processors/redaction/eval/evaluate.ts';
import { createRedactor } from '../processors/redaction/redactor.ts';
import { ENTITY_TYPES } from '../processors/redaction/types.ts';

const records = loadLabelled();
const report = evaluate(createRedactor({ key: 'bench-eval-key-0123456789abcdef' }), records);
const failures = targetFailures(report);

const rows = ENTITY_TYPES.map((t) => {
  const s = report.perType[t];
  const target = TARGETS[t];
  return {
    type: t,
    labelled: s.labelled,
    detected: s.detected,
    precision: s.precision.toFixed(4),
    recall: s.recall.toFixed(4),
    covered: s.labelled ? (s.covered / s.labelled).toFixed(4) : '-',
    target: target ? `R>=${target.recall}${target.precision ? ` P>=${target.precision}` : ''}` : '-',
  };
});
console.log(`labelled set: ${report.messages} messages, ${report.chars} chars`);
console.table(rows);
console.log(`near-misses: ${report.nearMisses.redacted} of ${report.nearMisses.total} redacted`);
console.table(Object.entries(report.nearMisses.byKind).map(([kind, v]) => ({ kind, total: v.total, redacted: v.redacted })));
console.log(failures.length ? `TARGETS MISSED: ${failures.join('; ')}` : 'all targets met');

const out = join(dirname(fileURLToPath(import.meta.url)), 'results', 'redaction-eval.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), ...report, targets: TARGETS, failures }, null, 2) + '\n');
console.log(`saved ${out}`);
