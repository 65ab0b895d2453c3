/**
 * Packet evaluation through kube-proxy's rules (shared/docs/kube-proxy-iptables.md §8) and
 * the chain-walking semantics of ipt_do_table: jump, goto, RETURN, fall-through, policies.
 */
import { describe, expect, it } from 'vitest';
import { ipv4 } from '../../wire/addr.ts';
import { RandomStream } from '../../sim/rng.ts';
import { evaluateHook, resetTraverseResult, traverse } from './eval.ts';
import { Netfilter } from './netfilter.ts';
import { formatRestoreError } from './restore.ts';
import { CtState, Hook, NatKind, newTraverseResult, Verdict, type NfEnv, type NfPacket, type TraverseResult } from './types.ts';

const SVC = 'KUBE-SVC-XPGD46QRK7WJZT7O';
const EXT = 'KUBE-EXT-XPGD46QRK7WJZT7O';
const SEP1 = 'KUBE-SEP-SXIVWICOYRO3J4NJ';
const SEP2 = 'KUBE-SEP-LXVODXWDISEETFEF';
const NODE_IP = ipv4('192.168.0.10');
const CLUSTER_IP = ipv4('172.30.0.41');
const SEC = 1e9;

/** kube-proxy's nat rules for ns1/svc1:p80: ClusterIP + NodePort 3001, two endpoints, optional affinity. */
function kubeNat(affinity: boolean): string {
  const rc = (sep: string, ep: string) =>
    affinity ? `-A ${SVC} -m comment --comment "ns1/svc1:p80 -> ${ep}" -m recent --name ${sep} --rcheck --seconds 10800 --reap -j ${sep}\n` : '';
  const set = (sep: string) => (affinity ? `-m recent --name ${sep} --set ` : '');
  return `*nat
:KUBE-NODEPORTS - [0:0]
:KUBE-SERVICES - [0:0]
:KUBE-MARK-MASQ - [0:0]
:KUBE-POSTROUTING - [0:0]
:${EXT} - [0:0]
:${SVC} - [0:0]
:${SEP1} - [0:0]
:${SEP2} - [0:0]
-A KUBE-POSTROUTING -m mark ! --mark 0x00004000/0x00004000 -j RETURN
-A KUBE-POSTROUTING -j MARK --xor-mark 0x00004000
-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully
-A KUBE-MARK-MASQ -j MARK --or-mark 0x00004000
-A KUBE-SERVICES -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 -j ${SVC}
-A KUBE-NODEPORTS -m comment --comment ns1/svc1:p80 -m tcp -p tcp --dport 3001 -j ${EXT}
-A ${EXT} -m comment --comment "masquerade traffic for ns1/svc1:p80 external destinations" -j KUBE-MARK-MASQ
-A ${EXT} -j ${SVC}
-A ${SVC} -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ
${rc(SEP1, '10.180.0.1:80')}${rc(SEP2, '10.180.0.2:80')}-A ${SVC} -m comment --comment "ns1/svc1:p80 -> 10.180.0.1:80" -m statistic --mode random --probability 0.5000000000 -j ${SEP1}
-A ${SVC} -m comment --comment "ns1/svc1:p80 -> 10.180.0.2:80" -j ${SEP2}
-A ${SEP1} -m comment --comment ns1/svc1:p80 -s 10.180.0.1 -j KUBE-MARK-MASQ
-A ${SEP1} -m comment --comment ns1/svc1:p80 ${set(SEP1)}-m tcp -p tcp -j DNAT --to-destination 10.180.0.1:80
-A ${SEP2} -m comment --comment ns1/svc1:p80 -s 10.180.0.2 -j KUBE-MARK-MASQ
-A ${SEP2} -m comment --comment ns1/svc1:p80 ${set(SEP2)}-m tcp -p tcp -j DNAT --to-destination 10.180.0.2:80
-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS
COMMIT
*nat
-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING
COMMIT
`;
}

/** A host env whose random() replays `draws` (then 0.99) and counts the calls. */
class TestEnv implements NfEnv {
  now = 0;
  draws = 0;
  constructor(private readonly seq: number[] = [], readonly local: number[] = [NODE_IP, ipv4('127.0.0.1')]) {}
  isLocal(a: number): boolean {
    return this.local.includes(a) || a >>> 24 === 127;
  }
  random(): number {
    return this.seq[this.draws++] ?? 0.99;
  }
}

