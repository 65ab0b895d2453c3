/**
 * A host's netfilter that is another host's except for a few chains: kube-proxy's rules on a
 * node with node-local endpoints differ from its neighbours' only in those Services' chains, so
 * 5,000 nodes need one parsed and compiled ruleset plus small per-node overlays instead of
 * 5,000 copies of 460,000 rules (docs/performance.md).
 *
 * Evaluation walks the base's compiled chains and the overlay's own, exactly as a table built
 * from the merged chains would (eval.ts compileOverlay). What is shared with the base: the
 * rules, their indexes and counters of every chain the overlay does not replace, and xt_recent
 * lists of those rules (so do not overlay rulesets with `-m recent`, e.g. session affinity,
 * if per-host affinity matters). `table(name).chains` is the merged view, made when read
 * (iptables-save, a later restore); a restore into an overlay makes its tables its own.
 */
import { Netfilter } from './netfilter.ts';
import { compileOverlay, compileTable } from './eval.ts';
import { TABLE_NAMES, type Chain, type Rule, type TableName } from './rule.ts';

/** Changed chains per table: the chain's rules, or null for a chain the overlay lacks. */
export type NetfilterChanges = ReadonlyMap<TableName, ReadonlyMap<string, readonly Rule[] | null>>;

/** A netfilter whose chains are `base`'s except `changes`. The Rule objects given become the overlay's own. */
export function overlayNetfilter(base: Netfilter, changes: NetfilterChanges): Netfilter {
  const nf = new Netfilter({ loadedTables: TABLE_NAMES.filter((n) => base.table(n).loaded) });
  for (const name of TABLE_NAMES) {
    const t = nf.table(name);
    const bt = base.table(name);
    const bct = bt.compiled ?? compileTable(bt);
    const changed = new Map<string, Chain | null>();
    for (const [cname, rules] of changes.get(name) ?? []) {
      if (rules === null) {
        changed.set(cname, null);
        continue;
      }
      const old = bt.chains.get(cname);
      changed.set(cname, {
        name: cname,
        builtin: old?.builtin ?? false,
        policy: old?.policy ?? null,
        rules: [...rules],
        counters: old?.builtin ? old.counters : { packets: 0, bytes: 0 },
      });
    }
    t.compiled = changed.size === 0 ? bct : compileOverlay(t, bct, changed);
    let merged: Map<string, Chain> | null = null;
    Object.defineProperty(t, 'chains', {
      // Made afresh on every read (iptables-save shows the counters as they stand) until a restore sets it.
      get: () => merged ?? mergeChains(bt.chains, changed),
      set: (v: Map<string, Chain>) => {
        merged = v;
      },
      enumerable: true,
      configurable: true,
    });
  }
  return nf;
}

/**
 * The overlay's chains as one Map: the base's, with the changes applied. Rules of base chains
 * are copied (with their counters as they stand), so compiling the merged table later never
 * takes over the base's counters.
 */
function mergeChains(base: ReadonlyMap<string, Chain>, changed: ReadonlyMap<string, Chain | null>): Map<string, Chain> {
  const m = new Map<string, Chain>();
  for (const [name, c] of base) {
    if (changed.has(name)) continue;
    m.set(name, {
      name,
      builtin: c.builtin,
      policy: c.policy,
      rules: c.rules.map((r) => ({ ...r, counters: { packets: r.counters.packets, bytes: r.counters.bytes } })),
      counters: c.counters,
    });
  }
  for (const [name, c] of changed) if (c !== null) m.set(name, c);
  return m;
}
