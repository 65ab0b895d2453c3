import { describe, expect, test } from 'vitest';
import { formatProblem, loadScenario, type LoadResult } from './parse.ts';
import type { K8sObject, ScenarioProblem } from './model.ts';
import clusteripBasic from './testdata/clusterip-basic.yaml?raw';
import kubectlGetDeploySvc from './testdata/kubectl-get-deploy-svc.yaml?raw';
import kubectlCreateDeployment from './testdata/kubectl-create-deployment.yaml?raw';
import kubectlGetPodsSlices from './testdata/kubectl-get-pods-slices.yaml?raw';
import twoUnnamedPorts from './testdata/two-unnamed-ports.yaml?raw';

/** A minimal valid Scenario document, appended to files that test other documents. */
const SCENARIO = `---
apiVersion: kubewire.dev/v1alpha1
kind: Scenario
spec:
  traffic:
    - {name: t, from: pod/web-0, http: {url: "http://web/"}}
`;

const lines = (r: LoadResult, which: 'errors' | 'warnings' = 'errors'): string[] => r[which].map(formatProblem);
const find = <K extends K8sObject['kind']>(r: LoadResult, kind: K, name: string): Extract<K8sObject, { kind: K }> => {
  const o = r.objects.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`no ${kind} ${name}`);
  return o as Extract<K8sObject, { kind: K }>;
};

describe('the example from scenario-format.md', () => {
  const r = loadScenario(clusteripBasic, 'clusterip-basic.yaml');

  test('loads with no problems', () => {
    expect(lines(r)).toEqual([]);
    expect(lines(r, 'warnings')).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'StatefulSet/frontend',
      'Deployment/backend',
      'Service/backend',
      'StatefulSet/mongo-worker',
      'Service/mongo-headless',
      'Service/web',
    ]);
  });

  test('the Scenario document becomes the expected model', () => {
    const s = r.scenario!;
    expect(s.metadata).toEqual({ name: 'clusterip-basic', description: 'Frontend pods reach backend pods through a ClusterIP service.' });
    expect(s.spec.seed).toBe(7);
    expect(s.spec.cluster).toEqual({
      nodes: [{ name: 'node-1' }, { name: 'node-2' }, { name: 'node-3' }],
      podCIDR: '10.2.0.0/16',
      serviceCIDR: '10.96.0.0/12',
      nodeCIDR: '192.168.49.0/24',
      dnsDomain: 'cluster.local',
      kubeProxy: { mode: 'iptables', clusterCIDR: '10.2.0.0/16', detectLocalMode: 'ClusterCIDR', masqueradeAll: false, nodePortAddresses: [] },
      dns: { ttl: 30, pods: 'insecure' },
      network: { latency: 50_000, bandwidth: 10e9, mtu: 1500 },
      cloud: { loadBalancer: { ipPool: '203.0.113.0/24' } },
    });
    expect(s.spec.clients).toEqual([{ name: 'laptop', ip: '198.51.100.7' }]);
    expect(s.spec.traffic).toEqual([
      {
        name: 'frontend calls backend by name',
        at: 1_000_000,
        from: { kind: 'pod', name: 'frontend-0' },
        kind: 'http',
        http: { url: 'http://backend:8080/hostname', target: { kind: 'name', name: 'backend' }, port: 8080, path: '/hostname', method: 'GET' },
        repeat: 30,
        interval: 1_000_000,
        expect: { status: 200, servedBy: [{ kind: 'selector', selector: { app: 'backend' } }], spread: { min: 0.2 } },
      },
      {
        name: 'headless lookup',
        at: 0,
        from: { kind: 'pod', name: 'mongo-worker-0' },
        kind: 'dns',
        dns: { name: 'mongo-headless', type: 'A' },
        repeat: 1,
        expect: { rcode: 'NOERROR', answers: ['10.2.1.4', '10.2.2.4', '10.2.3.4'] },
      },
      {
        name: 'outside through the cloud LB',
        at: 0,
        from: { kind: 'client', name: 'laptop' },
        kind: 'http',
        http: { url: 'http://service:web/clientip', target: { kind: 'service', service: { kind: 'service', name: 'web' } }, port: 80, path: '/clientip', method: 'GET' },
        repeat: 1,
        expect: { status: 200, clientIP: { not: true, values: [{ kind: 'ip', ip: '198.51.100.7' }] } },
      },
    ]);
    expect(s.spec.faults).toEqual([
      { kind: 'deletePod', at: 20_000_000, pod: { kind: 'pod', name: 'backend-1' } },
      { kind: 'nodeDown', at: 30_000_000, node: 'node-3' },
      { kind: 'link', at: 40_000_000, node: 'node-2', loss: 0.1, latency: 2_000_000 },
    ]);
    expect(s.spec.expect).toEqual([]);
    expect(s.spec.budgets).toEqual({});
  });

  test('manifests keep the modelled fields and drop the rest', () => {
    const web = find(r, 'Service', 'web');
    expect(web).toEqual({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web' },
      spec: { type: 'LoadBalancer', externalTrafficPolicy: 'Local', selector: { app: 'backend' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
    });
    const frontend = find(r, 'StatefulSet', 'frontend');
    // `args` is accepted and not kept.
    expect(frontend.spec.template.spec.containers[0]).toEqual({ name: 'netexec', image: 'registry.k8s.io/e2e-test-images/agnhost:2.52' });
  });
});

