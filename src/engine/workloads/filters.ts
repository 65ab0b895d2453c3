/**
 * Rulesets for workloads: what netfilter holds on a host that the benchmark runs through.
 */
import type { Host, PacketFilter } from '../dataplane/host.ts';

/** A node's netfilter with empty tables (placeholder until the netfilter module lands). */
export function emptyNodeFilter(_host: Host): PacketFilter {
  return { evaluateHook() {} };
}
