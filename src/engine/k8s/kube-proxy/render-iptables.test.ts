import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { EndpointSlice, Service } from '../model/index.ts';
import { masqueradeMark } from './config.ts';
import { LARGE_CLUSTER_ENDPOINTS_THRESHOLD, renderBuiltinJumps, renderIptables } from './render-iptables.ts';
import { restoreTextProblems } from './testdata/consistency.ts';
import { CONFIG, NODE, WEB, WEB_SLICE, input, service, slice } from './testdata/fixtures.ts';
import kindCluster from './testdata/kind-cluster.yaml?raw';
import { SCENARIOS } from './testdata/scenarios.ts';

const GOLDENS = import.meta.glob<string>('./testdata/*.rules', { query: '?raw', import: 'default', eager: true });

function golden(name: string): string {
  const text = GOLDENS[`./testdata/${name}.rules`];
  if (text === undefined) throw new Error(`missing golden testdata/${name}.rules`);
  return text;
}

describe('renderIptables: golden restore texts', () => {
  it('has a golden for every scenario and a scenario for every golden', () => {
    const goldens = Object.keys(GOLDENS).map((p) => p.replace('./testdata/', '').replace('.rules', ''));
    expect(goldens.filter((g) => g !== 'kind-cluster').sort()).toEqual(Object.keys(SCENARIOS).sort());
  });

  for (const [name, scenario] of Object.entries(SCENARIOS)) {
    it(`${name}: ${scenario.shows}`, () => {
      expect(renderIptables(scenario.input)).toBe(golden(name));
    });
  }
});

describe('renderIptables: consistency (every jump target declared, as kube-proxy checks)', () => {
  for (const [name, scenario] of Object.entries(SCENARIOS)) {
    it(name, () => {
      expect(restoreTextProblems(renderIptables(scenario.input))).toEqual([]);
    });
  }

  it('the checker catches an undeclared jump target and an empty target chain', () => {
    const broken = ['*nat', ':KUBE-SERVICES - [0:0]', ':KUBE-SVC-EMPTY - [0:0]', '-A KUBE-SERVICES -j KUBE-SVC-MISSING', '-A KUBE-SERVICES -j KUBE-SVC-EMPTY', 'COMMIT', ''];
    expect(restoreTextProblems(broken.join('\n'))).toEqual([
      'nat: line 4 jumps to undeclared chain KUBE-SVC-MISSING',
      'nat: line 5 jumps to empty chain KUBE-SVC-EMPTY',
    ]);
  });
});

describe('renderIptables: Services that produce no rules', () => {
  const baseline = golden('baseline');
  const headlessSlice = slice('db', [{ ip: '10.244.1.9', node: NODE.name }], [{ name: 'pg', port: 5432 }]);

  it('skips headless, ExternalName, unallocated and IPv6-only Services (output = baseline)', () => {
    const services: Service[] = [
      service('db', { clusterIP: 'None', clusterIPs: ['None'], ports: [{ name: 'pg', port: 5432 }] }),
      service('ext', { type: 'ExternalName', externalName: 'example.com', ports: [{ name: 'http', port: 80 }] }),
      service('pending', { clusterIP: '', ports: [{ name: 'http', port: 80 }] }),
      service('v6', { clusterIP: 'fd00:10:96::20', clusterIPs: ['fd00:10:96::20'], ipFamilies: ['IPv6'], ports: [{ name: 'http', port: 80 }] }),
    ];
    expect(renderIptables(input(services, [headlessSlice]))).toBe(baseline);
  });

  it('ignores EndpointSlices without a Service', () => {
    expect(renderIptables(input([], [WEB_SLICE, headlessSlice]))).toBe(baseline);
  });
});

