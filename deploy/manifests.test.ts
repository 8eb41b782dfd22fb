/**
 * The deployment files cannot be run here (no Docker engine, no cluster), so they are checked
 * against the code they start: every variable they set is a Lookout configuration key or one the
 * image documents, every `lookout` command exists, ports agree with the configuration, and every
 * image is pinned.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse, parseAllDocuments } from 'yaml';
import { CONFIG_DEFS, loadConfig } from '../common/config.ts';
import { REPO_ROOT } from './local/paths.ts';

const read = (path: string) => readFileSync(join(REPO_ROOT, path), 'utf8');
const PACKAGE = JSON.parse(read('package.json')) as { version: string };

const DEFS = Object.values(CONFIG_DEFS) as { env: string; default?: unknown }[];
/** Every variable a Lookout process reads: the configuration keys, and the config file's path. */
const LOOKOUT_ENV = new Set([...DEFS.map((d) => d.env), 'LOOKOUT_CONFIG']);
const DEFAULTS = new Map(DEFS.map((d) => [d.env, d.default]));

/**
 * Variables of the third-party images, as their documentation names them. Kafka's image turns each
 * KAFKA_* into the broker property of the same name (dots for underscores); Grafana maps GF_* to
 * grafana.ini and expands ${VAR} in provisioning files.
 */
const IMAGE_ENV: Record<string, Set<string>> = {
  'apache/kafka': new Set([
    'CLUSTER_ID', 'KAFKA_NODE_ID', 'KAFKA_PROCESS_ROLES', 'KAFKA_LISTENERS', 'KAFKA_ADVERTISED_LISTENERS',
    'KAFKA_LISTENER_SECURITY_PROTOCOL_MAP', 'KAFKA_CONTROLLER_LISTENER_NAMES', 'KAFKA_CONTROLLER_QUORUM_VOTERS',
    'KAFKA_INTER_BROKER_LISTENER_NAME', 'KAFKA_LOG_DIRS', 'KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR',
    'KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR', 'KAFKA_TRANSACTION_STATE_LOG_MIN_ISR',
    'KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS', 'KAFKA_AUTO_CREATE_TOPICS_ENABLE',
  ]),
  'clickhouse/clickhouse-server': new Set(['CLICKHOUSE_USER', 'CLICKHOUSE_PASSWORD', 'CLICKHOUSE_DB', 'CLICKHOUSE_DEFAULT_ACCESS_MANAGEMENT', 'CLICKHOUSE_SKIP_USER_SETUP']),
  'grafana/grafana': new Set(['GF_SECURITY_ADMIN_USER', 'GF_SECURITY_ADMIN_PASSWORD', 'GF_USERS_ALLOW_SIGN_UP', 'GF_PLUGINS_PREINSTALL_SYNC', 'CLICKHOUSE_PASSWORD']),
};
/** Where each long-running command serves HTTP (health, metrics), as a configuration key. */
const PORT_KEY: Record<string, string> = {
  process: 'LOOKOUT_PROCESSOR_METRICS_PORT',
  gateway: 'LOOKOUT_GATEWAY_PORT',
  jobs: 'LOOKOUT_JOBS_METRICS_PORT',
};
/** The ClickHouse image's HTTP port, which Lookout's CLICKHOUSE_URL must name. */
const CLICKHOUSE_HTTP_PORT = 8123;

const helpCache = new Map<string, Set<string>>();
/** Subcommands of `lookout ...path`, read from the CLI's own help. */
function cliCommands(path: string[]): Set<string> {
  const key = path.join(' ');
  let names = helpCache.get(key);
  if (!names) {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'cli', 'main.ts'), ...path, '--help'], { cwd: REPO_ROOT, encoding: 'utf8' });
    assert.equal(r.status, 0, `lookout ${key} --help failed: ${r.stderr}`);
    const section = r.stdout.split(/^Commands:$/m)[1] ?? '';
    names = new Set([...section.matchAll(/^ {2}(\S+)/gm)].map((m) => m[1]!));
    helpCache.set(key, names);
  }
  return names;
}

/** Fails unless `lookout ...args` names existing commands down to a command without subcommands. */
function assertLookoutCommand(args: string[], where: string): void {
  assert.ok(args.length > 0, `${where}: no lookout command`);
  const path: string[] = [];
  for (const arg of args) {
    if (arg.startsWith('-')) break;
    const known = cliCommands(path);
    if (known.size === 0) break;
    assert.ok(known.has(arg), `${where}: \`lookout ${[...path, arg].join(' ')}\` is not a command (known: ${[...known].join(', ')})`);
    path.push(arg);
  }
}

