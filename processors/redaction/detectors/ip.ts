/** IPv4 (from numeric chunks) and IPv6 (a colon-anchored scanner). */
import type { RawSpan } from '../types.ts';
import { isAlnum, isHex, previousWord } from './chars.ts';
import { SEP_DOT, type Chunk } from './chunk.ts';

/** Words that make a dotted quad a version number rather than an address. */
const VERSION_WORDS = new Set([
  'v', 'ver', 'version', 'versions', 'build', 'release', 'firmware', 'update', 'upgrade', 'sdk', 'app',
  'package', 'pkg', 'npm', 'pip', 'chrome', 'firefox', 'safari', 'edge', 'ios', 'android', 'windows',
  'macos', 'os', 'node', 'python', 'java', 'kernel', 'patch', 'revision', 'rev', 'plugin', 'library',
]);

export function ipv4At(c: Chunk, i: number): number {
  const j = i + 3;
  if (j >= c.n || c.sep[i + 1] !== SEP_DOT || c.len(i) > 3) return -1;
  for (let k = i; k <= j; k++) {
    const len = c.len(k);
    if (len > 3 || (len > 1 && c.first(k) === 0) || c.value(k) > 255) return -1;
    if (k > i && c.sep[k] !== SEP_DOT) return -1;
  }
  if (!c.isolated(i, j, SEP_DOT)) return -1;
  if (VERSION_WORDS.has(previousWord(c.text, c.gs[i]!))) return -1;
  return j;
}

function validV6(text: string, s: number, e: number, tail: boolean): boolean {
  let groups = 0;
  let doubles = 0;
  let nonEmpty = 0;
  let digit = false;
  let run = 0;
  let prevColon = false;
  for (let i = s; i < e; i++) {
    const c = text.charCodeAt(i);
    if (c === 58) {
      if (prevColon) doubles++;
      else groups++;
      if (run > 4) return false;
      run = 0;
      prevColon = true;
    } else {
      if (run === 0) nonEmpty++;
      if (c >= 48 && c <= 57) digit = true;
      run++;
      prevColon = false;
    }
  }
  if (run > 4) return false;
  if (!prevColon) groups++;
  if (doubles > 1) return false;
  if (text.charCodeAt(s) === 58 && text.charCodeAt(s + 1) !== 58) return false;
  if (text.charCodeAt(e - 1) === 58 && text.charCodeAt(e - 2) !== 58) return false;
  // An IPv4 tail counts as two groups and is enough evidence on its own.
  if (tail) return doubles === 1 ? groups <= 5 : groups === 6;
  if (!digit || nonEmpty < 2) return false;
  return doubles === 1 ? groups <= 7 : groups === 8;
}

/** End of a dotted quad starting at p, or -1. */
function v4TailEnd(text: string, p: number): number {
  let parts = 0;
  let i = p;
  while (parts < 4) {
    const s = i;
    let v = 0;
    while (i < text.length && i - s < 3 && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) {
      v = v * 10 + (text.charCodeAt(i) - 48);
      i++;
    }
    if (i === s || v > 255) return -1;
    parts++;
    if (parts < 4) {
      if (text.charCodeAt(i) !== 46) return -1;
      i++;
    }
  }
  return i < text.length && isAlnum(text.charCodeAt(i)) ? -1 : i;
}

/**
 * IPv6: from each colon that has a hex digit or colon on both sides, the surrounding run of hex
 * digits and colons (bounded to 45 characters) is validated, with an optional dotted IPv4 tail.
 */
export function detectIpv6(text: string, out: RawSpan[]): void {
  // Candidates never reach back before the previous run, so each character is read at most twice.
  let floor = 0;
  let p = text.indexOf(':');
  while (p !== -1) {
    const b = text.charCodeAt(p - 1);
    const a = text.charCodeAt(p + 1);
    if (!((isHex(b) || b === 58) && (isHex(a) || a === 58))) {
      p = text.indexOf(':', p + 1);
      continue;
    }
    let s = p;
    while (s > floor && p - s < 45 && (isHex(text.charCodeAt(s - 1)) || text.charCodeAt(s - 1) === 58)) s--;
    let e = p + 1;
    while (e < text.length && e - p < 45 && (isHex(text.charCodeAt(e)) || text.charCodeAt(e) === 58)) e++;
    const runEnd = e;
    floor = runEnd;
    const before = s > 0 ? text.charCodeAt(s - 1) : 32;
    if (!isAlnum(before) && before !== 58) {
      let end = -1;
      if (text.charCodeAt(e) === 46) {
        while (e > s && text.charCodeAt(e - 1) !== 58) e--;
        if (e - 1 > s && validV6(text, s, e - 1 + (text.charCodeAt(e - 2) === 58 ? 1 : 0), true)) end = v4TailEnd(text, e);
      } else {
        const after = e < text.length ? text.charCodeAt(e) : 32;
        if (!isAlnum(after) && after !== 58 && e - s >= 3 && validV6(text, s, e, false)) end = e;
      }
      if (end > 0) out.push({ type: 'IP_ADDRESS', start: s, end });
    }
    p = text.indexOf(':', Math.max(runEnd, p + 1));
  }
}