describe('what kubectl prints loads unchanged', () => {
  test('kubectl get deploy,svc -o yaml (a List with managedFields and status) loads with no warnings', () => {
    const r = loadScenario(kubectlGetDeploySvc, 'cluster.yaml');
    expect(lines(r)).toEqual([]);
    expect(lines(r, 'warnings')).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['Deployment/backend', 'Service/backend', 'Service/kubernetes', 'Service/web-lb']);
    const d = find(r, 'Deployment', 'backend');
    expect(d.metadata.labels).toEqual({ app: 'backend' });
    expect(d.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('1');
    expect(d.spec.replicas).toBe(2);
    expect(d.spec.template.spec.dnsPolicy).toBe('ClusterFirst');
    expect(d.spec.template.spec.containers[0]).toEqual({
      name: 'agnhost',
      image: 'registry.k8s.io/e2e-test-images/agnhost:2.52',
      ports: [
        { containerPort: 8080, name: 'http', protocol: 'TCP' },
        { containerPort: 8081, name: 'udp', protocol: 'UDP' },
      ],
      readinessProbe: { failureThreshold: 3, httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 10 },
    });
    const lb = find(r, 'Service', 'web-lb');
    expect(lb.spec.healthCheckNodePort).toBe(31245);
    expect(lb.spec.allocateLoadBalancerNodePorts).toBe(true);
    expect(lb.spec.ipFamilyPolicy).toBe('SingleStack');
    // Workload status is what the controllers compute: not read from the file.
    expect('status' in d).toBe(false);
    expect(lb.spec.ports).toEqual([{ nodePort: 30417, port: 80, protocol: 'TCP', targetPort: 8080 }]);
    expect(lb.status).toEqual({ loadBalancer: { ingress: [{ ip: '203.0.113.10', ipMode: 'VIP' }] } });
    expect(find(r, 'Service', 'backend').status).toEqual({ loadBalancer: {} });
  });

  test('kubectl create deployment/service --dry-run=client -o yaml loads (creationTimestamp: null, status: {})', () => {
    const r = loadScenario(kubectlCreateDeployment, 'dry-run.yaml');
    expect(lines(r)).toEqual([]);
    expect(lines(r, 'warnings')).toEqual([]);
    const d = find(r, 'Deployment', 'web');
    expect(d).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { labels: { app: 'web' }, name: 'web' },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ image: 'nginx', name: 'nginx' }] } },
      },
    });
    expect(find(r, 'Service', 'web').spec.ports).toEqual([{ name: '80-80', port: 80, protocol: 'TCP', targetPort: 80 }]);
  });

  test('kubectl get pods,endpointslices: status, ownerReferences, `endpoints: null`', () => {
    const r = loadScenario(kubectlGetPodsSlices, 'pods.yaml');
    expect(lines(r)).toEqual([]);
    expect(r.ok).toBe(true);
    const pod = find(r, 'Pod', 'backend-5d8f7c9b6d-x7k2p');
    expect(pod.spec.nodeName).toBe('kind-worker2');
    expect(pod.metadata.ownerReferences).toEqual([{ apiVersion: 'apps/v1', blockOwnerDeletion: true, controller: true, kind: 'ReplicaSet', name: 'backend-5d8f7c9b6d', uid: '7e2d1c0b-9a8f-4e6d-b5c4-a3b2c1d0e9f8' }]);
    expect(pod.metadata.uid).toBe('1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d');
    expect(pod.metadata.generateName).toBe('backend-5d8f7c9b6d-');
    expect(pod.spec.restartPolicy).toBe('Always');
    expect(pod.status?.podIP).toBe('10.244.1.5');
    expect(pod.status?.hostIPs).toEqual([{ ip: '172.18.0.3' }]);
    expect(pod.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    expect(pod.spec.containers[0]!.readinessProbe).toEqual({ exec: { command: ['sh', '-c', 'test -f /var/run/ready'] }, periodSeconds: 5 });
    const slice = find(r, 'EndpointSlice', 'backend-8k4vq');
    expect(slice.endpoints).toEqual([
      {
        addresses: ['10.244.1.5'],
        conditions: { ready: true, serving: true, terminating: false },
        nodeName: 'kind-worker2',
        targetRef: { kind: 'Pod', name: 'backend-5d8f7c9b6d-x7k2p', namespace: 'default', uid: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d' },
      },
    ]);
    expect(slice.ports).toEqual([{ name: 'http', port: 8080, protocol: 'TCP' }]);
    const idle = find(r, 'EndpointSlice', 'idle-abcde');
    expect(idle.endpoints).toEqual([]);
    expect('ports' in idle).toBe(false);
  });

  test('kinds that do not affect the network are ignored with one warning each, by name', () => {
    const r = loadScenario(kubectlGetPodsSlices, 'pods.yaml');
    expect(lines(r, 'warnings')).toEqual([
      'pods.yaml:155:1 warning: Secret default/db-pass: ignored (does not affect Service networking)',
      'pods.yaml:163:1 warning: ConfigMap shop/settings: ignored (does not affect Service networking)',
      'pods.yaml:171:1 warning: NetworkPolicy default/deny-all: ignored: NetworkPolicy is not modelled yet, so no traffic is filtered by it',
      'pods.yaml:179:1 warning: Certificate default/web-tls: ignored: custom resource (cert-manager.io/v1) does not affect Service networking in kubewire',
    ]);
    expect(r.warnings[0]).toMatchObject({ object: 'Secret default/db-pass', path: '', message: 'ignored (does not affect Service networking)', severity: 'warning', docIndex: 1 });
  });

  test('the other modelled kinds: Namespace, Node, Endpoints, Ingress, DaemonSet, ReplicaSet', () => {
    const text = `apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: Node
metadata: {name: node-1, labels: {topology.kubernetes.io/zone: a}}
spec: {podCIDR: 10.2.1.0/24, podCIDRs: [10.2.1.0/24]}
status: {addresses: [{type: InternalIP, address: 192.168.49.2}, {type: Hostname, address: node-1}]}
---
apiVersion: v1
kind: Endpoints
metadata: {name: legacy, namespace: shop}
subsets:
  - addresses: [{ip: 10.0.0.5, nodeName: node-1}]
    notReadyAddresses: [{ip: 10.0.0.6}]
    ports: [{name: http, port: 80, protocol: TCP}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: shop}
spec:
  ingressClassName: nginx
  rules:
    - host: shop.example
      http:
        paths:
          - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: kube-system}
spec:
  selector: {matchExpressions: [{key: app, operator: In, values: [agent]}]}
  template:
    metadata: {labels: {app: agent}}
    spec: {hostNetwork: true, containers: [{name: a, ports: [{containerPort: 9100, hostPort: 9100}]}]}
---
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: rs}
spec:
  selector: {matchLabels: {app: rs}}
  template: {spec: {containers: [{name: c}]}}
${SCENARIO}`;
    const r = loadScenario(text, 'kinds.yaml');
    expect(lines(r)).toEqual([]);
    expect(r.objects.map((o) => o.kind)).toEqual(['Namespace', 'Node', 'Endpoints', 'Ingress', 'DaemonSet', 'ReplicaSet']);
    expect(find(r, 'Node', 'node-1').status?.addresses?.[0]).toEqual({ type: 'InternalIP', address: '192.168.49.2' });
    expect(find(r, 'Endpoints', 'legacy').subsets?.[0]?.notReadyAddresses).toEqual([{ ip: '10.0.0.6' }]);
    expect(find(r, 'Ingress', 'web').spec.rules?.[0]?.http?.paths[0]?.backend).toEqual({ service: { name: 'web', port: { number: 80 } } });
  });

  test('a KubeProxyConfiguration document stands in for spec.cluster.kubeProxy', () => {
    const text = `apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
bindAddress: 0.0.0.0
clientConnection: {kubeconfig: /var/lib/kube-proxy/kubeconfig.conf}
mode: ""
clusterCIDR: 10.244.0.0/16
detectLocalMode: ""
iptables: {masqueradeAll: true, masqueradeBit: 14, localhostNodePorts: false, minSyncPeriod: 1s, syncPeriod: 30s}
nodePortAddresses: [primary]
conntrack: {tcpBeLiberal: true, maxPerCore: 32768}
${SCENARIO}`;
    const r = loadScenario(text, 'kp.yaml');
    expect(lines(r)).toEqual([]);
    expect(r.scenario?.spec.cluster.kubeProxy).toEqual({
      mode: 'iptables',
      clusterCIDR: '10.244.0.0/16',
      masqueradeAll: true,
      masqueradeBit: 14,
      localhostNodePorts: false,
      nodePortAddresses: ['primary'],
      conntrackTCPBeLiberal: true,
    });
    expect(r.objects).toEqual([]);
  });

  test('the Scenario own kubeProxy fields win over a KubeProxyConfiguration, with a warning', () => {
    const text = `apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
iptables: {masqueradeAll: true}
---
apiVersion: kubewire.dev/v1alpha1
kind: Scenario
spec:
  cluster:
    kubeProxy: {masqueradeAll: false}
`;
    const r = loadScenario(text, 'kp.yaml');
    expect(r.ok).toBe(true);
    expect(r.scenario?.spec.cluster.kubeProxy?.masqueradeAll).toBe(false);
    expect(lines(r, 'warnings')).toEqual(['kp.yaml:9:32 warning: Scenario kp spec.cluster.kubeProxy.masqueradeAll: overrides the KubeProxyConfiguration (document 1), which says true']);
  });

  test('a Scenario without metadata is named after the file; nested Lists unpack', () => {
    const text = `apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: ServiceList
    items:
      - {apiVersion: v1, kind: Service, metadata: {name: a}, spec: {ports: [{port: 80}]}}
  - {apiVersion: v1, kind: Service, metadata: {name: b}, spec: {ports: [{port: 80}]}}
${SCENARIO}`;
    const r = loadScenario(text, 'dir/nested-lists.yaml');
    expect(lines(r)).toEqual([]);
    expect(r.objects.map((o) => o.metadata.name)).toEqual(['a', 'b']);
    expect(r.scenario?.metadata.name).toBe('nested-lists');
  });
});

