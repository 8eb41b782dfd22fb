/**
 * Small builders for Grafana dashboard JSON (schema as Grafana 13 saves it) with SQL targets of
 * the grafana-clickhouse-datasource plugin 4.x. Panels are written in reading order with a width
 * and height; `dashboard()` numbers them and flows them into the 24-column grid.
 */

export const PLUGIN_ID = 'grafana-clickhouse-datasource';
export const PLUGIN_VERSION = '4.20.0';
/** The uid of the data source that deploy/compose provisions; the `datasource` variable defaults to it. */
export const PROVISIONED_DATASOURCE_UID = 'lookout-clickhouse';
const GRID_COLUMNS = 24;

export interface DataSourceRef {
  type: string;
  uid: string;
}

/** Every query goes through the dashboard's `datasource` variable, so an import can pick its own. */
export const DATASOURCE: DataSourceRef = { type: PLUGIN_ID, uid: '${datasource}' };

export interface Target {
  refId: string;
  datasource: DataSourceRef;
  editorType: 'sql';
  /** The plugin's query type; `format` is the backend's (sqlutil: 0 time series, 1 table). */
  queryType: 'timeSeries' | 'table';
  format: 0 | 1;
  rawSql: string;
  pluginVersion: string;
}

export interface GridPos {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface Panel {
  id: number;
  type: string;
  title: string;
  description?: string;
  gridPos: GridPos;
  datasource?: DataSourceRef;
  targets?: Target[];
  fieldConfig?: { defaults: Record<string, unknown>; overrides: unknown[] };
  options?: Record<string, unknown>;
  collapsed?: boolean;
  panels?: Panel[];
}

export type PanelDraft = Omit<Panel, 'id' | 'gridPos'> & { size: { w: number; h: number } };

export interface Variable {
  name: string;
  label?: string;
  type: 'datasource' | 'constant' | 'query' | 'custom';
  query: string;
  hide: 0 | 1 | 2;
  datasource?: DataSourceRef;
  definition?: string;
  refresh?: 1 | 2;
  multi?: boolean;
  includeAll?: boolean;
  sort?: number;
  regex?: string;
  current?: { text: string | string[]; value: string | string[] };
  options?: unknown[];
  description?: string;
}

export interface Dashboard {
  uid: string;
  title: string;
  description: string;
  tags: string[];
  timezone: 'utc';
  editable: boolean;
  graphTooltip: 1;
  schemaVersion: number;
  version: 1;
  refresh: string;
  time: { from: string; to: string };
  links: unknown[];
  annotations: { list: unknown[] };
  templating: { list: Variable[] };
  panels: Panel[];
}

interface PanelSpec {
  title: string;
  description: string;
  sql: string;
  w: number;
  h: number;
  unit?: string;
  decimals?: number;
}

function target(sql: string, kind: 'timeSeries' | 'table'): Target {
  return {
    refId: 'A',
    datasource: DATASOURCE,
    editorType: 'sql',
    queryType: kind,
    format: kind === 'timeSeries' ? 0 : 1,
    rawSql: sql.trim(),
    pluginVersion: PLUGIN_VERSION,
  };
}

/** What every query panel has: its type, texts, size and the one SQL target. */
function queryPanel(type: string, spec: PanelSpec, kind: 'timeSeries' | 'table'): PanelDraft {
  return {
    type,
    title: spec.title,
    description: spec.description,
    size: { w: spec.w, h: spec.h },
    datasource: DATASOURCE,
    targets: [target(spec.sql, kind)],
  };
}

function defaults(spec: PanelSpec, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ...(spec.unit ? { unit: spec.unit } : {}),
    ...(spec.decimals !== undefined ? { decimals: spec.decimals } : {}),
    ...extra,
  };
}

/** A time series: the query returns `time`, then an optional series column, then values. */
export function timeseries(spec: PanelSpec & { stack?: boolean; bars?: boolean; logScale?: boolean; max?: number }): PanelDraft {
  return {
    ...queryPanel('timeseries', spec, 'timeSeries'),
    fieldConfig: {
      defaults: defaults(spec, {
        ...(spec.max !== undefined ? { min: 0, max: spec.max } : {}),
        custom: {
          drawStyle: spec.bars ? 'bars' : 'line',
          fillOpacity: spec.stack || spec.bars ? 60 : 10,
          lineWidth: 1,
          showPoints: 'never',
          spanNulls: false,
          stacking: { mode: spec.stack ? 'normal' : 'none', group: 'A' },
          scaleDistribution: spec.logScale ? { type: 'log', log: 10 } : { type: 'linear' },
        },
      }),
      overrides: [],
    },
    options: { legend: { displayMode: 'table', placement: 'right', calcs: ['sum', 'max'], showLegend: true }, tooltip: { mode: 'multi', sort: 'desc' } },
  };
}

