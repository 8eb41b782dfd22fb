/**
 * Deterministic sampling by conversation id: every producer (and every process) keeps or drops the
 * same conversations, so a kept conversation is complete rather than a random subset of turns.
 */

/** FNV-1a, 32 bit, over UTF-16 code units: cheap, stable across processes and languages. */
export function fnv1a32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** True when the conversation is in the sample. Rates outside (0, 1) keep all or nothing. */
export function inSample(conversationId: string, rate: number): boolean {
  if (rate >= 1) return true;
  if (!(rate > 0)) return false;
  return fnv1a32(conversationId) / 0x1_0000_0000 < rate;
}
