/**
 * Property-based fuzzing of the scenario loader (fast-check; runs and seed from
 * src/engine/testing/fuzz-config.ts).
 *
 * `loadScenario` over mutated copies of every real scenario file (line deletion, duplication
 * and moves, character edits, indentation changes, value swaps between keys, truncation) and
 * over random YAML-ish text and random key/value trees rendered as YAML: it never throws;
 * `ok` is false exactly when there are errors, and then every error has a line ≥ 1, a
 * column ≥ 1 and a message; when `ok` is true the scenario is there. `buildWorld` on mutated
 * files that load never throws either, and its problems are positioned the same way. No
 * problem may be one of the loaders' "internal error" catch-alls (a caught exception).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { stringify } from 'yaml';
import { applyTextMutations, fuzzCheck, fuzzTimeout, textMutationArb, type TextMutation } from '../../testing/fuzz-config.ts';
import type { ScenarioProblem } from './model.ts';
import { loadScenario, type LoadResult } from './parse.ts';
import { buildWorld } from './world.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..');

function yamlFilesIn(dir: string): { name: string; text: string }[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => ({ name: f, text: readFileSync(join(dir, f), 'utf8') }));
}

/** Every real scenario file: the examples, the deliberately invalid ones and the loader's test data. */
const FILES = [...yamlFilesIn(join(root, 'scenarios')), ...yamlFilesIn(join(root, 'scenarios', 'invalid')), ...yamlFilesIn(join(here, 'testdata'))];

/** Words of the scenario format and of the Kubernetes objects it carries. */
const KEYS = [
  'apiVersion', 'kind', 'metadata', 'name', 'namespace', 'labels', 'annotations', 'description', 'spec', 'seed', 'cluster', 'nodes',
  'podCIDR', 'serviceCIDR', 'nodeCIDR', 'dnsDomain', 'kubeProxy', 'mode', 'clusterCIDR', 'masqueradeAll', 'nodePortAddresses', 'dns',
  'ttl', 'pods', 'network', 'latency', 'bandwidth', 'mtu', 'loss', 'cloud', 'loadBalancer', 'ipPool', 'clients', 'ip', 'traffic', 'at',
  'from', 'to', 'http', 'url', 'method', 'tcp', 'udp', 'ping', 'send', 'host', 'port', 'repeat', 'count', 'interval', 'timeout', 'expect',
  'status', 'body', 'rcode', 'answers', 'records', 'type', 'dnat', 'hops', 'clientIP', 'servedBy', 'sameBackend', 'spread', 'error',
  'faults', 'deletePod', 'setReady', 'nodeDown', 'nodeUp', 'link', 'scale', 'replicas', 'budgets', 'maxEvents', 'maxSimulatedTime',
  'expectations', 'iptables', 'table', 'rule', 'matches', 'not', 'selector', 'matchLabels', 'template', 'containers', 'image', 'ports',
  'containerPort', 'targetPort', 'protocol', 'nodePort', 'clusterIP', 'clusterIPs', 'sessionAffinity', 'externalTrafficPolicy',
  'internalTrafficPolicy', 'publishNotReadyAddresses', 'readinessProbe', 'args', 'command', 'items', 'endpoints', 'addresses',
  'conditions', 'ready', 'serviceName', 'podIP', 'nodeName', 'rules', 'backend', 'service', 'number', 'path', 'pathType', 'upstream',
];
const KINDS = ['Scenario', 'Service', 'Deployment', 'StatefulSet', 'DaemonSet', 'Pod', 'Node', 'Namespace', 'EndpointSlice', 'Ingress', 'ConfigMap', 'List', 'ReplicaSet'];
const WORDS = [
  'kubewire.dev/v1alpha1', 'v1', 'apps/v1', 'networking.k8s.io/v1', 'discovery.k8s.io/v1', ...KINDS, 'default', 'kube-system', 'web',
  'backend', 'client', 'pod/client', 'node-1', 'deployment/web', 'service:web:80', 'http://web/', 'http://backend:8080/x', '10.96.0.10',
  '10.244.0.0/16', '10.96.0.0/12', '198.51.100.7', '203.0.113.0/24', '1ms', '5s', '200', '80', '8080', '30080', 'TCP', 'UDP', 'SCTP',
  'ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName', 'None', 'ClientIP', 'Local', 'Cluster', 'NOERROR', 'NXDOMAIN', 'A', 'AAAA',
  'SRV', 'iptables', 'ipvs', 'nat', 'filter', 'true', 'false', 'null', '~', '0', '-1', '3', '65536', '1e9', '0x10', '.inf', '""', "''",
  'agnhost', 'netexec', '--http-port=8080', 'app', 'tier',
];
const YAML_CHARS = [...' \n\t:-{}[],"\'#&*!|>%@`?.\\/=+_aZ09', '\r', '\u00e9', '\u{1f600}', '\u0000'];
const YAML_TOKENS = [...KEYS.map((k) => `${k}: `), ...WORDS, '\n', '\n  ', '\n    ', '- ', '---\n', '...\n', '{', '}', '[', ']', ', ', ': ', '&a ', '*a', '!!str ', '|\n  ', '>\n  ', '<<: ', '? '];

