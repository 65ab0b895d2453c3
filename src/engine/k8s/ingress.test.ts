import { describe, expect, it } from 'vitest';
import { Simulation } from '../sim/simulation.ts';
import { Network } from '../dataplane/network.ts';
import { TraceRecorder } from '../trace/recorder.ts';
import { Cidr, ipv4 } from '../wire/addr.ts';
import { ClusterNetwork } from './cluster.ts';
import type { EndpointSlice, Ingress, Pod, Service } from './model/index.ts';
import { startNetexec } from '../apps/netexec.ts';
import { httpGet, type HttpResult } from '../apps/http-client.ts';
import { ingressPathMatches, matchIngressRoute, startIngressProxy, type IngressPathType } from '../apps/ingress-proxy.ts';
import { computeIngressRoutes } from './ingress.ts';
import { KubeProxyHealth } from './kube-proxy/healthz.ts';
import { CloudLoadBalancer } from './cloud-lb.ts';

function svc(name: string, clusterIP: string, ports: Service['spec']['ports'] = [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }]): Service {
  return { metadata: { name, namespace: 'default' }, spec: { clusterIP, selector: { app: name }, ports } };
}

const SITE: Ingress = {
  metadata: { name: 'site', namespace: 'default' },
  spec: {
    ingressClassName: 'nginx',
    rules: [
      {
        host: 'Shop.Example.com',
        http: {
          paths: [
            { path: '/api', pathType: 'Prefix', backend: { service: { name: 'api', port: { name: 'http' } } } },
            { path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } },
          ],
        },
      },
      { host: 'blog.example.com', http: { paths: [{ path: '/', pathType: 'ImplementationSpecific', backend: { service: { name: 'web', port: { number: 80 } } } }] } },
    ],
  },
};

describe('computeIngressRoutes', () => {
  const services = [svc('web', '10.96.0.40'), svc('api', '10.96.0.41'), { ...svc('ext', ''), spec: { type: 'ExternalName' as const, externalName: 'x.example.net' } }, svc('headless', 'None')];

  it('turns host and path rules into routes to ClusterIP:port (port by number or name)', () => {
    expect(computeIngressRoutes([SITE], services)).toEqual([
      { host: 'shop.example.com', path: '/api', pathType: 'Prefix', backend: { clusterIP: '10.96.0.41', port: 80 }, label: 'default/api:http (ingress default/site)' },
      { host: 'shop.example.com', path: '/', pathType: 'Prefix', backend: { clusterIP: '10.96.0.40', port: 80 }, label: 'default/web:80 (ingress default/site)' },
      { host: 'blog.example.com', path: '/', pathType: 'ImplementationSpecific', backend: { clusterIP: '10.96.0.40', port: 80 }, label: 'default/web:80 (ingress default/site)' },
    ]);
  });

  it('gives no backend (→ 503) for a missing Service, a missing port, ExternalName and headless Services', () => {
    const bad: Ingress = {
      metadata: { name: 'bad', namespace: 'default' },
      spec: {
        rules: [
          {
            http: {
              paths: [
                { path: '/a', pathType: 'Prefix', backend: { service: { name: 'nope', port: { number: 80 } } } },
                { path: '/b', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 8080 } } } },
                { path: '/c', pathType: 'Prefix', backend: { service: { name: 'web', port: { name: 'grpc' } } } },
                { path: '/d', pathType: 'Prefix', backend: { service: { name: 'ext', port: { number: 80 } } } },
                { path: '/e', pathType: 'Prefix', backend: { service: { name: 'headless', port: { number: 80 } } } },
              ],
            },
          },
        ],
      },
    };
    const routes = computeIngressRoutes([bad], services);
    expect(routes.map((r) => [r.host, r.path, r.backend])).toEqual([
      ['', '/a', null],
      ['', '/b', null],
      ['', '/c', null],
      ['', '/d', null],
      ['', '/e', null],
    ]);
  });

  it('defaultBackend: a fallback for the Ingress\'s hosts; the catch-all only from an Ingress without rules', () => {
    const withRules: Ingress = { ...SITE, spec: { ...SITE.spec, defaultBackend: { service: { name: 'api', port: { number: 80 } } } } };
    const catchAll: Ingress = { metadata: { name: 'catch-all', namespace: 'default' }, spec: { defaultBackend: { service: { name: 'web', port: { number: 80 } } } } };
    const routes = computeIngressRoutes([withRules, catchAll], services);
    expect(routes.filter((r) => r.fallback).map((r) => [r.host, r.backend?.clusterIP])).toEqual([
      ['shop.example.com', '10.96.0.41'],
      ['blog.example.com', '10.96.0.41'],
      ['', '10.96.0.40'],
    ]);
    // shop.example.com has / so the fallback never answers there; an unknown host gets the catch-all.
    expect(matchIngressRoute(routes, 'shop.example.com', '/x')?.path).toBe('/');
    expect(matchIngressRoute(routes, 'unknown.example.com', '/x')?.backend?.clusterIP).toBe('10.96.0.40');
  });

  it('filters by ingress class and keeps the first Ingress for a duplicated rule', () => {
    const other: Ingress = { ...SITE, metadata: { name: 'other', namespace: 'default' }, spec: { ...SITE.spec, ingressClassName: 'traefik' } };
    expect(computeIngressRoutes([other], services, { ingressClassName: 'nginx' })).toEqual([]);
    const twice = computeIngressRoutes([SITE, { ...SITE, metadata: { name: 'copy', namespace: 'default' } }], services);
    expect(twice).toHaveLength(3);
    expect(twice.every((r) => r.label!.endsWith('(ingress default/site)'))).toBe(true);
  });
});

