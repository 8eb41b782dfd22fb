/**
 * The single pass over numbers: each numeric chunk is split into groups once, then the
 * number-shaped detectors try windows of groups in priority order.
 */
import type { EntityType, RawSpan } from '../types.ts';
import { aadhaarAt } from './aadhaar.ts';
import { cardAt } from './card.ts';
import { Chunk } from './chunk.ts';
import { dniIn } from './dni.ts';
import { ibanAt } from './iban.ts';
import { ipv4At } from './ip.ts';
import { ninoIn } from './nino.ts';
import { phoneAt } from './phone.ts';
import { rrnAt } from './rrn.ts';
import { ssnAt } from './ssn.ts';

// Only finds where a chunk starts; Chunk.load reads it, so each character is looked at a bounded number of times.
const CHUNK_START = /[+(]?\d/g;

type GroupDetector = (c: Chunk, i: number) => number;

const GROUP_DETECTORS: [EntityType, GroupDetector][] = [
  ['IP_ADDRESS', ipv4At],
  ['CARD', cardAt],
  ['US_SSN', ssnAt],
  ['KR_RRN', rrnAt],
  ['IN_AADHAAR', aadhaarAt],
  ['PHONE', phoneAt],
];

/** Include a leading '+', or an opening parenthesis closed right after the first group. */
function phoneStart(text: string, c: Chunk): number {
  if (c.plus) return c.start;
  return text.charCodeAt(c.start) === 40 && text.charCodeAt(c.ge[0]!) === 41 ? c.start : c.gs[0]!;
}

/** Which number detectors run; built once per redactor. */
export interface NumberPlan {
  types: EntityType[];
  detectors: GroupDetector[];
  iban: boolean;
  nino: boolean;
  dni: boolean;
}

export function planNumbers(on: (t: EntityType) => boolean): NumberPlan {
  const enabled = GROUP_DETECTORS.filter(([t]) => on(t));
  return { types: enabled.map(([t]) => t), detectors: enabled.map(([, d]) => d), iban: on('IBAN'), nino: on('UK_NINO'), dni: on('ES_DNI') };
}

// Scanning is synchronous, so one chunk object serves every call.
const c = new Chunk();

export function detectNumbers(text: string, out: RawSpan[], plan: NumberPlan): void {
  const { types, detectors, iban, nino, dni } = plan;
  const nd = detectors.length;
  CHUNK_START.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = CHUNK_START.exec(text)) !== null) {
    const start = m.index;
    CHUNK_START.lastIndex = c.load(text, start);
    if (c.n === 0) continue;
    if (iban && c.gs[0] === start && start >= 2) {
      const e = ibanAt(text, start - 2);
      if (e > 0) {
        out.push({ type: 'IBAN', start: start - 2, end: e });
        // The IBAN may run past this chunk (letters inside it); skip what it covered.
        if (e > CHUNK_START.lastIndex) CHUNK_START.lastIndex = e;
        continue;
      }
    }
    if (nino) {
      const r = ninoIn(c);
      if (r) out.push({ type: 'UK_NINO', start: r[0], end: r[1] });
    }
    if (dni) {
      const r = dniIn(c);
      if (r) out.push({ type: 'ES_DNI', start: r[0], end: r[1] });
    }
    // Nothing number-shaped has fewer than 4 digits (an IPv4 address is the shortest).
    let i = c.total < 4 ? c.n : 0;
    while (i < c.n) {
      let next = i + 1;
      for (let d = 0; d < nd; d++) {
        if (i === 0 && c.attachedBefore) break;
        const j = detectors[d]!(c, i);
        if (j >= 0 && !(j === c.n - 1 && c.attachedAfter)) {
          const type = types[d]!;
          out.push({ type, start: i === 0 && type === 'PHONE' ? phoneStart(text, c) : c.gs[i]!, end: c.ge[j]! });
          next = j + 1;
          c.resumeAt = next;
          break;
        }
      }
      i = next;
    }
  }
}
