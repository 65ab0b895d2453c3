/**
 * One host's netfilter: the raw, mangle, filter and nat tables with their built-in chains
 * (ACCEPT policies), the xt_recent lists they share, and the restore/save entry points
 * (architecture.md Practice 11: what `iptables-save` shows is exactly what runs).
 * Packets go through `evaluateHook` (eval.ts), also offered as a method for the host's stack.
 */
import { newTable, TABLE_NAMES, type NfState, type Table, type TableName } from './rule.ts';
import { restoreNetfilter, type RestoreOptions, type RestoreResult } from './restore.ts';
import { saveNetfilter, type SaveOptions } from './save.ts';
import { evaluateHook } from './eval.ts';
import type { Hook, NfEnv, NfPacket, TraverseResult } from './types.ts';

/** Options of a Netfilter. */
export interface NetfilterOptions {
  /** xt_recent ip_list_tot: addresses per recent list before the oldest is evicted (kernel default 100). */
  recentListMax?: number;
  /** Tables iptables-save shows before any restore touches them (default all four). */
  loadedTables?: readonly TableName[];
}

/** The tables each hook runs, in Linux's order (types.ts has the diagram). */
export const HOOK_TABLES: readonly (readonly TableName[])[] = [
  /* PREROUTING  */ ['raw', 'mangle', 'nat'],
  /* INPUT       */ ['mangle', 'filter', 'nat'],
  /* FORWARD     */ ['mangle', 'filter'],
  /* OUTPUT      */ ['raw', 'mangle', 'nat', 'filter'],
  /* POSTROUTING */ ['mangle', 'nat'],
];

/** An in-memory ruleset for one host. */
export class Netfilter {
  /** Shared state (recent lists). */
  readonly state: NfState;
  private readonly byName: Record<TableName, Table>;
  /** The Table objects of each hook in Linux order (stable: restores replace a table's chains, not the table). */
  readonly hookTables: readonly (readonly Table[])[];

  constructor(opts: NetfilterOptions = {}) {
    this.state = { recent: new Map(), recentListMax: opts.recentListMax ?? 100 };
    const loaded = opts.loadedTables ?? TABLE_NAMES;
    const t = (n: TableName): Table => newTable(n, this.state, loaded.includes(n));
    this.byName = { filter: t('filter'), nat: t('nat'), mangle: t('mangle'), raw: t('raw') };
    this.hookTables = HOOK_TABLES.map((names) => names.map((n) => this.byName[n]));
  }

  /** The table of that name. */
  table(name: TableName): Table {
    return this.byName[name];
  }

  /** Loads iptables-restore text; all or nothing; never throws (restore.ts). */
  restore(text: string, opts: RestoreOptions = {}): RestoreResult {
    return restoreNetfilter(this, text, opts);
  }

  /** The ruleset as iptables-save prints it (save.ts). */
  save(opts: SaveOptions = {}): string {
    return saveNetfilter(this, opts);
  }

  /**
   * Runs the tables of `hook` in Linux order into `out` (eval.ts evaluateHook); the nat table
   * only when `natAllowed` (the packet is its connection's first). Host's PacketFilter contract.
   */
  evaluateHook(hook: Hook, pkt: NfPacket, env: NfEnv, out: TraverseResult, recordPath: boolean, natAllowed: boolean): void {
    evaluateHook(this, hook, pkt, env, out, recordPath, natAllowed);
  }

  /** The tables a hook runs, in order (for callers that step table by table). */
  tablesAt(hook: Hook): readonly Table[] {
    return this.hookTables[hook]!;
  }
}
