import { describe, expect, it } from 'vitest';
import type { DnsAnswer, RecordSource } from '../../apps/record-source.ts';
import { DNS_CLASS, DNS_RCODE, DNS_TYPE, encodeDns, formatDnsRecord, type DnsRecord } from '../../wire/dns.ts';
import { ClusterDnsRecords, DEFAULT_SOA_SERIAL, PLUGIN_DEFAULT_DNS_CONFIG, type ClusterDnsConfig, type ClusterDnsInit } from './dns-records.ts';
import { NAMESPACES, PODS, SERVICES, SLICES, pod, slice } from './testdata/cluster.ts';

const CLIENT = { ip: 0x0af40104 };
const SOA = `cluster.local. 30 IN SOA ns.dns.cluster.local. hostmaster.cluster.local. ${DEFAULT_SOA_SERIAL} 7200 1800 86400 30`;
const HINFO = 13;
const IXFR = 251;

function records(config?: ClusterDnsConfig, init: Partial<ClusterDnsInit> = {}): ClusterDnsRecords {
  return new ClusterDnsRecords({
    services: SERVICES,
    endpointSlices: SLICES,
    pods: PODS,
    namespaces: NAMESPACES,
    ...(config ? { config } : {}),
    ...init,
  });
}

const kubeadm = records();

function ask(src: RecordSource, name: string, type: number = DNS_TYPE.A): DnsAnswer {
  const a = src.lookup({ name, type, class: DNS_CLASS.IN }, CLIENT);
  if (a === null) throw new Error(`${name}: not answered by the plugin`);
  return a;
}

const lines = (rrs: readonly DnsRecord[]): string[] => rrs.map(formatDnsRecord);
const sorted = (rrs: readonly DnsRecord[]): string[] => lines(rrs).sort();

/** Expects a positive answer and returns its answer lines. */
function answer(src: RecordSource, name: string, type: number = DNS_TYPE.A): string[] {
  const a = ask(src, name, type);
  expect(a.rcode).toBe(DNS_RCODE.NOERROR);
  expect(a.authoritative).toBe(true);
  expect(a.authority).toEqual([]);
  return lines(a.answers);
}

function expectNodata(a: DnsAnswer, soa = SOA): void {
  expect({ rcode: a.rcode, aa: a.authoritative, answers: lines(a.answers), authority: lines(a.authority) }).toEqual({
    rcode: DNS_RCODE.NOERROR,
    aa: true,
    answers: [],
    authority: [soa],
  });
}

function expectNxdomain(a: DnsAnswer, soa = SOA): void {
  expect({ rcode: a.rcode, aa: a.authoritative, answers: lines(a.answers), authority: lines(a.authority) }).toEqual({
    rcode: DNS_RCODE.NXDOMAIN,
    aa: true,
    answers: [],
    authority: [soa],
  });
}

describe('ClusterIP services (§3.1)', () => {
  it('answers A with the ClusterIP, TTL 30, AA set, owner as asked', () => {
    expect(answer(kubeadm, 'backend.default.svc.cluster.local.')).toEqual(['backend.default.svc.cluster.local. 30 IN A 10.96.0.20']);
  });

  it('answers NodePort and LoadBalancer services exactly like ClusterIP ones (no LB or external IPs)', () => {
    expect(answer(kubeadm, 'nodeport.default.svc.cluster.local.')).toEqual(['nodeport.default.svc.cluster.local. 30 IN A 10.96.0.21']);
    expect(answer(kubeadm, 'lb.default.svc.cluster.local.')).toEqual(['lb.default.svc.cluster.local. 30 IN A 10.96.0.22']);
  });

  it('gives AAAA on an IPv4-only service NODATA with the zone SOA (§4)', () => {
    expectNodata(ask(kubeadm, 'backend.default.svc.cluster.local.', DNS_TYPE.AAAA));
  });

  it('answers a dual-stack service with one A and one AAAA', () => {
    expect(answer(kubeadm, 'dual.default.svc.cluster.local.')).toEqual(['dual.default.svc.cluster.local. 30 IN A 10.96.0.50']);
    expect(answer(kubeadm, 'dual.default.svc.cluster.local.', DNS_TYPE.AAAA)).toEqual(['dual.default.svc.cluster.local. 30 IN AAAA fd00:10:96::50']);
  });

  it('answers a service without ready endpoints; ignore empty_service makes it NXDOMAIN', () => {
    expect(answer(kubeadm, 'empty.default.svc.cluster.local.')).toEqual(['empty.default.svc.cluster.local. 30 IN A 10.96.0.30']);
    const ignoring = records({ ignoreEmptyService: true });
    expectNxdomain(ask(ignoring, 'empty.default.svc.cluster.local.'));
    expect(answer(ignoring, 'backend.default.svc.cluster.local.')).toEqual(['backend.default.svc.cluster.local. 30 IN A 10.96.0.20']);
  });

  it('keeps the A record of a service without ports', () => {
    expect(answer(kubeadm, 'noports.default.svc.cluster.local.')).toEqual(['noports.default.svc.cluster.local. 30 IN A 10.96.0.40']);
  });
});

