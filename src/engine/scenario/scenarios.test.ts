/**
 * The bundled example scenarios (scenarios/*.yaml) run as the app and `kubewire run` run them,
 * and every expectation in them passes; the deliberately invalid files (scenarios/invalid/)
 * are rejected with positioned errors; and edited copies of some scenarios prove that their
 * expectations can fail, with messages that say what was seen.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { runScenario, type RunOutcome } from './run.ts';
import { formatProblem } from './parse.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const scenariosDir = join(root, 'scenarios');
const invalidDir = join(scenariosDir, 'invalid');

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.yaml'))
    .map((e) => e.name)
    .sort();
}

function read(file: string): string {
  return readFileSync(join(scenariosDir, file), 'utf8');
}

/** Runs a scenario's text under its file name, as `kubewire run` does. */
function run(text: string, file: string): RunOutcome {
  return runScenario(text, basename(file));
}

/** The expectations that failed, as `name — message` (the CLI's wording). */
function failures(r: RunOutcome): string[] {
  return r.expectations.filter((e) => e.status === 'fail').map((e) => `${e.name} — ${e.message}`);
}

/** Replaces `from` with `to` exactly once in `text`, so an edit that no longer applies fails loudly instead of testing nothing. */
function edit(text: string, from: string, to: string): string {
  const at = text.indexOf(from);
  expect(at, `the scenario no longer contains ${JSON.stringify(from)}`).toBeGreaterThanOrEqual(0);
  expect(text.indexOf(from, at + 1), `${JSON.stringify(from)} occurs more than once`).toBe(-1);
  return text.slice(0, at) + to + text.slice(at + from.length);
}

/** The one expectation with this name. */
function expectation(r: RunOutcome, name: string) {
  const found = r.expectations.filter((e) => e.name === name);
  expect(found.map((e) => e.name), `expectations named ${name}`).toEqual([name]);
  return found[0]!;
}

const scenarioFiles = yamlFiles(scenariosDir);

describe('bundled scenarios', () => {
  test('the bundle has every lesson, the default scenario included', () => {
    expect(scenarioFiles).toEqual(
      expect.arrayContaining([
        'clusterip.yaml',
        'headless.yaml',
        'loadbalancer.yaml',
        'multi-port.yaml',
        'no-endpoints-failover.yaml',
        'nodeport.yaml',
        'pod-ips.yaml',
        'port-targetport.yaml',
        'selector-all-labels.yaml',
        'session-affinity.yaml',
      ]),
    );
  });

  test.each(scenarioFiles)('%s runs and every expectation passes', (file) => {
    const text = read(file);
    const r = run(text, file);
    expect(r.errors.map(formatProblem), 'load errors').toEqual([]);
    expect(r.valid).toBe(true);
    expect(r.stop, r.stopMessage).toBe('done');
    // Every file teaches with expectations, and pins its seed so its run is reproducible.
    expect(r.expectations.length).toBeGreaterThan(0);
    expect(text).toMatch(/^ {2}seed: \d+/m);
    expect(failures(r)).toEqual([]);
    expect(r.passed).toBe(true);
  });
});

describe('deliberately invalid scenarios', () => {
  const invalid = yamlFiles(invalidDir);

  test('there are some', () => {
    expect(invalid).toContain('multi-port-unnamed.yaml');
  });

  test.each(invalid)('invalid/%s fails to load with positioned errors', (file) => {
    const r = runScenario(readFileSync(join(invalidDir, file), 'utf8'), file);
    expect(r.valid).toBe(false);
    expect(r.passed).toBe(false);
    expect(r.errors.length).toBeGreaterThan(0);
    expect(r.expectations).toEqual([]);
    for (const e of r.errors) {
      expect(e.file).toBe(file);
      expect(e.line).toBeGreaterThan(0);
      expect(e.column).toBeGreaterThan(0);
      expect(e.severity).toBe('error');
    }
  });

  test('a two-port Service without port names: both ports reported at their line and column', () => {
    const file = 'multi-port-unnamed.yaml';
    const r = runScenario(readFileSync(join(invalidDir, file), 'utf8'), file);
    expect(r.errors.map(formatProblem)).toEqual([
      'multi-port-unnamed.yaml:66:5 Service default/mongodb spec.ports[0].name: Required value: ports must be named when a Service has more than one',
      'multi-port-unnamed.yaml:69:5 Service default/mongodb spec.ports[1].name: Required value: ports must be named when a Service has more than one',
    ]);
  });

  test('naming the ports, as scenarios/multi-port.yaml does, makes the file load', () => {
    const file = 'multi-port-unnamed.yaml';
    let text = readFileSync(join(invalidDir, file), 'utf8');
    text = edit(text, '  - port: 27017\n', '  - name: mongodb\n    port: 27017\n');
    text = edit(text, '  - port: 9216\n', '  - name: metrics\n    port: 9216\n');
    const r = runScenario(text, file);
    expect(r.errors.map(formatProblem)).toEqual([]);
    expect(r.valid).toBe(true);
  });
});

