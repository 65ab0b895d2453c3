import { describe, expect, it } from 'vitest';
import { Simulation } from '../sim/simulation.ts';
import { Network } from '../dataplane/network.ts';
import { TraceRecorder } from '../trace/recorder.ts';
import { Cidr, ipv4 } from '../wire/addr.ts';
import { ClusterNetwork } from '../k8s/cluster.ts';
import type { EndpointSlice, Pod, Service } from '../k8s/model/index.ts';
import { startNetexec } from './netexec.ts';
import { httpGet, type HttpResult } from './http-client.ts';
import { rawTcp } from './testing/topology.ts';
import { nginxErrorPage } from './http-server.ts';
import { hostWithoutPort, matchIngressRoute, startIngressProxy, type IngressProxyOptions, type IngressRoute } from './ingress-proxy.ts';

const KP = { clusterCIDR: '10.2.0.0/16', masqueradeAll: false, nodePortAddresses: [], localhostNodePorts: true, randomFully: true, detectLocalMode: 'ClusterCIDR' as const };
const S = 1_000_000_000;
const INGRESS_POD = '10.2.1.50';

function pod(name: string, nodeIdx: number, host: number): Pod {
  return { metadata: { name, namespace: 'default', labels: { app: name.replace(/-\d+$/, '') } }, spec: { nodeName: `node-${nodeIdx}`, containers: [{ name: 'c', ports: [{ containerPort: 8080 }] }] }, status: { podIP: `10.2.${nodeIdx}.${host}` } };
}
function service(name: string, clusterIP: string): Service {
  return { metadata: { name, namespace: 'default' }, spec: { clusterIP, selector: { app: name }, ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }] } };
}
function slice(name: string, pods: Pod[]): EndpointSlice {
  return {
    metadata: { name: `${name}-abcde`, namespace: 'default', labels: { 'kubernetes.io/service-name': name } },
    addressType: 'IPv4',
    endpoints: pods.map((p) => ({ addresses: [p.status!.podIP!], conditions: { ready: true }, nodeName: p.spec.nodeName })),
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
  };
}

const be = (clusterIP: string) => ({ clusterIP, port: 80 });
/** shop.example.com: /hostname (Exact) → api, everything else → web; blog.example.com → web; plus error routes. */
const ROUTES: IngressRoute[] = [
  { host: 'shop.example.com', path: '/hostname', pathType: 'Exact', backend: be('10.96.0.41'), label: 'default/api:80' },
  { host: 'shop.example.com', path: '/', pathType: 'Prefix', backend: be('10.96.0.40'), label: 'default/web:80' },
  { host: 'blog.example.com', path: '/', pathType: 'Prefix', backend: be('10.96.0.40'), label: 'default/web:80' },
  { host: 'empty.example.com', path: '/', pathType: 'Prefix', backend: be('10.96.0.42'), label: 'default/empty:80' },
  { host: 'missing.example.com', path: '/', pathType: 'Prefix', backend: null, label: 'default/missing:80' },
  { host: 'reset.example.com', path: '/', pathType: 'Prefix', backend: be('10.96.0.43'), label: 'default/reset:80' },
  { host: 'gone.example.com', path: '/', pathType: 'Prefix', backend: be('10.96.0.44'), label: 'default/gone:80' },
  { host: 'slow.example.com', path: '/', pathType: 'Prefix', backend: be('10.96.0.45'), label: 'default/slow:80' },
];

function world(proxyOpts: Partial<IngressProxyOptions> = {}) {
  const sim = new Simulation(5);
  const trace = new TraceRecorder();
  const net = new Network(sim, trace);
  const cluster = new ClusterNetwork(net, { latency: 50_000, bandwidth: 10e9, mtu: 1500, kubeProxy: KP, nodeCIDR: Cidr.of('192.168.49.0/24') });
  for (let i = 1; i <= 3; i++) cluster.addNode({ metadata: { name: `node-${i}` }, spec: { podCIDR: `10.2.${i}.0/24` }, status: { addresses: [{ type: 'InternalIP', address: `192.168.49.${i + 1}` }] } });
  const web = pod('web-1', 2, 10), api = pod('api-1', 3, 10), reset = pod('reset-1', 3, 11), gone = pod('gone-1', 2, 11), slow = pod('slow-1', 2, 12);
  const client = pod('client-1', 2, 3);
  const ingress = pod('ingress-nginx-controller-1', 1, 50);
  for (const p of [web, api, reset, gone, slow, client, ingress]) cluster.addPod(p);
  for (const p of [web, api]) startNetexec(cluster.pods.get(`default/${p.metadata.name}`)!.host, { pod: p.metadata.name, container: 'agnhost', ports: [{ port: 8080 }] });
  // reset-1 resets every connection as soon as the request arrives; slow-1 never answers.
  cluster.pods.get('default/reset-1')!.host.tcp.listen(8080, () => ({ onData: (c) => c.abort() }));
  cluster.pods.get('default/slow-1')!.host.tcp.listen(8080, () => ({}));
  const services = [service('web', '10.96.0.40'), service('api', '10.96.0.41'), service('empty', '10.96.0.42'), service('reset', '10.96.0.43'), service('gone', '10.96.0.44'), service('slow', '10.96.0.45')];
  cluster.syncAll(services, [slice('web', [web]), slice('api', [api]), slice('reset', [reset]), slice('gone', [gone]), slice('slow', [slow])]);
  // gone-1's pod is deleted but its endpoint is still in the rules (before the control plane notices).
  cluster.removePod('default', 'gone-1');
  const proxy = startIngressProxy(cluster.pods.get(`default/${ingress.metadata.name}`)!.host, { routes: ROUTES, ...proxyOpts });
  return { sim, trace, cluster, proxy, client: cluster.pods.get('default/client-1')!.host };
}

