/**
 * Precision and recall per entity type on the labelled set. A detected region counts as a true
 * positive when it overlaps a labelled span of the same type; a labelled span is found when a
 * detected region of its type overlaps it. "Covered" counts labelled spans hidden by a region of
 * any type (what matters for privacy); near-miss hits count redactions of things that are not PII.
 */
import { readFileSync } from 'node:fs';
import type { Redactor } from '../redactor.ts';
import { ENTITY_TYPES, type EntityType } from '../types.ts';
import { LABELLED_PATH, type LabelledRecord } from './generate.ts';

export interface TypeScore {
  labelled: number;
  detected: number;
  truePositives: number;
  found: number;
  covered: number;
  precision: number;
  recall: number;
}

export interface EvalReport {
  messages: number;
  chars: number;
  perType: Record<EntityType, TypeScore>;
  nearMisses: { total: number; redacted: number; byKind: Record<string, { total: number; redacted: number }> };
}

/** Targets from issue 4: recall >= 0.99 and precision >= 0.97 for these, recall >= 0.95 for phones. */
export const TARGETS: Partial<Record<EntityType, { recall: number; precision?: number }>> = {
  CARD: { recall: 0.99, precision: 0.97 },
  IBAN: { recall: 0.99, precision: 0.97 },
  EMAIL: { recall: 0.99, precision: 0.97 },
  US_SSN: { recall: 0.99, precision: 0.97 },
  SECRET: { recall: 0.99, precision: 0.97 },
  URL_CREDENTIAL: { recall: 0.99, precision: 0.97 },
  IP_ADDRESS: { recall: 0.99, precision: 0.97 },
  PHONE: { recall: 0.95 },
};

export function loadLabelled(path = LABELLED_PATH): LabelledRecord[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as LabelledRecord);
}

const overlaps = (a: { start: number; end: number }, b: { start: number; end: number }): boolean => a.start < b.end && b.start < a.end;

export function evaluate(redactor: Redactor, records: LabelledRecord[]): EvalReport {
  const perType = {} as Record<EntityType, TypeScore>;
  for (const t of ENTITY_TYPES) perType[t] = { labelled: 0, detected: 0, truePositives: 0, found: 0, covered: 0, precision: 1, recall: 1 };
  const byKind: Record<string, { total: number; redacted: number }> = {};
  let nearTotal = 0;
  let nearRedacted = 0;
  let chars = 0;
  for (const r of records) {
    chars += r.text.length;
    const detected = redactor.detect(r.text);
    for (const d of detected) {
      const s = perType[d.type];
      s.detected++;
      if (r.spans.some((l) => l.type === d.type && overlaps(l, d))) s.truePositives++;
    }
    for (const l of r.spans) {
      const s = perType[l.type];
      s.labelled++;
      if (detected.some((d) => d.type === l.type && overlaps(l, d))) s.found++;
      if (detected.some((d) => overlaps(l, d))) s.covered++;
    }
    for (const n of r.near_misses) {
      const k = (byKind[n.kind] ??= { total: 0, redacted: 0 });
      k.total++;
      nearTotal++;
      if (detected.some((d) => overlaps(n, d))) {
        k.redacted++;
        nearRedacted++;
      }
    }
  }
  for (const t of ENTITY_TYPES) {
    const s = perType[t];
    s.precision = s.detected === 0 ? 1 : s.truePositives / s.detected;
    s.recall = s.labelled === 0 ? 1 : s.found / s.labelled;
  }
  return { messages: records.length, chars, perType, nearMisses: { total: nearTotal, redacted: nearRedacted, byKind } };
}

/** Types whose score misses its target, with the numbers, for assertions and the bench output. */
export function targetFailures(report: EvalReport): string[] {
  const failures: string[] = [];
  for (const [t, target] of Object.entries(TARGETS) as [EntityType, { recall: number; precision?: number }][]) {
    const s = report.perType[t];
    if (s.recall < target.recall) failures.push(`${t} recall ${s.recall.toFixed(4)} < ${target.recall}`);
    if (target.precision !== undefined && s.precision < target.precision) failures.push(`${t} precision ${s.precision.toFixed(4)} < ${target.precision}`);
  }
  return failures;
}