describe('names that do not exist (§2, §4, §5.6)', () => {
  it('gives NXDOMAIN with the SOA for an unknown service', () => {
    expectNxdomain(ask(kubeadm, 'nope.default.svc.cluster.local.'));
  });

  it('gives NXDOMAIN for names under a missing namespace, including the bare namespace name', () => {
    expectNxdomain(ask(kubeadm, 'backend.nowhere.svc.cluster.local.'));
    expectNxdomain(ask(kubeadm, 'nowhere.svc.cluster.local.'));
  });

  it('gives NODATA for an existing namespace name and for svc.<zone>, pod.<zone>, the apex', () => {
    expectNodata(ask(kubeadm, 'quiet.svc.cluster.local.'));
    expectNodata(ask(kubeadm, 'svc.cluster.local.'));
    expectNodata(ask(kubeadm, 'pod.cluster.local.'));
    expectNodata(ask(kubeadm, 'cluster.local.'));
    expectNodata(ask(kubeadm, 'cluster.local.', DNS_TYPE.AAAA));
  });

  it('gives NXDOMAIN when the second-level label is not svc or pod (the third search candidate)', () => {
    expectNxdomain(ask(kubeadm, 'backend.cluster.local.'));
    expectNxdomain(ask(kubeadm, 'backend.default.cluster.local.'));
  });

  it('gives NXDOMAIN for three or more extra labels ("too long")', () => {
    expectNxdomain(ask(kubeadm, 'a.b.c.backend.default.svc.cluster.local.'));
  });

  it('treats * and any as ordinary labels (wildcards removed in CoreDNS 1.9)', () => {
    expectNxdomain(ask(kubeadm, '*.default.svc.cluster.local.'));
    expectNxdomain(ask(kubeadm, 'any.default.svc.cluster.local.'));
    expectNxdomain(ask(kubeadm, 'backend.*.svc.cluster.local.'));
  });

  it('hides namespaces the namespaces option does not list', () => {
    const limited = records({ namespaces: ['testns'] });
    expectNxdomain(ask(limited, 'backend.default.svc.cluster.local.'));
    expect(answer(limited, 'svc1.testns.svc.cluster.local.')).toEqual(['svc1.testns.svc.cluster.local. 30 IN A 10.96.0.100']);
    // The hidden service's ClusterIP has no PTR; the miss falls through (kubeadm settings).
    expect(limited.lookup({ name: '20.0.96.10.in-addr.arpa.', type: DNS_TYPE.PTR, class: DNS_CLASS.IN }, CLIENT)).toBeNull();
    expect(answer(limited, '100.0.96.10.in-addr.arpa.', DNS_TYPE.PTR)).toEqual(['100.0.96.10.in-addr.arpa. 30 IN PTR svc1.testns.svc.cluster.local.']);
  });

  it('answers SERVFAIL with the SOA for unknown names until the API has synced', () => {
    const unsynced = records(undefined, { synced: false });
    const a = ask(unsynced, 'nope.default.svc.cluster.local.');
    expect(a.rcode).toBe(DNS_RCODE.SERVFAIL);
    expect(a.authoritative).toBe(true);
    expect(lines(a.authority)).toEqual([SOA]);
    expect(answer(unsynced, 'backend.default.svc.cluster.local.')).toHaveLength(1);
  });
});