const VOCABULARY = [...KEYS.map((k) => `${k}:`), ...WORDS, '-', '---', '{', '}', '[', ']'];
const mutatedFileWith = (mutation: fc.Arbitrary<TextMutation>, maxEdits: number): fc.Arbitrary<{ name: string; text: string }> =>
  fc.record({ file: fc.constantFrom(...FILES), muts: fc.array(mutation, { minLength: 1, maxLength: maxEdits }) }).map(({ file, muts }) => ({
    name: file.name,
    text: applyTextMutations(file.text, muts),
  }));
/** Any edits: most of these files no longer parse. */
const mutatedFile = mutatedFileWith(textMutationArb(YAML_CHARS, VOCABULARY), 4);
/** The values of the real files' plain `key: value` lines: replacements that are often still valid somewhere else. */
const FILE_VALUES = [...new Set(FILES.flatMap((f) => [...f.text.matchAll(/^\s*(?:- )?[A-Za-z_][\w.-]*: ([^{}[\]#,&*!|>'"\s][^{}[\]#,&*!|>'"]*?)\s*(?:#.*)?$/gm)].map((m) => m[1]!)))];
/** Edits that keep the YAML well formed (plain values replaced or swapped, leaf lines dropped): files that often still load, to reach buildWorld. */
const gentlyMutatedFile = mutatedFileWith(textMutationArb(YAML_CHARS, [...FILE_VALUES, ...WORDS, '{}', '[]', '{a: 1}', '[1, 2]'], { gentle: true }), 3);

// Random key/value trees rendered as YAML.
const scalar = fc.oneof(
  fc.constantFrom(...WORDS),
  fc.integer({ min: -5, max: 70000 }),
  fc.double({ noNaN: false }),
  fc.boolean(),
  fc.constant(null),
  fc.string({ maxLength: 12 }),
);
const { tree } = fc.letrec<{ tree: unknown }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('tree'), { maxLength: 3 }),
    fc.dictionary(fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...KEYS) }, { weight: 1, arbitrary: fc.string({ maxLength: 8 }) }), tie('tree'), { maxKeys: 5 }),
  ),
}));
const docTree = fc.oneof(
  tree,
  fc.record({ apiVersion: fc.constant('kubewire.dev/v1alpha1'), kind: fc.constant('Scenario'), metadata: fc.record({ name: fc.constantFrom('s', 'web', '') }), spec: tree }),
  fc.record({
    apiVersion: fc.constantFrom('v1', 'apps/v1', 'discovery.k8s.io/v1', 'networking.k8s.io/v1'),
    kind: fc.constantFrom(...KINDS),
    metadata: fc.record({ name: fc.constantFrom('web', 'backend', 'node-1', 'Bad_Name'), namespace: fc.constantFrom('default', 'other'), labels: tree }, { requiredKeys: ['name'] }),
    spec: tree,
  }),
);
const yamlTreeText = fc
  .record({ docs: fc.array(docTree, { minLength: 1, maxLength: 3 }), flow: fc.boolean() })
  .map(({ docs, flow }) => docs.map((d) => stringify(d, { collectionStyle: flow ? 'flow' : 'block' })).join('---\n'));

const yamlishText = fc.string({ unit: fc.oneof(fc.constantFrom(...YAML_CHARS), fc.constantFrom(...YAML_TOKENS)), maxLength: 200 });

// ---------------------------------------------------------------------------------------------
// Checks

function fail(msg: string): never {
  throw new Error(msg);
}

