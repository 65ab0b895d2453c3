import { describe, expect, test } from 'vitest';
import { formatProblem, loadScenario } from './parse.ts';
import { checkReferences, parseAddressPort, parseHostTarget, parseHttpUrl } from './validate.ts';
import { CLUSTER_DEFAULTS, kubeProxyConfigOf, parsePodRef, parseSourceRef, type K8sObject, type Scenario } from './model.ts';
import clusteripBasic from './testdata/clusterip-basic.yaml?raw';

/** Loads a Scenario whose spec is `spec` (YAML, indented by two) and returns `path: message` for each problem. */
function problems(spec: string, which: 'errors' | 'warnings' = 'errors'): string[] {
  const text = `apiVersion: kubewire.dev/v1alpha1\nkind: Scenario\nmetadata: {name: v}\nspec:\n${spec.replace(/^/gm, '  ')}\n`;
  return loadScenario(text, 'v.yaml')[which].map((p) => `${p.path}: ${p.message}`);
}

/** Loads a valid Scenario and returns it (failing the test with the problems otherwise). */
function scenario(spec: string): Scenario {
  const text = `apiVersion: kubewire.dev/v1alpha1\nkind: Scenario\nmetadata: {name: v}\nspec:\n${spec.replace(/^/gm, '  ')}\n`;
  const r = loadScenario(text, 'v.yaml');
  expect(r.errors.map(formatProblem)).toEqual([]);
  return r.scenario!;
}

const T = (item: string): string => `traffic:\n  - ${item}`;

