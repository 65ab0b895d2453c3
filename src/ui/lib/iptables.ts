/**
 * Finding a netfilter rule inside a node's `iptables-save` text, so the "Why here" view can mark
 * the rule that decided and the jumps that led to it. Rules in trace details are printed exactly
 * as iptables-save prints them (`-A CHAIN …`), so a whitespace-normalised comparison suffices.
 */

/** One table of an iptables-save dump: its name and its lines (with their line numbers in the dump). */
export interface SaveTable {
  name: string;
  /** 0-based line index of `*name` in the whole dump. */
  start: number;
  lines: string[];
}

const norm = (s: string): string => s.trim().replace(/\s+/g, ' ');

/** Splits a dump into its tables (`*filter` … `COMMIT`). */
export function splitTables(text: string): SaveTable[] {
  const out: SaveTable[] = [];
  let cur: SaveTable | null = null;
  text.split('\n').forEach((line, i) => {
    if (line.startsWith('*')) {
      cur = { name: line.slice(1).trim(), start: i, lines: [] };
      out.push(cur);
    }
    if (cur) cur.lines.push(line);
    if (line.trim() === 'COMMIT') cur = null;
  });
  return out;
}

/** A dump split once, for finding many rules in it (a step marks several; the text is large). */
export interface RulesetIndex {
  text: string;
  tables: SaveTable[];
  /** The 0-based line index of `rule` in the dump (its first, inside `table` when given; spacing
   * ignored); -1 when absent. */
  find(rule: string, table?: string): number;
}

/** Indexes a dump: its tables, and each normalised line's first position overall and per table. */
export function indexRuleset(text: string): RulesetIndex {
  const any = new Map<string, number>();
  const inTable = new Map<string, number>();
  let current = '';
  text.split('\n').forEach((line, i) => {
    if (line.startsWith('*')) current = line.slice(1).trim();
    const key = norm(line);
    if (!any.has(key)) any.set(key, i);
    const tk = `${current}\u0000${key}`;
    if (!inTable.has(tk)) inTable.set(tk, i);
  });
  return {
    text,
    tables: splitTables(text),
    find(rule: string, table?: string): number {
      const want = norm(rule);
      if (!want) return -1;
      return (table ? inTable.get(`${table}\u0000${want}`) : any.get(want)) ?? -1;
    },
  };
}

/** The chain a rule line appends to (`-A KUBE-SVC-X …` → KUBE-SVC-X); '' when it is not a rule. */
export function ruleChain(rule: string): string {
  const m = /^\s*-A\s+(\S+)/.exec(rule);
  return m ? m[1]! : '';
}
