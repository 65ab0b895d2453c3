/**
 * `dig` inside the cluster: one lookup from a pod through its own resolv.conf (search list and
 * ndots as the pod has them), on the wire like any other query, printed as BIND's dig prints it.
 */
import { formatDig, digWhen } from '../apps/dig-format.ts';
import { resolve } from '../apps/stub-resolver.ts';
import { encodeDns } from '../wire/dns.ts';
import { formatIpv4 } from '../wire/addr.ts';
import { SIM_EPOCH_MS } from '../sim/time.ts';
import type { World } from './world.ts';

/** What a dig run printed, and dig's exit status (0 answered, 9 no reply). */
export interface DigOutcome {
  text: string;
  code: number;
}

/** Runs one query from pod `podKey` ("ns/name") in `world` and formats the reply. */
export function digFromPod(world: World, podKey: string, qname: string, qtype: string, type: number, opts: { short?: boolean; json?: boolean } = {}): DigOutcome {
  const rt = world.pods.get(podKey);
  if (!rt) throw new Error(`pod ${podKey} is not running (pods: ${[...world.pods.keys()].join(', ')})`);
  const out: DigOutcome = { text: '', code: 0 };
  const sim = world.sim;
  sim.after(0, () =>
    resolve(rt.net.host, rt.resolv, qname, type, (r) => {
      const reply = r.replies[r.replies.length - 1];
      const answer = r.log.find((l) => l.event === 'answer');
      const server = answer?.server ?? rt.resolv.nameservers[0] ?? 0;
      if (opts.json) {
        out.text = `${JSON.stringify({ from: podKey, qname, qtype, status: r.status, rcode: r.rcode, answeredName: r.answeredName, queries: r.queries, answers: r.answers, server: formatIpv4(server), resolvConf: rt.resolvConfText }, null, 2)}\n`;
      } else if (!reply) {
        out.text = `;; communications error: ${r.status} (no reply from ${formatIpv4(server)})\n`;
        out.code = 9;
      } else {
        out.text = formatDig(reply, {
          qname: r.answeredName ?? qname,
          qtype,
          server: formatIpv4(server),
          transport: answer?.transport ?? 'udp',
          queryTimeMs: (r.finishedAt - r.startedAt) / 1e6,
          msgSize: encodeDns(reply).length,
          when: digWhen(SIM_EPOCH_MS / 1000 + Math.floor(sim.now / 1e9)),
          short: opts.short,
        });
      }
      sim.stop();
    }),
  );
  sim.run(sim.now + 60_000_000_000);
  return out;
}
