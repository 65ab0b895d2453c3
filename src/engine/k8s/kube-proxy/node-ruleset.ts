/**
 * A node's whole netfilter as kube-proxy leaves it: the chains and built-in-chain jumps it
 * installs one by one at start-up (renderBuiltinJumps), then every sync's restore text loaded
 * with `iptables-restore --noflush`. The result is what `iptables-save` prints on the node.
 */
import { Netfilter } from '../../dataplane/netfilter/netfilter.ts';
import { formatRestoreError } from '../../dataplane/netfilter/restore.ts';
import { renderBuiltinJumps, type BuiltinJumps } from './render-iptables.ts';
import type { KubeProxyConfig } from './config.ts';

/** The built-in jumps and kube-proxy's own chains as iptables-restore text (mangle, filter, nat). */
export function builtinJumpsRestoreText(b: BuiltinJumps): string {
  const out: string[] = [];
  for (const table of ['mangle', 'filter', 'nat'] as const) {
    out.push(`*${table}`);
    for (const c of b.chains[table]) out.push(`:${c} - [0:0]`);
    for (const j of b.jumps) if (j.table === table) out.push(...j.rules);
    out.push('COMMIT');
  }
  return `${out.join('\n')}\n`;
}

/** Loads restore text into `nf`, throwing with the parser's positioned messages on error. */
export function restoreOrThrow(nf: Netfilter, text: string, noflush: boolean, what: string): void {
  const r = nf.restore(text, { noflush });
  if (!r.ok) throw new Error(`${what}: iptables-restore failed:\n${r.errors.map(formatRestoreError).join('\n')}`);
}

/** A fresh node's netfilter with kube-proxy's built-in jumps, then `kubeProxyText` (--noflush). */
export function nodeNetfilter(config: KubeProxyConfig, kubeProxyText: string): Netfilter {
  const nf = new Netfilter();
  restoreOrThrow(nf, builtinJumpsRestoreText(renderBuiltinJumps(config)), true, 'kube-proxy built-in jumps');
  restoreOrThrow(nf, kubeProxyText, true, 'kube-proxy sync');
  return nf;
}