function pkt(src: string, dst: string, dport: number, extra: Partial<NfPacket> = {}): NfPacket {
  return { src: ipv4(src), dst: ipv4(dst), proto: 6, sport: 40000, dport, icmpType: -1, inIface: 'eth0', outIface: '', mark: 0, ctState: CtState.NEW, ...extra };
}

function load(text: string): Netfilter {
  const nf = new Netfilter();
  const r = nf.restore(text, { noflush: true });
  if (!r.ok) throw new Error(r.errors.map(formatRestoreError).join('\n'));
  return nf;
}

function run(nf: Netfilter, hook: Hook, p: NfPacket, env: NfEnv, natAllowed = true): TraverseResult {
  const out = newTraverseResult();
  evaluateHook(nf, hook, p, env, out, true, natAllowed);
  return out;
}

const chainsOf = (out: TraverseResult) => out.path.map((r) => `${r.chain}#${r.index}`);

describe('kube-proxy ClusterIP / NodePort flows (§8)', () => {
  it('DNATs to the endpoint the statistic ladder picks, drawing only when the rule is reached', () => {
    const nf = load(kubeNat(false));
    const env = new TestEnv([0.3, 0.7]);
    const a = run(nf, Hook.PREROUTING, pkt('10.1.0.5', '172.30.0.41', 80), env);
    expect(a.nat).toBe(NatKind.DNAT);
    expect([a.natAddrMin, a.natPortMin, a.natPortMax]).toEqual([ipv4('10.180.0.1'), 80, 80]);
    expect(chainsOf(a)).toEqual(['PREROUTING#1', 'KUBE-SERVICES#1', `${SVC}#2`, `${SEP1}#2`]);
    // PREROUTING 1 + KUBE-SERVICES 1 + SVC 2 + SEP 2 (the hairpin rule fails first).
    expect(a.rulesEvaluated).toBe(6);
    expect(a.path[1]!.text).toBe(`-A KUBE-SERVICES -d 172.30.0.41/32 -p tcp -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp --dport 80 -j ${SVC}`);
    const b = run(nf, Hook.PREROUTING, pkt('10.1.0.5', '172.30.0.41', 80), env);
    expect(b.natAddrMin).toBe(ipv4('10.180.0.2'));
    expect(env.draws).toBe(2);
    // Traffic that matches no service draws nothing.
    run(nf, Hook.PREROUTING, pkt('10.1.0.5', '172.30.0.42', 80), env);
    expect(env.draws).toBe(2);
  });

  it('spreads connections evenly over three endpoints with the 1/k ladder', () => {
    const eps = ['10.0.0.1', '10.0.0.2', '10.0.0.3'];
    const nf = load(`*nat
:S - [0:0]
-A PREROUTING -d 172.30.0.1 -p tcp --dport 80 -j S
-A S -p tcp -m statistic --mode random --probability 0.3333333333 -j DNAT --to-destination ${eps[0]}:80
-A S -p tcp -m statistic --mode random --probability 0.5000000000 -j DNAT --to-destination ${eps[1]}:80
-A S -p tcp -j DNAT --to-destination ${eps[2]}:80
COMMIT
`);
    const rng = new RandomStream(42);
    const env: NfEnv = { now: 0, isLocal: () => false, random: () => rng.next() };
    const counts = new Map<number, number>();
    const out = newTraverseResult();
    for (let i = 0; i < 30000; i++) {
      evaluateHook(nf, Hook.PREROUTING, pkt('10.1.0.5', '172.30.0.1', 80), env, out, false, true);
      counts.set(out.natAddrMin, (counts.get(out.natAddrMin) ?? 0) + 1);
    }
    for (const ep of eps) expect(Math.abs(counts.get(ipv4(ep))! / 30000 - 1 / 3)).toBeLessThan(0.015);
  });

  it('marks off-cluster sources (! -s podCIDR) and MASQUERADEs them in POSTROUTING via KUBE-POSTROUTING', () => {
    const nf = load(kubeNat(false));
    const env = new TestEnv([0.1]);
    const p = pkt('192.168.5.5', '172.30.0.41', 80);
    const pre = run(nf, Hook.PREROUTING, p, env);
    expect(pre.nat).toBe(NatKind.DNAT);
    expect(p.mark).toBe(0x4000);
    expect(chainsOf(pre)).toEqual(['PREROUTING#1', 'KUBE-SERVICES#1', `${SVC}#1`, 'KUBE-MARK-MASQ#1', `${SVC}#2`, `${SEP1}#2`]);
    // After DNAT the stack routes the packet on; POSTROUTING sees the endpoint address.
    p.dst = ipv4('10.180.0.1');
    p.outIface = 'eth1';
    const post = run(nf, Hook.POSTROUTING, p, env);
    expect(post.nat).toBe(NatKind.MASQUERADE);
    expect(post.natRandomFully).toBe(true);
    expect(p.mark).toBe(0); // the xor cleared it (§6.1)
    expect(chainsOf(post)).toEqual(['POSTROUTING#1', 'KUBE-POSTROUTING#2', 'KUBE-POSTROUTING#3']);

    // A pod source keeps its address: no mark, KUBE-POSTROUTING returns, policy ACCEPT.
    const q = pkt('10.1.0.5', '172.30.0.41', 80);
    run(nf, Hook.PREROUTING, q, env);
    expect(q.mark).toBe(0);
    const post2 = run(nf, Hook.POSTROUTING, { ...q, dst: ipv4('10.180.0.1') }, env);
    expect(post2.nat).toBe(NatKind.NONE);
    expect(post2.byPolicy).toBe(true);
    expect(chainsOf(post2)).toEqual(['POSTROUTING#1', 'KUBE-POSTROUTING#1']);
  });

  it('marks a hairpin connection (the pod picked itself) for masquerade', () => {
    const nf = load(kubeNat(false));
    const p = pkt('10.180.0.1', '172.30.0.41', 80);
    run(nf, Hook.PREROUTING, p, new TestEnv([0.1]));
    expect(p.mark).toBe(0x4000);
  });

  it('reaches NodePorts only for local destinations (addrtype --dst-type LOCAL) and always masquerades them', () => {
    const nf = load(kubeNat(false));
    const env = new TestEnv([0.9]);
    const local = pkt('203.0.113.9', '192.168.0.10', 3001);
    const r = run(nf, Hook.PREROUTING, local, env);
    expect(r.nat).toBe(NatKind.DNAT);
    expect(r.natAddrMin).toBe(ipv4('10.180.0.2'));
    expect(local.mark).toBe(0x4000);
    expect(chainsOf(r)).toContain('KUBE-NODEPORTS#1');
    const remote = run(nf, Hook.PREROUTING, pkt('203.0.113.9', '192.168.0.11', 3001), env);
    expect(remote.nat).toBe(NatKind.NONE);
    expect(remote.rulesEvaluated).toBe(3); // PREROUTING 1, KUBE-SERVICES 2
  });

  it('skips the nat table unless the packet is its connection first', () => {
    const nf = load(kubeNat(false));
    const r = run(nf, Hook.PREROUTING, pkt('10.1.0.5', '172.30.0.41', 80), new TestEnv(), false);
    expect(r.nat).toBe(NatKind.NONE);
    expect(r.rulesEvaluated).toBe(0);
  });
});

