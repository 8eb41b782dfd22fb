// Knowledge-base gaps: topics of the day whose inputs lie far from every passage of every known
// KB document. A topic customers ask about that the KB does not cover cannot be answered from
// retrieval, however fresh the documents are, so stale-version checks never see it.
import { MINILM } from '../../deploy/models/install.ts';
import { fmtNum, type AlertDraftInput } from '../alerts/model.ts';
import type { DriftReport } from './detect.ts';
import type { Vec } from './vectors.ts';

export interface KbDocument {
  doc_id: string;
  title: string;
  text: string;
}

export interface KbPassage {
  docId: string;
  title: string;
  /** What gets embedded: the title, then a slice of the text. */
  text: string;
}

/**
 * Passages of at most `maxChars` characters cut at paragraph, then sentence boundaries, each
 * prefixed with its document's title (the encoder reads only ~256 tokens, so a whole document in
 * one vector would stand for its first paragraphs only). A document without text is its title.
 */
export function kbPassages(docs: readonly KbDocument[], maxChars = 600, maxPerDoc = 40): KbPassage[] {
  const out: KbPassage[] = [];
  for (const d of docs) {
    const title = d.title.trim();
    const pieces = d.text
      .split(/\n\s*\n/)
      .flatMap((para) => (para.length <= maxChars ? [para] : para.split(/(?<=[.!?])\s+/)))
      .flatMap((s) => (s.length <= maxChars ? [s] : s.match(new RegExp(`[^]{1,${maxChars}}`, 'g')) ?? []))
      .map((s) => s.replace(/\s+/g, ' ').trim())
      .filter((s) => s.length > 0);
    const packed: string[] = [];
    for (const p of pieces) {
      const last = packed.length - 1;
      if (last >= 0 && packed[last]!.length + 1 + p.length <= maxChars) packed[last] += ` ${p}`;
      else packed.push(p);
    }
    if (packed.length === 0 && title) packed.push('');
    for (const p of packed.slice(0, maxPerDoc)) out.push({ docId: d.doc_id, title, text: [title, p].filter(Boolean).join('. ') });
  }
  return out;
}

/** For every input, the cosine similarity to its nearest passage and that passage's index (vectors are unit length). */
export function nearestPassages(inputs: readonly Vec[], passages: readonly Vec[]): { similarity: Float64Array; passage: Int32Array } {
  const similarity = new Float64Array(inputs.length).fill(-1);
  const passage = new Int32Array(inputs.length).fill(-1);
  // One flat typed array, rows padded to an even length for the two running sums: the inner loop
  // then stays monomorphic (about twice as fast as arrays of vectors).
  const dim = (passages[0]?.length ?? 0) + ((passages[0]?.length ?? 0) % 2);
  const flat = new Float32Array(passages.length * dim);
  passages.forEach((w, p) => flat.set(w, p * dim));
  const v = new Float32Array(dim);
  inputs.forEach((input, i) => {
    v.fill(0).set(input);
    for (let p = 0, o = 0; p < passages.length; p++, o += dim) {
      let s0 = 0;
      let s1 = 0;
      for (let d = 0; d < dim; d += 2) {
        s0 += v[d]! * flat[o + d]!;
        s1 += v[d + 1]! * flat[o + d + 1]!;
      }
      const s = s0 + s1;
      if (s > similarity[i]!) {
        similarity[i] = s;
        passage[i] = p;
      }
    }
  });
  return { similarity, passage };
}

export interface KbGapOptions {
  /** An input is uncovered when no passage is at least this similar (cosine). */
  similarity: number;
  /** A topic is a gap when at least this share of its current inputs is uncovered... */
  minShare: number;
  /** ...and it has at least this many current inputs. */
  minInputs: number;
}

// Measured on the demo KB (short passages, all-MiniLM-L6-v2): questions a passage answers score
// 0.26–0.78 against it, median ~0.5; questions on a topic without documents 0.24–0.36.
export const DEFAULT_KB_GAP_OPTIONS: KbGapOptions = { similarity: 0.4, minShare: 0.6, minInputs: 10 };

/**
 * Coverage compares inputs with passages in MiniLM's space, not the drift encoder's: with
 * bge-small-en-v1.5 the demo's covered and uncovered questions overlap (0.61–0.82 against
 * 0.56–0.65, the same with bge's query instruction), and a covered demo topic read as a gap.
 */
export const KB_MODEL = MINILM;

export interface TopicMembers {
  kind: 'baseline' | 'emerging';
  /** Baseline topic id, or the emerging topic's rank. */
  id: number;
  label: string;
  /** Indices in the current window. */
  members: readonly number[];
}

export interface TopicCoverage {
  kind: 'baseline' | 'emerging';
  id: number;
  label: string;
  inputs: number;
  uncovered: number;
  uncoveredShare: number;
  /** Median over the topic's inputs of the similarity to the nearest passage. */
  medianSimilarity: number;
  /** The passage most often nearest to the topic's inputs. */
  nearestDoc: { docId: string; title: string } | null;
  gap: boolean;
  /** Up to three uncovered inputs (redacted texts, 500 characters at most), most uncovered first. */
  examples: string[];
}

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Coverage of every topic with current inputs. Emerging topics come first and claim their
 * members, so a new topic without documents is reported once, as itself, not again as a share of
 * the baseline topic its inputs fall in.
 */
