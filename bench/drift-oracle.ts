// The oracle of the Banking77 drift benches: it knows every query's intent and tests the window's
// intent counts against the reference's. Statistics: G over every intent, the largest signed root
// (one intent rose) and the sum of the three largest squared positive roots (three intents rose).

export interface OracleStatistics {
  g: number;
  max: number;
  top3: number;
}

/** a: window counts, b: reference counts, by intent; n and refTotal: window and reference sizes. */
export function oracleStatistics(a: ArrayLike<number>, b: ArrayLike<number>, n: number, refTotal: number): OracleStatistics {
  const q = n / (n + refTotal);
  const xlx = (x: number, e: number) => (x > 0 ? x * Math.log(x / e) : 0);
  let g = 0;
  const roots: number[] = [];
  for (let t = 0; t < a.length; t++) {
    const ai = a[t]!;
    const bi = b[t]!;
    if (ai + bi === 0) continue;
    const ea = (ai + bi) * q;
    const lr = 2 * (xlx(ai, ea) + xlx(bi, (ai + bi) * (1 - q)));
    g += lr;
    roots.push(Math.sign(ai - ea) * Math.sqrt(Math.max(0, lr)));
  }
  roots.sort((x, y) => y - x);
  return { g, max: roots[0] ?? 0, top3: roots.slice(0, 3).reduce((s, r) => s + Math.max(0, r) ** 2, 0) };
}
