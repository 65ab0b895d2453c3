/**
 * The kubewire command line: the same engine as the browser app, in Node. This is the only
 * module (with its helpers under src/cli) that uses Node APIs. Exit codes: 0 success / all
 * expectations pass, 1 some fail, 2 invalid input or usage.
 */
import { benchCluster, benchStar, formatBench, parseBenchArgs } from './bench/bench.ts';
import { runCommand } from './commands/run.ts';
import { digCommand, getCommand, iptablesSaveCommand, rulesCommand } from './commands/inspect.ts';

const USAGE = `kubewire — packet-level emulator of Kubernetes Service networking

usage:
  kubewire run FILE [--json] [--trace] [--pcap OUT.pcapng]
      run a scenario; exit 0 when every expectation passes, 1 when some fail, 2 when the file is invalid
  kubewire rules FILE --node NAME [--at TIME]
      the text kube-proxy hands to iptables-restore on that node
  kubewire iptables-save FILE --node NAME [--at TIME]
      the node's whole ruleset as iptables-save prints it
  kubewire get FILE pods|services|endpoints|endpointslices|nodes [-o wide|yaml|json|name] [-n NS | -A] [--at TIME]
      kubectl-style views of the cluster the file describes
  kubewire dig FILE [--from pod/NAME] QNAME [TYPE] [+short] [--json]
      a query through the pod's resolver (search list and ndots as in the pod), printed as dig prints it
  kubewire bench [--workload star|cluster|browser|all] [--json] [--repeats R]
                 [--packets N] [--k K] [--servers S] [--no-peer]
                 [--nodes N] [--pods-per-node P] [--services S] [--requests R] [--local-share F]
                 [--scenario FILE] [--steps N]
      star: the star-echo workload beside the ns-3 peer (shared/docs/performance.md);
      cluster: a 5,000-node, 150,000-pod, 10,000-Service cluster and 100,000 HTTP requests;
      browser: scenarios/large/million-packets.yaml in Chromium's engine worker, driven by Playwright
      (run time, trace batches streamed, longest main-thread task, memory, step key → repaint) (docs/performance.md)
  kubewire --help

exit codes: 0 ok, 1 expectations failed, 2 invalid input or usage`;

/** Runs the CLI with `args` (argv without node and script); resolves to the exit code. */
export async function main(args: string[]): Promise<number> {
  const [cmd, ...rest] = args;
  if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    console.log(USAGE);
    return cmd ? 0 : 2;
  }
  try {
    switch (cmd) {
      case 'bench': {
        const o = parseBenchArgs(rest);
        const log = o.json ? (s: string) => process.stderr.write(`${s}\n`) : (s: string) => console.log(s);
        const reports = [];
        const all = o.workload === 'all';
        if (all || o.workload === 'star') reports.push(await benchStar(o, log));
        if (all || o.workload === 'cluster') reports.push(benchCluster(o, log));
        if (all || o.workload === 'browser') {
          const { benchBrowser } = await import('./bench/browser.ts');
          reports.push(await benchBrowser({ ...(o.scenario ? { scenario: o.scenario } : {}), steps: o.steps }, log));
        }
        for (const report of reports) {
          if (o.json) console.log(JSON.stringify(report));
          else console.log(formatBench(report));
        }
        return 0;
      }
      case 'run':
        return runCommand(rest);
      case 'rules':
        return rulesCommand(rest);
      case 'iptables-save':
        return iptablesSaveCommand(rest);
      case 'get':
        return getCommand(rest);
      case 'dig':
        return digCommand(rest);
      default:
        console.error(`kubewire: unknown command "${cmd}"\n\n${USAGE}`);
        return 2;
    }
  } catch (e) {
    console.error(`kubewire ${cmd}: ${e instanceof Error ? e.message : String(e)}`);
    return 2;
  }
}