/** repo[:tag] with a version tag: never `latest` or no tag. */
function assertPinned(image: string, where: string): { repo: string; tag: string } {
  const m = /^(.+):([^:/]+)$/.exec(image);
  assert.ok(m, `${where}: image ${image} has no tag`);
  const [, repo, tag] = m as unknown as [string, string, string];
  assert.ok(/^\d+(\.\d+)+([-.][\w.-]+)?$/.test(tag), `${where}: image ${image} is not pinned to a version`);
  return { repo, tag };
}

function imageEnv(repo: string, where: string): Set<string> {
  const names = IMAGE_ENV[repo];
  assert.ok(names, `${where}: no documented variables for image ${repo}; add them to IMAGE_ENV with their source`);
  return names;
}

function assertLookoutVar(name: string, where: string): void {
  assert.ok(LOOKOUT_ENV.has(name), `${where}: ${name} is not a Lookout configuration key (common/config.ts)`);
}

/** Validates a Lookout environment the way a process would at start-up. */
function assertValidConfig(env: Record<string, string>, where: string): ReturnType<typeof loadConfig> {
  try {
    return loadConfig({ env, cwd: mkdtempSync(join(tmpdir(), 'lookout-deploy-')) });
  } catch (err) {
    assert.fail(`${where}: ${(err as Error).message}`);
  }
}

function portOf(url: string): number {
  return Number(new URL(url).port || (url.startsWith('https:') ? 443 : 80));
}

// ---------------------------------------------------------------- Compose

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, string | number | boolean>;
  ports?: string[];
  volumes?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  deploy?: { replicas?: number };
  restart?: string;
}

const COMPOSE_PATH = 'deploy/compose/docker-compose.yml';
const composeText = read(COMPOSE_PATH);
const compose = parse(composeText, { merge: true }) as { services: Record<string, ComposeService> };
const services = Object.entries(compose.services);
const isLookout = (s: ComposeService) => s.image?.startsWith('lookout:') ?? false;
const lookoutServices = services.filter(([, s]) => isLookout(s));

/** A compose value as the container gets it: `${X:-d}` gives d, `${X:?...}` a secret we cannot know. */
function composeValue(value: string | number | boolean): string | undefined {
  const v = String(value);
  const m = /^\$\{[A-Z0-9_]+(:?[-?])([^}]*)\}$/.exec(v);
  if (!m) return v.includes('${') ? undefined : v;
  return m[1]!.endsWith('-') ? m[2] : undefined;
}

function composeEnv(s: ComposeService): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(s.environment ?? {})) {
    const value = composeValue(v);
    if (value !== undefined && value !== '') out[k] = value;
  }
  return out;
}

const effective = (env: Record<string, string>, key: string) => env[key] ?? String(DEFAULTS.get(key));

function serviceByName(name: string, where: string): ComposeService {
  const s = compose.services[name];
  assert.ok(s, `${where}: no compose service named ${name}`);
  return s;
}

test('compose: every image is pinned; Kafka matches the local stack, ClickHouse the chdb engine', () => {
  for (const [name, s] of services) {
    assert.ok(s.image, `service ${name} has no image`);
    assertPinned(s.image, `service ${name}`);
  }
  const kafkaVersion = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(read('deploy/local/pom.xml'))?.[1];
  assert.equal(serviceByName('kafka', 'compose').image, `apache/kafka:${kafkaVersion}`);
  const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, { version?: string }> };
  const engine = lock.packages['node_modules/@chdb/lib-linux-x64-gnu']?.version?.replace(/-.*$/, '');
  assert.ok(engine, 'package-lock.json has no @chdb/lib-linux-x64-gnu version');
  const { tag } = assertPinned(serviceByName('clickhouse', 'compose').image!, 'clickhouse');
  assert.ok(tag.startsWith(`${engine}.`), `ClickHouse ${tag} is not the ${engine} engine the tests run on`);
  for (const [name, s] of lookoutServices) {
    assert.equal(s.image, `lookout:${PACKAGE.version}`, `service ${name}: the image tag follows package.json`);
    assert.equal(s.build?.dockerfile, 'deploy/docker/Dockerfile', `service ${name}`);
    assert.ok(existsSync(join(REPO_ROOT, 'deploy/compose', s.build!.context, s.build!.dockerfile)), `service ${name}: build context`);
  }
});