describe('references written in the Scenario', () => {
  test('traffic sources', () => {
    expect(parseSourceRef('pod/web-0')).toEqual({ ok: true, value: { kind: 'pod', name: 'web-0' } });
    expect(parseSourceRef('pod/shop/web-0')).toEqual({ ok: true, value: { kind: 'pod', namespace: 'shop', name: 'web-0' } });
    expect(parseSourceRef('node/node-1')).toEqual({ ok: true, value: { kind: 'node', name: 'node-1' } });
    expect(parseSourceRef('client/Laptop_2')).toEqual({ ok: true, value: { kind: 'client', name: 'Laptop_2' } });
    expect(parseSourceRef('deployment/shop/web')).toEqual({ ok: true, value: { kind: 'deployment', namespace: 'shop', name: 'web' } });
    expect(parseSourceRef('statefulset/db')).toEqual({ ok: true, value: { kind: 'statefulset', name: 'db' } });
    for (const bad of ['pod', 'pod/', 'pod/a/b/c', 'node/ns/x', 'pod/Web', 'service/web', 'pod/Bad_NS/x', '']) expect(parseSourceRef(bad).ok).toBe(false);
    expect(parsePodRef('shop/web-0')).toEqual({ ok: true, value: { kind: 'pod', namespace: 'shop', name: 'web-0' } });
    expect(parsePodRef('pod/web-0')).toEqual({ ok: true, value: { kind: 'pod', name: 'web-0' } });
    expect(parsePodRef('pod/pod/web-0')).toEqual({ ok: true, value: { kind: 'pod', namespace: 'pod', name: 'web-0' } });
  });

  test('target hosts', () => {
    expect(parseHostTarget('service:web')).toEqual({ ok: true, value: { kind: 'service', service: { kind: 'service', name: 'web' } } });
    expect(parseHostTarget('service:shop/web')).toEqual({ ok: true, value: { kind: 'service', service: { kind: 'service', namespace: 'shop', name: 'web' } } });
    expect(parseHostTarget('service:web.shop')).toEqual({ ok: true, value: { kind: 'service', service: { kind: 'service', namespace: 'shop', name: 'web' } } });
    expect(parseHostTarget('10.96.0.1')).toEqual({ ok: true, value: { kind: 'ip', ip: '10.96.0.1' } });
    expect(parseHostTarget('backend.shop.svc.cluster.local.')).toEqual({ ok: true, value: { kind: 'name', name: 'backend.shop.svc.cluster.local.' } });
    for (const bad of ['999.1.1.1', 'bad host!', '', 'service:', 'service:Web']) expect(parseHostTarget(bad).ok).toBe(false);
  });

  test('http URLs, with service:NAME hosts', () => {
    expect(parseHttpUrl('http://service:web/clientip')).toEqual({ ok: true, value: { target: { kind: 'service', service: { kind: 'service', name: 'web' } }, port: 80, path: '/clientip' } });
    expect(parseHttpUrl('http://service:web.shop:8080/echo?msg=hi')).toEqual({
      ok: true,
      value: { target: { kind: 'service', service: { kind: 'service', namespace: 'shop', name: 'web' } }, port: 8080, path: '/echo?msg=hi' },
    });
    expect(parseHttpUrl('http://backend')).toEqual({ ok: true, value: { target: { kind: 'name', name: 'backend' }, port: 80, path: '/' } });
    expect(parseHttpUrl('HTTP://10.96.0.5:30000?x')).toEqual({ ok: true, value: { target: { kind: 'ip', ip: '10.96.0.5' }, port: 30000, path: '/?x' } });
    // In a URL the first '/' starts the path: service:shop/web reads as Service "shop", path /web.
    expect(parseHttpUrl('http://service:shop/web')).toMatchObject({ ok: true, value: { target: { kind: 'service', service: { name: 'shop' } }, path: '/web' } });
    expect(parseHttpUrl('https://web/')).toEqual({ ok: false, message: '"https://web/": only http:// is modelled (TLS is not)' });
    for (const bad of ['web/', 'http://web:0/', 'http://web:99999/', 'http://u@web/', 'ftp://web/']) expect(parseHttpUrl(bad).ok).toBe(false);
  });

  test('addresses with ports', () => {
    expect(parseAddressPort('10.2.1.4:8080')).toEqual({ ok: true, value: { address: { kind: 'ip', ip: '10.2.1.4' }, port: 8080 } });
    expect(parseAddressPort('pod/backend-1:8080')).toEqual({ ok: true, value: { address: { kind: 'ref', ref: { kind: 'pod', name: 'backend-1' } }, port: 8080 } });
    expect(parseAddressPort('service:web:80')).toEqual({ ok: true, value: { address: { kind: 'ref', ref: { kind: 'service', name: 'web' } }, port: 80 } });
    expect(parseAddressPort('node/node-1')).toEqual({ ok: true, value: { address: { kind: 'ref', ref: { kind: 'node', name: 'node-1' } } } });
    expect(parseAddressPort('10.2.1.4:http').ok).toBe(false);
    expect(parseAddressPort('deployment/web').ok).toBe(false);
  });
});

