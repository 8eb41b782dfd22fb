// Topic labels from distinctive terms: class-based TF-IDF, where each cluster's texts form one
// document, so a term scores high when it is frequent in this cluster and rare across the others.

const STOPWORDS = new Set(
  (
    "a about above after again against all am an and any are aren't as at be because been before being below between both but by " +
    "can can't cannot could couldn't did didn't do does doesn't doing don't down during each few for from further get got had hadn't " +
    'has hasn\'t have haven\'t having he her here hers herself him himself his how i i\'m i\'ve i\'d i\'ll if in into is isn\'t it it\'s its ' +
    "itself just let's me more most my myself no nor not now of off on once only or other ought our ours ourselves out over own please " +
    "same she should shouldn't so some such than that that's the their theirs them themselves then there there's these they they're " +
    "this those through to too under until up very was wasn't we we're we've were weren't what what's when where which while who " +
    "whom why will with won't would wouldn't you you're you've your yours yourself yourselves also still yet im ive dont cant " +
    'hi hello hey thanks thank ok okay really need want like know tell help would able one'
  ).split(/\s+/),
);

/** Lower-cased content words and adjacent-pair bigrams of a text. */
export function terms(text: string): string[] {
  const words = text
    .toLowerCase()
    .split(/[^\p{L}\p{N}']+/u)
    .map((w) => w.replace(/^'+|'+$/g, ''))
    .filter((w) => w.length >= 2 && !STOPWORDS.has(w) && !/^\d+$/.test(w));
  const out = words.slice();
  for (let i = 1; i < words.length; i++) out.push(`${words[i - 1]} ${words[i]}`);
  return out;
}

export type TermCounts = Map<string, number>;

export function countTerms(texts: Iterable<string>): TermCounts {
  const counts: TermCounts = new Map();
  for (const t of texts) for (const w of terms(t)) counts.set(w, (counts.get(w) ?? 0) + 1);
  return counts;
}

/**
 * Top distinctive terms per class: score(t, c) = tf(t, c) · log(1 + A / f(t)), with tf normalised
 * by the class's total term count, A the mean term count per class and f(t) the term's count
 * over all classes. Terms seen fewer than `minCount` times in the class are skipped as noise.
 */
export function distinctiveTerms(classes: readonly TermCounts[], top = 5, minCount = 2): string[][] {
  const totals = classes.map((c) => [...c.values()].reduce((s, v) => s + v, 0));
  const overall: TermCounts = new Map();
  for (const c of classes) for (const [t, v] of c) overall.set(t, (overall.get(t) ?? 0) + v);
  const avg = totals.reduce((s, v) => s + v, 0) / Math.max(1, classes.length);
  return classes.map((c, i) => {
    const scored: Array<[string, number]> = [];
    for (const [t, v] of c) {
      if (v < minCount) continue;
      scored.push([t, (v / totals[i]!) * Math.log(1 + avg / overall.get(t)!)]);
    }
    scored.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    const chosen: string[] = [];
    for (const [t] of scored) {
      // A bigram already says what its two words say; keep the label short and non-repetitive.
      const words = t.split(' ');
      if (chosen.some((c2) => c2.split(' ').some((w) => words.includes(w)))) continue;
      chosen.push(t);
      if (chosen.length === top) break;
    }
    return chosen;
  });
}

export function labelOf(topTerms: readonly string[]): string {
  return topTerms.length > 0 ? topTerms.slice(0, 3).join(', ') : '(no distinctive terms)';
}