describe('errors carry file:line:column, object and field path', () => {
  const errorsOf = (text: string, file: string): string[] => {
    const r = loadScenario(text, file);
    expect(r.ok).toBe(false);
    expect(r.scenario).toBeUndefined();
    return lines(r);
  };

  test("formatProblem renders the contract's example exactly (a problem from the k8s controllers)", () => {
    const r = loadScenario(twoUnnamedPorts, 'clusterip.yaml');
    expect(lines(r)).toEqual([]);
    const p = r.positions.problem({ ref: { kind: 'Service', namespace: 'default', name: 'backend' }, path: 'spec.ports[1]', message: 'ports must be named when a Service has more than one' });
    expect(formatProblem(p)).toBe('clusterip.yaml:14:9 Service default/backend spec.ports[1]: ports must be named when a Service has more than one');
    expect(p).toEqual({
      file: 'clusterip.yaml',
      line: 14,
      column: 9,
      docIndex: 0,
      object: 'Service default/backend',
      path: 'spec.ports[1]',
      message: 'ports must be named when a Service has more than one',
      severity: 'error',
    });
  });

  test('YAML syntax error, at the position the yaml library reports', () => {
    const text = `apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  ports: [{port: 80}
  selector: {app: web}
${SCENARIO}`;
    expect(errorsOf(text, 'syntax.yaml')).toEqual([
      'syntax.yaml:7:3 spec.ports: YAML syntax error: flow sequence in block collection must be sufficiently indented and end with a ]',
    ]);
  });

  test('an unclosed quote', () => {
    const text = `apiVersion: v1\nkind: Service\nmetadata:\n  name: "web\nspec: {}\n${SCENARIO}`;
    const r = loadScenario(text, 'quote.yaml');
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ line: 4, column: 13, docIndex: 0, path: 'metadata.name' });
    expect(r.errors[0]!.message).toMatch(/^YAML syntax error: missing closing "quote/);
  });

  test('wrong type', () => {
    const text = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: three
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx}]
${SCENARIO}`;
    expect(errorsOf(text, 'web.yaml')).toEqual(['web.yaml:6:13 Deployment default/web spec.replicas: expected an integer, got "three"']);
  });

  test('missing Scenario document', () => {
    expect(errorsOf('apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n', 'ns.yaml')).toEqual([
      'ns.yaml:1:1 no Scenario document: add a document with "apiVersion: kubewire.dev/v1alpha1" and "kind: Scenario" that says what traffic to send (see docs/scenario-format.md)',
    ]);
    expect(loadScenario('', 'empty.yaml').errors[0]).toMatchObject({ line: 1, column: 1, docIndex: -1 });
    expect(loadScenario('# only a comment\n---\n', 'c.yaml').errors).toHaveLength(1);
  });

  test('two Scenario documents', () => {
    expect(errorsOf(SCENARIO + SCENARIO, 'two.yaml')).toEqual(['two.yaml:9:7 Scenario two kind: a file holds exactly one Scenario document; the first is at line 2']);
  });

  test('unknown kind, with a suggestion', () => {
    const text = `apiVersion: v1\nkind: Servcie\nmetadata: {name: web}\n${SCENARIO}`;
    expect(errorsOf(text, 'k.yaml')).toEqual([
      'k.yaml:2:7 Servcie default/web kind: unknown kind "Servcie" (did you mean Service?); kubewire models Pod, Deployment, ReplicaSet, StatefulSet, DaemonSet, Service, Endpoints, EndpointSlice, Ingress, Namespace, Node',
    ]);
  });

  test('bad duration', () => {
    const text = `apiVersion: kubewire.dev/v1alpha1
kind: Scenario
metadata: {name: d}
spec:
  traffic:
    - name: t
      at: 5 parsecs
      from: pod/web-0
      http: {url: "http://web/"}
`;
    expect(errorsOf(text, 'd.yaml')).toEqual(['d.yaml:7:11 Scenario d spec.traffic[0].at: expected a duration such as 50us, 1ms or 2s, got "5 parsecs"']);
  });

  test('traffic with two kinds', () => {
    const text = `apiVersion: kubewire.dev/v1alpha1
kind: Scenario
metadata: {name: two-kinds}
spec:
  traffic:
    - name: t
      from: pod/web-0
      http: {url: "http://web/"}
      dns: {name: web}
`;
    expect(errorsOf(text, 'k.yaml')).toEqual([
      'k.yaml:9:7 Scenario two-kinds spec.traffic[0].dns: only one of http, tcp, udp, dns, ping per traffic item: this one also has http; split it into two items',
    ]);
  });

  test('unknown expectation key, and one that does not fit the traffic kind', () => {
    const text = `apiVersion: kubewire.dev/v1alpha1
kind: Scenario
metadata: {name: e}
spec:
  traffic:
    - name: t
      from: pod/web-0
      http: {url: "http://web/"}
      expect:
        status: 200
        stauts: 200
        rcode: NOERROR
`;
    expect(errorsOf(text, 'e.yaml')).toEqual([
      'e.yaml:11:9 Scenario e spec.traffic[0].expect.stauts: unknown expectation "stauts" (did you mean status?); expected one of status, body, servedBy, spread, sameBackend, clientIP, refused, timeout, rcode, answers, records, hops, dnat, maxLatency',
      'e.yaml:12:9 Scenario e spec.traffic[0].expect.rcode: rcode does not apply to http traffic (it applies to dns)',
    ]);
  });

  test('duplicate keys', () => {
    const text = `apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  name: web2\nspec:\n  ports: [{port: 80}]\n${SCENARIO}`;
    expect(errorsOf(text, 'dup.yaml')).toEqual(['dup.yaml:5:3 Service default/web2 metadata.name: duplicate key "name": a key may appear only once in a mapping']);
  });

  test('missing required fields', () => {
    const text = `apiVersion: v1
kind: Pod
metadata:
  namespace: shop
spec:
  containers: []
---
apiVersion: v1
kind: Pod
metadata:
  name: a
spec:
  nodeName: n
---
apiVersion: v1
kind: Service
metadata: {name: s}
spec:
  ports:
    - name: a
      port: 80
    - name: b
      targetPort: 8080
---
apiVersion: v1
kind: Service
metadata: {generateName: s-}
spec: {}
${SCENARIO}`;
    expect(errorsOf(text, 'm.yaml')).toEqual([
      "m.yaml:3:1 Pod metadata.name: missing required field (expected the object's name)",
      'm.yaml:6:15 Pod spec.containers: a pod needs at least one container, got none',
      'm.yaml:12:1 Pod default/a spec.containers: missing required field (expected a list of containers, each with a name)',
      'm.yaml:22:7 Service default/s spec.ports[1].port: missing required field (expected a port number)',
      "m.yaml:27:11 Service metadata.name: missing required field (expected the object's name; generateName is not supported: the name must be fixed)",
    ]);
  });

  test('values of the wrong type inside Lists point into the List item', () => {
    const text = `apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Service
    metadata:
      name: web
      labels: {version: 2}
    spec:
      ports: [{port: "80", protocol: tcp}]
${SCENARIO}`;
    expect(errorsOf(text, 'list.yaml')).toEqual([
      'list.yaml:8:25 Service default/web metadata.labels.version: expected a string, got 2 (quote it: "2")',
      'list.yaml:10:22 Service default/web spec.ports[0].port: expected a port number, got "80"',
      'list.yaml:10:38 Service default/web spec.ports[0].protocol: expected one of TCP, UDP, SCTP, got "tcp" (did you mean TCP?)',
    ]);
  });

  test('apiVersion problems', () => {
    const text = `kind: Service
metadata: {name: a}
---
apiVersion: extensions/v1beta1
kind: Ingress
metadata: {name: b}
---
apiVersion: foo/v1
kind: Widget
metadata: {name: c}
---
- just
- a list
${SCENARIO}`;
    expect(errorsOf(text, 'api.yaml')).toEqual([
      'api.yaml:1:7 Service default/a kind: missing apiVersion for kind Service (expected v1)',
      'api.yaml:4:13 Ingress default/b apiVersion: expected apiVersion networking.k8s.io/v1, got "extensions/v1beta1" (Ingress is served as networking.k8s.io/v1 by current Kubernetes)',
      'api.yaml:8:13 Widget default/c apiVersion: unknown apiVersion "foo/v1" for kind Widget',
      'api.yaml:12:1 expected a Kubernetes object (a mapping with apiVersion and kind), got a list',
    ]);
  });

  test('several errors across documents are collected at once, in file order', () => {
    const text = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: -1
  selector: {matchLabels: {app: web}}
  template: {spec: {containers: [{name: web, ports: [{containerPort: http}]}]}}
---
apiVersion: kubewire.dev/v1alpha1
kind: Scenario
metadata: {name: many}
spec:
  seed: lucky
  cluster: {podCIDR: 10.2.0.0/33, nodes: 0}
  traffic:
    - from: pod/web-0
      http: {url: "https://web/"}
      repeat: 2.5
    - name: q
      from: planet/earth
      dns: {name: web, type: B}
  faults:
    - {at: 1ms}
    - {deletePod: web-0}
`;
    const r = loadScenario(text, 'many.yaml');
    expect(r.ok).toBe(false);
    expect(lines(r)).toEqual([
      'many.yaml:5:13 Deployment default/web spec.replicas: expected an integer ≥ 0, got -1',
      'many.yaml:7:70 Deployment default/web spec.template.spec.containers[0].ports[0].containerPort: expected a port number, got "http"',
      'many.yaml:13:9 Scenario many spec.seed: expected an unsigned 32-bit integer, got "lucky"',
      'many.yaml:14:22 Scenario many spec.cluster.podCIDR: expected an IPv4 CIDR such as 10.2.0.0/16, got "10.2.0.0/33"',
      'many.yaml:14:42 Scenario many spec.cluster.nodes: expected a node count from 1 to 1000, got 0',
      'many.yaml:17:19 Scenario many spec.traffic[0].http.url: "https://web/": only http:// is modelled (TLS is not)',
      'many.yaml:18:15 Scenario many spec.traffic[0].repeat: expected an integer, got 2.5',
      'many.yaml:20:13 Scenario many spec.traffic[1].from: "planet/earth" is not a source: expected pod/NAME, pod/NAMESPACE/NAME, node/NAME, client/NAME or deployment/NAME',
      'many.yaml:21:30 Scenario many spec.traffic[1].dns.type: expected one of A, AAAA, SRV, PTR, CNAME, ANY, TXT, NS, SOA, MX, got "B" (did you mean A?)',
      'many.yaml:23:7 Scenario many spec.faults[0]: a fault needs one of deletePod, setReady, nodeDown, nodeUp, link, scale',
      'many.yaml:24:7 Scenario many spec.faults[1].at: missing required field (when the fault happens, e.g. 20ms)',
    ]);
    expect(r.objects).toEqual([]);
  });

  test('problems carry docIndex, object, path and severity as fields', () => {
    const r = loadScenario(`${SCENARIO}---\napiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: shop}\nspec: {ports: [{port: x}]}\n`, 'f.yaml');
    expect(r.errors).toEqual<ScenarioProblem[]>([
      { file: 'f.yaml', line: 11, column: 23, docIndex: 1, object: 'Service shop/s', path: 'spec.ports[0].port', message: 'expected a port number, got "x"', severity: 'error' },
    ]);
  });
});