describe('traffic items', () => {
  test('every kind, with defaults', () => {
    const s = scenario(`traffic:
  - {from: pod/a, tcp: {address: "10.96.0.10:53", send: hi}, timeout: 2s}
  - {from: pod/a, tcp: {host: "service:shop/db", port: 5432}}
  - {from: pod/a, udp: {host: backend, port: 8081, send: hostname}, repeat: 5, interval: 10us}
  - {from: pod/a, dns: {name: _http._tcp.web.shop.svc.cluster.local, type: srv}}
  - {from: node/node-1, ping: {address: 10.2.1.4, count: 3}}
  - {from: client/c, ping: {host: "service:web"}}
  - {from: pod/a, http: {url: "http://web/", host: shop.example, method: post}}
clients: [{name: c, ip: 198.51.100.7}]`);
    expect(s.spec.traffic.map((t) => t.name)).toEqual(['traffic[0]', 'traffic[1]', 'traffic[2]', 'traffic[3]', 'traffic[4]', 'traffic[5]', 'traffic[6]']);
    expect(s.spec.traffic[0]).toMatchObject({ kind: 'tcp', tcp: { target: { kind: 'ip', ip: '10.96.0.10' }, port: 53, send: 'hi' }, timeout: 2_000_000_000, repeat: 1, at: 0 });
    expect(s.spec.traffic[1]).toMatchObject({ kind: 'tcp', tcp: { target: { kind: 'service', service: { namespace: 'shop', name: 'db' } }, port: 5432 } });
    expect(s.spec.traffic[2]).toMatchObject({ kind: 'udp', udp: { target: { kind: 'name', name: 'backend' }, port: 8081, send: 'hostname' }, repeat: 5, interval: 10_000 });
    expect(s.spec.traffic[3]).toMatchObject({ kind: 'dns', dns: { name: '_http._tcp.web.shop.svc.cluster.local', type: 'SRV' } });
    expect(s.spec.traffic[4]).toMatchObject({ kind: 'ping', ping: { target: { kind: 'ip', ip: '10.2.1.4' }, count: 3 } });
    expect(s.spec.traffic[5]).toMatchObject({ kind: 'ping', ping: { target: { kind: 'service' }, count: 1 } });
    expect(s.spec.traffic[6]).toMatchObject({ kind: 'http', http: { host: 'shop.example', method: 'POST', port: 80, path: '/' } });
  });

  test('malformed items', () => {
    expect(
      problems(`traffic:
  - {name: a, from: pod/x, udp: {host: b, port: 1}}
  - {name: a, from: pod/x, tcp: {address: "b", host: c}}
  - {name: c, from: pod/x, tcp: {address: "b:http"}}
  - {name: d, from: pod/x, ping: {}}
  - {name: e, from: pod/x}
  - {name: f, http: {url: "http://x/"}, at: 5}
  - {name: g, from: pod/x, http: {url: "http://x/"}, timeout: 0}
  - {name: h, from: pod/x, dns: {name: "a..b"}, repeat: 0}
  - just a string`),
    ).toEqual([
      'spec.traffic[0].udp.send: missing required field (the datagram to send, e.g. hostname)',
      'spec.traffic[1].tcp.address: give either address (HOST:PORT) or host and port, not both',
      'spec.traffic[2].tcp.address: expected HOST:PORT such as 10.96.0.10:53 or backend:8080, got "b:http"',
      'spec.traffic[3].ping: ping needs address (an IPv4 address) or host (a name or service:NAME)',
      'spec.traffic[4]: a traffic item needs one of http, tcp, udp, dns, ping (what to send)',
      'spec.traffic[5].from: missing required field (where the traffic starts: pod/NAME, pod/NAMESPACE/NAME, node/NAME, client/NAME or deployment/NAME)',
      'spec.traffic[5].at: expected a duration with a unit such as 50us, 1ms or 2s, got 5 (write 5ms or 5s)',
      'spec.traffic[6].timeout: expected a duration > 0',
      'spec.traffic[7].dns.name: expected a DNS name such as backend or backend.default.svc.cluster.local, got "a..b"',
      'spec.traffic[7].repeat: expected an integer from 1 to 100000, got 0',
      'spec.traffic[8]: expected a traffic item (a mapping), got "just a string"',
    ]);
  });
});

test('traffic names are unique', () => {
  expect(problems(`traffic:
  - {name: a, from: pod/x, dns: {name: web}}
  - {name: a, from: pod/y, dns: {name: web}}`)).toEqual(['spec.traffic[1].name: duplicate traffic item name "a" (also spec.traffic[0])']);
});