describe('headless services (§3.2, §3.3)', () => {
  it('answers one A per ready endpoint (compared as a set, §5.5)', () => {
    expect(sorted(ask(kubeadm, 'mongo.default.svc.cluster.local.').answers)).toEqual([
      'mongo.default.svc.cluster.local. 30 IN A 10.244.1.10',
      'mongo.default.svc.cluster.local. 30 IN A 10.244.2.10',
      'mongo.default.svc.cluster.local. 30 IN A 10.244.3.10',
    ]);
  });

  it('removes duplicate addresses across slices of one service', () => {
    const twice = records(undefined, { endpointSlices: [...SLICES, slice('mongo', [{ ip: '10.244.1.10' }], [{ name: 'mongo', port: 27017 }], { name: 'mongo-2nd' })] });
    expect(ask(twice, 'mongo.default.svc.cluster.local.').answers).toHaveLength(3);
  });

  it('gives NXDOMAIN when no endpoint is ready', () => {
    expectNxdomain(ask(kubeadm, 'none-ready.default.svc.cluster.local.'));
  });

  it('answers AAAA on an IPv4-only headless service with NODATA', () => {
    expectNodata(ask(kubeadm, 'mongo.default.svc.cluster.local.', DNS_TYPE.AAAA));
  });

  it('publishes a not-ready pod when publishNotReadyAddresses made the controller mark it ready', () => {
    expect(answer(kubeadm, 'web-pna.default.svc.cluster.local.')).toEqual(['web-pna.default.svc.cluster.local. 30 IN A 10.244.3.30']);
    expect(answer(kubeadm, 'web-pna-0.web-pna.default.svc.cluster.local.')).toEqual(['web-pna-0.web-pna.default.svc.cluster.local. 30 IN A 10.244.3.30']);
  });

  it('drops a terminating (not ready) endpoint from the A set, its hostname, SRV and PTR', () => {
    expect(sorted(ask(kubeadm, 'web.default.svc.cluster.local.').answers)).toEqual([
      'web.default.svc.cluster.local. 30 IN A 10.244.1.20',
      'web.default.svc.cluster.local. 30 IN A 10.244.2.20',
    ]);
    expectNxdomain(ask(kubeadm, 'web-2.web.default.svc.cluster.local.'));
    expect(lines(ask(kubeadm, '_web._tcp.web.default.svc.cluster.local.', DNS_TYPE.SRV).answers).join()).not.toContain('web-2');
    expect(kubeadm.lookup({ name: '20.3.244.10.in-addr.arpa.', type: DNS_TYPE.PTR, class: DNS_CLASS.IN }, CLIENT)).toBeNull();
  });

  it('answers a headless service without ports with A records but SRV NODATA', () => {
    expect(answer(kubeadm, 'bare.default.svc.cluster.local.')).toEqual(['bare.default.svc.cluster.local. 30 IN A 10.244.1.50']);
    expectNodata(ask(kubeadm, 'bare.default.svc.cluster.local.', DNS_TYPE.SRV));
  });
});

describe('endpoint names and StatefulSet pods (§3.2, §3.4)', () => {
  it('answers <hostname>.<svc>.<ns>.svc.<zone> for a StatefulSet pod', () => {
    expect(answer(kubeadm, 'web-0.web.default.svc.cluster.local.')).toEqual(['web-0.web.default.svc.cluster.local. 30 IN A 10.244.1.20']);
  });

  it('names endpoints without a hostname by their dashed IP', () => {
    expect(answer(kubeadm, '10-244-2-10.mongo.default.svc.cluster.local.')).toEqual(['10-244-2-10.mongo.default.svc.cluster.local. 30 IN A 10.244.2.10']);
    expectNxdomain(ask(kubeadm, '10-244-3-11.mongo.default.svc.cluster.local.'));
  });

  it('names endpoints after their pod with endpoint_pod_names', () => {
    const byPod = records({ endpointPodNames: true });
    expect(answer(byPod, 'coredns-0.kube-dns.kube-system.svc.cluster.local.')).toEqual([
      'coredns-0.kube-dns.kube-system.svc.cluster.local. 30 IN A 10.244.0.2',
    ]);
  });

  it('writes IPv6 dashed names with a 0 after a trailing dash', () => {
    const v6 = records(undefined, {
      endpointSlices: [slice('mongo', [{ ip: '2001:db8::' }, { ip: 'fd00::5' }], [{ name: 'mongo', port: 27017 }], { addressType: 'IPv6' })],
    });
    expect(answer(v6, '2001-db8--0.mongo.default.svc.cluster.local.', DNS_TYPE.AAAA)).toEqual(['2001-db8--0.mongo.default.svc.cluster.local. 30 IN AAAA 2001:db8::']);
    expect(answer(v6, 'fd00--5.mongo.default.svc.cluster.local.', DNS_TYPE.AAAA)).toEqual(['fd00--5.mongo.default.svc.cluster.local. 30 IN AAAA fd00::5']);
  });

  it('also answers endpoint names under a ClusterIP service (quirk)', () => {
    expect(answer(kubeadm, 'ep1a.svc1.testns.svc.cluster.local.')).toEqual(['ep1a.svc1.testns.svc.cluster.local. 30 IN A 10.244.2.60']);
    expect(answer(kubeadm, '10-244-1-4.backend.default.svc.cluster.local.')).toEqual(['10-244-1-4.backend.default.svc.cluster.local. 30 IN A 10.244.1.4']);
  });
});

