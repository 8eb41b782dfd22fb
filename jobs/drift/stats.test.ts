import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  benjaminiHochberg,
  betaBinomialLogPmf,
  betaBinomialSumSf,
  betaInc,
  binomialSf,
  chiSquaredSf,
  fisherExact,
  gammaP,
  gammaQ,
  gTestHomogeneity,
  lnChoose,
  lnGamma,
  normalCdf,
  normalSf,
  quantile,
} from './stats.ts';
import { rng } from '../../common/random.ts';

const close = (actual: number, expected: number, rel = 1e-9) =>
  assert.ok(Math.abs(actual - expected) <= rel * Math.abs(expected) + 1e-300, `${actual} vs ${expected}`);

describe('special functions', () => {
  it('lnGamma matches factorials and Γ(½) = √π', () => {
    close(lnGamma(10), Math.log(362880), 1e-13);
    close(lnGamma(0.5), 0.5 * Math.log(Math.PI), 1e-13);
    close(lnGamma(101), 363.73937555556347, 1e-13);
    close(lnGamma(0.1), 2.252712651734206, 1e-12);
  });

  it('regularised gamma: P + Q = 1, and closed forms for integer a', () => {
    for (const [a, x] of [[0.5, 0.1], [3, 2], [3, 10], [50, 40], [50, 70]] as const) close(gammaP(a, x) + gammaQ(a, x), 1, 1e-13);
    // Q(1, x) = e^-x and Q(2, x) = e^-x (1 + x)
    close(gammaQ(1, 30), Math.exp(-30), 1e-12);
    close(gammaQ(2, 7), Math.exp(-7) * 8, 1e-12);
  });

  it('chi-squared survival at tabulated critical values and in the far tail', () => {
    close(chiSquaredSf(3.841458820694124, 1), 0.05, 1e-10);
    close(chiSquaredSf(18.307038053275146, 10), 0.05, 1e-10);
    close(chiSquaredSf(6.634896601021214, 1), 0.01, 1e-10);
    close(chiSquaredSf(76.15389124, 50), 0.01, 1e-8);
    close(chiSquaredSf(100, 2), Math.exp(-50), 1e-10);
    close(chiSquaredSf(20, 4), Math.exp(-10) * 11, 1e-10);
  });

  it('normal tails', () => {
    close(normalSf(0), 0.5, 1e-14);
    close(normalSf(1.959963984540054), 0.025, 1e-10);
    close(normalCdf(-1), 0.15865525393145707, 1e-10);
    close(normalSf(5), 2.866515718791939e-7, 1e-9);
    close(normalSf(-2.3263478740408408), 0.99, 1e-12);
  });

  it('incomplete beta: symmetry and closed forms', () => {
    close(betaInc(0.3, 1, 1), 0.3, 1e-13);
    close(betaInc(0.3, 2, 1), 0.09, 1e-13);
    close(betaInc(0.4, 5, 7) + betaInc(0.6, 7, 5), 1, 1e-13);
  });
});

describe('binomial and beta-binomial tails', () => {
  const directSf = (k: number, n: number, p: number) => {
    let s = 0;
    for (let i = k; i <= n; i++) s += Math.exp(lnChoose(n, i) + i * Math.log(p) + (n - i) * Math.log1p(-p));
    return s;
  };

  it('binomialSf agrees with closed forms and with direct summation', () => {
    close(binomialSf(1, 10, 0.1), 1 - 0.9 ** 10, 1e-12);
    close(binomialSf(3, 5, 0.5), 0.5, 1e-12);
    close(binomialSf(20, 1000, 0.01), directSf(20, 1000, 0.01), 1e-9);
    close(binomialSf(60, 1000, 0.02), directSf(60, 1000, 0.02), 1e-9);
    assert.equal(binomialSf(0, 10, 0.3), 1);
    assert.equal(binomialSf(11, 10, 0.3), 0);
  });

  it('beta-binomial(n, 1, 1) is uniform and the sum of two is triangular', () => {
    for (let k = 0; k <= 9; k++) close(Math.exp(betaBinomialLogPmf(k, 9, 1, 1)), 0.1, 1e-12);
    // S = U1 + U2 with U uniform on 0..9: P(S >= 15) = (4+3+2+1)/100
    close(betaBinomialSumSf([{ n: 9, a: 1, b: 1 }, { n: 9, a: 1, b: 1 }], 15), 0.1, 1e-12);
  });

  it('beta-binomial tends to the binomial as the calibration sample grows', () => {
    const sf = betaBinomialSumSf([{ n: 1000, a: 1e6 * 0.01, b: 1e6 * 0.99 }], 20);
    close(sf, binomialSf(20, 1000, 0.01), 1e-2);
    // Uncertainty about the rate makes the same count less surprising.
    assert.ok(betaBinomialSumSf([{ n: 1000, a: 10, b: 990 }], 20) > 3 * sf);
  });
});

describe('tests', () => {
  it("Fisher's exact test on textbook tables", () => {
    close(fisherExact(3, 1, 1, 3), 34 / 70, 1e-12);
    close(fisherExact(1, 9, 11, 3), 0.002759456185220083, 1e-9);
    close(fisherExact(5, 5, 5, 5), 1, 1e-12);
  });

  it('G-test with Williams correction on a hand-computed table', () => {
    const r = gTestHomogeneity([10, 20], [20, 10]);
    const g = 4 * (10 * Math.log(2 / 3) + 20 * Math.log(4 / 3));
    close(r.statistic, g / 1.025, 1e-12);
    assert.equal(r.df, 1);
    close(r.pValue, chiSquaredSf(g / 1.025, 1), 1e-12);
    assert.equal(gTestHomogeneity([0, 5, 5], [0, 5, 5]).df, 1);
  });

  it('G-test false-alarm rate matches alpha under the null, even with small expected counts', () => {
    const random = rng(7);
    const probs = [0.3, 0.2, 0.1, 0.1, 0.08, 0.07, 0.05, 0.04, 0.03, 0.02, 0.01];
    const draw = (n: number) => {
      const counts = new Array<number>(probs.length).fill(0);
      for (let i = 0; i < n; i++) {
        let u = random();
        let c = 0;
        while (c < probs.length - 1 && u >= probs[c]!) u -= probs[c++]!;
        counts[c]!++;
      }
      return counts;
    };
    const sims = 3000;
    let rejections = 0;
    for (let s = 0; s < sims; s++) if (gTestHomogeneity(draw(2000), draw(150)).pValue < 0.05) rejections++;
    const rate = rejections / sims;
    assert.ok(rate > 0.035 && rate < 0.065, `false-alarm rate ${rate}`);
  });

  it('Benjamini-Hochberg q-values', () => {
    assert.deepEqual(
      benjaminiHochberg([0.01, 0.04, 0.03, 0.005]).map((q) => +q.toFixed(10)),
      [0.02, 0.04, 0.04, 0.02],
    );
    assert.deepEqual(benjaminiHochberg([0.5, 0.9]), [0.9, 0.9]);
  });

  it('quantile interpolates', () => {
    assert.equal(quantile([4, 1, 3, 2], 0.5), 2.5);
    assert.equal(quantile([1, 2, 3, 4, 5], 1), 5);
  });
});