describe('session affinity with -m recent (§7.7, §8 "Affinity")', () => {
  it('sticks a client to the endpoint it first got, for the timeout, and only that client', () => {
    const nf = load(kubeNat(true));
    const env = new TestEnv([0.9, 0.1, 0.1]);
    const first = run(nf, Hook.PREROUTING, pkt('10.1.0.5', '172.30.0.41', 80), env);
    expect(first.natAddrMin).toBe(ipv4('10.180.0.2'));
    expect(env.draws).toBe(1);
    // An hour later the same client: the rcheck rule for SEP2 matches before any draw.
    env.now = 3600 * SEC;
    const again = run(nf, Hook.PREROUTING, pkt('10.1.0.5', '172.30.0.41', 80, { sport: 40001 }), env);
    expect(again.natAddrMin).toBe(ipv4('10.180.0.2'));
    expect(env.draws).toBe(1);
    expect(chainsOf(again)).toContain(`${SVC}#3`);
    // Another client is not sticky: it draws (0.1 → SEP1).
    const other = run(nf, Hook.PREROUTING, pkt('10.1.0.6', '172.30.0.41', 80), env);
    expect(other.natAddrMin).toBe(ipv4('10.180.0.1'));
    expect(env.draws).toBe(2);
    // 10800 s after the last --set the entry has expired: the first client draws again (0.1 → SEP1).
    env.now = 3600 * SEC + 10801 * SEC;
    const later = run(nf, Hook.PREROUTING, pkt('10.1.0.5', '172.30.0.41', 80), env);
    expect(later.natAddrMin).toBe(ipv4('10.180.0.1'));
    expect(env.draws).toBe(3);
  });

  it('keeps at most recentListMax addresses per list, evicting the oldest', () => {
    const nf = new Netfilter({ recentListMax: 2 });
    expect(nf.restore('*filter\n-A INPUT -m recent --set --name L\nCOMMIT\n').ok).toBe(true);
    const env = new TestEnv();
    for (const s of ['1.0.0.1', '1.0.0.2', '1.0.0.3']) run(nf, Hook.INPUT, pkt(s, '9.9.9.9', 1), env);
    expect([...nf.state.recent.get('L')!.entries.keys()]).toEqual([ipv4('1.0.0.2'), ipv4('1.0.0.3')]);
  });
});