describe('SRV (§3.1, §3.2)', () => {
  it('answers a ClusterIP named port with the Service port and the service name as target, glue in additional', () => {
    const a = ask(kubeadm, '_http._tcp.backend.default.svc.cluster.local.', DNS_TYPE.SRV);
    expect(lines(a.answers)).toEqual(['_http._tcp.backend.default.svc.cluster.local. 30 IN SRV 0 100 80 backend.default.svc.cluster.local.']);
    expect(lines(a.additional)).toEqual(['backend.default.svc.cluster.local. 30 IN A 10.96.0.20']);
    expect(a.authority).toEqual([]);
  });

  it('answers a headless named port per ready endpoint with the slice (target) port and hostname targets', () => {
    const a = ask(kubeadm, '_web._tcp.web.default.svc.cluster.local.', DNS_TYPE.SRV);
    expect(sorted(a.answers)).toEqual([
      '_web._tcp.web.default.svc.cluster.local. 30 IN SRV 0 50 8080 web-0.web.default.svc.cluster.local.',
      '_web._tcp.web.default.svc.cluster.local. 30 IN SRV 0 50 8080 web-1.web.default.svc.cluster.local.',
    ]);
    expect(sorted(a.additional)).toEqual(['web-0.web.default.svc.cluster.local. 30 IN A 10.244.1.20', 'web-1.web.default.svc.cluster.local. 30 IN A 10.244.2.20']);
  });

  it('uses dashed-IP targets for headless endpoints without a hostname, weight floor(100/3)', () => {
    const a = ask(kubeadm, '_mongo._tcp.mongo.default.svc.cluster.local.', DNS_TYPE.SRV);
    expect(sorted(a.answers)).toEqual([
      '_mongo._tcp.mongo.default.svc.cluster.local. 30 IN SRV 0 33 27017 10-244-1-10.mongo.default.svc.cluster.local.',
      '_mongo._tcp.mongo.default.svc.cluster.local. 30 IN SRV 0 33 27017 10-244-2-10.mongo.default.svc.cluster.local.',
      '_mongo._tcp.mongo.default.svc.cluster.local. 30 IN SRV 0 33 27017 10-244-3-10.mongo.default.svc.cluster.local.',
    ]);
  });

  it('matches every port on the bare name; weight counts before duplicates collapse (kube-dns → 33)', () => {
    const a = ask(kubeadm, 'kube-dns.kube-system.svc.cluster.local.', DNS_TYPE.SRV);
    expect(lines(a.answers)).toEqual([
      'kube-dns.kube-system.svc.cluster.local. 30 IN SRV 0 33 53 kube-dns.kube-system.svc.cluster.local.',
      'kube-dns.kube-system.svc.cluster.local. 30 IN SRV 0 33 9153 kube-dns.kube-system.svc.cluster.local.',
    ]);
    expect(lines(a.additional)).toEqual(['kube-dns.kube-system.svc.cluster.local. 30 IN A 10.96.0.10']);
  });

  it('matches port and protocol case-insensitively; an unmatched _port._proto is NXDOMAIN', () => {
    expect(answer(kubeadm, '_dns._udp.kube-dns.kube-system.svc.cluster.local.', DNS_TYPE.SRV)).toEqual([
      '_dns._udp.kube-dns.kube-system.svc.cluster.local. 30 IN SRV 0 100 53 kube-dns.kube-system.svc.cluster.local.',
    ]);
    expectNxdomain(ask(kubeadm, '_dns._tcp.kube-dns.kube-system.svc.cluster.local.', DNS_TYPE.SRV));
    expectNxdomain(ask(kubeadm, '_http._udp.backend.default.svc.cluster.local.', DNS_TYPE.SRV));
  });

  it('gives a dual-stack service one SRV with weight 50 and glue for both families', () => {
    const a = ask(kubeadm, '_http._tcp.dual.default.svc.cluster.local.', DNS_TYPE.SRV);
    expect(lines(a.answers)).toEqual(['_http._tcp.dual.default.svc.cluster.local. 30 IN SRV 0 50 80 dual.default.svc.cluster.local.']);
    expect(lines(a.additional)).toEqual(['dual.default.svc.cluster.local. 30 IN A 10.96.0.50', 'dual.default.svc.cluster.local. 30 IN AAAA fd00:10:96::50']);
  });

  it('answers SRV queries on a service without ports with NODATA', () => {
    expectNodata(ask(kubeadm, 'noports.default.svc.cluster.local.', DNS_TYPE.SRV));
    expectNxdomain(ask(kubeadm, '_http._tcp.noports.default.svc.cluster.local.', DNS_TYPE.SRV));
  });

  it('applies _port._proto labels to A queries too (quirk)', () => {
    expect(answer(kubeadm, '_https._tcp.kubernetes.default.svc.cluster.local.')).toEqual(['_https._tcp.kubernetes.default.svc.cluster.local. 30 IN A 10.96.0.1']);
    expectNxdomain(ask(kubeadm, '_http._tcp.kubernetes.default.svc.cluster.local.'));
  });
});

