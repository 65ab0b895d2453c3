import { describe, expect, it } from 'vitest';
import { Session, runDemo, traceRow } from './engine.ts';
import { runScenario } from './scenario/run.ts';
import { runJson } from '../cli/commands/run.ts';
import { formatIpv4, readU32 } from './wire/addr.ts';

/** Two nodes, a two-replica netexec Deployment behind a ClusterIP Service, and a pod calling it by name. */
const SMALL = `apiVersion: kubewire.dev/v1alpha1
kind: Scenario
metadata:
  name: small
  description: A pod calls a two-replica backend through a ClusterIP Service by name.
spec:
  seed: 3
  cluster:
    nodes: 2
  traffic:
    - name: client calls backend
      at: 1ms
      from: pod/client
      http: {url: "http://backend:8080/hostname"}
      repeat: 3
      interval: 1ms
      expect:
        status: 200
---
apiVersion: v1
kind: Pod
metadata:
  name: client
spec:
  nodeName: node-1
  containers:
    - name: shell
      image: busybox
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: backend
spec:
  replicas: 2
  selector:
    matchLabels: {app: backend}
  template:
    metadata:
      labels: {app: backend}
    spec:
      containers:
        - name: netexec
          image: registry.k8s.io/e2e-test-images/agnhost:2.52
          args: [netexec, --http-port=8080]
          ports:
            - {name: http, containerPort: 8080}
---
apiVersion: v1
kind: Service
metadata:
  name: backend
spec:
  selector: {app: backend}
  ports:
    - {name: http, port: 8080, targetPort: http}
`;

function loaded(text = SMALL, file = 'small.yaml'): Session {
  const { session, reply } = Session.load(text, file);
  if (!session) throw new Error(reply.errors.map((e) => e.text).join('\n'));
  return session;
}

function ran(text = SMALL): Session {
  const s = loaded(text);
  s.runToEnd();
  return s;
}

/** The IPv4 destination of recorded bytes (Ethernet or raw IPv4). */
function ipDst(b: Uint8Array, link: string | null): string {
  const ip = link === 'ethernet' ? 14 : link === 'ppp' ? 2 : 0;
  return formatIpv4(readU32(b, ip + 16));
}

describe('Session.load', () => {
  it('reports schema errors with file, line and column, and gives no session', () => {
    const { session, reply } = Session.load(SMALL.replace('nodes: 2', 'nodes: 2\n    podCIDR: 10.2.0.0/30'), 'bad.yaml');
    expect(session).toBeNull();
    expect(reply.ok).toBe(false);
    const e = reply.errors[0]!;
    expect(e).toMatchObject({ file: 'bad.yaml', line: 10, column: 14, path: 'spec.cluster.podCIDR', severity: 'error' });
    expect(e.text).toMatch(/^bad\.yaml:10:14 Scenario small spec\.cluster\.podCIDR: Invalid value/);
  });

  it('reports YAML syntax errors with a position', () => {
    const { session, reply } = Session.load(SMALL.replace('seed: 3', 'seed: [3'), 'broken.yaml');
    expect(session).toBeNull();
    expect(reply.errors[0]!.text).toMatch(/^broken\.yaml:\d+:\d+ .*YAML syntax error/);
  });

  it('finds the control plane’s errors at load, not only at run', () => {
    const dup = `${SMALL}---\napiVersion: v1\nkind: Service\nmetadata:\n  name: backend\nspec:\n  ports: [{port: 80}]\n`;
    const { session, reply } = Session.load(dup, 'dup.yaml');
    expect(session).toBeNull();
    expect(reply.errors[0]).toMatchObject({ line: 61, column: 9, path: 'metadata.name', object: 'Service default/backend' });
  });

  it('gives the name, description and warnings of a good file', () => {
    const { session, reply } = Session.load(SMALL.replace('targetPort: http', 'targetPort: nope'), 'warn.yaml');
    expect(session).not.toBeNull();
    expect(reply).toMatchObject({ ok: true, name: 'small', description: 'A pod calls a two-replica backend through a ClusterIP Service by name.' });
    expect(reply.warnings[0]!.text).toMatch(/^warn\.yaml:56:44 warning: Service default\/backend spec\.ports\[0\]\.targetPort: no container port named "nope"/);
  });

  it('never throws for nonsense', () => {
    for (const text of ['', ':::', '- - -', 'kind: Scenario', '\u0000\u0001']) {
      const { reply } = Session.load(text, 'x.yaml');
      expect(reply.ok).toBe(false);
      expect(reply.errors.length).toBeGreaterThan(0);
    }
  });

  it('answers topology and iptables-save before any run; trace questions answer empty', () => {
    const s = loaded();
    expect(s.topology().nodes.map((n) => n.name)).toEqual(['node-1', 'node-2']);
    expect(s.iptablesSave('node-1')).toContain('-A KUBE-SERVICES');
    expect(s.rows(0, 10)).toEqual([]);
    expect(s.length).toBe(0);
    expect(s.traceHash).toBe('');
    expect(s.filter('tcp')).toMatchObject({ ok: true });
    expect(s.stateAt(5).conntrack).toEqual([]);
    expect(s.pcapng().length).toBe(0);
    expect(s.traceJson()).toBe('');
  });
});