describe('expectations', () => {
  test('the shapes each expectation takes', () => {
    const s = scenario(`traffic:
  - name: h
    from: pod/a
    http: {url: "http://web/"}
    repeat: 4
    expect:
      status: 200
      body: /^web-\\d+$/i
      servedBy: [web-0, {pod: shop/web-1}, {selector: {app: web}}]
      sameBackend: true
      clientIP: [10.2.1.5, pod/a, node/node-1]
      hops: [node-1, node-2]
      dnat: "10.96.0.5:80 -> pod/web-0:8080"
      maxLatency: 2ms
  - name: d
    from: pod/a
    dns: {name: web}
    expect:
      rcode: 3
      answers: 10.96.0.5
      records: ["web.default.svc.cluster.local. 30 IN A 10.96.0.5", {type: a, ttl: 30}]
  - name: r
    from: pod/a
    tcp: {host: web, port: 81}
    expect: {refused: true, dnat: false}
  - name: n
    from: pod/a
    udp: {host: web, port: 81, send: hostname}
    expect: {clientIP: {not: [10.2.1.5]}, body: web, dnat: {to: "10.2.1.4:8081"}}`);
    expect(s.spec.traffic[0]!.expect).toEqual({
      status: 200,
      body: { kind: 'regex', source: '^web-\\d+$', flags: 'i' },
      servedBy: [
        { kind: 'pod', pod: { kind: 'pod', name: 'web-0' } },
        { kind: 'pod', pod: { kind: 'pod', namespace: 'shop', name: 'web-1' } },
        { kind: 'selector', selector: { app: 'web' } },
      ],
      sameBackend: true,
      clientIP: {
        not: false,
        values: [
          { kind: 'ip', ip: '10.2.1.5' },
          { kind: 'ref', ref: { kind: 'pod', name: 'a' } },
          { kind: 'ref', ref: { kind: 'node', name: 'node-1' } },
        ],
      },
      hops: ['node-1', 'node-2'],
      dnat: { none: false, from: { address: { kind: 'ip', ip: '10.96.0.5' }, port: 80 }, to: { address: { kind: 'ref', ref: { kind: 'pod', name: 'web-0' } }, port: 8080 } },
      maxLatency: 2_000_000,
    });
    expect(s.spec.traffic[1]!.expect).toEqual({
      rcode: 'NXDOMAIN',
      answers: ['10.96.0.5'],
      records: [{ name: 'web.default.svc.cluster.local.', ttl: 30, type: 'A', data: '10.96.0.5' }, { type: 'A', ttl: 30 }],
    });
    expect(problems(T(`{name: r, from: pod/a, tcp: {host: web, port: 81}, expect: {refused: true, body: "x"}}`))).toEqual([
      'spec.traffic[0].expect.body: body cannot be expected of a connection that is expected to be refused',
    ]);
    expect(s.spec.traffic[3]!.expect).toMatchObject({ clientIP: { not: true }, body: { kind: 'substring', text: 'web' }, dnat: { none: false, to: { port: 8081 } } });
  });

  test('expectations that do not fit, or are malformed', () => {
    expect(
      problems(`traffic:
  - name: a
    from: pod/a
    dns: {name: web}
    expect: {status: 200, clientIP: 10.0.0.1, timeout: true, answers: [1.2.3.4]}
  - name: b
    from: pod/a
    http: {url: "http://web/"}
    expect:
      body: "/(/"
      servedBy: {selector: {}}
      spread: {min: 2}
      clientIP: {nott: 1.2.3.4}
      rcode: NOERROR
      dnat: "a -> b -> c"
      records: ["web"]
      hops: ["no such node!"]
  - name: c
    from: pod/a
    ping: {address: 10.0.0.1}
    expect: {servedBy: pod/x/y/z}`),
    ).toEqual([
      'spec.traffic[0].expect.status: status does not apply to dns traffic (it applies to http)',
      'spec.traffic[0].expect.clientIP: clientIP does not apply to dns traffic (it applies to http, tcp, udp)',
      'spec.traffic[0].expect.answers: answers cannot be expected of a request that is expected to time out',
      'spec.traffic[1].expect.body: not a valid regular expression: Invalid regular expression: /(/: Unterminated group',
      'spec.traffic[1].expect.servedBy.selector: an empty selector would match every pod; name at least one label',
      'spec.traffic[1].expect.spread.min: expected a fraction from 0 to 1, got 2',
      'spec.traffic[1].expect.clientIP: expected an address, a list, or {not: ADDRESS}',
      'spec.traffic[1].expect.clientIP.nott: unknown clientIP field "nott" (did you mean not?); expected one of not',
      'spec.traffic[1].expect.rcode: rcode does not apply to http traffic (it applies to dns)',
      'spec.traffic[1].expect.dnat: expected "FROM -> TO" or "TO", got "a -> b -> c"',
      'spec.traffic[1].expect.records: records does not apply to http traffic (it applies to dns)',
      'spec.traffic[1].expect.hops[0]: expected a node or client name, got "no such node!"',
      'spec.traffic[2].expect.servedBy: "pod/x/y/z" is not a pod: expected NAME or NAMESPACE/NAME',
    ]);
    expect(problems(T(`{name: s, from: pod/a, http: {url: "http://web/"}, expect: {spread: {min: 0.5}}}`), 'warnings')).toEqual([
      'spec.traffic[0].expect.spread: spread needs repeat > 1 to say anything',
    ]);
  });

  test('scenario-wide expectations', () => {
    const s = scenario(`expect:
  - {endpoints: {service: shop/backend, addresses: [10.2.1.4, "10.2.2.4:8080", pod/backend-2]}}
  - {name: masquerade, at: 5ms, rule: {node: node-1, matches: "KUBE-SVC-.* -j KUBE-SEP-"}}
  - {endpoints: {service: "service:web", addresses: []}}`);
    expect(s.spec.expect).toEqual([
      {
        kind: 'endpoints',
        endpoints: {
          service: { kind: 'service', namespace: 'shop', name: 'backend' },
          addresses: [{ address: { kind: 'ip', ip: '10.2.1.4' } }, { address: { kind: 'ip', ip: '10.2.2.4' }, port: 8080 }, { address: { kind: 'ref', ref: { kind: 'pod', name: 'backend-2' } } }],
        },
      },
      { kind: 'rule', name: 'masquerade', at: 5_000_000, rule: { node: 'node-1', table: 'nat', matches: 'KUBE-SVC-.* -j KUBE-SEP-' } },
      { kind: 'endpoints', endpoints: { service: { kind: 'service', name: 'web' }, addresses: [] } },
    ]);
    expect(
      problems(`expect:
  - {endpoints: {service: web}, rule: {node: n}}
  - {}
  - {rule: {node: n, table: security, matches: "("}}
  - {endpoints: {service: web}}
  - {endpoint: {service: web, addresses: []}}`),
    ).toEqual([
      'spec.expect[0].rule: only one of endpoints or rule per expectation; split it into two',
      'spec.expect[1]: a scenario-wide expectation needs endpoints or rule',
      'spec.expect[2].rule.table: expected one of filter, nat, mangle, raw, got "security"',
      'spec.expect[2].rule.matches: not a valid regular expression: Invalid regular expression: /(/: Unterminated group',
      'spec.expect[3].endpoints.addresses: missing required field (the expected endpoint addresses; [] for none)',
      'spec.expect[4]: a scenario-wide expectation needs endpoints or rule',
      'spec.expect[4].endpoint: unknown expectation "endpoint" (did you mean endpoints?); expected one of name, at, endpoints, rule',
    ]);
  });
});