test('compose: Lookout services run real commands with real configuration keys and valid values', () => {
  assert.deepEqual(lookoutServices.map(([n]) => n).sort(), ['gateway', 'jobs', 'migrate', 'process']);
  for (const [name, s] of lookoutServices) {
    assertLookoutCommand(s.command ?? [], `service ${name}`);
    for (const key of Object.keys(s.environment ?? {})) assertLookoutVar(key, `service ${name}`);
    const env = composeEnv(s);
    // Stand-ins for the secrets from .env, so the rest is validated as the process would.
    if (s.environment?.LOOKOUT_REDACTION_KEY) env.LOOKOUT_REDACTION_KEY = 'x'.repeat(32);
    if (s.environment?.LOOKOUT_GATEWAY_API_KEYS) env.LOOKOUT_GATEWAY_API_KEYS = `t:${'k'.repeat(16)}`;
    assertValidConfig(env, `service ${name}`);
  }
  for (const [name, s] of services.filter(([, s]) => !isLookout(s))) {
    const known = imageEnv(assertPinned(s.image!, name).repo, `service ${name}`);
    for (const key of Object.keys(s.environment ?? {})) assert.ok(known.has(key), `service ${name}: ${key} is not a documented variable of ${s.image}`);
  }
});

test('compose: ports and endpoints agree with the configuration and the servers', () => {
  for (const [name, s] of lookoutServices) {
    const env = composeEnv(s);
    const command = s.command![0]!;
    const portKey = PORT_KEY[command];
    if (portKey) {
      const port = effective(env, portKey);
      assert.ok(s.healthcheck, `service ${name} has no healthcheck`);
      const probed = /127\.0\.0\.1:(\d+)\//.exec(s.healthcheck.test.join(' '))?.[1];
      assert.equal(probed, port, `service ${name}: the healthcheck probes ${probed}, ${portKey} is ${port}`);
      for (const mapping of s.ports ?? []) assert.equal(mapping.split(':').at(-1), port, `service ${name}: published ${mapping}, ${portKey} is ${port}`);
    }
    if (command === 'gateway') assert.equal(env.LOOKOUT_GATEWAY_HOST, '0.0.0.0', 'the gateway must listen beyond loopback in a container');
    for (const broker of (env.KAFKA_BROKERS ?? '').split(',').filter(Boolean)) {
      const [host] = broker.split(':');
      const kafka = serviceByName(host!, `service ${name} KAFKA_BROKERS`);
      assert.ok(String(kafka.environment?.KAFKA_ADVERTISED_LISTENERS).includes(`//${broker}`), `service ${name}: ${broker} is not an advertised listener of ${host}`);
    }
    if (env.CLICKHOUSE_URL) {
      const url = new URL(env.CLICKHOUSE_URL);
      const ch = serviceByName(url.hostname, `service ${name} CLICKHOUSE_URL`);
      assert.equal(portOf(env.CLICKHOUSE_URL), CLICKHOUSE_HTTP_PORT, `service ${name}: CLICKHOUSE_URL port`);
      assert.equal(s.environment?.CLICKHOUSE_USER, ch.environment?.CLICKHOUSE_USER, `service ${name}: ClickHouse user`);
      assert.equal(s.environment?.CLICKHOUSE_PASSWORD, ch.environment?.CLICKHOUSE_PASSWORD, `service ${name}: ClickHouse password`);
    }
  }
  const clusterId = String(serviceByName('kafka', 'compose').environment?.CLUSTER_ID);
  assert.equal(Buffer.from(clusterId, 'base64url').length, 16, 'CLUSTER_ID must be a Kafka UUID (16 bytes, URL-safe base64)');
});

test('compose: start order and health', () => {
  for (const [name, s] of services) {
    for (const [dep, { condition }] of Object.entries(s.depends_on ?? {})) {
      const d = serviceByName(dep, `service ${name} depends_on`);
      if (condition === 'service_healthy') assert.ok(d.healthcheck, `service ${name} waits for ${dep} to be healthy, but ${dep} has no healthcheck`);
      if (condition === 'service_completed_successfully') assert.equal(d.restart, 'no', `${dep} runs once`);
    }
  }
  for (const name of ['process', 'jobs']) assert.equal(serviceByName(name, 'compose').depends_on?.migrate?.condition, 'service_completed_successfully', `${name} starts after the migrations`);
  // The processor creates the topics before its /healthz answers, and Kafka does not auto-create them.
  assert.equal(serviceByName('gateway', 'compose').depends_on?.process?.condition, 'service_healthy');
  assert.equal(String(serviceByName('kafka', 'compose').environment?.KAFKA_AUTO_CREATE_TOPICS_ENABLE), 'false');
  assert.equal(serviceByName('jobs', 'compose').deploy?.replicas ?? 1, 1, 'the scheduler is a singleton');
});