describe('the expectations can fail', () => {
  test('pod-ips: a wrong status fails and says which status came back', () => {
    const file = 'pod-ips.yaml';
    const text = edit(read(file), '        status: 200\n        servedBy: {pod: web-c}', '        status: 503\n        servedBy: {pod: web-c}');
    const r = run(text, file);
    expect(r.passed).toBe(false);
    const x = expectation(r, 'node-2 pod to node-3 pod by IP: status');
    expect(x.status).toBe('fail');
    expect(x.message).toBe('expected HTTP 503, repeat 1: HTTP 200');
    // Only the edited expectation fails.
    expect(failures(r)).toHaveLength(1);
  });

  test('pod-ips: a wrong hop list fails and names the nodes visited', () => {
    const file = 'pod-ips.yaml';
    const text = edit(read(file), 'hops: [node-2, node-3]', 'hops: [node-2, node-1, node-3]');
    const x = expectation(run(text, file), 'node-2 pod to node-3 pod by IP: hops');
    expect(x.status).toBe('fail');
    expect(x.message).toBe('expected the request to visit node-2 → node-1 → node-3; repeat 1 visited node-2 → node-3');
  });

  test('headless: a wrong answers list fails and shows the answers received', () => {
    const file = 'headless.yaml';
    const text = edit(read(file), 'answers: [10.244.1.3, 10.244.2.3, 10.244.3.2]', 'answers: [10.244.1.3, 10.244.2.3]');
    const r = run(text, file);
    const x = expectation(r, 'headless lookup returns every pod: answers');
    expect(x.status).toBe('fail');
    expect(x.message).toMatch(/^expected answers \[10\.244\.1\.3, 10\.244\.2\.3\], repeat 1 got \[/);
    // What came back is every pod's address, in the order the server sent them.
    const got = /got \[([^\]]*)\]/.exec(x.message)![1]!.split(', ').sort();
    expect(got).toEqual(['10.244.1.3', '10.244.2.3', '10.244.3.2']);
    expect(x.message).toMatch(/\(NOERROR\)$/);
  });

  test('session-affinity: without sessionAffinity the sticky Service stops being sticky, and the message lists the pods seen', () => {
    const file = 'session-affinity.yaml';
    const text = edit(read(file), '  sessionAffinity: ClientIP\n  sessionAffinityConfig:\n    clientIP:\n      timeoutSeconds: 10800\n', '');
    const r = run(text, file);
    const x = expectation(r, 'with ClientIP affinity, one pod serves them all: sameBackend');
    expect(x.status).toBe('fail');
    expect(x.message).toMatch(/^expected one backend, saw web-[a-z0-9]+-[a-z0-9]+ \(10\.244\.\d\.\d+ on node-\d\), web-/);
    // And the rules no longer use the recent module.
    expect(expectation(r, "sticky's SVC chain checks the recent lists first").status).toBe('fail');
  });

  test('selector-all-labels: claiming the one-label pod is an endpoint fails, naming what is missing', () => {
    const file = 'selector-all-labels.yaml';
    const text = edit(read(file), 'addresses: ["10.244.1.3:8080", "10.244.3.2:8080"]', 'addresses: ["10.244.1.3:8080", "10.244.2.3:8080", "10.244.3.2:8080"]');
    const x = expectation(run(text, file), "api's endpoints are the pods with both labels");
    expect(x.status).toBe('fail');
    expect(x.message).toBe(
      'expected default/api to have ready endpoints [10.244.1.3:8080, 10.244.2.3:8080, 10.244.3.2:8080]; it has [10.244.3.2:8080, 10.244.1.3:8080]; missing 10.244.2.3:8080',
    );
  });

  test('nodeport: expecting the laptop as the client fails, showing the SNAT address the pod saw', () => {
    const file = 'nodeport.yaml';
    const text = edit(read(file), 'clientIP: 192.168.49.3 ', 'clientIP: client/laptop ');
    const x = expectation(run(text, file), 'via node-2, which runs no web pod: clientIP');
    expect(x.status).toBe('fail');
    expect(x.message).toMatch(/^expected the server to see a client IP client\/laptop; repeat 1: it saw 192\.168\.49\.3:\d+$/);
  });

  test('no-endpoints-failover: a Service that gains an endpoint no longer refuses', () => {
    const file = 'no-endpoints-failover.yaml';
    // Label backend-3 app=orders: the orders Service gets an endpoint (port 8080 is open there).
    const text = edit(read(file), '  labels:\n    app: backend\n  name: backend-3\n', '  labels:\n    app: orders\n  name: backend-3\n');
    const x = expectation(run(text, file), 'a Service without endpoints refuses: refused');
    expect(x.status).toBe('fail');
    expect(x.message).toBe('expected connection refused, repeat 1: HTTP 200');
  });
});
