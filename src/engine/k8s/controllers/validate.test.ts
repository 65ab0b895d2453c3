import { describe, expect, it } from 'vitest';
import type { K8sObject } from './objects.ts';
import { formatProblem } from './problems.ts';
import { deployment, pod, run, service } from './testdata/fixtures.ts';
import { validateObjects } from './validate.ts';

const at = (objects: readonly K8sObject[]) => validateObjects(objects).map((p) => `${p.severity === 'error' ? '' : 'warning '}${p.ref.kind} ${p.ref.name} ${p.path}: ${p.message}`);
const paths = (objects: readonly K8sObject[]) => validateObjects(objects).filter((p) => p.severity === 'error').map((p) => p.path);

describe('Service validation', () => {
  it('requires every port of a multi-port Service to be named, reporting each unnamed one', () => {
    expect(paths([service('s', { app: 'a' }, [{ port: 80 }, { port: 443 }])])).toEqual(['spec.ports[0].name', 'spec.ports[1].name']);
    expect(paths([service('s', { app: 'a' }, [{ name: 'http', port: 80 }, { port: 443 }])])).toEqual(['spec.ports[1].name']);
    const [p] = validateObjects([service('s', { app: 'a' }, [{ name: 'http', port: 80 }, { port: 443 }])]);
    expect(p!.segments).toEqual(['spec', 'ports', 1, 'name']);
    expect(p!.message).toMatch(/^Required value/);
    expect(p!.objectIndex).toBe(0);
    expect(formatProblem(p!)).toBe('Service default/s spec.ports[1].name: Required value: ports must be named when a Service has more than one');
    expect(paths([service('s', { app: 'a' }, [{ port: 80 }])])).toEqual([]);
  });

  it('rejects duplicate and malformed port names, bad numbers and protocols', () => {
    expect(
      at([
        service('s', { app: 'a' }, [
          { name: 'web', port: 80 },
          { name: 'web', port: 81 },
          { name: 'Web_1', port: 0 },
          { name: 'x', port: 82, protocol: 'HTTP' as 'TCP' },
          { name: 'y', port: 80 },
        ]),
      ]),
    ).toEqual([
      'Service s spec.ports[1].name: Duplicate value: "web"',
      `Service s spec.ports[2].name: Invalid value: "Web_1": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
      'Service s spec.ports[2].port: Invalid value: 0: must be between 1 and 65535, inclusive',
      'Service s spec.ports[3].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"',
      'Service s spec.ports[4]: Duplicate value: {"port":80,"protocol":"TCP"}',
    ]);
  });

  it('checks named targetPorts as IANA service names', () => {
    expect(at([service('s', { app: 'a' }, [{ port: 80, targetPort: 'a-very-long-port-name' }])])).toEqual(['Service s spec.ports[0].targetPort: Invalid value: "a-very-long-port-name": must be no more than 15 characters']);
    expect(paths([service('s', { app: 'a' }, [{ port: 80, targetPort: '8080' }])])).toEqual(['spec.ports[0].targetPort']);
    expect(paths([service('s', { app: 'a' }, [{ port: 80, targetPort: 'http--x' }])])).toEqual(['spec.ports[0].targetPort']);
    expect(paths([service('s', { app: 'a' }, [{ port: 80, targetPort: 'http' }])])).toEqual([]);
  });

  it('checks selector syntax at the key\'s path, and types', () => {
    expect(paths([service('s', { 'app.kubernetes.io/name': 'ok', 'bad key': 'x', tier: '-nope' })])).toEqual(['spec.selector["bad key"]', 'spec.selector.tier']);
    expect(paths([service('S', { app: 'a' })])).toEqual(['metadata.name']);
    expect(paths([service('s', { app: 'a' }, [{ port: 80, nodePort: 30001 }])])).toEqual(['spec.ports[0].nodePort']);
    expect(paths([service('s', { app: 'a' }, undefined, { type: 'Bogus' as 'ClusterIP' })])).toEqual(['spec.type']);
    expect(paths([service('s', { app: 'a' }, undefined, { clusterIP: '10.96.0.300' })])).toEqual(['spec.clusterIP']);
    expect(paths([service('s', { app: 'a' }, undefined, { externalTrafficPolicy: 'Local' })])).toEqual(['spec.externalTrafficPolicy']);
    expect(paths([service('s', { app: 'a' }, undefined, { type: 'NodePort', clusterIP: 'None' })])).toEqual(['spec.clusterIP']);
    expect(paths([service('s', { app: 'a' }, [])])).toEqual(['spec.ports']);
    expect(paths([service('s', undefined, [], { type: 'ExternalName' })])).toEqual(['spec.externalName']);
  });
});

describe('object validation', () => {
  it('reports duplicate names per kind and namespace on the later object', () => {
    const problems = validateObjects([service('web', { app: 'a' }), pod('web', {}), service('web', { app: 'b' })]);
    expect(problems.map((p) => [p.ref.kind, p.path, p.objectIndex])).toEqual([['Service', 'metadata.name', 2]]);
    expect(problems[0]!.message).toMatch(/^Duplicate value: "web": services "web" already exists in namespace "default"/);
    const s = run([service('web', { app: 'a' }, [{ port: 80 }]), service('web', { app: 'b' }, [{ port: 81 }])]);
    expect(s.services.filter((x) => x.metadata.name === 'web').map((x) => x.spec.selector)).toEqual([{ app: 'a' }]);
  });

  it('checks label keys and values at exact paths', () => {
    const bad = { ...pod('p', { app: 'x'.repeat(64), 'example.com/role': 'db', '/x': 'y' }) } as K8sObject;
    expect(paths([bad])).toEqual(['metadata.labels.app', 'metadata.labels["/x"]']);
    expect(paths([{ ...pod('p', {}), metadata: { name: 'p', labels: { version: 2 as unknown as string } } } as K8sObject])).toEqual(['metadata.labels.version']);
  });

  it('requires a workload selector that matches its template labels', () => {
    const d = deployment('web', 1, { app: 'web' }) as K8sObject & { kind: 'Deployment' };
    const mismatch = { ...d, spec: { ...d.spec, selector: { matchLabels: { app: 'other' } } } };
    expect(at([mismatch])).toEqual(['Deployment web spec.template.metadata.labels: Invalid value: {"app":"web"}: `selector` does not match template `labels`']);
    expect(paths([{ ...d, spec: { ...d.spec, selector: {} } }])).toEqual(['spec.selector']);
    expect(paths([{ ...d, spec: { ...d.spec, replicas: -1 } }])).toEqual(['spec.replicas']);
    const expr = { ...d, spec: { ...d.spec, selector: { matchExpressions: [{ key: 'app', operator: 'In' as const, values: ['web', 'api'] }] } } };
    expect(paths([expr])).toEqual([]);
  });

  it('checks pod containers and ports', () => {
    const p = {
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: {
        containers: [
          { name: 'a', ports: [{ name: 'http', containerPort: 80 }, { name: 'http', containerPort: 81 }] },
          { name: 'a', ports: [{ containerPort: 70000 }] },
        ],
      },
    } as K8sObject;
    expect(paths([p])).toEqual(['spec.containers[0].ports[1].name', 'spec.containers[1].name', 'spec.containers[1].ports[0].containerPort']);
    expect(paths([{ kind: 'Pod', metadata: { name: 'q' }, spec: { containers: [] } } as K8sObject])).toEqual(['spec.containers']);
  });

  it('rejects invalid objects from the cluster and keeps the rest', () => {
    const s = run([service('bad', { app: 'a' }, [{ port: 80 }, { port: 81 }]), service('good', { app: 'a' })]);
    expect(s.errors.map((e) => `${e.ref.name} ${e.path}`)).toEqual(['bad spec.ports[0].name', 'bad spec.ports[1].name']);
    expect(s.services.map((x) => x.metadata.name)).toEqual(['kubernetes', 'kube-dns', 'good']);
  });
});

describe('robustness', () => {
  it('never throws on malformed objects: they are reported and left out', () => {
    const junk = [
      { kind: 'Service', metadata: { name: 'a' }, spec: { ports: 'http', selector: ['x'] } },
      { kind: 'Service', metadata: { name: 'b' }, spec: { ports: [null, { port: '80' }], clusterIPs: 'x' }, status: { loadBalancer: { ingress: {} } } },
      { kind: 'Pod', metadata: { name: 'c', labels: 'x' }, spec: { containers: [{ name: 'c', ports: {} }], nodeSelector: 3 }, status: { conditions: {} } },
      { kind: 'Pod', metadata: { name: 'd' }, spec: {}, status: 'Running' },
      { kind: 'Deployment', metadata: { name: 'e' }, spec: { selector: { matchExpressions: {} }, template: null } },
      { kind: 'EndpointSlice', metadata: { name: 'f' }, addressType: 'IPv4', endpoints: [{}], ports: {} },
      { kind: 'Endpoints', metadata: { name: 'g' }, subsets: [{ addresses: [{}], ports: [{ port: -1 }] }] },
      { kind: 'Ingress', metadata: { name: 'h' }, spec: { rules: [{ http: { paths: [{ backend: {} }] } }] } },
      { kind: 'StatefulSet', metadata: {}, spec: 7 },
      { kind: 'DaemonSet', spec: {} },
      { kind: 'Namespace', metadata: { name: 'Bad_NS' } },
    ] as unknown as K8sObject[];
    const s = run(junk);
    const bad = new Set(s.errors.map((e) => e.objectIndex));
    expect([...bad].sort((x, y) => x! - y!)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(s.services.map((x) => x.metadata.name)).toEqual(['kubernetes', 'kube-dns']);
  });
});