describe('Session.run and the trace', () => {
  const s = ran();
  const reply = s.lastRun!;
  const rows = s.rows(0, s.length);

  it('runs the scenario: the expectation passes and the reply is serialisable', () => {
    expect(reply).toMatchObject({ valid: true, passed: true, stop: 'done' });
    expect(reply.expectations).toEqual([expect.objectContaining({ name: 'client calls backend: status', status: 'pass' })]);
    expect(reply.traffic[0]!.repeats.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(reply.traceEvents).toBe(s.length);
    expect(JSON.parse(JSON.stringify(reply))).toEqual(reply); // no functions, no class instances
    expect(reply.traceHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('rows carry Wireshark-like protocol, source and destination columns', () => {
    const protocols = new Set(rows.map((r) => r.protocol));
    for (const p of ['DNS', 'TCP', 'HTTP', 'ARP']) expect(protocols).toContain(p);
    const dns = rows.find((r) => r.protocol === 'DNS' && r.kind === 'sent')!;
    expect(dns.src).toMatch(/^10\.244\.\d+\.\d+$/);
    expect(dns.dst).toBe('10.96.0.10');
    expect(dns.summary).toContain('backend.default.svc.cluster.local.');
    expect(dns.flow).toBe(1);
    const arp = rows.find((r) => r.protocol === 'ARP')!;
    expect(arp.dst).toBe('Broadcast');
    const rule = rows.find((r) => r.kind === 'netfilter')!;
    expect([rule.protocol, rule.src, rule.dst]).toEqual(['', '', '']);
    expect(rule.summary).toBe(rule.detail);
    expect(rule.detail).toMatch(/^PREROUTING nat → /);
    expect(s.row(7)).toEqual(rows[7]);
    expect(s.rows(s.length - 2, 10).length).toBe(2);
    expect(() => s.row(s.length)).toThrow(/no trace event/);
  });

  it('eventInfo of a DNAT event has the bytes before the rewrite, with another destination', () => {
    const i = rows.findIndex((r) => r.kind === 'nat' && r.detail.includes('DNAT') && r.protocol !== 'DNS');
    const info = s.eventInfo(i);
    expect(info.detail).toMatchObject({ manip: 'DNAT', hook: 'PREROUTING' });
    expect(info.linkType).toBe('ipv4');
    expect(info.beforeBytes).not.toBeNull();
    const before = ipDst(info.beforeBytes!, info.beforeLinkType);
    const after = ipDst(info.bytes!, info.linkType);
    expect(before).not.toBe(after);
    expect(info.detail!.before).toContain(`> ${before}:8080`);
    expect(info.detail!.after).toContain(`> ${after}:8080`);
    // Copies: changing them does not change the trace.
    info.bytes![0] = 0;
    expect(s.eventInfo(i).bytes![0]).toBe(0x45);
    // The flow ladder: this repeat's events, in order, including this one.
    expect(info.flowEvents).toContain(i);
    expect(info.flowEvents).toEqual([...info.flowEvents].sort((a, b) => a - b));
    for (const j of info.flowEvents) expect(rows[j]!.flow).toBe(info.row.flow);
    expect(info.flowEvents.length).toBe(rows.filter((r) => r.flow === info.row.flow).length);
  });

  it('a long flow comes as a window of 600 events around the event, with the flow\'s size', () => {
    const text = SMALL.replace(/  traffic:\n/, `  traffic:\n    - name: flood\n      at: 1ms\n      from: pod/client\n      ping: {host: service:backend, count: 300, interval: 20us}\n`);
    const pod = ran(text.replace('service:backend', '10.244.1.1'));
    const all = pod.rows(0, pod.length);
    const flow = all.find((r) => r.summary.includes('ICMP') || r.protocol === 'ICMP')!.flow;
    const members = all.filter((r) => r.flow === flow).map((r) => r.index);
    expect(members.length).toBeGreaterThan(1200);
    const mid = members[Math.floor(members.length / 2)]!;
    const info = pod.eventInfo(mid);
    expect(info.flowEventsTotal).toBe(members.length);
    expect(info.flowEvents.length).toBe(600);
    expect(info.flowEvents).toContain(mid);
    // A contiguous run of the flow's events, centred on this one.
    const at = members.indexOf(info.flowEvents[0]!);
    expect(info.flowEvents).toEqual(members.slice(at, at + 600));
    expect(info.flowEvents.indexOf(mid)).toBe(300);
    // At the ends, the window is clamped.
    expect(pod.eventInfo(members[0]!).flowEvents).toEqual(members.slice(0, 600));
    expect(pod.eventInfo(members.at(-1)!).flowEvents).toEqual(members.slice(-600));
  });

  it('eventInfo of a non-NAT event has no before bytes; events outside flows have no ladder', () => {
    const arp = rows.findIndex((r) => r.protocol === 'ARP');
    const info = s.eventInfo(arp);
    expect(info.beforeBytes).toBeNull();
    expect(info.linkType).toBe('ethernet');
    expect(info.flowEvents).toEqual([]);
  });

  it('filters: the examples from the brief', () => {
    const backend = s.topology().nodes.flatMap((n) => n.pods).find((p) => p.name.startsWith('backend-'))!.ip;
    const both = s.filter(`ip.addr == ${backend} && tcp.port == 8080`);
    expect(both.ok).toBe(true);
    expect(both.indices.length).toBeGreaterThan(0);
    for (const i of both.indices) {
      const r = rows[i]!;
      expect([r.src, r.dst]).toContain(backend);
      expect(['TCP', 'HTTP']).toContain(r.protocol);
    }
    const nat = s.filter('nat');
    expect([...nat.indices]).toEqual(rows.filter((r) => r.kind === 'nat').map((r) => r.index));
    expect(s.filter('drop').indices.length).toBe(rows.filter((r) => r.kind === 'drop').length);
    expect(s.filter('!arp').indices.length).toBe(rows.filter((r) => r.protocol !== 'ARP').length);
    const bad = s.filter('ip.addr == ');
    expect(bad).toMatchObject({ ok: false, error: "expected a value after '==' at column 12" });
    expect(bad.indices.length).toBe(0);
  });

  it('the protocol words agree with the protocol column on every event', () => {
    for (const [word, column] of [['dns', 'DNS'], ['http', 'HTTP'], ['arp', 'ARP'], ['icmp', 'ICMP']] as const) {
      expect([...s.filter(word).indices], word).toEqual(rows.filter((r) => r.protocol === column).map((r) => r.index));
    }
    expect([...s.filter('tcp && !http').indices]).toEqual(rows.filter((r) => r.protocol === 'TCP').map((r) => r.index));
  });

  it('stateAt: an earlier event shows fewer conntrack entries and neighbours than a later one', () => {
    const firstCt = rows.findIndex((r) => r.kind === 'conntrack');
    const count = (i: number) => s.stateAt(i).conntrack.reduce((n, h) => n + h.entries.length, 0);
    const late = s.stateAt(s.length - 1);
    const early = s.stateAt(firstCt);
    expect(count(firstCt)).toBe(1);
    expect(late.conntrack.reduce((n, h) => n + h.entries.length, 0)).toBe(rows.filter((r) => r.kind === 'conntrack').length);
    expect(count(s.length - 1)).toBeGreaterThan(count(firstCt));
    expect(early.conntrack[0]!.entries[0]).toMatch(/^10\.244\.\d+\.\d+:\d+ > 10\.96\.0\.10:53 \| 10\.96\.0\.10:53 > /);
    expect(early.time).toBe(rows[firstCt]!.time);
    // ARP: the client learnt its gateway; the node learnt the client.
    const neigh = (st: typeof late, host: string) => st.neighbors.find((n) => n.host === host)?.entries ?? [];
    expect(neigh(s.stateAt(0), 'client')).toEqual([]);
    expect(neigh(late, 'client').some((e) => /^10\.244\.1\.1 dev eth0 lladdr 02:/.test(e))).toBe(true);
    expect(neigh(late, 'node-1').some((e) => / dev cbr0 lladdr /.test(e))).toBe(true);
    // DNS answers sent so far, and the endpoints kube-proxy had.
    expect(early.dns).toEqual([]);
    expect(late.dns.length).toBeGreaterThan(0);
    expect(late.dns[0]!.text).toMatch(/^dns-server coredns kube-system\/coredns-.*A\? backend\.default\.svc\.cluster\.local/);
    expect(late.endpoints.find((e) => e.service === 'default/backend')!.addresses).toHaveLength(2);
    // Stepping back gives the same answer as asking fresh.
    expect(s.stateAt(firstCt)).toEqual(early);
  });

  it('stateAt follows endpoint changes over time', () => {
    const scaled = ran(SMALL.replace('      expect:\n        status: 200\n', '  faults:\n    - {at: 10ms, scale: {deployment: backend, replicas: 1}}\n'));
    const eps = (i: number) => scaled.stateAt(i).endpoints.find((e) => e.service === 'default/backend')!.addresses;
    expect(eps(0)).toHaveLength(2);
    expect(eps(scaled.length - 1)).toHaveLength(1);
    expect(scaled.topology().services.find((x) => x.key === 'default/backend')!.endpoints).toHaveLength(1);
  });

  it('topology, iptables-save, pcapng and JSON lines', () => {
    const t = s.topology();
    expect(t).toMatchObject({ podCIDR: '10.244.0.0/16', serviceCIDR: '10.96.0.0/12', nodeCIDR: '192.168.49.0/24' });
    expect(t.nodes[0]).toMatchObject({ name: 'node-1', ip: '192.168.49.2', podCIDR: '10.244.1.0/24', bridgeIp: '10.244.1.1', up: true });
    const client = t.nodes.flatMap((n) => n.pods).find((p) => p.name === 'client')!;
    expect(client).toMatchObject({ key: 'default/client', node: 'node-1', host: 'client', ready: true });
    expect(rows.some((r) => r.host === client.host)).toBe(true);
    const svc = t.services.find((x) => x.key === 'default/backend')!;
    expect(svc).toMatchObject({ type: 'ClusterIP', ports: [{ name: 'http', port: 8080, targetPort: 'http', nodePort: 0, protocol: 'TCP' }], selector: { app: 'backend' } });
    expect(svc.endpoints.every((e) => /^10\.244\.\d+\.\d+:8080$/.test(e))).toBe(true);
    expect(t.externals).toEqual(expect.arrayContaining([expect.objectContaining({ role: 'dns' }), expect.objectContaining({ role: 'gateway' })]));
    expect(JSON.parse(JSON.stringify(t))).toEqual(t);

    expect(s.iptablesSave('node-2')).toMatch(/^\*nat$/m);
    expect(() => s.iptablesSave('node-9')).toThrow('no node named "node-9" (nodes: node-1, node-2)');

    const pcap = s.pcapng();
    expect(new DataView(pcap.buffer, pcap.byteOffset).getUint32(0, true)).toBe(0x0a0d0d0a);

    const lines = s.traceJson().trimEnd().split('\n');
    expect(lines.length).toBe(s.length);
    const nat = JSON.parse(lines[rows.findIndex((r) => r.kind === 'nat')]!);
    expect(nat).toMatchObject({ kind: 'nat', link: 'ipv4', detail: { manip: expect.any(String) } });
    expect(nat.bytes).toMatch(/^45[0-9a-f]+$/);
    expect(traceRow(s.trace!.event(3))).toEqual(rows[3]);
  });
});

describe('determinism and cancelling', () => {
  it('the trace hash is equal across runs and equal to `kubewire run --json`', () => {
    const a = ran().traceHash;
    const b = ran().traceHash;
    expect(a).toBe(b);
    const cli = runJson('small.yaml', runScenario(SMALL, 'small.yaml'));
    expect(cli.traceHash).toBe(a);
    // Slicing the run into many small pieces changes nothing either.
    const sliced = loaded();
    const g = sliced.run(25);
    let n = g.next();
    let yields = 0;
    while (!n.done) {
      yields++;
      n = g.next(false);
    }
    expect(yields).toBeGreaterThan(3);
    expect(n.value.traceHash).toBe(a);
  });

  it('passing true to next() cancels the run and keeps the trace so far', () => {
    const s = loaded();
    const g = s.run(25);
    const first = g.next();
    expect(first.done).toBe(false);
    const end = g.next(true);
    if (!end.done) throw new Error('the run went on after a cancel');
    const r = end.value;
    expect(r).toMatchObject({ valid: true, passed: false, stop: 'cancelled' });
    expect(r.stopMessage).toMatch(/^cancelled after \d+ events/);
    expect(s.length).toBeGreaterThan(0);
    expect(s.length).toBe(r.traceEvents);
    expect(s.rows(0, 5).length).toBe(5);
  });

  it('runDemo is kept for the e2e hash check', () => {
    expect(runDemo('nat-demo').summary.traceHash).toMatch(/^[0-9a-f]{64}$/);
    expect(() => runDemo('nope')).toThrow(/no built-in demo/);
  });
});