describe('faults', () => {
  test('every fault kind', () => {
    const s = scenario(`faults:
  - {at: 1ms, deletePod: shop/web-0}
  - {at: 2ms, setReady: {pod: web-1, ready: false}}
  - {at: 3ms, nodeDown: node-2}
  - {at: 4ms, nodeUp: node/node-2}
  - {at: 5ms, link: {node: node-1, bandwidth: 100Mbps}}
  - {at: 6ms, scale: {statefulset: db, replicas: 0}}
  - {at: 0, scale: {deployment: shop/web, replicas: 5}}`);
    expect(s.spec.faults).toEqual([
      { kind: 'deletePod', at: 1e6, pod: { kind: 'pod', namespace: 'shop', name: 'web-0' } },
      { kind: 'setReady', at: 2e6, pod: { kind: 'pod', name: 'web-1' }, ready: false },
      { kind: 'nodeDown', at: 3e6, node: 'node-2' },
      { kind: 'nodeUp', at: 4e6, node: 'node-2' },
      { kind: 'link', at: 5e6, node: 'node-1', bandwidth: 1e8 },
      { kind: 'scale', at: 6e6, target: { kind: 'statefulset', name: 'db' }, replicas: 0 },
      { kind: 'scale', at: 0, target: { kind: 'deployment', namespace: 'shop', name: 'web' }, replicas: 5 },
    ]);
  });

  test('malformed faults', () => {
    expect(
      problems(`faults:
  - {at: 1ms, deletePod: a, nodeDown: b}
  - {at: 1ms, link: {node: n}}
  - {at: 1ms, link: {node: n, loss: 1.5}}
  - {at: 1ms, scale: {deployment: a, statefulset: b, replicas: 1}}
  - {at: 1ms, setReady: {pod: a, ready: "yes"}}
  - {at: 1ms, deletepod: a}
  - {at: -1ms, nodeUp: n}`),
    ).toEqual([
      'spec.faults[0].nodeDown: only one action per fault: this one also has deletePod; split it into two faults',
      'spec.faults[1].link: a link fault needs loss, latency or bandwidth',
      'spec.faults[2].link.loss: expected a loss fraction from 0 to 1, got 1.5',
      'spec.faults[3].scale: scale needs exactly one of deployment or statefulset',
      'spec.faults[4].setReady.ready: expected true or false, got "yes"',
      'spec.faults[5]: a fault needs one of deletePod, setReady, nodeDown, nodeUp, link, scale',
      'spec.faults[5].deletepod: unknown fault field "deletepod" (did you mean deletePod?); expected one of at, deletePod, setReady, nodeDown, nodeUp, link, scale',
      'spec.faults[6].at: expected a duration ≥ 0, got "-1ms"',
    ]);
  });
});