describe('filter table: REJECT and the fixed rules', () => {
  const FILTER = `*filter
:KUBE-SERVICES - [0:0]
:KUBE-FIREWALL - [0:0]
:KUBE-FORWARD - [0:0]
-A KUBE-SERVICES -m comment --comment "ns1/svc2:p80 has no endpoints" -m tcp -p tcp -d 172.30.0.42 --dport 80 -j REJECT
-A KUBE-FIREWALL -m comment --comment "block incoming localnet connections" -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP
-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP
-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT
-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-I OUTPUT 1 -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-I FORWARD 1 -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD
-I INPUT 1 -j KUBE-FIREWALL
-P FORWARD DROP
COMMIT
`;

  it('REJECTs new connections to a service without endpoints with icmp-port-unreachable', () => {
    const nf = load(FILTER);
    const r = run(nf, Hook.OUTPUT, pkt('192.168.0.10', '172.30.0.42', 80), new TestEnv());
    expect(r.verdict).toBe(Verdict.REJECT);
    expect(r.rejectWith).toBe('icmp-port-unreachable');
    expect(r.byPolicy).toBe(false);
    const est = run(nf, Hook.OUTPUT, pkt('192.168.0.10', '172.30.0.42', 80, { ctState: CtState.ESTABLISHED }), new TestEnv());
    expect(est.verdict).toBe(Verdict.ACCEPT);
    expect(est.byPolicy).toBe(true);
  });

  it('drops martian localnet traffic unless it is DNATed or established (ctstate with !)', () => {
    const nf = load(FILTER);
    const env = new TestEnv();
    expect(run(nf, Hook.INPUT, pkt('192.168.0.7', '127.0.0.1', 3001), env).verdict).toBe(Verdict.DROP);
    expect(run(nf, Hook.INPUT, pkt('192.168.0.7', '127.0.0.1', 3001, { ctState: CtState.NEW | CtState.DNAT }), env).verdict).toBe(Verdict.ACCEPT);
    expect(run(nf, Hook.INPUT, pkt('127.0.0.1', '127.0.0.1', 3001), env).verdict).toBe(Verdict.ACCEPT);
  });

  it('applies the chain policy (DROP) and counts it; accepts marked or established forwards', () => {
    const nf = load(FILTER);
    const env = new TestEnv();
    const plain = run(nf, Hook.FORWARD, pkt('10.1.0.5', '10.2.0.5', 80), env);
    expect([plain.verdict, plain.byPolicy]).toEqual([Verdict.DROP, true]);
    expect(nf.table('filter').chains.get('FORWARD')!.counters.packets).toBe(1);
    expect(run(nf, Hook.FORWARD, pkt('10.1.0.5', '10.2.0.5', 80, { mark: 0x4000 }), env).verdict).toBe(Verdict.ACCEPT);
    expect(run(nf, Hook.FORWARD, pkt('10.1.0.5', '10.2.0.5', 80, { ctState: CtState.ESTABLISHED }), env).verdict).toBe(Verdict.ACCEPT);
    expect(run(nf, Hook.FORWARD, pkt('10.1.0.5', '10.2.0.5', 80, { ctState: CtState.INVALID }), env).verdict).toBe(Verdict.DROP);
    expect(nf.save({ counters: true })).toContain('[1:0] -A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP');
  });
});