describe('renderIptables: input normalisation (§3)', () => {
  it('re-prints legacy leading-zero IPs and CIDRs, and drops other-family addresses', () => {
    const text = renderIptables(
      input(
        [
          service(
            'legacy',
            {
              type: 'LoadBalancer',
              clusterIP: '172.30.0.041',
              externalIPs: ['192.000.002.007', 'fd00::7', 'not-an-ip'],
              loadBalancerSourceRanges: ['203.0.113.000/025', 'fd00::/64'],
              ports: [{ name: 'p80', port: 80, nodePort: 30080 }],
            },
            { loadBalancer: { ingress: [{ ip: '198.051.100.001' }, { ip: 'fd00::8' }] } },
          ),
        ],
        [slice('legacy', [{ ip: '10.244.001.005' }], [{ name: 'p80', port: 80 }])],
      ),
    );
    expect(text).toContain('-d 172.30.0.41 --dport 80 -j KUBE-SVC-');
    expect(text).toContain('"default/legacy:p80 external IP" -m tcp -p tcp -d 192.0.2.7 --dport 80');
    expect(text).toContain('"default/legacy:p80 loadbalancer IP" -m tcp -p tcp -d 198.51.100.1 --dport 80');
    expect(text).toContain('-s 203.0.113.0/25 -j KUBE-EXT-');
    expect(text).toContain('-j DNAT --to-destination 10.244.1.5:80');
    expect(text).not.toMatch(/fd00|not-an-ip/);
  });

  it('ignores healthCheckNodePort unless the Service is a LoadBalancer with eTP=Local', () => {
    const np = service('np', {
      type: 'NodePort',
      clusterIP: '10.96.0.30',
      externalTrafficPolicy: 'Local',
      healthCheckNodePort: 30000,
      ports: [{ name: 'http', port: 80, nodePort: 30080 }],
    });
    expect(renderIptables(input([np], []))).not.toContain('health check node port');
  });

  it('defaults the ClientIP timeout to 10800 seconds', () => {
    const sticky = service('web', { ...WEB.spec, sessionAffinity: 'ClientIP' });
    expect(renderIptables(input([sticky], [WEB_SLICE]))).toContain('--rcheck --seconds 10800 --reap');
  });
});

describe('renderIptables: fixed rules quoted from kube-proxy-iptables.md §6', () => {
  const M = masqueradeMark();
  const lines = renderIptables(input([], [])).split('\n');

  it('formats the mark as Go %#08x does', () => {
    expect(M).toBe('0x00004000');
    expect(masqueradeMark(0)).toBe('0x00000001');
  });

  it('writes §6.1, §6.2, §6.3 and §6.4 verbatim', () => {
    expect(lines).toContain(`-A KUBE-POSTROUTING -m mark ! --mark ${M}/${M} -j RETURN`);
    expect(lines).toContain(`-A KUBE-POSTROUTING -j MARK --xor-mark ${M}`);
    expect(lines).toContain('-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully');
    expect(lines).toContain(`-A KUBE-MARK-MASQ -j MARK --or-mark ${M}`);
    expect(lines).toContain(
      '-A KUBE-FIREWALL -m comment --comment "block incoming localnet connections" -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP',
    );
    expect(lines).toContain(
      '-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS',
    );
    expect(lines).toContain('-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP');
    expect(lines).toContain(`-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark ${M}/${M} -j ACCEPT`);
    expect(lines).toContain(
      '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
    );
  });

  it('honours masqueradeBit and nf_conntrack_tcp_be_liberal', () => {
    const text = renderIptables(input([], [], { masqueradeBit: 0, conntrackTCPBeLiberal: true }));
    expect(text).toContain('-A KUBE-MARK-MASQ -j MARK --or-mark 0x00000001');
    expect(text).not.toContain('--ctstate INVALID');
  });
});

describe('renderIptables: --nodeport-addresses edge cases (§6.3)', () => {
  const tailCalls = (config: Partial<typeof CONFIG>) =>
    renderIptables(input([], [], config))
      .split('\n')
      .filter((l) => l.endsWith('-j KUBE-NODEPORTS') && l.startsWith('-A KUBE-SERVICES'));

  it('writes no tail call at all when only loopback matches and localhost NodePorts are off', () => {
    expect(tailCalls({ nodePortAddresses: ['127.0.0.0/8'], localhostNodePorts: false })).toEqual([]);
  });

  it('treats 0.0.0.0/0 anywhere in the list as "all addresses"', () => {
    expect(tailCalls({ nodePortAddresses: ['192.0.2.0/24', '0.0.0.0/0'] })).toEqual([
      '-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS',
    ]);
  });

  it('treats a list with no IPv4 CIDR as "all addresses"', () => {
    expect(tailCalls({ nodePortAddresses: ['fd00::/64'] })).toHaveLength(1);
    expect(tailCalls({ nodePortAddresses: ['fd00::/64'] })[0]).toContain('-m addrtype --dst-type LOCAL -j');
  });
});

