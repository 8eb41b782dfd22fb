// `lookout drift evaluate --baseline FILE --current FILE`: the drift detection run on two files of
// texts (CSV with a `text` column, or NDJSON with a `text` field), no Kafka or ClickHouse needed.
import { readFileSync } from 'node:fs';
import { buildBaseline, compareWindow, type DriftOptions, type DriftReport } from './detect.ts';
import { createEmbedder, type EmbedderOptions } from './embed.ts';

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

/** Texts from a CSV (header with a `text` column) or NDJSON (objects with a `text` field) file. */
export function readTexts(path: string, field = 'text'): string[] {
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
      const v = (obj as Record<string, unknown> | null)?.[field];
      if (typeof v !== 'string') throw new Error(`${path}:${n + 1}: no string field "${field}"`);
      return v.trim() === '' ? [] : [v];
    });
  }
  const rows = parseCsv(raw);
  const header = rows[0]?.map((h) => h.trim().toLowerCase()) ?? [];
  const col = header.indexOf(field);
  if (col < 0) throw new Error(`${path}: CSV header has no "${field}" column (found: ${header.join(', ') || 'nothing'})`);
  return rows.slice(1).flatMap((r) => (r[col] && r[col].trim() !== '' ? [r[col]] : []));
}

export interface EvaluateOptions {
  baseline: string;
  current: string;
  /** Field or column holding the text (default `text`). */
  field?: string;
  drift?: Partial<DriftOptions>;
  embedder?: EmbedderOptions;
  /** Progress lines go here (stderr in the CLI), never the texts themselves. */
  progress?: (message: string) => void;
}

export interface EvaluateResult extends DriftReport {
  files: { baseline: string; current: string };
  timingsMs: { embed: number; baseline: number; compare: number };
}

export async function evaluateFiles(opts: EvaluateOptions): Promise<EvaluateResult> {
  const progress = opts.progress ?? (() => {});
  const baseTexts = readTexts(opts.baseline, opts.field);
  const curTexts = readTexts(opts.current, opts.field);
  if (curTexts.length === 0) throw new Error(`${opts.current}: no texts`);
  const embedder = await createEmbedder(opts.embedder);
  try {
    const t0 = performance.now();
    const all = baseTexts.concat(curTexts);
    let lastShown = 0;
    const vectors = await embedder.embed(all, {
      onProgress: (done, total) => {
        if (done === total || done - lastShown >= 2000) {
          lastShown = done;
          progress(`embedded ${done}/${total}`);
        }
      },
    });
    const t1 = performance.now();
    const model = buildBaseline(vectors.slice(0, baseTexts.length), baseTexts, opts.drift);
    const t2 = performance.now();
    const report = compareWindow(model, vectors.slice(baseTexts.length), curTexts, opts.drift);
    const t3 = performance.now();
    return {
      ...report,
      files: { baseline: opts.baseline, current: opts.current },
      timingsMs: { embed: Math.round(t1 - t0), baseline: Math.round(t2 - t1), compare: Math.round(t3 - t2) },
    };
  } finally {
    await embedder.dispose();
  }
}