function get(w: ReturnType<typeof world>, host: string, path: string, timeoutNs = 20 * S): HttpResult {
  let res: HttpResult | null = null;
  httpGet(w.client, { target: { ip: ipv4(INGRESS_POD), port: 80, path }, hostHeader: host, timeoutNs }, (r) => (res = r));
  w.sim.run();
  if (!res) throw new Error('no result');
  return res;
}

describe('ingress proxy: routing by host and path to Service ClusterIPs', () => {
  it('routes two hosts and a path rule to two Services through their ClusterIPs', () => {
    const w = world();
    const api = get(w, 'shop.example.com', '/hostname');
    expect([api.status, api.body]).toEqual([200, 'api-1']);
    const web = get(w, 'shop.example.com:80', '/echo?msg=hi');
    expect([web.status, web.body]).toEqual([200, 'hi']);
    expect(get(w, 'BLOG.example.com', '/hostname').body).toBe('web-1');
    // nginx frames the relayed response: its own Date, the upstream's type and length, keep-alive.
    expect(api.headers.map(([k, v]) => (k === 'Date' ? k : `${k}: ${v}`))).toEqual(['Date', 'Content-Type: text/plain; charset=utf-8', 'Content-Length: 5', 'Connection: keep-alive']);
    // The upstream leg was DNATed by the ingress node's kube-proxy: ClusterIP → pod.
    const dnat = [...w.trace.events()].filter((e) => e.kind === 'nat' && e.detail?.manip === 'DNAT' && e.host === 'node-1');
    expect(dnat.some((e) => /> 10\.96\.0\.41:80 -> .*> 10\.2\.3\.10:8080$/.test(`${e.detail!.before} -> ${e.detail!.after}`))).toBe(true);
    expect(w.proxy.log.map((e) => [e.host, e.target, e.upstream, e.status])).toEqual([
      ['shop.example.com', '/hostname', '10.96.0.41:80', 200],
      ['shop.example.com', '/echo?msg=hi', '10.96.0.40:80', 200],
      ['blog.example.com', '/hostname', '10.96.0.40:80', 200],
    ]);
  });

  it('adds X-Forwarded-For (appended to the client\'s), X-Real-IP and the other forwarding headers', () => {
    const w = world();
    expect(get(w, 'shop.example.com', '/header?key=X-Forwarded-For').body).toBe('10.2.2.3');
    const t = rawTcp(w.client, ipv4(INGRESS_POD), 80, ['GET /header HTTP/1.1\r\nHost: blog.example.com\r\nX-Forwarded-For: 203.0.113.9\r\nUser-Agent: test\r\nConnection: close\r\n\r\n']);
    w.sim.run();
    const body = t.text().split('\r\n\r\n')[1]!;
    const h = JSON.parse(body) as Record<string, string[]>;
    expect(h['X-Forwarded-For']).toEqual(['203.0.113.9, 10.2.2.3']);
    expect(h['X-Original-Forwarded-For']).toEqual(['203.0.113.9']);
    expect(h['X-Real-Ip']).toEqual(['10.2.2.3']);
    expect(h['X-Forwarded-Host']).toEqual(['blog.example.com']);
    expect(h['X-Forwarded-Proto']).toEqual(['http']);
    expect(h['X-Forwarded-Port']).toEqual(['80']);
    expect(h['X-Request-Id']![0]).toMatch(/^[0-9a-f]{32}$/);
    expect(h['User-Agent']).toEqual(['test']);
    expect(h['Connection']).toBeUndefined();
    expect(t.state.peerClosed).toBe(true);
  });

  it('forwardedFor "replace" is ingress-nginx\'s default: only the client address', () => {
    const w = world({ forwardedFor: 'replace' });
    const t = rawTcp(w.client, ipv4(INGRESS_POD), 80, ['GET /header?key=X-Forwarded-For HTTP/1.1\r\nHost: blog.example.com\r\nX-Forwarded-For: 203.0.113.9\r\nConnection: close\r\n\r\n']);
    w.sim.run();
    expect(t.text()).toMatch(/\r\n\r\n10\.2\.2\.3$/);
  });

  it('answers an unknown host with nginx\'s 404 page, byte for byte', () => {
    const w = world();
    const t = rawTcp(w.client, ipv4(INGRESS_POD), 80, ['GET / HTTP/1.1\r\nHost: nowhere.example.com\r\n\r\n'], { closeAfterNs: 10_000_000 });
    w.sim.run();
    expect(t.text()).toMatch(/^HTTP\/1\.1 404 Not Found\r\nDate: [^\r]+ GMT\r\nContent-Type: text\/html\r\nContent-Length: 146\r\nConnection: keep-alive\r\n\r\n/);
    expect(t.text().split('\r\n\r\n').slice(1).join('\r\n\r\n')).toBe('<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n');
    expect(w.proxy.log[0]).toMatchObject({ status: 404, error: 'no-route', upstream: null });
  });

  it('503 when the Service has no endpoints (kube-proxy REJECTs the ClusterIP) or does not exist', () => {
    const w = world();
    const r = get(w, 'empty.example.com', '/');
    expect([r.status, r.reason, r.body]).toEqual([503, 'Service Temporarily Unavailable', nginxErrorPage(503)]);
    expect(w.proxy.log[0]).toMatchObject({ error: 'refused', upstream: '10.96.0.42:80' });
    const rej = [...w.trace.events()].find((e) => e.kind === 'drop' && e.host === 'node-1' && e.detail?.reason === 'netfilter REJECT');
    expect(rej?.detail?.text).toContain('default/empty:http has no endpoints');
    expect(get(w, 'missing.example.com', '/').status).toBe(503);
    expect(w.proxy.log[1]).toMatchObject({ error: 'no-service', upstream: null });
  });

  it('502 when the backend resets, 504 when it cannot be reached or does not answer', () => {
    const w = world({ readTimeoutNs: 2 * S });
    const reset = get(w, 'reset.example.com', '/');
    expect([reset.status, reset.reason]).toEqual([502, 'Bad Gateway']);
    const t0 = w.sim.now;
    const gone = get(w, 'gone.example.com', '/');
    expect([gone.status, gone.reason]).toEqual([504, 'Gateway Time-out']);
    expect(gone.timings.totalNs).toBeGreaterThanOrEqual(5 * S); // proxy-connect-timeout
    expect(gone.timings.totalNs).toBeLessThan(6 * S);
    expect(w.sim.now - t0).toBeGreaterThan(5 * S);
    const slow = get(w, 'slow.example.com', '/');
    expect(slow.status).toBe(504);
    expect(slow.timings.totalNs).toBeGreaterThanOrEqual(2 * S);
    expect(w.proxy.log.map((e) => e.error)).toEqual(['reset', 'timeout', 'timeout']);
  });

  it('keeps the client connection alive across requests; each goes upstream on its own connection', () => {
    const w = world();
    let res: HttpResult | null = null;
    httpGet(w.client, { target: { ip: ipv4(INGRESS_POD), port: 80, path: '/hostname' }, hostHeader: 'shop.example.com', morePaths: ['/clientip', '/hostname'] }, (r) => (res = r));
    w.sim.run();
    expect(res!.responses.map((r) => r.body.replace(/:\d+$/, ':PORT'))).toEqual(['api-1', `${INGRESS_POD}:PORT`, 'api-1']);
    expect(new Set(w.proxy.log.map((e) => e.client)).size).toBe(1);
  });
});

describe('route matching helpers', () => {
  it('strips the port from Host', () => {
    expect(hostWithoutPort('Shop.Example.com:8080')).toBe('shop.example.com');
    expect(hostWithoutPort('10.0.0.1')).toBe('10.0.0.1');
    expect(hostWithoutPort(undefined)).toBe('');
  });

  it('picks the exact host, then the wildcard, then hostless rules', () => {
    const r = (host: string, label: string, path = '/'): IngressRoute => ({ host, path, pathType: 'Prefix', backend: be('10.96.0.1'), label });
    const routes = [r('', 'any'), r('*.example.com', 'wild'), r('www.example.com', 'www', '/app')];
    expect(matchIngressRoute(routes, 'www.example.com', '/app/x')?.label).toBe('www');
    // www has rules, none matches: no fall-through to the wildcard or hostless rules.
    expect(matchIngressRoute(routes, 'www.example.com', '/other')).toBeNull();
    expect(matchIngressRoute(routes, 'shop.example.com', '/')?.label).toBe('wild');
    expect(matchIngressRoute(routes, 'a.b.example.com', '/')?.label).toBe('any'); // a wildcard covers one label
    expect(matchIngressRoute(routes, 'example.com', '/')?.label).toBe('any');
  });
});
