import { describe, expect, test } from 'vitest';
import { loadScenario } from './parse.ts';
import { formatPath, parsePath } from './positions.ts';
import kubectlGetDeploySvc from './testdata/kubectl-get-deploy-svc.yaml?raw';
import clusteripBasic from './testdata/clusterip-basic.yaml?raw';

const backend = { kind: 'Deployment', namespace: 'default', name: 'backend' };

describe('PositionIndex.locate', () => {
  const { positions } = loadScenario(kubectlGetDeploySvc, 'cluster.yaml');

  test('a nested field inside a List item: the value', () => {
    expect(positions.locate(backend, 'spec.template.spec.containers[0].ports[1].containerPort')).toMatchObject({ line: 119, column: 28, docIndex: 0 });
  });

  test('a sequence item points at its first key; a key can be asked for', () => {
    expect(positions.locate(backend, 'spec.template.spec.containers[0].ports[1]')).toMatchObject({ line: 119, column: 13 });
    expect(positions.locate(backend, 'spec.template.spec.containers[0].ports[1].containerPort', { key: true })).toMatchObject({ line: 119, column: 13 });
  });

  test('a block collection points at its key', () => {
    expect(positions.locate(backend, 'spec.template.spec.containers[0].ports')).toMatchObject({ line: 115, column: 11 });
  });

  test('paths given as segments, and quoted keys', () => {
    expect(positions.locate(backend, ['spec', 'template', 'spec', 'containers', 0, 'ports', 1, 'containerPort'])).toMatchObject({ line: 119, column: 28 });
    expect(positions.locate(backend, 'metadata.annotations["deployment.kubernetes.io/revision"]')).toMatchObject({ line: 7, column: 42 });
  });

  test('falls back to the nearest existing ancestor, then the object start, then 1:1', () => {
    expect(positions.locate(backend, 'spec.template.spec.containers[0].ports[7].name')).toMatchObject({ line: 115, column: 11 });
    expect(positions.locate(backend, 'spec.template.spec.containers[0].ports[1].hostPort')).toMatchObject({ line: 119, column: 13 });
    expect(positions.locate(backend, 'nothing.here')).toMatchObject({ line: 3, column: 3 });
    expect(positions.locate(backend)).toMatchObject({ line: 3, column: 3 });
    expect(positions.locate({ kind: 'Service', namespace: 'other', name: 'nope' }, 'spec')).toEqual({ line: 1, column: 1, docIndex: -1, offset: 0 });
  });

  test('an absent namespace means default; cluster-scoped kinds ignore it', () => {
    expect(positions.locate({ kind: 'Service', name: 'web-lb' }, 'spec.healthCheckNodePort').line).toBe(
      positions.locate({ kind: 'Service', namespace: 'default', name: 'web-lb' }, 'spec.healthCheckNodePort').line,
    );
    const r = loadScenario('apiVersion: v1\nkind: Node\nmetadata: {name: n1, namespace: ignored}\nspec: {podCIDR: 10.2.1.0/24}\n', 'n.yaml');
    expect(r.positions.locate({ kind: 'Node', name: 'n1' }, 'spec.podCIDR')).toMatchObject({ line: 4, column: 17 });
  });

  test('the Scenario document, and problems rendered for it', () => {
    const r = loadScenario(clusteripBasic, 'clusterip-basic.yaml');
    expect(r.positions.locate({ kind: 'Scenario', name: 'clusterip-basic' }, 'spec.traffic[1].from')).toMatchObject({ line: 41, column: 13 });
    expect(r.positions.locate({ kind: 'Scenario', name: 'clusterip-basic' }, 'spec.faults[2].link.loss')).toMatchObject({ line: 53, column: 45 });
    expect(r.positions.locateInDocument(1, 'spec.serviceName')).toMatchObject({ line: 61, column: 16, docIndex: 1 });
  });

  test('through YAML aliases', () => {
    // Anchors belong to one YAML document, so the two Services share a List.
    const text = `apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Service
    metadata: {name: a}
    spec:
      ports: &p
        - {name: x, port: 80}
  - apiVersion: v1
    kind: Service
    metadata: {name: b}
    spec:
      ports: *p
`;
    const r = loadScenario(text, 'alias.yaml');
    expect(r.positions.locate({ kind: 'Service', name: 'b' }, 'spec.ports[0].port')).toMatchObject({ line: 9, column: 27 });
  });
});