test('compose: every variable it reads is in .env.example, which holds no secret', () => {
  const used = new Set([...composeText.matchAll(/\$\{([A-Z0-9_]+)/g)].map((m) => m[1]!));
  const example = read('deploy/compose/.env.example');
  const entries = [...example.matchAll(/^([A-Z0-9_]+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!] as const);
  assert.deepEqual([...used].sort(), entries.map(([k]) => k).sort(), '.env.example and the compose file name the same variables');
  for (const [k, v] of entries) assert.equal(v, '', `.env.example must not carry a value for ${k}`);
  assert.match(read('deploy/compose/.gitignore'), /^\.env$/m);
  assert.match(read('.dockerignore'), /^deploy\/compose\/\.env$/m);
});

test('compose: Grafana provisioning reads only what the grafana service sets', () => {
  const grafana = serviceByName('grafana', 'compose');
  const dir = join(REPO_ROOT, 'deploy/compose/grafana/provisioning');
  const files = ['datasources', 'dashboards'].flatMap((d) => readdirSync(join(dir, d)).map((f) => join(dir, d, f)));
  for (const file of files) {
    for (const m of readFileSync(file, 'utf8').matchAll(/\$\{?([A-Z0-9_]+)/g)) {
      assert.ok(grafana.environment?.[m[1]!] !== undefined, `${file} reads ${m[1]} but the grafana service does not set it`);
    }
  }
  const ds = parse(readFileSync(join(dir, 'datasources/clickhouse.yml'), 'utf8')) as { datasources: { jsonData: { host: string; port: number; defaultDatabase: string } }[] };
  const { host, port, defaultDatabase } = ds.datasources[0]!.jsonData;
  serviceByName(host, 'Grafana data source');
  assert.equal(port, CLICKHOUSE_HTTP_PORT);
  assert.equal(defaultDatabase, DEFAULTS.get('CLICKHOUSE_DATABASE'));
  const provider = parse(readFileSync(join(dir, 'dashboards/lookout.yml'), 'utf8')) as { providers: { options: { path: string } }[] };
  const mounts = (grafana.volumes ?? []).map((v) => v.split(':'));
  assert.ok(mounts.some(([src, dst]) => src === '../../dashboards/build' && dst === provider.providers[0]!.options.path), 'the dashboards provider reads the mounted dashboards/build/ folder');
});

// ---------------------------------------------------------------- Kubernetes

interface EnvVar { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean } } }
interface Probe { httpGet?: { path: string; port: string | number } }
interface Container {
  name: string;
  image: string;
  args?: string[];
  env?: EnvVar[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  ports?: { name?: string; containerPort: number }[];
  resources?: { requests?: { cpu?: string } };
  startupProbe?: Probe;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
}
interface PodTemplate { metadata: { labels: Record<string, string>; annotations?: Record<string, string> }; spec: { containers: Container[] } }
interface K8sDoc {
  kind: string;
  metadata: { name: string; namespace?: string };
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  spec?: {
    replicas?: number;
    strategy?: { type: string };
    selector?: Record<string, string> & { matchLabels?: Record<string, string> };
    template?: PodTemplate;
    ports?: { name: string; port: number; targetPort: string | number }[];
  };
}

const K8S_DIR = join(REPO_ROOT, 'deploy/k8s');
function loadDocs(dir: string): { file: string; doc: K8sDoc }[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((f) => parseAllDocuments(readFileSync(join(dir, f), 'utf8')).map((d) => {
      assert.equal(d.errors.length, 0, `${f}: ${d.errors.join('; ')}`);
      return { file: f, doc: d.toJS() as K8sDoc };
    }));
}
const applied = loadDocs(K8S_DIR);
const examples = loadDocs(join(K8S_DIR, 'examples'));
const one = (kind: string, from = applied) => {
  const found = from.filter(({ doc }) => doc.kind === kind);
  assert.equal(found.length, 1, `expected one ${kind}`);
  return found[0]!.doc;
};
const configMap = one('ConfigMap');
const secret = one('Secret', examples);
const workloads = applied.filter(({ doc }) => doc.kind === 'Deployment' || doc.kind === 'Job');
const workload = (component: string) => {
  const w = workloads.find(({ doc }) => doc.spec?.template?.metadata.labels['app.kubernetes.io/component'] === component);
  assert.ok(w, `no workload for ${component}`);
  return w.doc;
};

/** The environment a container starts with; secrets stand in as valid values. */
function containerEnv(c: Container): Record<string, string> {
  const env: Record<string, string> = {};
  for (const from of c.envFrom ?? []) {
    if (from.configMapRef) Object.assign(env, configMap.data);
  }
  for (const e of c.env ?? []) {
    if (e.value !== undefined) env[e.name] = e.value;
    else if (e.name === 'LOOKOUT_REDACTION_KEY') env[e.name] = 'x'.repeat(32);
    else if (e.name === 'LOOKOUT_GATEWAY_API_KEYS') env[e.name] = `t:${'k'.repeat(16)}`;
  }
  return env;
}

test('k8s: one namespace, the Secret example stays out of `kubectl apply -f deploy/k8s/`', () => {
  const ns = one('Namespace').metadata.name;
  for (const { file, doc } of [...applied, ...examples]) {
    if (doc.kind !== 'Namespace') assert.equal(doc.metadata.namespace, ns, `${file}: ${doc.kind} ${doc.metadata.name}`);
  }
  assert.equal(applied.filter(({ doc }) => doc.kind === 'Secret').length, 0, 'no Secret among the applied manifests');
});

test('k8s: the ConfigMap and the Secret example hold only configuration keys; the placeholders are rejected', () => {
  for (const key of Object.keys(configMap.data ?? {})) assertLookoutVar(key, 'ConfigMap');
  for (const key of Object.keys(secret.stringData ?? {})) assertLookoutVar(key, 'Secret example');
  assertValidConfig({ ...configMap.data }, 'ConfigMap');
  for (const key of ['LOOKOUT_REDACTION_KEY', 'LOOKOUT_GATEWAY_API_KEYS']) {
    const placeholder = secret.stringData?.[key];
    assert.ok(placeholder, `Secret example has no ${key}`);
    assert.throws(() => loadConfig({ env: { [key]: placeholder }, cwd: mkdtempSync(join(tmpdir(), 'lookout-deploy-')) }), `the ${key} placeholder must fail validation, so nobody runs with it`);
  }
});

test('k8s: containers run pinned images, real commands and real configuration keys', () => {
  assert.deepEqual(workloads.map(({ doc }) => doc.spec!.template!.metadata.labels['app.kubernetes.io/component']).sort(), ['gateway', 'jobs', 'migrate', 'processor']);
  for (const { file, doc } of workloads) {
    for (const c of doc.spec!.template!.spec.containers) {
      const where = `${file} container ${c.name}`;
      const { repo, tag } = assertPinned(c.image, where);
      assert.ok(repo.endsWith('/lookout') || repo === 'lookout', `${where}: ${c.image} is not the Lookout image`);
      assert.equal(tag, PACKAGE.version, `${where}: the image tag follows package.json`);
      assertLookoutCommand(c.args ?? [], where);
      for (const e of c.env ?? []) {
        assertLookoutVar(e.name, where);
        const ref = e.valueFrom?.secretKeyRef;
        if (ref) {
          assert.equal(ref.name, secret.metadata.name, `${where}: ${e.name} comes from an unknown Secret`);
          assert.ok(ref.key in (secret.stringData ?? {}), `${where}: the Secret example has no ${ref.key}`);
        }
      }
      for (const from of c.envFrom ?? []) {
        assert.equal(from.configMapRef?.name, configMap.metadata.name, `${where}: envFrom names an unknown ConfigMap`);
      }
      assertValidConfig(containerEnv(c), where);
    }
  }
});

test('k8s: ports, probes and scrape annotations agree with the configuration', () => {
  for (const component of ['processor', 'gateway', 'jobs']) {
    const template = workload(component).spec!.template!;
    const c = template.spec.containers[0]!;
    const env = containerEnv(c);
    const portKey = PORT_KEY[c.args![0]!]!;
    const port = Number(effective(env, portKey));
    const named = new Map((c.ports ?? []).map((p) => [p.name, p.containerPort]));
    assert.deepEqual([...named.values()], [port], `${component}: containerPort is ${portKey} (${port})`);
    assert.equal(template.metadata.annotations?.['prometheus.io/port'], String(port), `${component}: scrape port`);
    assert.equal(template.metadata.annotations?.['prometheus.io/scrape'], 'true');
    assert.equal(template.metadata.annotations?.['prometheus.io/path'], '/metrics');
    for (const probe of [c.startupProbe, c.livenessProbe, c.readinessProbe]) {
      if (!probe?.httpGet) continue;
      const p = probe.httpGet.port;
      assert.equal(typeof p === 'string' ? named.get(p) : p, port, `${component}: a probe on port ${p}`);
    }
    assert.equal(c.livenessProbe?.httpGet?.path, '/healthz', `${component}: liveness on /healthz`);
  }
  const gateway = workload('gateway');
  const gatewayContainer = gateway.spec!.template!.spec.containers[0]!;
  assert.equal(gatewayContainer.readinessProbe?.httpGet?.path, '/readyz');
  assert.equal(containerEnv(gatewayContainer).LOOKOUT_GATEWAY_HOST, '0.0.0.0', 'the gateway must listen on the pod address');
  const service = one('Service');
  const labels = gateway.spec!.template!.metadata.labels;
  for (const [k, v] of Object.entries(service.spec!.selector!)) assert.equal(labels[k], v, `Service selector ${k}`);
  const portNames = new Set((gatewayContainer.ports ?? []).map((p) => p.name));
  for (const p of service.spec!.ports!) assert.ok(portNames.has(String(p.targetPort)), `Service targetPort ${p.targetPort}`);
});

test('k8s: processors scale within the partitions, the scheduler is a singleton', () => {
  for (const { file, doc } of workloads.filter(({ doc }) => doc.kind === 'Deployment')) {
    const labels = doc.spec!.template!.metadata.labels;
    for (const [k, v] of Object.entries(doc.spec!.selector!.matchLabels ?? {})) assert.equal(labels[k], v, `${file}: selector ${k}`);
  }
  const processor = workload('processor');
  const c = processor.spec!.template!.spec.containers[0]!;
  const env = containerEnv(c);
  assert.ok(processor.spec!.replicas! <= Number(effective(env, 'LOOKOUT_EVENTS_PARTITIONS')), 'more processor replicas than partitions sit idle');
  assert.equal(env.LOOKOUT_PROCESSOR_WORKERS, c.resources?.requests?.cpu, 'one pipeline thread per requested core');
  const jobs = workload('jobs');
  assert.equal(jobs.spec!.replicas, 1);
  assert.equal(jobs.spec!.strategy?.type, 'Recreate');
});

// ---------------------------------------------------------------- Image

test('Dockerfile: pinned Node 20 bases, model-only install, non-root, the CLI as entrypoint', () => {
  const dockerfile = read('deploy/docker/Dockerfile');
  const bases = [...dockerfile.matchAll(/^FROM\s+(\S+)/gm)].map((m) => m[1]!);
  assert.equal(bases.length, 2, 'a build and a runtime stage');
  for (const base of bases) assert.match(assertPinned(base, 'FROM').tag, /^20\.\d+\.\d+-bookworm(-slim)?$/);
  assert.match(dockerfile, /^COPY package\.json package-lock\.json \.npmrc \.\/$/m, 'npm install runs with the project .npmrc');
  assert.match(dockerfile, /LOOKOUT_INSTALL=model npm install --omit=dev/);
  assert.match(dockerfile, /rm -rf node_modules\/chdb node_modules\/@chdb/);
  assert.match(dockerfile, /^USER [1-9]\d*:\d+$/m);
  const exposed = /^EXPOSE (.+)$/m.exec(dockerfile)?.[1]?.split(' ').sort();
  assert.deepEqual(exposed, Object.values(PORT_KEY).map((k) => String(DEFAULTS.get(k))).sort(), 'EXPOSE lists the default ports');
  assert.match(dockerfile, /^ENTRYPOINT \["node", "--import", "tsx", "cli\/main\.ts"\]$/m);
  for (const ignored of ['.lookout', '**/node_modules', 'lookout.config.json']) assert.ok(read('.dockerignore').split('\n').includes(ignored), `.dockerignore: ${ignored}`);
});
