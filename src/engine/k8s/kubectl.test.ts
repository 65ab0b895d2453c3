import { describe, expect, it } from 'vitest';
import { kubectlAge, kubectlGet, kubectlGetResult, kubectlResource, tabwrite, type KubectlObject, type KubectlState } from './kubectl.ts';
import { toKubectlYaml, yamlKeyLess } from './kubectl-yaml.ts';
import type { EndpointSlice, Endpoints, Node, Pod, Service } from './model/index.ts';

// ---------------------------------------------------------------------------------------------
// Fixtures: objects as the control plane fills them.

function node(name: string, ip: string, ready: 'True' | 'Unknown', labels: Record<string, string> = {}): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels } },
    spec: { podCIDR: '10.244.0.0/24', podCIDRs: ['10.244.0.0/24'] },
    status: {
      addresses: [
        { type: 'InternalIP', address: ip },
        { type: 'Hostname', address: name },
      ],
      conditions: [{ type: 'Ready', status: ready }],
    },
  };
}

function runningPod(ns: string, name: string, nodeName: string, ip: string, ready: boolean, extra: Partial<Pod['metadata']> = {}): Pod {
  return {
    metadata: { name, namespace: ns, labels: { app: 'web' }, ...extra },
    spec: { nodeName, containers: [{ name: 'web', image: 'nginx:1.27' }] },
    status: {
      phase: 'Running',
      hostIP: '172.18.0.3',
      podIP: ip,
      podIPs: [{ ip }],
      conditions: [
        { type: 'PodScheduled', status: 'True' },
        { type: 'Ready', status: ready ? 'True' : 'False' },
        { type: 'ContainersReady', status: ready ? 'True' : 'False' },
      ],
    },
  };
}

const NODES: Node[] = [
  node('kind-worker2', '172.18.0.4', 'Unknown'),
  node('kind-control-plane', '172.18.0.2', 'True', { 'node-role.kubernetes.io/control-plane': '' }),
  node('kind-worker', '172.18.0.3', 'True'),
];

const PODS: Pod[] = [
  runningPod('kube-system', 'coredns-668d6bf9bc-xk2lp', 'kind-control-plane', '10.244.0.2', true),
  runningPod('default', 'web-7d9f8c6b5-fghij', 'kind-worker2', '10.244.2.3', false),
  runningPod('default', 'web-7d9f8c6b5-abcde', 'kind-worker', '10.244.1.2', true),
  {
    metadata: { name: 'pending-pod', namespace: 'default' },
    spec: { containers: [{ name: 'app' }] },
    status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/3 nodes are available' }] },
  },
  runningPod('default', 'old-pod', 'kind-worker', '10.244.1.9', false, { deletionTimestamp: '1970-01-01T00:00:30Z' }),
];

const SERVICES: Service[] = [
  { metadata: { name: 'kube-dns', namespace: 'kube-system' }, spec: { type: 'ClusterIP', clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'], selector: { 'k8s-app': 'kube-dns' }, ports: [{ name: 'dns', protocol: 'UDP', port: 53 }, { name: 'dns-tcp', protocol: 'TCP', port: 53 }, { name: 'metrics', protocol: 'TCP', port: 9153 }] } },
  { metadata: { name: 'web-np', namespace: 'default' }, spec: { type: 'NodePort', clusterIP: '10.96.20.5', clusterIPs: ['10.96.20.5'], selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080, nodePort: 30080 }] } },
  { metadata: { name: 'kubernetes', namespace: 'default' }, spec: { type: 'ClusterIP', clusterIP: '10.96.0.1', clusterIPs: ['10.96.0.1'], ports: [{ name: 'https', protocol: 'TCP', port: 443, targetPort: 6443 }] } },
  { metadata: { name: 'web', namespace: 'default' }, spec: { clusterIP: '10.96.100.10', clusterIPs: ['10.96.100.10'], selector: { app: 'web' }, ports: [{ name: 'http', port: 80 }, { name: 'https', port: 443 }] } },
  {
    metadata: { name: 'web-lb', namespace: 'default' },
    spec: { type: 'LoadBalancer', clusterIP: '10.96.30.7', clusterIPs: ['10.96.30.7'], selector: { tier: 'frontend', app: 'web' }, ports: [{ name: 'http', port: 80, nodePort: 31234 }, { name: 'https', port: 443, nodePort: 31235 }] },
    status: { loadBalancer: {} },
  },
  {
    metadata: { name: 'web-lb-ok', namespace: 'default' },
    spec: { type: 'LoadBalancer', clusterIP: '10.96.30.8', clusterIPs: ['10.96.30.8'], selector: { app: 'web' }, ports: [{ port: 80, nodePort: 32000, protocol: 'TCP' }] },
    status: { loadBalancer: { ingress: [{ ip: '172.18.255.200', ipMode: 'VIP' }] } },
  },
  { metadata: { name: 'headless', namespace: 'default' }, spec: { clusterIP: 'None', clusterIPs: ['None'], selector: { app: 'web' }, ports: [{ port: 80 }] } },
  { metadata: { name: 'ext', namespace: 'default' }, spec: { type: 'ExternalName', externalName: 'example.com' } },
];