describe('renderIptables: other local-traffic detectors (§5 step 6)', () => {
  const masqLine = (config: Partial<typeof CONFIG>, node = NODE) =>
    renderIptables(input([WEB], [WEB_SLICE], config, node))
      .split('\n')
      .find((l) => l.startsWith('-A KUBE-SVC-') && l.endsWith('-j KUBE-MARK-MASQ'));

  it('matches the bridge, the interface prefix or the node pod CIDR', () => {
    expect(masqLine({ detectLocalMode: 'BridgeInterface', bridgeInterface: 'cbr0' })).toMatch(/--dport 80 ! -i cbr0 -j KUBE-MARK-MASQ$/);
    expect(masqLine({ detectLocalMode: 'InterfaceNamePrefix', interfaceNamePrefix: 'veth' })).toMatch(/--dport 80 ! -i veth\+ -j KUBE-MARK-MASQ$/);
    expect(masqLine({ detectLocalMode: 'NodeCIDR' }, { ...NODE, podCIDR: '10.244.1.0/24' })).toMatch(/--dport 80 ! -s 10.244.1.0\/24 -j KUBE-MARK-MASQ$/);
    expect(masqLine({ clusterCIDR: '10.244.0.0/16,fd00:10:244::/56' })).toMatch(/! -s 10.244.0.0\/16 -j KUBE-MARK-MASQ$/);
    expect(masqLine({ detectLocalMode: '' })).toBeUndefined();
  });
});

describe('renderIptables: large-cluster mode (§5)', () => {
  const endpointsFor = (n: number) =>
    Array.from({ length: n }, (_, i) => ({ ip: `10.0.${Math.floor(i / 256)}.${i % 256}` }));
  const svc1 = service('svc1', { clusterIP: '172.30.0.41', ports: [{ name: 'p80', port: 80 }] }, undefined, 'ns1');
  const render = (n: number) =>
    renderIptables(input([svc1], [slice('svc1', endpointsFor(n), [{ name: 'p80', port: 80 }], 'ns1')])).split('\n');

  it('drops the endpoint comments above 1000 endpoints, and only those', () => {
    const lines = render(LARGE_CLUSTER_ENDPOINTS_THRESHOLD + 1);
    expect(lines).toContain('-A KUBE-SEP-DKGQUZGBKLTPAR56 -m tcp -p tcp -j DNAT --to-destination 10.0.0.0:80');
    expect(lines).toContain('-A KUBE-SEP-DKGQUZGBKLTPAR56 -s 10.0.0.0 -j KUBE-MARK-MASQ');
    expect(lines.filter((l) => /^-A KUBE-(SEP|SVC)-/.test(l) && l.includes('-j KUBE-SEP-')).every((l) => !l.includes('--comment'))).toBe(true);
    expect(lines).toContain('-A KUBE-SERVICES -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 -j KUBE-SVC-XPGD46QRK7WJZT7O');
  });

  it('keeps them at exactly 1000', () => {
    expect(render(LARGE_CLUSTER_ENDPOINTS_THRESHOLD)).toContain(
      '-A KUBE-SEP-DKGQUZGBKLTPAR56 -m comment --comment ns1/svc1:p80 -m tcp -p tcp -j DNAT --to-destination 10.0.0.0:80',
    );
  });
});

