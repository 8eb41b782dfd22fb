// `lookout drift evaluate --baseline FILE --current FILE`: the drift detection run on two files of
// texts (CSV with a `text` column, or NDJSON with a `text` field), no Kafka or ClickHouse needed.
import { readFileSync } from 'node:fs';
import { assignAll } from './cluster.ts';
import { buildBaseline, compareAssigned, type DriftOptions, type DriftReport } from './detect.ts';
import { createEmbedder, type EmbedderOptions } from './embed.ts';
import { DEFAULT_KB_GAP_OPTIONS, KB_MODEL, kbPassages, reportCoverage, type KbDocument, type KbGapOptions, type TopicCoverage } from './kb-gap.ts';

/** RFC 4180 CSV: quoted fields may hold commas, doubled quotes and newlines. */
export function parseCsv(source: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const s = source.charCodeAt(0) === 0xfeff ? source.slice(1) : source;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (quoted) {
      if (ch === '"') {
        if (s[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += ch;
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && s[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => !(r.length === 1 && r[0] === ''));
}

/**
 * Records of a CSV (header row) or NDJSON file with the named string fields; `required` ones must
 * be present in every record, the others default to ''.
 */
export function readRecords<K extends string>(path: string, fields: readonly K[], required: readonly K[]): Array<Record<K, string>> {
  const raw = readFileSync(path, 'utf8');
  const firstChar = raw.trimStart()[0];
  if (firstChar === '{') {
    return raw.split(/\r?\n/).flatMap((line, n) => {
      if (line.trim() === '') return [];
      let obj: unknown;
      try {
        obj = JSON.parse(line);
      } catch {
        throw new Error(`${path}:${n + 1}: not valid JSON`);
      }
      const rec = {} as Record<K, string>;
      for (const f of fields) {
        const v = (obj as Record<string, unknown> | null)?.[f];
        if (v !== undefined && typeof v !== 'string') throw new Error(`${path}:${n + 1}: field "${f}" is not a string`);
        if (required.includes(f) && typeof v !== 'string') throw new Error(`${path}:${n + 1}: no string field "${f}"`);
        rec[f] = v ?? '';
      }
      return [rec];
    });
  }
  const rows = parseCsv(raw);
  const header = rows[0]?.map((h) => h.trim().toLowerCase()) ?? [];
  for (const f of required) {
    if (!header.includes(f)) throw new Error(`${path}: CSV header has no "${f}" column (found: ${header.join(', ') || 'nothing'})`);
  }
  return rows.slice(1).map((r) => Object.fromEntries(fields.map((f) => [f, header.includes(f) ? (r[header.indexOf(f)] ?? '') : ''])) as Record<K, string>);
}

/** Texts from a CSV (header with a `text` column) or NDJSON (objects with a `text` field) file. */
export function readTexts(path: string, field = 'text'): string[] {
  return readRecords(path, [field], [field]).flatMap((r) => {
    const v = r[field] ?? '';
    return v.trim() !== '' ? [v] : [];
  });
}

/** KB documents from a CSV or NDJSON file with `doc_id`, `text` and optional `title`. */
export function readDocuments(path: string): KbDocument[] {
  return readRecords(path, ['doc_id', 'title', 'text'], ['doc_id', 'text']);
}

export interface EvaluateOptions {
  baseline: string;
  current: string;
  /** Field or column holding the text (default `text`). */
  field?: string;
  drift?: Partial<DriftOptions>;
  /** KB documents (CSV or NDJSON: doc_id, title, text): adds the coverage of every topic. */
  kb?: string;
  kbGap?: KbGapOptions;
  embedder?: EmbedderOptions;
  /** Progress lines go here (stderr in the CLI), never the texts themselves. */
  progress?: (message: string) => void;
}

export interface EvaluateResult extends DriftReport {
  files: { baseline: string; current: string; kb?: string };
  timingsMs: { embed: number; baseline: number; compare: number };
  /** Present with `kb`: coverage of the current window's topics by the documents' passages. */
  kbCoverage?: { passages: number; similarity: number; topics: TopicCoverage[] };
}

export async function evaluateFiles(opts: EvaluateOptions): Promise<EvaluateResult> {
  const progress = opts.progress ?? (() => {});
  const baseTexts = readTexts(opts.baseline, opts.field);
  const curTexts = readTexts(opts.current, opts.field);
  if (curTexts.length === 0) throw new Error(`${opts.current}: no texts`);
  const passages = opts.kb ? kbPassages(readDocuments(opts.kb)) : [];
  if (opts.kb && passages.length === 0) throw new Error(`${opts.kb}: no documents`);
  const embedder = await createEmbedder(opts.embedder);
  const kbEmbedder = opts.kb ? await createEmbedder({ ...opts.embedder, model: KB_MODEL }) : undefined;
  try {
    const t0 = performance.now();
    const all = [...baseTexts, ...curTexts];
    let lastShown = 0;
    const onProgress = (done: number, total: number) => {
      if (done === total || done - lastShown >= 2000) {
        lastShown = done;
        progress(`embedded ${done}/${total}`);
      }
    };
    const vectors = await embedder.embed(all, { onProgress });
    // KB coverage compares the current texts with the passages in the KB encoder's space.
    lastShown = 0;
    const kbVectors = kbEmbedder ? await kbEmbedder.embed([...curTexts, ...passages.map((p) => p.text)], { onProgress }) : [];
    const t1 = performance.now();
    const model = buildBaseline(vectors.slice(0, baseTexts.length), baseTexts, opts.drift);
    const t2 = performance.now();
    const current = vectors.slice(baseTexts.length);
    const assign = assignAll(current, model.centroids);
    const report = compareAssigned(model, assign, current, curTexts, opts.drift);
    const t3 = performance.now();
    const gap = opts.kbGap ?? DEFAULT_KB_GAP_OPTIONS;
    const coverage = opts.kb ? reportCoverage(report, model.cellTopic, assign, { vectors: kbVectors.slice(0, curTexts.length), texts: curTexts }, passages, kbVectors.slice(curTexts.length), gap) : undefined;
    return {
      ...report,
      files: { baseline: opts.baseline, current: opts.current, ...(opts.kb ? { kb: opts.kb } : {}) },
      timingsMs: { embed: Math.round(t1 - t0), baseline: Math.round(t2 - t1), compare: Math.round(t3 - t2) },
      ...(coverage
        ? {
            kbCoverage: {
              passages: passages.length,
              similarity: gap.similarity,
              topics: coverage,
            },
          }
        : {}),
    };
  } finally {
    await embedder.dispose();
    await kbEmbedder?.dispose();
  }
}