const ENDPOINTS: Endpoints[] = [
  { metadata: { name: 'web', namespace: 'default' }, subsets: [{ addresses: [{ ip: '10.244.1.2' }, { ip: '10.244.1.3' }, { ip: '10.244.2.4' }, { ip: '10.244.2.5' }], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] }] },
  { metadata: { name: 'kubernetes', namespace: 'default' }, subsets: [{ addresses: [{ ip: '172.18.0.2' }], ports: [{ name: 'https', port: 6443, protocol: 'TCP' }] }] },
  { metadata: { name: 'empty', namespace: 'default' } },
  { metadata: { name: 'multi', namespace: 'default' }, subsets: [{ addresses: [{ ip: '10.244.1.2' }, { ip: '10.244.2.3' }], ports: [{ name: 'http', port: 8080 }, { name: 'https', port: 8443 }] }] },
];

const SLICES: EndpointSlice[] = [
  {
    metadata: { name: 'web-abc12', namespace: 'default', labels: { 'kubernetes.io/service-name': 'web' } },
    addressType: 'IPv4',
    endpoints: ['10.244.1.2', '10.244.1.3', '10.244.2.4', '10.244.2.5'].map((ip) => ({ addresses: [ip], conditions: { ready: true } })),
    ports: [{ name: 'http', protocol: 'TCP', port: 8080 }],
  },
  { metadata: { name: 'kubernetes', namespace: 'default' }, addressType: 'IPv4', endpoints: [{ addresses: ['172.18.0.2'] }], ports: [{ name: 'https', port: 6443 }] },
  { metadata: { name: 'empty-xyz', namespace: 'default' }, addressType: 'IPv4', endpoints: [], ports: [] },
];

const STATE: KubectlState = { pods: PODS, services: SERVICES, endpoints: ENDPOINTS, endpointSlices: SLICES, nodes: NODES };
const EMPTY: KubectlState = { pods: [], services: [], endpoints: [], endpointSlices: [], nodes: [] };

const AGES: Record<string, string> = { 'old-pod': '10m', 'pending-pod': '2m', kubernetes: '30m', 'coredns-668d6bf9bc-xk2lp': '20m', 'kind-control-plane': '30m', 'kube-dns': '30m' };
const age = (o: KubectlObject): string => AGES[o.metadata.name] ?? (o.kind === 'Node' ? '29m' : o.metadata.name.startsWith('web-7d') ? '5m' : '1m');

// ---------------------------------------------------------------------------------------------

describe('tabwriter layout', () => {
  it('pads every column but the last to max(6, widest cell + 3)', () => {
    expect(tabwrite([['A', 'BB', 'C'], ['x', 'y', 'a long last cell']])).toBe('A     BB    C\nx     y     a long last cell\n');
    expect(tabwrite([['NAMEXYZ', 'V'], ['n', 'value']])).toBe('NAMEXYZ   V\nn         value\n');
  });
});