describe('Ingress path matching (the Kubernetes documentation\'s examples)', () => {
  const cases: [IngressPathType, string, string, boolean][] = [
    ['Prefix', '/', '/anything/at/all', true],
    ['Exact', '/foo', '/foo', true],
    ['Exact', '/foo', '/bar', false],
    ['Exact', '/foo', '/foo/', false],
    ['Exact', '/foo/', '/foo', false],
    ['Prefix', '/foo', '/foo', true],
    ['Prefix', '/foo', '/foo/', true],
    ['Prefix', '/foo/', '/foo', true],
    ['Prefix', '/foo/', '/foo/', true],
    ['Prefix', '/aaa/bb', '/aaa/bbb', false],
    ['Prefix', '/aaa/bbb', '/aaa/bbb', true],
    ['Prefix', '/aaa/bbb/', '/aaa/bbb', true],
    ['Prefix', '/aaa/bbb', '/aaa/bbb/', true],
    ['Prefix', '/aaa/bbb', '/aaa/bbb/ccc', true],
    ['Prefix', '/aaa/bbb', '/aaa/bbbxyz', false],
    ['Prefix', '/aaa', '/ccc', false],
    ['ImplementationSpecific', '/foo', '/foo/bar', true],
    ['ImplementationSpecific', '/foo', '/foobar', false],
  ];
  it.each(cases)('%s %s vs %s → %s', (type, rule, path, want) => {
    expect(ingressPathMatches(type, rule, path)).toBe(want);
  });

  it('the longest matching path wins; Exact beats Prefix on a tie', () => {
    const r = (path: string, pathType: IngressPathType = 'Prefix') => ({ host: '', path, pathType, backend: null, label: `${pathType} ${path}` });
    const routes = [r('/'), r('/aaa'), r('/aaa/bbb'), r('/foo'), r('/foo', 'Exact')];
    expect(matchIngressRoute(routes, 'x', '/aaa/ccc')?.label).toBe('Prefix /aaa');
    expect(matchIngressRoute(routes, 'x', '/aaa/bbb')?.label).toBe('Prefix /aaa/bbb');
    expect(matchIngressRoute(routes, 'x', '/ccc')?.label).toBe('Prefix /');
    expect(matchIngressRoute(routes, 'x', '/foo')?.label).toBe('Exact /foo');
    expect(matchIngressRoute(routes, 'x', '/foo/x')?.label).toBe('Prefix /foo');
  });
});