describe('pod records (§3.6)', () => {
  it('insecure: answers any IP-shaped label in an existing namespace without consulting pods', () => {
    expect(answer(kubeadm, '10-244-1-4.default.pod.cluster.local.')).toEqual(['10-244-1-4.default.pod.cluster.local. 30 IN A 10.244.1.4']);
    expect(answer(kubeadm, '10-9-9-9.default.pod.cluster.local.')).toEqual(['10-9-9-9.default.pod.cluster.local. 30 IN A 10.9.9.9']);
    expectNodata(ask(kubeadm, '10-244-1-4.default.pod.cluster.local.', DNS_TYPE.AAAA));
    expect(answer(kubeadm, 'fd00--1.default.pod.cluster.local.', DNS_TYPE.AAAA)).toEqual(['fd00--1.default.pod.cluster.local. 30 IN AAAA fd00::1']);
    expectNxdomain(ask(kubeadm, 'backend-0.default.pod.cluster.local.'));
    expectNxdomain(ask(kubeadm, '10-244-1-4.nowhere.pod.cluster.local.'));
    expectNodata(ask(kubeadm, 'default.pod.cluster.local.'));
    expectNxdomain(ask(kubeadm, 'nowhere.pod.cluster.local.'));
  });

  it('verified: answers only an IP some pod in that namespace has', () => {
    const verified = records({ pods: 'verified' });
    expect(answer(verified, '10-244-1-4.default.pod.cluster.local.')).toEqual(['10-244-1-4.default.pod.cluster.local. 30 IN A 10.244.1.4']);
    expectNxdomain(ask(verified, '10-9-9-9.default.pod.cluster.local.'));
    expectNxdomain(ask(verified, '10-244-0-2.default.pod.cluster.local.'));
    expect(answer(verified, '10-244-0-2.kube-system.pod.cluster.local.')).toHaveLength(1);
    const gone = records({ pods: 'verified' }, { pods: [{ ...pod('backend-0', '10.244.1.4'), metadata: { name: 'backend-0', namespace: 'default', deletionTimestamp: '2025-01-01T00:00:00Z' } }] });
    expectNxdomain(ask(gone, '10-244-1-4.default.pod.cluster.local.'));
  });

  it('disabled: every name under <ns>.pod.<zone> is NXDOMAIN, pod.<zone> stays NODATA', () => {
    const disabled = records({ pods: 'disabled' });
    expectNxdomain(ask(disabled, '10-244-1-4.default.pod.cluster.local.'));
    expectNxdomain(ask(disabled, 'default.pod.cluster.local.'));
    expectNodata(ask(disabled, 'pod.cluster.local.'));
  });
});

describe('ExternalName services (§3.5)', () => {
  const upstream: RecordSource = {
    lookup: (q) =>
      q.name === 'example.com.' && q.type === DNS_TYPE.A
        ? {
            rcode: 0,
            authoritative: false,
            answers: [{ name: 'example.com.', type: DNS_TYPE.A, class: DNS_CLASS.IN, ttl: 1234, data: { kind: 'A', address: 0x5db8d822 } }],
            authority: [],
            additional: [],
          }
        : { rcode: DNS_RCODE.NXDOMAIN, authoritative: false, answers: [], authority: [], additional: [] },
  };
  const withUpstream = records(undefined, { upstream });

  it('answers a CNAME query with just the CNAME to the absolute externalName', () => {
    expect(answer(withUpstream, 'ext.default.svc.cluster.local.', DNS_TYPE.CNAME)).toEqual(['ext.default.svc.cluster.local. 30 IN CNAME example.com.']);
  });

  it('answers A with the CNAME first, then the upstream answer with the upstream TTL', () => {
    expect(answer(withUpstream, 'ext.default.svc.cluster.local.')).toEqual(['ext.default.svc.cluster.local. 30 IN CNAME example.com.', 'example.com. 1234 IN A 93.184.216.34']);
  });

  it('keeps only the CNAME (NOERROR) when the upstream says NXDOMAIN', () => {
    expect(answer(withUpstream, 'ext.default.svc.cluster.local.', DNS_TYPE.AAAA)).toEqual(['ext.default.svc.cluster.local. 30 IN CNAME example.com.']);
  });

  it('drops the CNAME (NODATA) when the upstream lookup fails', () => {
    const failing = records(undefined, { upstream: { lookup: () => null } });
    expectNodata(ask(failing, 'ext.default.svc.cluster.local.'));
  });

  it('chases an in-zone target itself, and drops the CNAME when the target has nothing', () => {
    expect(answer(kubeadm, 'alias.default.svc.cluster.local.')).toEqual([
      'alias.default.svc.cluster.local. 30 IN CNAME backend.default.svc.cluster.local.',
      'backend.default.svc.cluster.local. 30 IN A 10.96.0.20',
    ]);
    expectNodata(ask(kubeadm, 'dangling.default.svc.cluster.local.'));
  });

  it('gives NODATA for SRV on the bare name and NXDOMAIN under it', () => {
    expectNodata(ask(withUpstream, 'ext.default.svc.cluster.local.', DNS_TYPE.SRV));
    expectNxdomain(ask(withUpstream, '_http._tcp.ext.default.svc.cluster.local.', DNS_TYPE.SRV));
    expectNxdomain(ask(withUpstream, 'x.ext.default.svc.cluster.local.'));
  });

  it('serves no record for an IP-valued externalName', () => {
    expectNxdomain(ask(kubeadm, 'ipext.default.svc.cluster.local.'));
    expectNxdomain(ask(kubeadm, 'ipext.default.svc.cluster.local.', DNS_TYPE.CNAME));
  });

  it('stops chasing after 8 CNAMEs in a chain', () => {
    const chain = (n: number) =>
      records(undefined, {
        services: [
          ...SERVICES,
          ...Array.from({ length: n }, (_, i) => ({
            metadata: { name: `c${i}`, namespace: 'default' },
            spec: { type: 'ExternalName' as const, externalName: i === n - 1 ? 'backend.default.svc.cluster.local' : `c${i + 1}.default.svc.cluster.local` },
          })),
        ],
      });
    expect(answer(chain(8), 'c0.default.svc.cluster.local.')).toHaveLength(9);
    expectNodata(ask(chain(9), 'c0.default.svc.cluster.local.'));
  });
});

