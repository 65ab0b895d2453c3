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
import type { K8sObject } from '../../engine/scenario/model.ts';
import { kubectlGetResult, type KubectlOutput } from '../../engine/k8s/kubectl.ts';
import { digFromPod } from '../../engine/scenario/dig.ts';
import { DNS_TYPE } from '../../engine/wire/dns.ts';
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
export function worldFor(a: InspectArgs, extraObjects: readonly K8sObject[] = []): World | null {
  const loaded = loadScenario(readScenarioFile(a.file), basename(a.file));
  if (a.at === undefined || extraObjects.length) {
    const built = buildWorld(loaded, extraObjects);
    for (const p of built.errors) console.error(formatProblem(p));
    return built.world ?? null;
  }
  const steps = runSteps(loaded, undefined, a.at);
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

/** `kubewire get FILE RESOURCE [-o wide|yaml|json|name] [-n NS | -A] [--at TIME]`: kubectl-style views. */
export function getCommand(args: string[]): number {
  const a = parseInspectArgs(args, 'get');
  let output: KubectlOutput = 'table';
  let namespace: string | undefined;
  let allNamespaces = false;
  let resource = '';
  for (let i = 0; i < a.rest.length; i++) {
    const x = a.rest[i]!;
    if (x === '-o' || x === '--output') output = parseOutput(a.rest[++i]);
    else if (x.startsWith('-o')) output = parseOutput(x.slice(2).replace(/^=/, ''));
    else if (x.startsWith('--output=')) output = parseOutput(x.slice(9));
    else if (x === '-n' || x === '--namespace') namespace = a.rest[++i];
    else if (x.startsWith('--namespace=')) namespace = x.slice(12);
    else if (x === '-A' || x === '--all-namespaces') allNamespaces = true;
    else if (!x.startsWith('-') && !resource) resource = x;
    else throw new Error(`unknown option ${x} (get takes -o wide|yaml|json|name, -n NS, -A, --at TIME)`);
  }
  if (!resource) throw new Error('usage: kubewire get FILE pods|services|endpoints|endpointslices|nodes [-o wide|yaml|json|name] [-n NS | -A]');
  const world = worldFor(a);
  if (!world) return 2;
  const r = kubectlGetResult(resource, world.current, { output, namespace, allNamespaces, age: () => ageOf(world) });
  (r.stream === 'stderr' ? process.stderr : process.stdout).write(r.text);
  return r.exitCode;
}

function parseOutput(v: string | undefined): KubectlOutput {
  if (v === 'wide' || v === 'yaml' || v === 'json' || v === 'name') return v;
  throw new Error(`unknown output format ${v ?? ''} (wide, yaml, json, name)`);
}

/** Objects exist from simulated time 0, so their AGE is the simulated time so far. */
function ageOf(world: World): string {
  const s = Math.floor(world.sim.now / 1e9);
  return s < 1 ? '0s' : `${s}s`;
}

/**
 * `kubewire dig FILE [--from pod/NAME] QNAME [TYPE] [+short] [--json]`: one lookup through a pod's
 * resolv.conf (the search list applies unless the name ends in a dot), printed as dig prints it.
 * Without --from it asks from a throwaway pod in namespace default (like `kubectl run --rm`).
 */
export function digCommand(args: string[]): number {
  let from: string | undefined;
  let short = false;
  let json = false;
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const x = args[i]!;
    if (x === '--from') from = args[++i];
    else if (x.startsWith('--from=')) from = x.slice(7);
    else if (x === '+short') short = true;
    else if (x === '--json') json = true;
    else rest.push(x);
  }
  const a = parseInspectArgs(rest, 'dig');
  const [qname, qtypeText = 'A', ...extra] = a.rest;
  if (!qname) throw new Error('usage: kubewire dig FILE [--from pod/NAME] QNAME [TYPE] [+short] [--json]');
  if (extra.length) throw new Error(`unexpected arguments: ${extra.join(' ')}`);
  const qtype = qtypeText.toUpperCase();
  const type = (DNS_TYPE as Record<string, number>)[qtype];
  if (type === undefined) throw new Error(`unknown query type ${qtypeText}`);
  const throwaway: K8sObject[] = from
    ? []
    : [{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'kubewire-dig', namespace: 'default', labels: { run: 'kubewire-dig' } }, spec: { containers: [{ name: 'dig', image: 'registry.k8s.io/e2e-test-images/agnhost:2.52' }] } }];
  const world = worldFor({ ...a, at: undefined }, throwaway);
  if (!world) return 2;
  const m = /^pod\/(?:([^/]+)\/)?([^/]+)$/.exec(from ?? 'pod/default/kubewire-dig');
  if (!m) throw new Error(`--from takes pod/NAME or pod/NAMESPACE/NAME, got ${from}`);
  const r = digFromPod(world, `${m[1] ?? 'default'}/${m[2]}`, qname, qtype, type, { short, json });
  process.stdout.write(r.text);
  return r.code;
}
