/**
 * The committed dashboards: they are what the sources build (no drift), and each is a dashboard
 * Grafana can load as provisioned: data source on every query, unique ids and uids, panels
 * inside the grid without overlap, every variable a query uses defined, no unknown macro.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from '../deploy/local/paths.ts';
import { BUILD_DIR, build, staleFiles } from './build.ts';
import { expand, variablesUsed } from './src/expand.ts';
import { PLUGIN_ID, PROVISIONED_DATASOURCE_UID, type Dashboard, type GridPos } from './src/grafana.ts';
import { DASHBOARDS } from './src/index.ts';

const built = Object.keys(DASHBOARDS).map((file) => [file, JSON.parse(readFileSync(join(BUILD_DIR, file), 'utf8')) as Dashboard] as const);

function queries(d: Dashboard): { where: string; sql: string }[] {
  return [
    ...d.templating.list.filter((v) => v.type === 'query').map((v) => ({ where: `variable ${v.name}`, sql: v.query })),
    ...d.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ where: `panel "${p.title}"`, sql: t.rawSql }))),
  ];
}

test('the committed dashboards/build/*.json are exactly what `npm run dashboards` writes now', () => {
  assert.deepEqual(staleFiles(), [], 'run `npm run dashboards` and commit dashboards/build');
});

test('the staleness check sees an edited, a missing and an extra file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dashboards-'));
  try {
    build(dir);
    assert.deepEqual(staleFiles(dir), []);
    const [first, second] = Object.keys(DASHBOARDS);
    writeFileSync(join(dir, first!), readFileSync(join(dir, first!), 'utf8').replace('"editable": true', '"editable": false'));
    rmSync(join(dir, second!));
    writeFileSync(join(dir, 'old.json'), '{}');
    assert.deepEqual(staleFiles(dir), [first!, second!, 'old.json'].sort());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('dashboard uids and titles are unique, and so are panel ids within each', () => {
  const uids = built.map(([, d]) => d.uid);
  assert.equal(new Set(uids).size, uids.length);
  assert.equal(new Set(built.map(([, d]) => d.title)).size, built.length);
  for (const [file, d] of built) {
    assert.match(d.uid, /^[a-z0-9-]{1,40}$/, `${file}: Grafana uids are at most 40 characters`);
    const titles = d.panels.map((p) => p.title);
    assert.equal(new Set(titles).size, titles.length, `${file}: duplicate panel title`);
    const ids = d.panels.map((p) => p.id);
    assert.equal(new Set(ids).size, ids.length, `${file}: duplicate panel id`);
    assert.ok(ids.every((id) => Number.isInteger(id) && id > 0), `${file}: panel ids are positive integers`);
  }
});

test('every query panel reads the ClickHouse plugin through the datasource variable, with SQL', () => {
  for (const [file, d] of built) {
    for (const p of d.panels) {
      if (p.type === 'row') {
        assert.equal(p.targets, undefined, `${file}: row "${p.title}" has no queries`);
        continue;
      }
      assert.ok(p.title && p.description, `${file}: panel ${p.id} needs a title and a description`);
      assert.deepEqual(p.datasource, { type: PLUGIN_ID, uid: '${datasource}' }, `${file}: "${p.title}" datasource`);
      assert.ok(p.targets && p.targets.length > 0, `${file}: "${p.title}" has no query`);
      for (const t of p.targets) {
        assert.deepEqual(t.datasource, p.datasource, `${file}: "${p.title}" target datasource`);
        assert.equal(t.editorType, 'sql');
        assert.ok(t.rawSql.trim().length > 0);
        assert.equal(t.format, t.queryType === 'timeSeries' ? 0 : 1, `${file}: "${p.title}" format matches its query type`);
        if (p.type === 'timeseries') assert.match(t.rawSql, /\bAS time\b/, `${file}: "${p.title}" returns a time column`);
      }
    }
  }
});

test('panels sit inside the 24-column grid without overlapping', () => {
  const overlap = (a: GridPos, b: GridPos) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
  for (const [file, d] of built) {
    for (const p of d.panels) {
      const g = p.gridPos;
      assert.ok([g.x, g.y, g.w, g.h].every(Number.isInteger), `${file}: "${p.title}" gridPos integers`);
      assert.ok(g.x >= 0 && g.y >= 0 && g.w >= 1 && g.h >= 1 && g.x + g.w <= 24, `${file}: "${p.title}" gridPos ${JSON.stringify(g)}`);
    }
    for (const [i, a] of d.panels.entries()) {
      for (const b of d.panels.slice(i + 1)) assert.ok(!overlap(a.gridPos, b.gridPos), `${file}: "${a.title}" overlaps "${b.title}"`);
    }
  }
});

test('every variable a query uses is defined on its dashboard, and every macro is one the plugin has', () => {
  for (const [file, d] of built) {
    const defined = new Set(d.templating.list.map((v) => v.name));
    const values = Object.fromEntries(d.templating.list.map((v) => [v.name, v.multi ? ['a', "o'brien"] : 'x']));
    for (const { where, sql } of queries(d)) {
      for (const name of variablesUsed(sql)) assert.ok(defined.has(name), `${file}: ${where} uses $${name}, which is not defined`);
      const expanded = expand(sql, { from: new Date('2026-11-01T00:00:00Z'), to: new Date('2026-11-02T00:00:00Z'), intervalSeconds: 60, variables: values });
      assert.doesNotMatch(expanded, /\$/, `${file}: ${where} keeps a $ after expansion`);
    }
    const used = new Set(queries(d).flatMap((q) => variablesUsed(q.sql)));
    for (const v of d.templating.list) assert.ok(used.has(v.name) || v.name === 'datasource', `${file}: variable ${v.name} is never used`);
  }
});

test('the substitution mimics the plugin macros and Grafana formats', () => {
  const ctx = { from: new Date('2026-11-01T10:00:00.250Z'), to: new Date('2026-11-02T10:00:00.750Z'), intervalSeconds: 0.2, variables: { t: ['a', "b'c"], db: 'lookout' } };
  assert.equal(
    expand("SELECT $__timeInterval(ts) AS time FROM ${db}.e WHERE $__timeFilter(ts) AND t IN (${t:singlequote}) AND x = '$__interval_s'", ctx),
    "SELECT toStartOfInterval(toDateTime(ts), INTERVAL 1 second) AS time FROM lookout.e WHERE ts >= toDateTime(1793527200) AND ts <= toDateTime(1793613600) AND t IN ('a','b\\'c') AND x = '1'",
  );
  assert.equal(expand('$__dateFilter(day) AND $__fromTime_ms < $__toTime_ms', ctx), "day >= toDate('2026-11-01') AND day <= toDate('2026-11-02') AND fromUnixTimestamp64Milli(1793527200250) < fromUnixTimestamp64Milli(1793613600750)");
  assert.equal(expand('$__timeFilter(toDateTime(f(a, b)))', ctx), 'toDateTime(f(a, b)) >= toDateTime(1793527200) AND toDateTime(f(a, b)) <= toDateTime(1793613600)');
  assert.throws(() => expand('$__conditionalAll(x, $t)', ctx), /not one the plugin expands here/);
  assert.throws(() => expand('x = $nope', ctx), /undefined variable \$nope/);
});

test('the provisioning loads the built folder and uses the data source uid the dashboards default to', () => {
  const dir = join(REPO_ROOT, 'deploy/compose/grafana/provisioning');
  const ds = parse(readFileSync(join(dir, 'datasources/clickhouse.yml'), 'utf8')) as { datasources: { uid: string; type: string }[] };
  assert.ok(ds.datasources.some((d) => d.uid === PROVISIONED_DATASOURCE_UID && d.type === PLUGIN_ID));
  const compose = parse(readFileSync(join(REPO_ROOT, 'deploy/compose/docker-compose.yml'), 'utf8')) as { services: { grafana: { volumes: string[] } } };
  const provider = parse(readFileSync(join(dir, 'dashboards/lookout.yml'), 'utf8')) as { providers: { options: { path: string } }[] };
  assert.ok(compose.services.grafana.volumes.includes(`../../dashboards/build:${provider.providers[0]!.options.path}:ro`));
  for (const [, d] of built) {
    const v = d.templating.list.find((x) => x.name === 'datasource');
    assert.deepEqual(v?.current?.value, PROVISIONED_DATASOURCE_UID);
  }
});

test('cost alerts link to the cost dashboard with var-tenant and var-service: both variables exist there', () => {
  const cost = built.find(([, d]) => d.uid === 'lookout-cost')?.[1];
  assert.ok(cost, 'README and LOOKOUT_COST_DASHBOARD_URL examples use /d/lookout-cost');
  const names = cost.templating.list.map((v) => v.name);
  assert.ok(names.includes('tenant') && names.includes('service'));
});