describe('PTR (§3.1, §3.2)', () => {
  it('maps a ClusterIP back to the service name', () => {
    expect(answer(kubeadm, '20.0.96.10.in-addr.arpa.', DNS_TYPE.PTR)).toEqual(['20.0.96.10.in-addr.arpa. 30 IN PTR backend.default.svc.cluster.local.']);
  });

  it('maps endpoint addresses to endpoint names (hostname or dashed IP)', () => {
    expect(answer(kubeadm, '10.1.244.10.in-addr.arpa.', DNS_TYPE.PTR)).toEqual(['10.1.244.10.in-addr.arpa. 30 IN PTR 10-244-1-10.mongo.default.svc.cluster.local.']);
    expect(answer(kubeadm, '20.1.244.10.in-addr.arpa.', DNS_TYPE.PTR)).toEqual(['20.1.244.10.in-addr.arpa. 30 IN PTR web-0.web.default.svc.cluster.local.']);
    expect(answer(kubeadm, '4.1.244.10.in-addr.arpa.', DNS_TYPE.PTR)).toEqual(['4.1.244.10.in-addr.arpa. 30 IN PTR 10-244-1-4.backend.default.svc.cluster.local.']);
  });

  it('gives an address selected by two services two PTRs, and one for two slices of one service', () => {
    const shared = records(undefined, {
      endpointSlices: [...SLICES, slice('web-pna', [{ ip: '10.244.1.20', hostname: 'web-0' }], [{ name: 'web', port: 8080 }], { name: 'web-pna-x' })],
    });
    expect(sorted(ask(shared, '20.1.244.10.in-addr.arpa.', DNS_TYPE.PTR).answers)).toEqual([
      '20.1.244.10.in-addr.arpa. 30 IN PTR web-0.web-pna.default.svc.cluster.local.',
      '20.1.244.10.in-addr.arpa. 30 IN PTR web-0.web.default.svc.cluster.local.',
    ]);
    const twoSlices = records(undefined, {
      endpointSlices: [...SLICES, slice('mongo', [{ ip: '10.244.1.10' }], [{ name: 'mongo', port: 27017 }], { name: 'mongo-2nd' })],
    });
    expect(ask(twoSlices, '10.1.244.10.in-addr.arpa.', DNS_TYPE.PTR).answers).toHaveLength(1);
  });

  it('answers the 32-nibble ip6.arpa form', () => {
    const name = '0.5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.6.9.0.0.0.1.0.0.0.0.d.f.ip6.arpa.';
    expect(answer(kubeadm, name, DNS_TYPE.PTR)).toEqual([`${name} 30 IN PTR dual.default.svc.cluster.local.`]);
  });

  it('falls through a reverse miss to the next plugin with kubeadm settings, else NXDOMAIN for the reverse zone', () => {
    expect(kubeadm.lookup({ name: '9.9.9.9.in-addr.arpa.', type: DNS_TYPE.PTR, class: DNS_CLASS.IN }, CLIENT)).toBeNull();
    const strict = records({ fallthrough: false });
    expectNxdomain(ask(strict, '9.9.9.9.in-addr.arpa.', DNS_TYPE.PTR), `in-addr.arpa. 30 IN SOA ns.dns.in-addr.arpa. hostmaster.in-addr.arpa. ${DEFAULT_SOA_SERIAL} 7200 1800 86400 30`);
  });

  it('does not serve reverse zones that are not plugin zones', () => {
    const forwardOnly = records({ zones: [], fallthrough: false });
    expect(forwardOnly.lookup({ name: '20.0.96.10.in-addr.arpa.', type: DNS_TYPE.PTR, class: DNS_CLASS.IN }, CLIENT)).toBeNull();
  });

  it('gives PTR on a forward name NODATA', () => {
    expectNodata(ask(kubeadm, 'backend.default.svc.cluster.local.', DNS_TYPE.PTR));
  });
});

