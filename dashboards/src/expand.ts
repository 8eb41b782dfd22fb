/**
 * Turns a panel's SQL into what ClickHouse receives from Grafana, so tests can run every query
 * against the real schema. It mimics, for the subset the dashboards use, two steps that happen
 * in Grafana and are not run here:
 *
 * 1. Grafana's template variables: `${name:singlequote}` quotes each value (a quote inside is
 *    escaped with a backslash) and joins them with commas; `${name}` and `$name` join raw values
 *    with commas. "All" is expanded by Grafana into every option before this point: pass them.
 * 2. grafana-clickhouse-datasource 4.x backend macros (pkg/macros/macros.go): `$__timeFilter(c)`
 *    → `c >= toDateTime(from) AND c <= toDateTime(to)` (seconds), `$__timeFilter_ms(c)`,
 *    `$__dateFilter(c)` → `toDate('YYYY-MM-DD')` bounds, `$__fromTime` / `$__toTime`
 *    → `toDateTime(s)`, `$__fromTime_ms` / `$__toTime_ms` → `fromUnixTimestamp64Milli(ms)`,
 *    `$__timeInterval(c)` → `toStartOfInterval(toDateTime(c), INTERVAL n second)`,
 *    `$__interval_s` → n (at least 1).
 *
 * Anything else that starts with `$` is an error, so a typo fails a test instead of a panel.
 */

export interface ExpandContext {
  from: Date;
  to: Date;
  /** The panel interval Grafana derives from the range and width, in seconds. */
  intervalSeconds: number;
  variables: Record<string, string | string[]>;
}

const VARIABLE = /\$\{([A-Za-z_]\w*)(?::(\w+))?\}|\$([A-Za-z]\w*)/g;
const MACRO = /\$__(\w+)/g;

/** Names of the template variables a query uses (macros excluded). */
export function variablesUsed(sql: string): string[] {
  const names = new Set<string>();
  for (const m of sql.matchAll(VARIABLE)) names.add((m[1] ?? m[3])!);
  return [...names].sort();
}

function quote(value: string): string {
  return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

function applyVariables(sql: string, variables: ExpandContext['variables']): string {
  return sql.replace(VARIABLE, (whole, braced: string | undefined, format: string | undefined, bare: string | undefined) => {
    const name = (braced ?? bare)!;
    const value = variables[name];
    if (value === undefined) throw new Error(`query uses undefined variable $${name}: ${whole}`);
    const values = Array.isArray(value) ? value : [value];
    if (format === undefined || format === 'raw') return values.join(',');
    if (format === 'singlequote') return values.map(quote).join(',');
    throw new Error(`variable format ${format} is not mimicked (${whole})`);
  });
}

/** The text between the parentheses that open at `open`, honouring nesting and quotes. */
function argumentAt(sql: string, open: number): { arg: string; end: number } {
  let depth = 0;
  let inQuote = false;
  for (let i = open; i < sql.length; i++) {
    const ch = sql[i];
    if (inQuote) {
      if (ch === '\\') i++;
      else if (ch === "'") inQuote = false;
    } else if (ch === "'") inQuote = true;
    else if (ch === '(') depth++;
    else if (ch === ')' && --depth === 0) return { arg: sql.slice(open + 1, i).trim(), end: i + 1 };
  }
  throw new Error(`unbalanced macro argument at ${sql.slice(open, open + 40)}`);
}

const seconds = (d: Date) => Math.floor(d.getTime() / 1000);
const day = (d: Date) => `toDate('${d.toISOString().slice(0, 10)}')`;

function applyMacros(sql: string, ctx: ExpandContext): string {
  const from = `toDateTime(${seconds(ctx.from)})`;
  const to = `toDateTime(${seconds(ctx.to)})`;
  const fromMs = `fromUnixTimestamp64Milli(${ctx.from.getTime()})`;
  const toMs = `fromUnixTimestamp64Milli(${ctx.to.getTime()})`;
  const interval = Math.max(Math.floor(ctx.intervalSeconds), 1);
  const withArg: Record<string, (c: string) => string> = {
    timeFilter: (c) => `${c} >= ${from} AND ${c} <= ${to}`,
    timeFilter_ms: (c) => `${c} >= ${fromMs} AND ${c} <= ${toMs}`,
    dateFilter: (c) => `${c} >= ${day(ctx.from)} AND ${c} <= ${day(ctx.to)}`,
    timeInterval: (c) => `toStartOfInterval(toDateTime(${c}), INTERVAL ${interval} second)`,
  };
  const plain: Record<string, string> = { fromTime: from, toTime: to, fromTime_ms: fromMs, toTime_ms: toMs, interval_s: String(interval) };
  let out = '';
  let last = 0;
  for (const m of sql.matchAll(MACRO)) {
    if (m.index < last) continue;
    const name = m[1]!;
    out += sql.slice(last, m.index);
    const fn = withArg[name];
    if (fn) {
      if (sql[m.index + m[0].length] !== '(') throw new Error(`macro $__${name} needs an argument`);
      const { arg, end } = argumentAt(sql, m.index + m[0].length);
      out += fn(arg);
      last = end;
    } else if (name in plain) {
      out += plain[name];
      last = m.index + m[0].length;
    } else {
      throw new Error(`macro $__${name} is not one the plugin expands here`);
    }
  }
  return out + sql.slice(last);
}

/** Variables first (Grafana's front end), then macros (the plugin's back end), as in Grafana. */
export function expand(sql: string, ctx: ExpandContext): string {
  return applyMacros(applyVariables(sql, ctx.variables), ctx);
}