describe('kubectl get pods', () => {
  it('table: NAME READY STATUS RESTARTS AGE, sorted by name; Terminating, Pending, not-ready pods', () => {
    expect(kubectlGet('pods', STATE, { output: 'table', age })).toBe(
      [
        'NAME                  READY   STATUS        RESTARTS   AGE',
        'old-pod               0/1     Terminating   0          10m',
        'pending-pod           0/1     Pending       0          2m',
        'web-7d9f8c6b5-abcde   1/1     Running       0          5m',
        'web-7d9f8c6b5-fghij   0/1     Running       0          5m',
        '',
      ].join('\n'),
    );
  });

  it('wide adds IP NODE NOMINATED NODE READINESS GATES with <none> placeholders', () => {
    expect(kubectlGet('po', STATE, { output: 'wide', age })).toBe(
      [
        'NAME                  READY   STATUS        RESTARTS   AGE   IP           NODE           NOMINATED NODE   READINESS GATES',
        'old-pod               0/1     Terminating   0          10m   10.244.1.9   kind-worker    <none>           <none>',
        'pending-pod           0/1     Pending       0          2m    <none>       <none>         <none>           <none>',
        'web-7d9f8c6b5-abcde   1/1     Running       0          5m    10.244.1.2   kind-worker    <none>           <none>',
        'web-7d9f8c6b5-fghij   0/1     Running       0          5m    10.244.2.3   kind-worker2   <none>           <none>',
        '',
      ].join('\n'),
    );
  });

  it('-A puts NAMESPACE first and lists every namespace in key order', () => {
    expect(kubectlGet('pods', STATE, { output: 'table', allNamespaces: true, age })).toBe(
      [
        'NAMESPACE     NAME                       READY   STATUS        RESTARTS   AGE',
        'default       old-pod                    0/1     Terminating   0          10m',
        'default       pending-pod                0/1     Pending       0          2m',
        'default       web-7d9f8c6b5-abcde        1/1     Running       0          5m',
        'default       web-7d9f8c6b5-fghij        0/1     Running       0          5m',
        'kube-system   coredns-668d6bf9bc-xk2lp   1/1     Running       0          20m',
        '',
      ].join('\n'),
    );
  });

  it('-n selects one namespace; a bound pod without an address is ContainerCreating; AGE defaults to <unknown>', () => {
    const creating: Pod = { metadata: { name: 'stuck', namespace: 'prod' }, spec: { nodeName: 'kind-worker', containers: [{ name: 'a' }, { name: 'b' }] }, status: { phase: 'Pending', hostIP: '172.18.0.3' } };
    expect(kubectlGet('pods', { ...STATE, pods: [...PODS, creating] }, { output: 'table', namespace: 'prod' })).toBe(
      ['NAME    READY   STATUS              RESTARTS   AGE', 'stuck   0/2     ContainerCreating   0          <unknown>', ''].join('\n'),
    );
  });

  it('real containerStatuses win: restarts are summed, a waiting reason becomes the STATUS', () => {
    const crashing = {
      metadata: { name: 'crash', namespace: 'default' },
      spec: { nodeName: 'kind-worker', containers: [{ name: 'a' }, { name: 'b' }] },
      status: {
        phase: 'Running',
        conditions: [{ type: 'Ready', status: 'False' }],
        containerStatuses: [
          { name: 'a', ready: true, restartCount: 0, state: { running: {} } },
          { name: 'b', ready: false, restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff' } } },
        ],
      },
    } as unknown as Pod;
    expect(kubectlGet('pods', { ...EMPTY, pods: [crashing] }, { output: 'table', age: () => '3m' })).toBe(
      ['NAME    READY   STATUS             RESTARTS   AGE', 'crash   1/2     CrashLoopBackOff   4          3m', ''].join('\n'),
    );
  });
});

describe('kubectl get services', () => {
  it('table: ClusterIP, multi-port, NodePort 80:30080/TCP, LoadBalancer <pending>, headless None, ExternalName', () => {
    expect(kubectlGet('svc', STATE, { output: 'table', age })).toBe(
      [
        'NAME         TYPE           CLUSTER-IP     EXTERNAL-IP      PORT(S)                      AGE',
        'ext          ExternalName   <none>         example.com      <none>                       1m',
        'headless     ClusterIP      None           <none>           80/TCP                       1m',
        'kubernetes   ClusterIP      10.96.0.1      <none>           443/TCP                      30m',
        'web          ClusterIP      10.96.100.10   <none>           80/TCP,443/TCP               1m',
        'web-lb       LoadBalancer   10.96.30.7     <pending>        80:31234/TCP,443:31235/TCP   1m',
        'web-lb-ok    LoadBalancer   10.96.30.8     172.18.255.200   80:32000/TCP                 1m',
        'web-np       NodePort       10.96.20.5     <none>           80:30080/TCP                 1m',
        '',
      ].join('\n'),
    );
  });

  it('wide adds SELECTOR (sorted k=v, <none> when empty)', () => {
    expect(kubectlGet('services', STATE, { output: 'wide', age })).toBe(
      [
        'NAME         TYPE           CLUSTER-IP     EXTERNAL-IP      PORT(S)                      AGE   SELECTOR',
        'ext          ExternalName   <none>         example.com      <none>                       1m    <none>',
        'headless     ClusterIP      None           <none>           80/TCP                       1m    app=web',
        'kubernetes   ClusterIP      10.96.0.1      <none>           443/TCP                      30m   <none>',
        'web          ClusterIP      10.96.100.10   <none>           80/TCP,443/TCP               1m    app=web',
        'web-lb       LoadBalancer   10.96.30.7     <pending>        80:31234/TCP,443:31235/TCP   1m    app=web,tier=frontend',
        'web-lb-ok    LoadBalancer   10.96.30.8     172.18.255.200   80:32000/TCP                 1m    app=web',
        'web-np       NodePort       10.96.20.5     <none>           80:30080/TCP                 1m    app=web',
        '',
      ].join('\n'),
    );
  });

  it('-A: kube-dns with UDP and TCP ports', () => {
    const out = kubectlGet('service', STATE, { output: 'table', allNamespaces: true, age });
    expect(out.split('\n')[0]).toBe('NAMESPACE     NAME         TYPE           CLUSTER-IP     EXTERNAL-IP      PORT(S)                      AGE');
    expect(out.split('\n')[8]).toBe('kube-system   kube-dns     ClusterIP      10.96.0.10     <none>           53/UDP,53/TCP,9153/TCP       30m');
  });

  it('LoadBalancer addresses: sorted, cut to 13 characters + "..." past 16 unless wide; externalIPs appended', () => {
    const svc: Service = {
      metadata: { name: 'lb', namespace: 'default' },
      spec: { type: 'LoadBalancer', clusterIP: '10.96.9.9', ports: [{ port: 80, nodePort: 30001, protocol: 'UDP' }], externalIPs: ['192.0.2.1'] },
      status: { loadBalancer: { ingress: [{ ip: '172.18.255.201' }, { ip: '172.18.255.200' }] } },
    };
    const st = { ...EMPTY, services: [svc] };
    expect(kubectlGet('svc', st, { output: 'table', age: () => '1s' })).toBe(
      ['NAME   TYPE           CLUSTER-IP   EXTERNAL-IP                  PORT(S)        AGE', 'lb     LoadBalancer   10.96.9.9    172.18.255.20...,192.0.2.1   80:30001/UDP   1s', ''].join('\n'),
    );
    expect(kubectlGet('svc', st, { output: 'wide', age: () => '1s' }).split('\n')[1]).toBe(
      'lb     LoadBalancer   10.96.9.9    172.18.255.200,172.18.255.201,192.0.2.1   80:30001/UDP   1s    <none>',
    );
  });
});

describe('kubectl get endpoints / endpointslices', () => {
  it('endpoints: ip:port, port-major, "+ N more..." after 3, <none> without subsets', () => {
    expect(kubectlGet('ep', STATE, { output: 'table', age })).toBe(
      [
        'NAME         ENDPOINTS                                                     AGE',
        'empty        <none>                                                        1m',
        'kubernetes   172.18.0.2:6443                                               30m',
        'multi        10.244.1.2:8080,10.244.2.3:8080,10.244.1.2:8443 + 1 more...   1m',
        'web          10.244.1.2:8080,10.244.1.3:8080,10.244.2.4:8080 + 1 more...   1m',
        '',
      ].join('\n'),
    );
  });

  it('endpoints: IPv6 addresses are bracketed, port-less subsets list bare addresses', () => {
    const eps: Endpoints[] = [
      { metadata: { name: 'v6', namespace: 'default' }, subsets: [{ addresses: [{ ip: 'fd00:10:244::5' }], ports: [{ port: 80 }] }] },
      { metadata: { name: 'bare', namespace: 'default' }, subsets: [{ addresses: [{ ip: '10.244.1.7' }] }] },
    ];
    expect(kubectlGet('endpoints', { ...EMPTY, endpoints: eps }, { output: 'table', age: () => '9s' })).toBe(
      ['NAME   ENDPOINTS             AGE', 'bare   10.244.1.7            9s', 'v6     [fd00:10:244::5]:80   9s', ''].join('\n'),
    );
  });

  it('endpointslices: NAME ADDRESSTYPE PORTS ENDPOINTS AGE, <unset> when empty', () => {
    expect(kubectlGet('endpointslice', STATE, { output: 'table', age })).toBe(
      [
        'NAME         ADDRESSTYPE   PORTS     ENDPOINTS                                      AGE',
        'empty-xyz    IPv4          <unset>   <unset>                                        1m',
        'kubernetes   IPv4          6443      172.18.0.2                                     30m',
        'web-abc12    IPv4          8080      10.244.1.2,10.244.1.3,10.244.2.4 + 1 more...   1m',
        '',
      ].join('\n'),
    );
  });
});

describe('kubectl get nodes', () => {
  it('table: NAME STATUS ROLES AGE VERSION; NotReady for an Unknown Ready condition', () => {
    expect(kubectlGet('nodes', STATE, { output: 'table', age })).toBe(
      [
        'NAME                 STATUS     ROLES           AGE   VERSION',
        'kind-control-plane   Ready      control-plane   30m   v1.32.2',
        'kind-worker          Ready      <none>          29m   v1.32.2',
        'kind-worker2         NotReady   <none>          29m   v1.32.2',
        '',
      ].join('\n'),
    );
  });

  it('wide adds INTERNAL-IP EXTERNAL-IP OS-IMAGE KERNEL-VERSION CONTAINER-RUNTIME; -A adds no NAMESPACE column', () => {
    const expected = [
      'NAME                 STATUS     ROLES           AGE   VERSION   INTERNAL-IP   EXTERNAL-IP   OS-IMAGE                         KERNEL-VERSION     CONTAINER-RUNTIME',
      'kind-control-plane   Ready      control-plane   30m   v1.32.2   172.18.0.2    <none>        Debian GNU/Linux 12 (bookworm)   6.8.0-51-generic   containerd://2.0.3',
      'kind-worker          Ready      <none>          29m   v1.32.2   172.18.0.3    <none>        Debian GNU/Linux 12 (bookworm)   6.8.0-51-generic   containerd://2.0.3',
      'kind-worker2         NotReady   <none>          29m   v1.32.2   172.18.0.4    <none>        Debian GNU/Linux 12 (bookworm)   6.8.0-51-generic   containerd://2.0.3',
      '',
    ].join('\n');
    expect(kubectlGet('no', STATE, { output: 'wide', age })).toBe(expected);
    expect(kubectlGet('nodes', STATE, { output: 'wide', allNamespaces: true, age })).toBe(expected);
  });
});

describe('empty results and errors', () => {
  it('"No resources found in NS namespace." on stderr, exit 0', () => {
    expect(kubectlGetResult('pods', EMPTY, { output: 'table' })).toEqual({ text: 'No resources found in default namespace.\n', stream: 'stderr', exitCode: 0 });
    expect(kubectlGetResult('svc', STATE, { output: 'wide', namespace: 'prod' })).toEqual({ text: 'No resources found in prod namespace.\n', stream: 'stderr', exitCode: 0 });
    expect(kubectlGetResult('pods', EMPTY, { output: 'table', allNamespaces: true })).toEqual({ text: 'No resources found\n', stream: 'stderr', exitCode: 0 });
    expect(kubectlGetResult('nodes', EMPTY, { output: 'table' })).toEqual({ text: 'No resources found\n', stream: 'stderr', exitCode: 0 });
    expect(kubectlGet('pods', EMPTY, { output: 'table' })).toBe('No resources found in default namespace.\n');
  });

  it('-o name prints nothing and -o json/yaml print an empty List, all on stdout', () => {
    expect(kubectlGetResult('pods', EMPTY, { output: 'name' })).toEqual({ text: '', stream: 'stdout', exitCode: 0 });
    expect(kubectlGetResult('pods', EMPTY, { output: 'json' })).toEqual({
      text: '{\n    "apiVersion": "v1",\n    "items": [],\n    "kind": "List",\n    "metadata": {\n        "resourceVersion": ""\n    }\n}\n',
      stream: 'stdout',
      exitCode: 0,
    });
    expect(kubectlGet('pods', EMPTY, { output: 'yaml' })).toBe('apiVersion: v1\nitems: []\nkind: List\nmetadata:\n  resourceVersion: ""\n');
  });

  it('an unknown resource type is an error on stderr, exit 1; aliases resolve', () => {
    expect(kubectlGetResult('deployments', STATE, { output: 'table' })).toEqual({ text: 'error: the server doesn\'t have a resource type "deployments"\n', stream: 'stderr', exitCode: 1 });
    expect(['po', 'svc', 'ep', 'no', 'endpointslice', 'Pods'].map(kubectlResource)).toEqual(['pods', 'services', 'endpoints', 'nodes', 'endpointslices', 'pods']);
  });
});

describe('kubectl get -o name / json / yaml', () => {
  it('-o name: resource/name (endpointslices with their group)', () => {
    expect(kubectlGet('pods', STATE, { output: 'name' })).toBe('pod/old-pod\npod/pending-pod\npod/web-7d9f8c6b5-abcde\npod/web-7d9f8c6b5-fghij\n');
    expect(kubectlGet('endpointslices', STATE, { output: 'name' })).toBe(
      'endpointslice.discovery.k8s.io/empty-xyz\nendpointslice.discovery.k8s.io/kubernetes\nendpointslice.discovery.k8s.io/web-abc12\n',
    );
    expect(kubectlGet('svc', STATE, { output: 'name', allNamespaces: true }).split('\n').slice(-2)).toEqual(['service/kube-dns', '']);
    expect(kubectlGet('nodes', STATE, { output: 'name' })).toBe('node/kind-control-plane\nnode/kind-worker\nnode/kind-worker2\n');
    expect(kubectlGet('ep', STATE, { output: 'name' }).split('\n')[0]).toBe('endpoints/empty');
  });

  const POD: Pod = {
    metadata: { name: 'web', namespace: 'demo', labels: { app: 'web' }, annotations: { note: 'a<b&c>' } },
    spec: { nodeName: 'kind-worker', containers: [{ name: 'web', image: 'nginx:1.27', ports: [{ containerPort: 80, protocol: 'TCP' }] }] },
    status: { podIP: '10.244.1.2', podIPs: [{ ip: '10.244.1.2' }], phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
  };

  it('-o json: a v1 List, keys sorted, 4-space indent, apiVersion/kind filled, HTML characters escaped', () => {
    expect(kubectlGet('pods', { ...EMPTY, pods: [POD] }, { output: 'json', namespace: 'demo' })).toBe(
      `{
    "apiVersion": "v1",
    "items": [
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {
                "annotations": {
                    "note": "a\\u003cb\\u0026c\\u003e"
                },
                "labels": {
                    "app": "web"
                },
                "name": "web",
                "namespace": "demo"
            },
            "spec": {
                "containers": [
                    {
                        "image": "nginx:1.27",
                        "name": "web",
                        "ports": [
                            {
                                "containerPort": 80,
                                "protocol": "TCP"
                            }
                        ]
                    }
                ],
                "nodeName": "kind-worker"
            },
            "status": {
                "conditions": [
                    {
                        "status": "True",
                        "type": "Ready"
                    }
                ],
                "phase": "Running",
                "podIP": "10.244.1.2",
                "podIPs": [
                    {
                        "ip": "10.244.1.2"
                    }
                ]
            }
        }
    ],
    "kind": "List",
    "metadata": {
        "resourceVersion": ""
    }
}
`,
    );
  });

  it('-o yaml: kubectl style (sequences at the key column, quoted non-strings), namespace defaulted', () => {
    const pod: Pod = { ...POD, metadata: { name: 'web', labels: { app: 'web' } } };
    expect(kubectlGet('pods', { ...EMPTY, pods: [pod] }, { output: 'yaml' })).toBe(
      `apiVersion: v1
items:
- apiVersion: v1
  kind: Pod
  metadata:
    labels:
      app: web
    name: web
    namespace: default
  spec:
    containers:
    - image: nginx:1.27
      name: web
      ports:
      - containerPort: 80
        protocol: TCP
    nodeName: kind-worker
  status:
    conditions:
    - status: "True"
      type: Ready
    phase: Running
    podIP: 10.244.1.2
    podIPs:
    - ip: 10.244.1.2
kind: List
metadata:
  resourceVersion: ""
`,
    );
  });

  it('-o yaml for nodes and endpointslices fills their apiVersion and kind', () => {
    const y = kubectlGet('endpointslices', { ...EMPTY, endpointSlices: [SLICES[1]!] }, { output: 'yaml' });
    expect(y).toBe(
      `apiVersion: v1
items:
- addressType: IPv4
  apiVersion: discovery.k8s.io/v1
  endpoints:
  - addresses:
    - 172.18.0.2
  kind: EndpointSlice
  metadata:
    name: kubernetes
    namespace: default
  ports:
  - name: https
    port: 6443
kind: List
metadata:
  resourceVersion: ""
`,
    );
    const n = JSON.parse(kubectlGet('nodes', { ...EMPTY, nodes: [{ metadata: { name: 'n1' }, spec: { podCIDR: '10.244.1.0/24' } }] }, { output: 'json' }));
    expect(n.items[0]).toEqual({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, spec: { podCIDR: '10.244.1.0/24' } });
  });
});

describe('YAML emitter (go-yaml v2 style)', () => {
  it('quotes strings that would read back as something else, and only those', () => {
    const cases: [string, string][] = [
      ['', '""'],
      ['true', '"true"'],
      ['True', '"True"'],
      ['yes', '"yes"'],
      ['y', '"y"'],
      ['off', '"off"'],
      ['null', '"null"'],
      ['~', '"~"'],
      ['80', '"80"'],
      ['-1', '"-1"'],
      ['007', '"007"'],
      ['08', '"08"'],
      ['0x1F', '"0x1F"'],
      ['1.5', '"1.5"'],
      ['1e3', '"1e3"'],
      ['.5', '".5"'],
      ['1_000', '"1_000"'],
      ['1:20', '"1:20"'],
      ['2024-01-02', '"2024-01-02"'],
      ['2024-01-02T03:04:05Z', '"2024-01-02T03:04:05Z"'],
      ['.inf', '".inf"'],
      ['v1.32.2', 'v1.32.2'],
      ['10.96.0.10', '10.96.0.10'],
      ['nginx:1.27', 'nginx:1.27'],
      ['Yes please', 'Yes please'],
      ["it's", "it's"],
      ['a#b', 'a#b'],
      ['+', '+'],
      ['a: b', "'a: b'"],
      ['key:', "'key:'"],
      ['a #b', "'a #b'"],
      ['*', "'*'"],
      ['-', "'-'"],
      ['- x', "'- x'"],
      ['@home', "'@home'"],
      [' lead', "' lead'"],
      ['trail ', "'trail '"],
      ["'q'", "'''q'''"],
      ['tab\there', '"tab\\there"'],
      ['bell\u0007', '"bell\\a"'],
    ];
    for (const [input, want] of cases) expect(toKubectlYaml({ k: input }), JSON.stringify(input)).toBe(`k: ${want}\n`);
  });

  it('scalars, empty collections, nesting', () => {
    expect(toKubectlYaml({ a: 1, b: true, c: null, d: {}, e: [], f: [[1, 2], { g: 'h' }], i: { j: [] } })).toBe(
      'a: 1\nb: true\nc: null\nd: {}\ne: []\nf:\n- - 1\n  - 2\n- g: h\ni:\n  j: []\n',
    );
  });

  it('multi-line strings become literal blocks with chomping indicators', () => {
    expect(toKubectlYaml({ s: 'line1\nline2', t: 'a\n\nb\n', u: 'x' })).toBe('s: |-\n  line1\n  line2\nt: |\n  a\n\n  b\nu: x\n');
    expect(toKubectlYaml({ m: { s: ' indented\nnext' } })).toBe('m:\n  s: |2-\n     indented\n    next\n');
  });

  it('folds long values at a space past column 80, continuation indented two past the key', () => {
    const message = "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.";
    expect(toKubectlYaml({ status: { conditions: [{ message, type: 'PodScheduled' }] } })).toBe(
      `status:
  conditions:
  - message: '0/3 nodes are available: 3 node(s) didn''t match Pod''s node affinity/selector.
      preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.'
    type: PodScheduled
`,
    );
    const plain = 'word '.repeat(30).trim();
    expect(toKubectlYaml({ k: plain })).toBe(`k: ${'word '.repeat(15)}word\n  ${'word '.repeat(13)}word\n`);
    expect(toKubectlYaml({ k: plain }, { width: 0 })).toBe(`k: ${plain}\n`);
  });

  it('sorts keys as go-yaml v2: letters after other characters, digit runs by value', () => {
    const keys = ['b', 'a10', 'a2', 'A_', 'AB', 'a', 'a-b', 'ab', 'app.kubernetes.io/name', 'app'];
    const sorted = [...keys].sort((x, y) => (yamlKeyLess(x, y) ? -1 : yamlKeyLess(y, x) ? 1 : 0));
    expect(sorted).toEqual(['A_', 'AB', 'a', 'a-b', 'a2', 'a10', 'ab', 'app', 'app.kubernetes.io/name', 'b']);
    expect(toKubectlYaml({ z: 1, a: 2 })).toBe('z: 1\na: 2\n');
    expect(toKubectlYaml({ z: 1, a: 2 }, { sortKeys: true })).toBe('a: 2\nz: 1\n');
  });
});

describe('kubectlAge (duration.HumanDuration)', () => {
  it('matches kubectl AGE text', () => {
    const cases: [number, string][] = [
      [-5, '<invalid>'],
      [-1, '0s'],
      [0, '0s'],
      [119, '119s'],
      [120, '2m'],
      [200, '3m20s'],
      [599, '9m59s'],
      [600, '10m'],
      [10799, '179m'],
      [10800, '3h'],
      [18120, '5h2m'],
      [8 * 3600, '8h'],
      [47 * 3600 + 59 * 60, '47h'],
      [48 * 3600, '2d'],
      [2 * 86400 + 5 * 3600, '2d5h'],
      [8 * 86400, '8d'],
      [800 * 86400, '2y70d'],
      [365 * 2 * 86400, '2y'],
      [365 * 9 * 86400, '9y'],
    ];
    expect(cases.map(([s]) => kubectlAge(s))).toEqual(cases.map(([, t]) => t));
  });
});