function checkProblem(p: ScenarioProblem, fileName: string, lineCount: number, severity: 'error' | 'warning', where: string): void {
  const text = `${where} ${JSON.stringify(p)}`;
  if (p.file !== fileName) fail(`${text}: names file ${p.file}`);
  if (!Number.isInteger(p.line) || p.line < 1 || p.line > lineCount + 1) fail(`${text}: line ${p.line} is not within 1..${lineCount + 1}`);
  if (!Number.isInteger(p.column) || p.column < 1) fail(`${text}: column ${p.column} is below 1`);
  if (typeof p.message !== 'string' || p.message.trim() === '') fail(`${text}: empty message`);
  if (p.severity !== severity) fail(`${text}: severity ${p.severity} in the ${severity} list`);
  if (/internal error|could not build the cluster/.test(p.message)) fail(`${text}: a caught exception`);
}

function checkLoad(text: string, fileName: string): LoadResult {
  const r = loadScenario(text, fileName);
  if (r === null || typeof r !== 'object' || typeof r.ok !== 'boolean') fail(`loadScenario returned ${String(r)}`);
  if (!Array.isArray(r.errors) || !Array.isArray(r.warnings) || !Array.isArray(r.objects)) fail('loadScenario: lists missing');
  if (r.ok !== (r.errors.length === 0)) fail(`loadScenario: ok ${r.ok} with ${r.errors.length} errors`);
  if (r.ok && !r.scenario) fail('loadScenario: ok without a scenario');
  if (!r.ok && r.scenario) fail('loadScenario: a scenario despite errors');
  const lines = text.split(/\r\n|\r|\n/).length;
  for (const e of r.errors) checkProblem(e, fileName, lines, 'error', 'loadScenario error');
  for (const w of r.warnings) checkProblem(w, fileName, lines, 'warning', 'loadScenario warning');
  return r;
}

// ---------------------------------------------------------------------------------------------
// Properties

describe('fuzz: scenario loader', () => {
  it('has real files to mutate', () => {
    if (FILES.length < 10) fail(`only ${FILES.length} scenario files found`);
    for (const f of FILES.slice(0, 10)) if (f.text.length === 0) fail(`${f.name} is empty`);
  });

  it(
    'fuzz: loadScenario on mutated real scenario files never throws and positions every error',
    () => {
      fuzzCheck(
        'loadScenario on mutated files',
        fc.property(fc.oneof(mutatedFile, gentlyMutatedFile), ({ name, text }) => {
          checkLoad(text, name);
        }),
      );
    },
    fuzzTimeout(5),
  );

  it(
    'fuzz: loadScenario on random YAML-ish text never throws and positions every error',
    () => {
      fuzzCheck(
        'loadScenario on random text',
        fc.property(fc.oneof(yamlishText, fc.string({ maxLength: 80 }), fc.string({ unit: 'binary', maxLength: 80 })), (text) => {
          checkLoad(text, 'random.yaml');
        }),
      );
    },
    fuzzTimeout(1),
  );

  it(
    'fuzz: loadScenario on random key/value trees rendered as YAML never throws and positions every error',
    () => {
      fuzzCheck(
        'loadScenario on random YAML trees',
        fc.property(yamlTreeText, (text) => {
          checkLoad(text, 'tree.yaml');
        }),
      );
    },
    fuzzTimeout(2),
  );

  // A case here costs about five loads (most mutated files are refused, a world takes ~4 ms to
  // build; ~9 ms a case in all): 5% of the cases (500 by default) keeps the suite within its minute.
  const BUILD_SCALE = 0.05;
  it(
    'fuzz: buildWorld on mutated real files that load never throws and positions every problem',
    () => {
      fuzzCheck(
        'buildWorld on mutated files',
        fc.property(gentlyMutatedFile, ({ name, text }) => {
          const loaded = checkLoad(text, name);
          fc.pre(loaded.ok);
          const b = buildWorld(loaded);
          if (!Array.isArray(b.errors) || !Array.isArray(b.warnings)) fail('buildWorld: lists missing');
          const lines = text.split(/\r\n|\r|\n/).length;
          for (const e of b.errors) checkProblem(e, name, lines, 'error', 'buildWorld error');
          for (const w of b.warnings) checkProblem(w, name, lines, 'warning', 'buildWorld warning');
          if (b.errors.length === 0 && !b.world) fail('buildWorld: no errors and no world');
          if (b.errors.length > 0 && b.world) fail('buildWorld: a world despite errors');
        }),
        BUILD_SCALE,
      );
    },
    fuzzTimeout(60, BUILD_SCALE),
  );
});