describe('the loader never throws', () => {
  // A small deterministic generator (tests must not depend on Math.random either).
  function lcg(seed: number): () => number {
    let s = seed >>> 0;
    return () => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return s / 2 ** 32;
    };
  }

  const sane = (r: LoadResult): void => {
    expect(typeof r.ok).toBe('boolean');
    if (!r.ok) expect(r.errors.length).toBeGreaterThan(0);
    if (r.ok) expect(r.scenario).toBeDefined();
    for (const p of [...r.errors, ...r.warnings]) {
      expect(p.line).toBeGreaterThanOrEqual(1);
      expect(p.column).toBeGreaterThanOrEqual(1);
      expect(typeof formatProblem(p)).toBe('string');
    }
  };

  test('on every truncation of the example file', () => {
    const text = clusteripBasic;
    for (let n = 0; n <= text.length; n += 7) sane(loadScenario(text.slice(0, n), 'cut.yaml'));
  });

  test('on random mutations of the example file', () => {
    const rand = lcg(20240601);
    const alphabet = ':-[]{}"\'\n #&*!|>%@`\t,?0aZ.\\';
    for (let i = 0; i < 400; i++) {
      let t = i % 2 === 0 ? clusteripBasic : kubectlGetDeploySvc;
      const edits = 1 + Math.floor(rand() * 6);
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(rand() * t.length);
        const op = Math.floor(rand() * 5);
        if (op === 0) t = t.slice(0, at) + t.slice(at + 1);
        else if (op === 1) t = t.slice(0, at) + alphabet[Math.floor(rand() * alphabet.length)] + t.slice(at);
        else if (op === 2) t = t.slice(0, at) + t.slice(at, at + 40) + t.slice(at);
        else if (op === 3) {
          const ls = t.split('\n');
          const a = Math.floor(rand() * ls.length);
          const b = Math.floor(rand() * ls.length);
          [ls[a], ls[b]] = [ls[b]!, ls[a]!];
          t = ls.join('\n');
        } else t = t.slice(0, at) + '\n' + ' '.repeat(Math.floor(rand() * 9)) + t.slice(at);
      }
      sane(loadScenario(t, 'mutant.yaml'));
    }
  });

  test('on hostile inputs', () => {
    const laughs = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 10; i++) laughs.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
    const inputs = [
      '',
      '---',
      '\0\u0001\u0002',
      '[',
      '{',
      '- - - -',
      ':',
      '!!binary AAAA',
      'kind: Scenario',
      'kind: Scenario\nspec: 5',
      'kind: List\napiVersion: v1\nitems: 3',
      '['.repeat(5000),
      '- '.repeat(2000) + 'x',
      `apiVersion: kubewire.dev/v1alpha1\nkind: Scenario\nspec:\n  traffic: &t [*t]\n`,
      laughs.join('\n') + '\nkind: Scenario\n',
      'kind: Scenario\napiVersion: kubewire.dev/v1alpha1\nspec: {traffic: [{from: pod/a, http: {url: "http://service:/"}}]}',
      '%YAML 1.1\n---\nkind: Scenario\n',
      'a: !!set {x, y}\nkind: Service\n',
      `${'x'.repeat(100000)}: 1`,
    ];
    for (const t of inputs) sane(loadScenario(t, 'hostile.yaml'));
    // Not even on a value that is not a string.
    sane(loadScenario(undefined as unknown as string, 'x.yaml'));
  });
});

test('object-prototype names are not kinds', () => {
  for (const kind of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
    const r = loadScenario(`apiVersion: v1\nkind: ${kind}\nmetadata: {name: x}\n`, 'p.yaml');
    expect(r.errors.some((e) => e.message.startsWith(`unknown kind "${kind}"`))).toBe(true);
  }
});