describe('renderBuiltinJumps (§1.2)', () => {
  const builtins = renderBuiltinJumps(CONFIG);
  const rules = (table: string, chain: string) => builtins.jumps.find((j) => j.table === table && j.chain === chain)?.rules;
  const NEW = '-m conntrack --ctstate NEW';

  it('lists each built-in chain’s jumps in fresh-node order (reverse of insertion)', () => {
    expect(rules('filter', 'INPUT')).toEqual([
      '-A INPUT -j KUBE-FIREWALL',
      `-A INPUT ${NEW} -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL`,
      '-A INPUT -m comment --comment "kubernetes health check service ports" -j KUBE-NODEPORTS',
      `-A INPUT ${NEW} -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES`,
    ]);
    expect(rules('filter', 'FORWARD')).toEqual([
      `-A FORWARD ${NEW} -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL`,
      '-A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD',
      `-A FORWARD ${NEW} -m comment --comment "kubernetes service portals" -j KUBE-SERVICES`,
      `-A FORWARD ${NEW} -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES`,
    ]);
    expect(rules('filter', 'OUTPUT')).toEqual([
      '-A OUTPUT -j KUBE-FIREWALL',
      `-A OUTPUT ${NEW} -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL`,
      `-A OUTPUT ${NEW} -m comment --comment "kubernetes service portals" -j KUBE-SERVICES`,
    ]);
    expect(rules('nat', 'PREROUTING')).toEqual(['-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES']);
    expect(rules('nat', 'OUTPUT')).toEqual(['-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES']);
    expect(rules('nat', 'POSTROUTING')).toEqual(['-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING']);
  });

  it('creates the canary in mangle, nat and filter, and every jump target', () => {
    expect(builtins.chains.mangle).toEqual(['KUBE-PROXY-CANARY']);
    expect([...builtins.chains.filter].sort()).toEqual(
      ['KUBE-EXTERNAL-SERVICES', 'KUBE-FIREWALL', 'KUBE-FORWARD', 'KUBE-NODEPORTS', 'KUBE-PROXY-CANARY', 'KUBE-PROXY-FIREWALL', 'KUBE-SERVICES'].sort(),
    );
    expect([...builtins.chains.nat].sort()).toEqual(['KUBE-POSTROUTING', 'KUBE-PROXY-CANARY', 'KUBE-SERVICES']);
  });
});

describe('reproducing a kind node from Services and EndpointSlices alone (no Pods)', () => {
  const list = parse(kindCluster) as { items: ({ kind: string } & (Service | EndpointSlice))[] };
  const services = list.items.filter((o) => o.kind === 'Service') as Service[];
  const slices = list.items.filter((o) => o.kind === 'EndpointSlice') as EndpointSlice[];
  const text = renderIptables({ services, endpointSlices: slices, node: { name: 'kind-worker', ips: ['172.18.0.3'] }, config: CONFIG });

  it('renders the golden restore text for kind-worker', () => {
    expect(text).toBe(golden('kind-cluster'));
    expect(restoreTextProblems(text)).toEqual([]);
  });

  it('uses the chain names real kind/kubeadm nodes show', () => {
    for (const name of ['KUBE-SVC-NPX46M4PTMTKRN6Y', 'KUBE-SVC-TCOU7JCQXEZGVUNU', 'KUBE-SVC-ERIFXISQEP7F7OF4', 'KUBE-SVC-JD5MR3NA4I4DYORP']) {
      expect(text).toContain(`:${name} - [0:0]`);
    }
    // CoreDNS at 10.244.0.2 and 10.244.0.3 gets these SEP chains on every such node.
    for (const name of ['YIL6JZP7A3QYXJU2', '6E7XQMQ4RAYOWTTM', 'IT2ZTR26TO4XFPTO', 'ZXMNUKOKXUTL2MK2', 'N4G2XR5TDX7PQE7P', 'ZP3FB6NMPNCO4VBJ']) {
      expect(text).toContain(`:KUBE-SEP-${name} - [0:0]`);
    }
    expect(text).toContain('-A KUBE-SERVICES -m comment --comment "default/kubernetes:https cluster IP" -m tcp -p tcp -d 10.96.0.1 --dport 443 -j KUBE-SVC-NPX46M4PTMTKRN6Y');
    expect(text).toContain('-A KUBE-NODEPORTS -m comment --comment default/hello -m tcp -p tcp --dport 30007 -j KUBE-EXT-');
    expect(text).not.toContain('hello-headless');
  });
});