describe('the cluster', () => {
  test('every setting', () => {
    const s = scenario(`seed: 4294967295
cluster:
  nodes:
    - {name: cp, ip: 192.168.49.2, labels: {node-role.kubernetes.io/control-plane: ""}}
    - {name: w1}
  serviceCIDR: "10.96.0.0/12,fd00:10:96::/108"
  serviceNodePortRange: "30000+2767"
  allocateNodePorts: false
  propagationDelay: 500us
  kubeProxy: {clusterCIDR: "", localhostNodePorts: false, randomFully: false, nfacct: true, nodePortAddresses: [primary, 192.168.49.0/24]}
  dns:
    fallthrough: true
    zones: [cluster.local, in-addr.arpa]
    ignoreEmptyService: true
    upstream: [{name: example.com., type: a, ttl: 60, data: 93.184.216.34}]
budgets: {maxEvents: 1000, maxSimulatedTime: 10s, maxTraceBytes: 64Mi}`);
    expect(s.spec.seed).toBe(4294967295);
    expect(s.spec.cluster).toEqual({
      nodes: [{ name: 'cp', ip: '192.168.49.2', labels: { 'node-role.kubernetes.io/control-plane': '' } }, { name: 'w1' }],
      serviceCIDR: '10.96.0.0/12,fd00:10:96::/108',
      serviceNodePortRange: { min: 30000, max: 32767 },
      allocateNodePorts: false,
      propagationDelay: 500_000,
      kubeProxy: { clusterCIDR: '', localhostNodePorts: false, randomFully: false, nfacct: true, nodePortAddresses: ['primary', '192.168.49.0/24'] },
      dns: { fallthrough: true, zones: ['cluster.local', 'in-addr.arpa'], ignoreEmptyService: true, upstream: [{ name: 'example.com.', type: 'A', ttl: 60, data: '93.184.216.34' }] },
    });
    expect(s.spec.budgets).toEqual({ maxEvents: 1000, maxSimulatedTime: 10e9, maxTraceBytes: 64 * 1024 * 1024 });
    expect(kubeProxyConfigOf(s.spec.cluster)).toEqual({
      clusterCIDR: '',
      masqueradeAll: false,
      nodePortAddresses: ['primary', '192.168.49.0/24'],
      localhostNodePorts: false,
      randomFully: false,
      detectLocalMode: '',
      nfacct: true,
      masqueradeBit: 14,
    });
  });

  test('defaults: clusterCIDR follows podCIDR', () => {
    expect(kubeProxyConfigOf({ podCIDR: '10.2.0.0/16' })).toMatchObject({ clusterCIDR: '10.2.0.0/16', detectLocalMode: 'ClusterCIDR', localhostNodePorts: true, randomFully: true });
    expect(kubeProxyConfigOf({}).clusterCIDR).toBe(CLUSTER_DEFAULTS.podCIDR);
  });

  test('malformed settings', () => {
    expect(
      problems(`seed: -1
cluster:
  nodes: [{name: a}, {name: a, ip: 300.1.1.1}, {ip: 10.0.0.1}]
  podCidr: 10.0.0.0/8
  serviceCIDR: "fd00::/108"
  nodeCIDR: 192.168.49.0
  dnsDomain: Cluster.Local
  serviceNodePortRange: "40000-30000"
  kubeProxy: {mode: ipvs, detectLocalMode: Cluster, masqueradeBit: 40, nodePortAddresses: [eth0]}
  dns: {ttl: 7200, pods: secure}
  network: {latency: fast, bandwidth: 10GBps, mtu: 9000000}
  cloud: {loadBalancer: {ipPool: 203.0.113.0/33}}
clients: [{name: laptop}]
budgets: {maxTraceBytes: lots}`),
    ).toEqual([
      'spec.seed: expected an unsigned 32-bit integer from 0 to 4294967295, got -1',
      'spec.cluster.nodes[1].name: duplicate node name "a" (also spec.cluster.nodes[0])',
      'spec.cluster.nodes[1].ip: expected an IPv4 address such as 10.0.0.1, got "300.1.1.1"',
      'spec.cluster.nodes[2]: missing name: every node in the list needs one',
      'spec.cluster.podCidr: unknown cluster field "podCidr" (did you mean podCIDR?); expected one of nodes, podCIDR, serviceCIDR, nodeCIDR, dnsDomain, serviceNodePortRange, allocateNodePorts, kubeProxy, dns, network, cloud, propagationDelay',
      'spec.cluster.serviceCIDR: expected an IPv4 CIDR first (the primary service range), got "fd00::/108"',
      'spec.cluster.nodeCIDR: expected an IPv4 CIDR such as 10.2.0.0/16, got "192.168.49.0"',
      'spec.cluster.dnsDomain: expected a DNS domain such as cluster.local, got "Cluster.Local"',
      'spec.cluster.serviceNodePortRange: expected a port range such as "30000-32767" (ports 1 to 65535, low first), got "40000-30000"',
      'spec.cluster.kubeProxy.mode: kube-proxy mode ipvs is not modelled: kubewire emulates iptables mode (remove the field or write iptables)',
      'spec.cluster.kubeProxy.detectLocalMode: expected one of ClusterCIDR, NodeCIDR, BridgeInterface, InterfaceNamePrefix, got "Cluster"',
      'spec.cluster.kubeProxy.masqueradeBit: expected an integer from 0 to 31, got 40',
      'spec.cluster.kubeProxy.nodePortAddresses[0]: expected a CIDR such as 192.168.49.0/24 or "primary", got "eth0"',
      'spec.cluster.dns.ttl: expected an integer from 0 to 3600, got 7200',
      'spec.cluster.dns.pods: expected one of disabled, insecure, verified, got "secure" (did you mean insecure?)',
      'spec.cluster.network.latency: expected a duration such as 50us, 1ms or 2s, got "fast"',
      'spec.cluster.network.bandwidth: expected a bandwidth such as 10Gbps, 100Mbps or 1Gb/s, got "10GBps"',
      'spec.cluster.network.mtu: expected an integer from 576 to 65535, got 9000000',
      'spec.cluster.cloud.loadBalancer.ipPool: expected an IPv4 CIDR such as 10.2.0.0/16, got "203.0.113.0/33"',
      'spec.clients[0].ip: missing required field (an IPv4 address outside the cluster)',
      'spec.budgets.maxTraceBytes: expected a size in bytes such as 64Mi, 100MB or 1000000, got "lots"',
    ]);
  });

  test('the Scenario document itself', () => {
    const r = loadScenario('apiVersion: kubewire.dev/v1\nkind: Scenario\nspec: {}\nstatus: {}\n', 's.yaml');
    expect(r.errors.map(formatProblem)).toEqual([
      's.yaml:1:13 Scenario s apiVersion: expected kubewire.dev/v1alpha1, got "kubewire.dev/v1"',
      's.yaml:4:1 Scenario s status: unknown field "status"; expected one of apiVersion, kind, metadata, spec',
    ]);
    expect(loadScenario('kind: Scenario\nmetadata: {name: x, namespace: y}\nspec: {}\n', 's.yaml').errors.map(formatProblem)).toEqual([
      's.yaml:1:7 Scenario x kind: missing apiVersion: add "apiVersion: kubewire.dev/v1alpha1"',
      's.yaml:2:21 Scenario x metadata.namespace: unknown metadata field "namespace"; expected one of name, description, labels, annotations',
    ]);
  });
});