/** A single number (the first row's value columns). */
export function stat(spec: PanelSpec & { thresholds?: { value: number; color: string }[] }): PanelDraft {
  return {
    ...queryPanel('stat', spec, 'table'),
    fieldConfig: {
      defaults: defaults(spec, {
        thresholds: { mode: 'absolute', steps: [{ color: 'green', value: null }, ...(spec.thresholds ?? [])] },
        color: { mode: 'thresholds' },
      }),
      overrides: [],
    },
    options: {
      reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
      colorMode: spec.thresholds ? 'background' : 'value',
      graphMode: 'none',
      textMode: 'value',
      justifyMode: 'auto',
      orientation: 'auto',
    },
  };
}

/** A table of the query's rows, in the query's order. */
export function table(spec: PanelSpec): PanelDraft {
  return {
    ...queryPanel('table', spec, 'table'),
    fieldConfig: { defaults: defaults(spec, { custom: { align: 'auto', cellOptions: { type: 'auto' }, inspect: true } }), overrides: [] },
    options: { showHeader: true, cellHeight: 'sm', footer: { show: false, reducer: ['sum'], fields: '' } },
  };
}

export function row(title: string): PanelDraft {
  return { type: 'row', title, collapsed: false, panels: [], size: { w: GRID_COLUMNS, h: 1 } };
}

/** Numbers the panels from 1 and flows them left to right, a row panel always starting a line. */
export function layout(drafts: PanelDraft[]): Panel[] {
  let x = 0;
  let y = 0;
  let lineHeight = 0;
  return drafts.map((draft, i) => {
    const { size, ...rest } = draft;
    if (size.w > GRID_COLUMNS || size.w < 1 || size.h < 1) throw new Error(`panel "${draft.title}" has an impossible size ${size.w}x${size.h}`);
    if (x + size.w > GRID_COLUMNS || (draft.type === 'row' && x > 0)) {
      y += lineHeight;
      x = 0;
      lineHeight = 0;
    }
    const panel: Panel = { id: i + 1, gridPos: { x, y, w: size.w, h: size.h }, ...rest };
    x += size.w;
    lineHeight = Math.max(lineHeight, size.h);
    return panel;
  });
}

export function datasourceVariable(): Variable {
  return {
    name: 'datasource',
    label: 'Data source',
    type: 'datasource',
    query: PLUGIN_ID,
    hide: 0,
    refresh: 1,
    regex: '',
    current: { text: 'ClickHouse', value: PROVISIONED_DATASOURCE_UID },
    options: [],
  };
}

/** The ClickHouse database holding Lookout's tables (CLICKHOUSE_DATABASE); change it after import if yours differs. */
export function databaseVariable(): Variable {
  return {
    name: 'database',
    label: 'Database',
    type: 'constant',
    query: 'lookout',
    hide: 2,
    current: { text: 'lookout', value: 'lookout' },
    options: [],
    description: 'ClickHouse database of the Lookout tables',
  };
}

/** A drop-down filled by a ClickHouse query, refreshed when the time range changes. */
export function queryVariable(name: string, label: string, sql: string, o: { multi: boolean }): Variable {
  return {
    name,
    label,
    type: 'query',
    datasource: DATASOURCE,
    query: sql.trim(),
    definition: sql.trim(),
    hide: 0,
    refresh: 2,
    multi: o.multi,
    includeAll: o.multi,
    sort: 1,
    regex: '',
    current: o.multi ? { text: ['All'], value: ['$__all'] } : { text: '', value: '' },
    options: [],
  };
}

export function dashboard(d: { uid: string; title: string; description: string; variables: Variable[]; panels: PanelDraft[]; refresh?: string; from?: string }): Dashboard {
  return {
    uid: d.uid,
    title: d.title,
    description: d.description,
    tags: ['lookout'],
    timezone: 'utc',
    editable: true,
    graphTooltip: 1,
    schemaVersion: 41,
    version: 1,
    refresh: d.refresh ?? '1m',
    time: { from: d.from ?? 'now-24h', to: 'now' },
    links: [{ type: 'dashboards', tags: ['lookout'], asDropdown: true, title: 'Lookout', includeVars: true, keepTime: true }],
    annotations: {
      list: [
        {
          builtIn: 1,
          datasource: { type: 'grafana', uid: '-- Grafana --' },
          enable: true,
          hide: true,
          iconColor: 'rgba(0, 211, 255, 1)',
          name: 'Annotations & Alerts',
          type: 'dashboard',
        },
      ],
    },
    templating: { list: d.variables },
    panels: layout(d.panels),
  };
}