describe('PositionIndex.pathAt', () => {
  const { positions } = loadScenario(kubectlGetDeploySvc, 'cluster.yaml');

  test('names the object and field at a place', () => {
    expect(positions.pathAt(119, 30)).toEqual({ docIndex: 0, object: 'Deployment default/backend', path: 'spec.template.spec.containers[0].ports[1].containerPort' });
    expect(positions.pathAt(2, 1)).toEqual({ docIndex: 0, path: 'items' });
    expect(positions.pathAt(10_000, 1)).toBeNull();
  });
});

describe('field paths', () => {
  test('format and parse round-trip', () => {
    const cases: (string | number)[][] = [
      ['spec', 'ports', 1, 'targetPort'],
      ['metadata', 'labels', 'app.kubernetes.io/name'],
      ['metadata', 'annotations', 'say "hi"'],
      [0, 'a'],
    ];
    for (const c of cases) expect(parsePath(formatPath(c))).toEqual(c);
    expect(formatPath(['spec', 'ports', 1, 'targetPort'])).toBe('spec.ports[1].targetPort');
    expect(formatPath(['metadata', 'labels', 'app.kubernetes.io/name'])).toBe('metadata.labels["app.kubernetes.io/name"]');
    expect(parsePath("metadata.labels['a.b/c']")).toEqual(['metadata', 'labels', 'a.b/c']);
    expect(parsePath('')).toEqual([]);
  });
});

describe('duplicate objects', () => {
  test('occurrence picks one of several objects with the same key', () => {
    const text = `apiVersion: v1
kind: Service
metadata: {name: web}
spec: {ports: [{port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {ports: [{port: 81}]}
`;
    const { positions } = loadScenario(text, 'dup.yaml');
    const ref = { kind: 'Service', name: 'web' };
    expect(positions.locate(ref, 'metadata.name')).toMatchObject({ line: 3, column: 18, docIndex: 0 });
    expect(positions.locate(ref, 'metadata.name', { occurrence: 1 })).toMatchObject({ line: 8, column: 18, docIndex: 1 });
    expect(positions.problem({ ref, path: 'metadata.name', message: 'duplicate Service default/web', occurrence: 1 })).toMatchObject({ line: 8, column: 18, object: 'Service default/web' });
  });
});

test('objectIndex (the index into LoadResult.objects) names a duplicate exactly', () => {
  const text = `apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {ports: [{port: 80}]}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {ports: [{port: 81}]}\n`;
  const r = loadScenario(text, 'dup.yaml');
  const ref = { kind: 'Service', namespace: 'default', name: 'web' };
  expect(r.positions.problem({ ref, path: 'spec.ports[0].port', message: 'm', objectIndex: 1 })).toMatchObject({ line: 9, column: 23, docIndex: 1 });
  expect(r.positions.problem({ ref, path: 'spec.ports[0].port', message: 'm', objectIndex: 0 })).toMatchObject({ line: 4, column: 23, docIndex: 0 });
  // An index that does not match the ref is ignored.
  expect(r.positions.problem({ ref: { kind: 'Pod', name: 'web' }, path: '', message: 'm', objectIndex: 1 })).toMatchObject({ line: 1, column: 1, docIndex: -1 });
});

test('problems about the Scenario (as the k8s cluster settings report them) carry its real name', () => {
  const r = loadScenario(clusteripBasic, 'clusterip-basic.yaml');
  const p = r.positions.problem({ ref: { kind: 'Scenario', name: 'cluster' }, path: 'spec.cluster.podCIDR', message: 'Invalid value' });
  expect(p).toMatchObject({ line: 11, column: 14, object: 'Scenario clusterip-basic', path: 'spec.cluster.podCIDR' });
});