describe('case (§5.4)', () => {
  it('echoes the question name as owner and keeps object names lower case joined to the zone as asked', () => {
    const a = ask(kubeadm, '_HtTp._TcP.sVc1.TeStNs.SvC.cLuStEr.LoCaL.', DNS_TYPE.SRV);
    expect(lines(a.answers)).toEqual(['_HtTp._TcP.sVc1.TeStNs.SvC.cLuStEr.LoCaL. 30 IN SRV 0 100 80 svc1.testns.svc.cLuStEr.LoCaL.']);
    expect(lines(a.additional)).toEqual(['svc1.testns.svc.cLuStEr.LoCaL. 30 IN A 10.96.0.100']);
    expect(answer(kubeadm, 'BaCkEnD.DeFaUlT.sVc.ClUsTeR.lOcAl.')).toEqual(['BaCkEnD.DeFaUlT.sVc.ClUsTeR.lOcAl. 30 IN A 10.96.0.20']);
  });

  it('spells the SOA owner, mname and rname with the zone as asked', () => {
    expectNxdomain(
      ask(kubeadm, 'nope.default.svc.ClUsTeR.lOcAl.'),
      `ClUsTeR.lOcAl. 30 IN SOA ns.dns.ClUsTeR.lOcAl. hostmaster.ClUsTeR.lOcAl. ${DEFAULT_SOA_SERIAL} 7200 1800 86400 30`,
    );
  });

  it('compares the apex NS name as CoreDNS does: a mixed-case apex NS query is NODATA', () => {
    expectNodata(ask(kubeadm, 'Cluster.Local.', DNS_TYPE.NS), `Cluster.Local. 30 IN SOA ns.dns.Cluster.Local. hostmaster.Cluster.Local. ${DEFAULT_SOA_SERIAL} 7200 1800 86400 30`);
  });
});

describe('TTLs and the SOA (§1, §4)', () => {
  it('uses the configured TTL for records and min(ttl, 300) / ttl in the SOA', () => {
    const five = records({ ttl: PLUGIN_DEFAULT_DNS_CONFIG.ttl });
    expect(answer(five, 'backend.default.svc.cluster.local.')).toEqual(['backend.default.svc.cluster.local. 5 IN A 10.96.0.20']);
    expectNodata(ask(five, 'backend.default.svc.cluster.local.', DNS_TYPE.AAAA), SOA.replace(' 30 IN', ' 5 IN').replace(/ 30$/, ' 5'));
    const long = records({ ttl: 600 });
    expectNodata(ask(long, 'backend.default.svc.cluster.local.', DNS_TYPE.AAAA), SOA.replace(/ 30$/, ' 600').replace(' 30 IN', ' 300 IN'));
  });

  it('rejects a TTL outside 0–3600', () => {
    expect(() => records({ ttl: 3601 })).toThrow(RangeError);
  });

  it('gives SOA below the apex NODATA, even for names that do not exist', () => {
    expectNodata(ask(kubeadm, 'backend.default.svc.cluster.local.', DNS_TYPE.SOA));
    expectNodata(ask(kubeadm, 'nope.default.svc.cluster.local.', DNS_TYPE.SOA));
  });

  it('moves the serial on when objects change', () => {
    const src = records(undefined, { modified: 1_700_000_000 });
    expect(src.serial).toBe(1_700_000_000);
    src.update({ services: SERVICES, endpointSlices: SLICES, pods: PODS, namespaces: NAMESPACES });
    expect(src.serial).toBe(1_700_000_001);
    src.update({ services: SERVICES, endpointSlices: SLICES, pods: PODS, namespaces: NAMESPACES, modified: 1_700_000_100 });
    expect(lines(ask(src, 'nope.default.svc.cluster.local.').authority)[0]).toContain(' 1700000100 7200 ');
  });
});

describe('zone-level names (§3.7)', () => {
  it('answers the apex SOA in the answer section', () => {
    expect(answer(kubeadm, 'cluster.local.', DNS_TYPE.SOA)).toEqual([SOA]);
  });

  it('answers the apex NS with the kube-dns service name and its ClusterIP as glue', () => {
    const a = ask(kubeadm, 'cluster.local.', DNS_TYPE.NS);
    expect(lines(a.answers)).toEqual(['cluster.local. 30 IN NS kube-dns.kube-system.svc.cluster.local.']);
    expect(lines(a.additional)).toEqual(['kube-dns.kube-system.svc.cluster.local. 30 IN A 10.96.0.10']);
  });

  it('falls back to ns.dns.<zone> and the server address when no service selects the server', () => {
    const lone = records({ serverIps: ['10.244.9.9'] });
    const a = ask(lone, 'cluster.local.', DNS_TYPE.NS);
    expect(lines(a.answers)).toEqual(['cluster.local. 30 IN NS ns.dns.cluster.local.']);
    expect(lines(a.additional)).toEqual(['ns.dns.cluster.local. 30 IN A 10.244.9.9']);
  });

  it('answers ns.dns.<zone> A with the nameserver addresses', () => {
    expect(answer(kubeadm, 'ns.dns.cluster.local.')).toEqual(['ns.dns.cluster.local. 30 IN A 10.96.0.10']);
    expectNodata(ask(kubeadm, 'ns.dns.cluster.local.', DNS_TYPE.AAAA));
  });

  it('answers dns-version TXT with "1.1.0" and TTL 28800', () => {
    expect(answer(kubeadm, 'dns-version.cluster.local.', DNS_TYPE.TXT)).toEqual(['dns-version.cluster.local. 28800 IN TXT "1.1.0"']);
    expectNxdomain(ask(kubeadm, 'dns-version.cluster.local.'));
  });

  it('gives TXT NODATA on names with other data and NXDOMAIN on names without records (code)', () => {
    expectNodata(ask(kubeadm, 'backend.default.svc.cluster.local.', DNS_TYPE.TXT));
    expectNodata(ask(kubeadm, 'ext.default.svc.cluster.local.', DNS_TYPE.TXT));
    expectNxdomain(ask(kubeadm, 'cluster.local.', DNS_TYPE.TXT));
    expectNxdomain(ask(kubeadm, 'nope.default.svc.cluster.local.', DNS_TYPE.TXT));
  });
});