describe('chain walking (ipt_do_table)', () => {
  const walk = (text: string, p: NfPacket, hook = Hook.INPUT) => run(load(`*filter\n${text}\nCOMMIT\n`), hook, p, new TestEnv());

  it('jump returns to the next rule of the caller; goto returns to the caller of the caller', () => {
    const chains = ':A - [0:0]\n:B - [0:0]\n-A B -s 1.1.1.1 -j DROP\n-A INPUT -j A\n-A INPUT -j REJECT';
    const p = pkt('2.2.2.2', '3.3.3.3', 1);
    const jump = walk(`${chains}\n-A A -j B\n-A A -j ACCEPT`, p);
    expect(jump.verdict).toBe(Verdict.ACCEPT);
    expect(chainsOf(jump)).toEqual(['INPUT#1', 'A#1', 'A#2']);
    const go = walk(`${chains}\n-A A -g B\n-A A -j ACCEPT`, p);
    expect(go.verdict).toBe(Verdict.REJECT);
    expect(chainsOf(go)).toEqual(['INPUT#1', 'A#1', 'INPUT#2']);
    expect(go.rulesEvaluated).toBe(4); // INPUT#1, A#1, B#1, INPUT#2
  });

  it('goto from a built-in chain ends in its policy when the target falls through', () => {
    const r = walk(':B - [0:0]\n-A INPUT -g B\n-A INPUT -j DROP\n-P INPUT ACCEPT', pkt('2.2.2.2', '3.3.3.3', 1));
    expect([r.verdict, r.byPolicy]).toEqual([Verdict.ACCEPT, true]);
  });

  it('RETURN leaves a user chain early, and in a built-in chain applies the policy', () => {
    const r = walk(':A - [0:0]\n-A A -j RETURN\n-A A -j DROP\n-A INPUT -j A\n-A INPUT -j RETURN\n-A INPUT -j DROP\n-P INPUT DROP', pkt('2.2.2.2', '3.3.3.3', 1));
    expect([r.verdict, r.byPolicy]).toEqual([Verdict.DROP, true]);
    expect(chainsOf(r)).toEqual(['INPUT#1', 'A#1', 'INPUT#2']);
    expect(r.rulesEvaluated).toBe(3);
  });

  it('a rule without target counts and continues; MARK continues too', () => {
    const r = walk('-A INPUT -m comment --comment note\n-A INPUT -j MARK --set-xmark 0x5/0xf\n-A INPUT -m mark --mark 0x5/0xf -j DROP', pkt('1.1.1.1', '2.2.2.2', 1, { mark: 0x1234 }));
    expect(r.verdict).toBe(Verdict.DROP);
    expect(chainsOf(r)).toEqual(['INPUT#1', 'INPUT#2', 'INPUT#3']);
  });

  it('matches negations, interfaces with + wildcards, ports, multiport, icmp and addrtype', () => {
    const p = (extra: Partial<NfPacket>) => pkt('10.1.2.3', '192.168.0.10', 8080, extra);
    const verdict = (rule: string, q: NfPacket) => walk(`-A INPUT ${rule} -j DROP`, q).verdict === Verdict.DROP;
    expect(verdict('! -s 10.0.0.0/8', p({}))).toBe(false);
    expect(verdict('! -s 10.0.0.0/8', p({ src: ipv4('11.0.0.1') }))).toBe(true);
    expect(verdict('! -d 192.168.0.10', p({}))).toBe(false);
    expect(verdict('-i cali+', p({ inIface: 'cali12345' }))).toBe(true);
    expect(verdict('-i cali+', p({ inIface: 'eth0' }))).toBe(false);
    expect(verdict('! -i cali+', p({ inIface: 'eth0' }))).toBe(true);
    expect(verdict('-o eth1', p({ outIface: '' }))).toBe(false);
    expect(verdict('! -p udp', p({}))).toBe(true);
    expect(verdict('-p tcp --dport 8000:9000', p({}))).toBe(true);
    expect(verdict('-p tcp ! --dport 8000:9000', p({}))).toBe(false);
    expect(verdict('-p tcp --sport 40000 --dport 80', p({}))).toBe(false);
    expect(verdict('-p tcp -m multiport --dports 80,8080', p({}))).toBe(true);
    expect(verdict('-p tcp -m multiport --ports 40000', p({}))).toBe(true);
    expect(verdict('-p tcp -m multiport ! --dports 80,8080', p({}))).toBe(false);
    expect(verdict('-p icmp --icmp-type echo-request', p({ proto: 1, icmpType: 8, dport: 0, sport: 0 }))).toBe(true);
    expect(verdict('-p icmp --icmp-type echo-request', p({ proto: 1, icmpType: 0, dport: 0, sport: 0 }))).toBe(false);
    expect(verdict('-m addrtype --dst-type LOCAL', p({}))).toBe(true);
    expect(verdict('-m addrtype ! --dst-type LOCAL', p({}))).toBe(false);
    expect(verdict('-m addrtype --src-type UNICAST', p({}))).toBe(true);
    expect(verdict('-m addrtype --dst-type MULTICAST', p({ dst: ipv4('224.0.0.251') }))).toBe(true);
    expect(verdict('-m conntrack --ctstatus ASSURED', p({ ctStatus: 4 }))).toBe(true);
    expect(verdict('-m conntrack --ctstatus ASSURED', p({}))).toBe(false);
    expect(verdict('-m state --state NEW', p({}))).toBe(true);
    expect(verdict('-m mark ! --mark 0x1', p({ mark: 1 }))).toBe(false);
    expect(verdict('-m statistic --mode random ! --probability 1', p({}))).toBe(false);
  });

  it('runs the tables of a hook in Linux order: a mangle MARK is seen by nat, filter runs after nat in OUTPUT', () => {
    const nf = load(`*mangle
-A OUTPUT -p tcp --dport 80 -j MARK --set-mark 0x7
COMMIT
*nat
-A OUTPUT -p tcp -m mark --mark 0x7 -j DNAT --to-destination 10.0.0.1:8080
COMMIT
*filter
-A OUTPUT -m mark --mark 0x7 -j REJECT
COMMIT
`);
    const r = run(nf, Hook.OUTPUT, pkt('192.168.0.10', '1.2.3.4', 80), new TestEnv());
    expect(r.nat).toBe(NatKind.DNAT);
    expect(r.verdict).toBe(Verdict.REJECT);
    expect(r.path.map((x) => x.table)).toEqual(['mangle', 'nat', 'filter']);
  });

  it('traverse accumulates without resetting; resetTraverseResult clears', () => {
    const nf = load('*filter\n-A INPUT -s 1.1.1.1 -j ACCEPT\nCOMMIT\n');
    const out = newTraverseResult();
    const env = new TestEnv();
    traverse(nf.table('filter'), Hook.INPUT, pkt('2.2.2.2', '3.3.3.3', 1), env, out, true);
    traverse(nf.table('filter'), Hook.INPUT, pkt('1.1.1.1', '3.3.3.3', 1), env, out, true);
    expect(out.rulesEvaluated).toBe(2);
    expect(out.path).toHaveLength(1);
    resetTraverseResult(out);
    expect([out.rulesEvaluated, out.path.length]).toEqual([0, 0]);
  });

  it('picks up rules from a later restore (the compiled form is rebuilt)', () => {
    const nf = load('*filter\n-A INPUT -j ACCEPT\nCOMMIT\n');
    const env = new TestEnv();
    expect(run(nf, Hook.INPUT, pkt('1.1.1.1', '2.2.2.2', 1), env).byPolicy).toBe(false);
    expect(nf.restore('*filter\n-D INPUT 1\n-A INPUT -j DROP\nCOMMIT\n', { noflush: true }).ok).toBe(true);
    expect(run(nf, Hook.INPUT, pkt('1.1.1.1', '2.2.2.2', 1), env).verdict).toBe(Verdict.DROP);
  });
});
