/**
 * Inspection commands that build a scenario's cluster and print a view of it:
 * `rules` (kube-proxy's restore text), `iptables-save` (a node's whole ruleset), `get`
 * (kubectl-style), `dig` (a query through a pod's resolver). `--at TIME` runs the scenario's
 * traffic and faults up to that simulated time first.
 */
import { basename } from 'node:path';
import { loadScenario, formatProblem } from '../../engine/scenario/parse.ts';
import { buildWorld, type World } from '../../engine/scenario/world.ts';
import { runSteps } from '../../engine/scenario/run.ts';
import { parseDuration } from '../../engine/sim/time.ts';
import { readScenarioFile } from './run.ts';
import { SIM_EPOCH_MS } from '../../engine/sim/time.ts';

/** C's asctime() in UTC ("Thu Jan  1 00:00:00 2026"), as iptables-save prints its timestamps. */
function asctime(ms: number): string {
  const d = new Date(ms);
  const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][d.getUTCDay()];
  const mon = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getUTCMonth()];
  const p2 = (n: number) => String(n).padStart(2, '0');
  return `${day} ${mon} ${String(d.getUTCDate()).padStart(2, ' ')} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} ${d.getUTCFullYear()}`;
}

/** Flags shared by the inspection commands. */
export interface InspectArgs {
  file: string;
  node?: string;
  at?: number;
  rest: string[];
}

/** Splits FILE, --node NAME and --at TIME from the other arguments. */
export function parseInspectArgs(args: string[], cmd: string): InspectArgs {
  const out: InspectArgs = { file: '', rest: [] };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--node') out.node = args[++i];
    else if (a.startsWith('--node=')) out.node = a.slice(7);
    else if (a === '--at') out.at = parseDuration(args[++i] ?? '');
    else if (a.startsWith('--at=')) out.at = parseDuration(a.slice(5));
    else if (!out.file && !a.startsWith('-') && !a.startsWith('+')) out.file = a;
    else out.rest.push(a);
  }
  if (!out.file) throw new Error(`usage: kubewire ${cmd} FILE …`);
  return out;
}

/** Loads and builds the file's world (running it to `at` when given), or prints errors and returns null. */
export function worldFor(a: InspectArgs): World | null {
  const loaded = loadScenario(readScenarioFile(a.file), basename(a.file));
  if (a.at === undefined) {
    const built = buildWorld(loaded);
    for (const p of built.errors) console.error(formatProblem(p));
    return built.world ?? null;
  }
  const steps = runSteps(loaded);
  let world: World | undefined;
  for (;;) {
    const n = steps.next(false);
    if (n.done) {
      for (const p of n.value.errors) console.error(formatProblem(p));
      world = n.value.world;
      break;
    }
  }
  return world ?? null;
}

function nodeOf(world: World, name: string | undefined, cmd: string) {
  const names = [...world.cluster.nodes.keys()];
  if (!name) throw new Error(`${cmd} needs --node NAME (nodes: ${names.join(', ')})`);
  const n = world.cluster.nodes.get(name);
  if (!n) throw new Error(`no node named ${name} (nodes: ${names.join(', ')})`);
  return n;
}

/** `kubewire rules FILE --node NAME`: the text kube-proxy hands to iptables-restore on that node. */
export function rulesCommand(args: string[]): number {
  const a = parseInspectArgs(args, 'rules');
  const world = worldFor(a);
  if (!world) return 2;
  process.stdout.write(nodeOf(world, a.node, 'rules').rulesText);
  return 0;
}

/** `kubewire iptables-save FILE --node NAME`: the node's whole ruleset as iptables-save prints it. */
export function iptablesSaveCommand(args: string[]): number {
  const a = parseInspectArgs(args, 'iptables-save');
  const world = worldFor(a);
  if (!world) return 2;
  process.stdout.write(nodeOf(world, a.node, 'iptables-save').netfilter.save({ generatedOn: asctime(SIM_EPOCH_MS + Math.floor(world.sim.now / 1e6)) }));
  return 0;
}