describe('other types and names (§4)', () => {
  it('never answers ANY or HINFO with data: NODATA for existing names, NXDOMAIN otherwise', () => {
    expectNodata(ask(kubeadm, 'backend.default.svc.cluster.local.', DNS_TYPE.ANY));
    expectNodata(ask(kubeadm, 'backend.default.svc.cluster.local.', HINFO));
    expectNodata(ask(kubeadm, 'cluster.local.', DNS_TYPE.ANY));
    expectNxdomain(ask(kubeadm, 'nope.default.svc.cluster.local.', DNS_TYPE.ANY));
  });

  it('gives CNAME, MX and NS below the apex NODATA on a service', () => {
    expectNodata(ask(kubeadm, 'backend.default.svc.cluster.local.', DNS_TYPE.CNAME));
    expectNodata(ask(kubeadm, 'backend.default.svc.cluster.local.', DNS_TYPE.MX));
    expectNodata(ask(kubeadm, 'backend.default.svc.cluster.local.', DNS_TYPE.NS));
    expectNxdomain(ask(kubeadm, 'nope.default.svc.cluster.local.', DNS_TYPE.NS));
  });

  it('refuses zone transfers without AA or SOA', () => {
    for (const t of [DNS_TYPE.AXFR, IXFR]) {
      expect(ask(kubeadm, 'cluster.local.', t)).toEqual({ rcode: DNS_RCODE.REFUSED, authoritative: false, answers: [], authority: [], additional: [] });
    }
  });

  it('returns null (forward upstream) for names outside its zones', () => {
    expect(kubeadm.lookup({ name: 'example.com.', type: DNS_TYPE.A, class: DNS_CLASS.IN }, CLIENT)).toBeNull();
    expect(kubeadm.lookup({ name: 'local.', type: DNS_TYPE.A, class: DNS_CLASS.IN }, CLIENT)).toBeNull();
  });

  it('falls through cluster names too when fallthrough covers every zone', () => {
    const all = records({ fallthrough: true });
    expect(all.lookup({ name: 'nope.default.svc.cluster.local.', type: DNS_TYPE.A, class: DNS_CLASS.IN }, CLIENT)).toBeNull();
    expectNodata(ask(all, 'backend.default.svc.cluster.local.', DNS_TYPE.AAAA));
  });
});

describe('runtime changes', () => {
  it('serves the new endpoints after update()', () => {
    const src = records();
    expect(ask(src, 'mongo.default.svc.cluster.local.').answers).toHaveLength(3);
    src.update({
      services: SERVICES,
      endpointSlices: SLICES.map((s) => (s.metadata.name === 'mongo-abc12' ? slice('mongo', [{ ip: '10.244.1.10' }], [{ name: 'mongo', port: 27017 }]) : s)),
      pods: PODS,
      namespaces: NAMESPACES,
    });
    expect(answer(src, 'mongo.default.svc.cluster.local.')).toEqual(['mongo.default.svc.cluster.local. 30 IN A 10.244.1.10']);
    expectNxdomain(ask(src, '10-244-2-10.mongo.default.svc.cluster.local.'), SOA.replace(String(DEFAULT_SOA_SERIAL), String(DEFAULT_SOA_SERIAL + 1)));
  });
});

describe('on the wire (§5.2, §7.4)', () => {
  function reply(name: string, type: number): Uint8Array {
    const a = ask(kubeadm, name, type);
    return encodeDns({
      id: 0x1234,
      qr: true,
      aa: a.authoritative,
      rd: true,
      rcode: a.rcode,
      questions: [{ name, type, class: DNS_CLASS.IN }],
      answers: a.answers,
      authority: a.authority,
      additional: a.additional,
    });
  }

  it('gives the §7.4 sizes: A reply 100 bytes, NODATA 144 bytes (query + 93)', () => {
    expect(reply('backend.default.svc.cluster.local.', DNS_TYPE.A).length).toBe(100);
    expect(reply('backend.default.svc.cluster.local.', DNS_TYPE.AAAA).length).toBe(144);
  });
});