export function topicCoverage(
  topics: readonly TopicMembers[],
  nearest: { similarity: Float64Array; passage: Int32Array },
  passages: readonly KbPassage[],
  texts: readonly string[],
  o: KbGapOptions = DEFAULT_KB_GAP_OPTIONS,
): TopicCoverage[] {
  const claimed = new Set<number>();
  const ordered = [...topics.filter((t) => t.kind === 'emerging'), ...topics.filter((t) => t.kind === 'baseline')];
  const out: TopicCoverage[] = [];
  for (const t of ordered) {
    const members = t.members.filter((i) => !claimed.has(i));
    if (members.length === 0) continue;
    const sims = members.map((i) => nearest.similarity[i]!);
    const uncoveredMembers = members.filter((i) => nearest.similarity[i]! < o.similarity).sort((a, b) => nearest.similarity[a]! - nearest.similarity[b]!);
    const votes = new Map<number, number>();
    for (const i of members) if (nearest.passage[i]! >= 0) votes.set(nearest.passage[i]!, (votes.get(nearest.passage[i]!) ?? 0) + 1);
    const top = [...votes].sort((a, b) => b[1] - a[1])[0];
    const share = uncoveredMembers.length / members.length;
    const gap = members.length >= o.minInputs && share >= o.minShare;
    if (gap && t.kind === 'emerging') for (const i of members) claimed.add(i);
    out.push({
      kind: t.kind,
      id: t.id,
      label: t.label,
      inputs: members.length,
      uncovered: uncoveredMembers.length,
      uncoveredShare: share,
      medianSimilarity: median(sims),
      nearestDoc: top ? { docId: passages[top[0]]!.docId, title: passages[top[0]]!.title } : null,
      gap,
      examples: uncoveredMembers.slice(0, 3).map((i) => texts[i]!.slice(0, 500)),
    });
  }
  return out;
}

/**
 * Coverage of a drift verdict's topics: its emerging topics, and the baseline topics by the cell
 * each current input was assigned to (`assign`, cells → topics by `cellTopic`). `current.opening[i]`:
 * the vector of input i's conversation opener, when input i is a follow-up.
 */
export function reportCoverage(
  report: DriftReport,
  cellTopic: readonly number[],
  assign: ArrayLike<number>,
  current: { vectors: readonly Vec[]; texts: readonly string[]; opening?: ReadonlyArray<Vec | undefined> },
  passages: readonly KbPassage[],
  passageVectors: readonly Vec[],
  o: KbGapOptions = DEFAULT_KB_GAP_OPTIONS,
): TopicCoverage[] {
  const members = report.clusters.map(() => [] as number[]);
  for (let i = 0; i < assign.length; i++) members[cellTopic[assign[i]!]!]!.push(i);
  const nearest = nearestPassages(current.vectors, passageVectors);
  // A follow-up ("I tried that already") leans on its conversation, so no passage answers it
  // alone: it is covered when its conversation's opening question is better covered than it is.
  const withOpening = current.opening?.flatMap((v, i) => (v ? [i] : [])) ?? [];
  if (withOpening.length > 0) {
    const viaOpening = nearestPassages(withOpening.map((i) => current.opening![i]!), passageVectors);
    withOpening.forEach((i, j) => {
      if (viaOpening.similarity[j]! > nearest.similarity[i]!) {
        nearest.similarity[i] = viaOpening.similarity[j]!;
        nearest.passage[i] = viaOpening.passage[j]!;
      }
    });
  }
  return topicCoverage(
    [
      ...report.emerging.topics.map((t, j) => ({ kind: 'emerging' as const, id: j, label: t.label, members: t.members })),
      ...report.clusters.map((c) => ({ kind: 'baseline' as const, id: c.id, label: c.label, members: members[c.id]! })),
    ],
    nearest,
    passages,
    current.texts,
    o,
  );
}

const pct = (x: number) => `${fmtNum(100 * x, 1)}%`;

/** The knowledge-rot alert of one gap topic, with the inputs the KB does not answer as examples. */
export function kbGapDraft(tenant: string, c: TopicCoverage, window: { start: number; end: number }, o: KbGapOptions): AlertDraftInput {
  return {
    kind: 'knowledge_rot',
    severity: 'warning',
    tenant,
    subject: `kb-gap:${c.label}`.slice(0, 200),
    title: `KB gap on ${c.kind === 'emerging' ? 'new topic ' : ''}"${c.label}" (${tenant}): ${c.uncovered} of ${c.inputs} inputs match no document`.slice(0, 150),
    summary: [
      `${c.uncovered} of the day's ${c.inputs} inputs on ${c.kind === 'emerging' ? 'the new topic' : 'topic'} "${c.label}" (${pct(c.uncoveredShare)}) have no KB passage with cosine similarity ≥ ${o.similarity}; median similarity ${fmtNum(c.medianSimilarity, 2)}.`,
      c.nearestDoc ? `Closest document: ${c.nearestDoc.docId} ("${c.nearestDoc.title}"). Answers on this topic cannot come from the knowledge base.` : 'No document comes close.',
      ...c.examples.map((e) => `• "${e.slice(0, 160)}"`),
    ].join('\n').slice(0, 2000),
    measure: { metric: 'share of topic inputs matching no KB passage', value: c.uncoveredShare, baseline: null, change_pct: null, window_start: window.start, window_end: window.end },
    facts: [
      { label: 'uncovered inputs', value: `${c.uncovered} of ${c.inputs} (${pct(c.uncoveredShare)})` },
      { label: 'median similarity', value: `${fmtNum(c.medianSimilarity, 3)} (threshold ${o.similarity})` },
      ...(c.nearestDoc ? [{ label: 'closest document', value: c.nearestDoc.docId }] : []),
    ],
    examples: c.examples,
  };
}