describe('Ingress end to end: client → cloud LB → ingress-nginx pod → Service ClusterIP → pod', () => {
  const KP = { clusterCIDR: '10.2.0.0/16', masqueradeAll: false, nodePortAddresses: [], localhostNodePorts: true, randomFully: true, detectLocalMode: 'ClusterCIDR' as const };
  const LB_IP = '203.0.113.20';
  function pod(name: string, app: string, nodeIdx: number, host: number, port: number): Pod {
    return { metadata: { name, namespace: 'default', labels: { app } }, spec: { nodeName: `node-${nodeIdx}`, containers: [{ name: 'c', ports: [{ containerPort: port }] }] }, status: { podIP: `10.2.${nodeIdx}.${host}` } };
  }
  function slice(name: string, pods: Pod[], port: number): EndpointSlice {
    return {
      metadata: { name: `${name}-x1`, namespace: 'default', labels: { 'kubernetes.io/service-name': name } },
      addressType: 'IPv4',
      endpoints: pods.map((p) => ({ addresses: [p.status!.podIP!], conditions: { ready: true }, nodeName: p.spec.nodeName })),
      ports: [{ name: 'http', port, protocol: 'TCP' }],
    };
  }

  function world() {
    const sim = new Simulation(21);
    const trace = new TraceRecorder();
    const net = new Network(sim, trace);
    const cluster = new ClusterNetwork(net, { latency: 50_000, bandwidth: 10e9, mtu: 1500, kubeProxy: KP, nodeCIDR: Cidr.of('192.168.49.0/24') });
    for (let i = 1; i <= 3; i++) cluster.addNode({ metadata: { name: `node-${i}` }, spec: { podCIDR: `10.2.${i}.0/24` }, status: { addresses: [{ type: 'InternalIP', address: `192.168.49.${i + 1}` }] } });
    const controller = pod('ingress-nginx-controller-0', 'ingress-nginx', 1, 50, 80);
    const web = [pod('web-1', 'web', 2, 10, 8080), pod('web-2', 'web', 3, 10, 8080)];
    const api = [pod('api-1', 'api', 3, 11, 8080)];
    for (const p of [controller, ...web, ...api]) cluster.addPod(p);
    for (const p of [...web, ...api]) startNetexec(cluster.pods.get(`default/${p.metadata.name}`)!.host, { pod: p.metadata.name, container: 'agnhost', ports: [{ port: 8080 }] });
    // The controller's own Service: LoadBalancer with externalTrafficPolicy Local, so the client IP reaches nginx.
    const ingressSvc: Service = {
      metadata: { name: 'ingress-nginx-controller', namespace: 'default' },
      spec: { type: 'LoadBalancer', clusterIP: '10.96.0.50', selector: { app: 'ingress-nginx' }, externalTrafficPolicy: 'Local', healthCheckNodePort: 32100, ports: [{ name: 'http', port: 80, targetPort: 80, protocol: 'TCP', nodePort: 30800 }] },
      status: { loadBalancer: { ingress: [{ ip: LB_IP }] } },
    };
    const services = [ingressSvc, svc('web', '10.96.0.40'), svc('api', '10.96.0.41'), svc('empty', '10.96.0.42')];
    const slices = [slice('ingress-nginx-controller', [controller], 80), slice('web', web, 8080), slice('api', api, 8080)];
    cluster.syncAll(services, slices);
    for (const n of cluster.nodes.values()) new KubeProxyHealth(n.host, { nodeName: n.name }).start().update(services, slices);
    const lb = new CloudLoadBalancer(cluster, { ipPool: '203.0.113.0/24' });
    lb.update(services);
    lb.start();
    const withEmpty: Ingress = {
      ...SITE,
      spec: { ...SITE.spec, rules: [...SITE.spec.rules!, { host: 'empty.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'empty', port: { number: 80 } } } }] } }] },
    };
    const proxy = startIngressProxy(cluster.pods.get('default/ingress-nginx-controller-0')!.host, { routes: computeIngressRoutes([withEmpty], services, { ingressClassName: 'nginx' }) });
    const laptop = cluster.addExternal('laptop', '198.51.100.7').host;
    return { sim, trace, cluster, lb, proxy, laptop };
  }

  function fetch(w: ReturnType<typeof world>, host: string, path: string, at: number): { r: HttpResult | null } {
    const box: { r: HttpResult | null } = { r: null };
    w.sim.at(at, () => httpGet(w.laptop, { target: { ip: ipv4(LB_IP), port: 80, path }, hostHeader: host, timeoutNs: 5e9 }, (r) => (box.r = r)));
    return box;
  }

  it('routes two hosts and a path rule to two Services; the backend sees the client in X-Forwarded-For; 404 and 503 from nginx', () => {
    const w = world();
    const api = fetch(w, 'shop.example.com', '/api/hostname', 1_000_000);
    const shop = fetch(w, 'shop.example.com', '/hostname', 2_000_000);
    const blog = fetch(w, 'blog.example.com', '/hostname', 3_000_000);
    const xff = fetch(w, 'blog.example.com', '/header?key=X-Forwarded-For', 4_000_000);
    const peer = fetch(w, 'blog.example.com', '/clientip', 5_000_000);
    const unknown = fetch(w, 'nowhere.example.com', '/hostname', 6_000_000);
    const empty = fetch(w, 'empty.example.com', '/hostname', 7_000_000);
    w.sim.run(1e9);
    // No rewrite: netexec gets /api/hostname, which it does not know (Go's 404 relayed) — served by api-1.
    expect([api.r?.status, api.r?.body]).toEqual([404, '404 page not found\n']);
    expect(w.proxy.log[0]).toMatchObject({ upstream: '10.96.0.41:80', status: 404 });
    expect(shop.r?.body).toMatch(/^web-[12]$/);
    expect(blog.r?.body).toMatch(/^web-[12]$/);
    expect(xff.r?.body).toBe('198.51.100.7');
    expect(peer.r?.body).toMatch(/^10\.2\.1\.50:\d+$/); // the backend's TCP peer is the controller pod
    expect([unknown.r?.status, unknown.r?.headers.find(([k]) => k === 'Content-Length')?.[1]]).toEqual([404, '146']);
    expect(unknown.r?.body).toContain('<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx</center>');
    expect([empty.r?.status, empty.r?.reason]).toEqual([503, 'Service Temporarily Unavailable']);
    // The cloud LB only ever sent the traffic to node-1, the one node with a controller pod.
    const st = w.lb.state()[0]!;
    expect(st.backends.map((b) => [b.node, b.healthy, b.flows])).toEqual([
      ['node-1', true, 7],
      ['node-2', false, 0],
      ['node-3', false, 0],
    ]);
  });
});
