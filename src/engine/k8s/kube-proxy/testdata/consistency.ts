/**
 * A structural check of iptables-restore text, as kube-proxy's own tests run one on every
 * rendered ruleset: each table's rules may only append to, and jump to, chains the text
 * declares (or standard targets), and a jumped-to chain must have rules (KUBE-NODEPORTS may
 * be empty). Chains that nothing references are allowed (stale chains exist in real syncs).
 */

const STANDARD_TARGETS = new Set(['ACCEPT', 'DROP', 'REJECT', 'RETURN', 'DNAT', 'SNAT', 'MASQUERADE', 'MARK']);

/** The problems found in a restore text; empty when it is consistent. */
export function restoreTextProblems(text: string): string[] {
  const problems: string[] = [];
  if (!text.endsWith('COMMIT\n')) problems.push('text does not end with "COMMIT\\n"');
  let table: string | null = null;
  let declared = new Set<string>();
  let deleted = new Set<string>();
  let filled = new Set<string>();
  let jumps: { from: string; to: string; line: number }[] = [];
  const finish = (): void => {
    for (const j of jumps) {
      if (!declared.has(j.to) || deleted.has(j.to)) problems.push(`${table}: line ${j.line} jumps to undeclared chain ${j.to}`);
      else if (!filled.has(j.to) && j.to !== 'KUBE-NODEPORTS') problems.push(`${table}: line ${j.line} jumps to empty chain ${j.to}`);
    }
  };
  text.split('\n').forEach((line, i) => {
    const n = i + 1;
    if (line === '') return;
    if (line.startsWith('*')) {
      if (table !== null) problems.push(`line ${n}: table ${line} starts before COMMIT`);
      table = line.slice(1);
      declared = new Set();
      deleted = new Set();
      filled = new Set();
      jumps = [];
      return;
    }
    if (table === null) {
      problems.push(`line ${n}: outside a table: ${line}`);
      return;
    }
    if (line === 'COMMIT') {
      finish();
      table = null;
      return;
    }
    const chainLine = /^:(\S+) - \[0:0\]$/.exec(line);
    if (chainLine) {
      if (declared.has(chainLine[1]!)) problems.push(`${table}: line ${n} declares ${chainLine[1]} twice`);
      declared.add(chainLine[1]!);
      return;
    }
    const del = /^-X (\S+)$/.exec(line);
    if (del) {
      if (!declared.has(del[1]!)) problems.push(`${table}: line ${n} deletes undeclared ${del[1]}`);
      deleted.add(del[1]!);
      return;
    }
    const rule = /^-A (\S+)(.*)$/.exec(line);
    if (!rule) {
      problems.push(`${table}: line ${n} is not a rule: ${line}`);
      return;
    }
    const chain = rule[1]!;
    if (!declared.has(chain)) problems.push(`${table}: line ${n} appends to undeclared chain ${chain}`);
    filled.add(chain);
    const target = / -j (\S+)/.exec(rule[2]!)?.[1];
    if (target !== undefined && !STANDARD_TARGETS.has(target)) jumps.push({ from: chain, to: target, line: n });
  });
  if (table !== null) problems.push(`table ${table} has no COMMIT`);
  return problems;
}