describe('checkReferences', () => {
  const pod = (name: string, ns = 'default'): K8sObject => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns },
    spec: { containers: [{ name: 'c' }] },
  });

  test('reports unknown pods, nodes, clients and Services at their place in the Scenario', () => {
    const r = loadScenario(clusteripBasic, 'clusterip-basic.yaml');
    expect(r.ok).toBe(true);
    // What the controllers would have made of the manifests, minus a few pods.
    const expanded = [...r.objects, pod('frontend-0'), pod('backend-7d9c-abcde'), pod('mongo-worker-1')];
    expect(checkReferences(r.scenario!, expanded, r.positions).map(formatProblem)).toEqual([
      'clusterip-basic.yaml:41:13 Scenario clusterip-basic spec.traffic[1].from: pod default/mongo-worker-0 not found (did you mean default/mongo-worker-1?)',
      'clusterip-basic.yaml:51:29 Scenario clusterip-basic spec.faults[0].deletePod: pod default/backend-1 not found (known: default/frontend-0, default/backend-7d9c-abcde, default/mongo-worker-1)',
    ]);
  });

  test('workloads, Services, clients, nodes and hops', () => {
    const r = loadScenario(
      `apiVersion: kubewire.dev/v1alpha1
kind: Scenario
metadata: {name: refs}
spec:
  cluster: {nodes: 2}
  traffic:
    - {from: deployment/web, http: {url: "http://service:nope/"}, expect: {hops: [node-1, node-9]}}
    - {from: client/phone, tcp: {host: "service:kube-system/kube-dns", port: 53}}
    - {from: node/node-3, dns: {name: web}}
  faults:
    - {at: 1ms, scale: {statefulset: db, replicas: 2}}
    - {at: 1ms, link: {node: node-2, loss: 0.5}}
  expect:
    - {endpoints: {service: web, addresses: []}}
    - {rule: {node: node-7, matches: x}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template: {metadata: {labels: {app: web}}, spec: {containers: [{name: c}]}}
`,
      'refs.yaml',
    );
    expect(r.ok).toBe(true);
    expect(checkReferences(r.scenario!, r.objects, r.positions).map((p) => `${p.line}:${p.column} ${p.path}: ${p.message}`)).toEqual([
      '7:42 spec.traffic[0].http.url: service default/nope not found (known: default/kubernetes, kube-system/kube-dns)',
      '7:91 spec.traffic[0].expect.hops[1]: node node-9 not found (did you mean node-1?)',
      '8:14 spec.traffic[1].from: client phone not found (there are no clients)',
      '9:14 spec.traffic[2].from: node node-3 not found (did you mean node-1?)',
      '11:38 spec.faults[0].scale.statefulset: statefulset default/db not found (there are no statefulsets)',
      '14:29 spec.expect[0].endpoints.service: service default/web not found (known: default/kubernetes, kube-system/kube-dns)',
      '15:21 spec.expect[1].rule.node: node node-7 not found (did you mean node-1?)',
    ]);
  });
});
