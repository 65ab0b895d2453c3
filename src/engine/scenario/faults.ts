/**
 * Faults on a timeline: each scenario fault is applied to the control plane (pods deleted,
 * readiness flipped, workloads scaled, nodes down or up) or to the wires (link loss and
 * latency), at its time. Control-plane changes reach kube-proxy and CoreDNS after the
 * propagation delay (World.apply).
 */
import type { World } from './world.ts';
import type { Fault } from './model.ts';

function describe(f: Fault): string {
  switch (f.kind) {
    case 'deletePod':
      return `fault: delete pod ${f.pod.namespace ?? 'default'}/${f.pod.name}`;
    case 'setReady':
      return `fault: pod ${f.pod.namespace ?? 'default'}/${f.pod.name} becomes ${f.ready ? 'ready' : 'not ready'}`;
    case 'nodeDown':
      return `fault: node ${f.node} goes down`;
    case 'nodeUp':
      return `fault: node ${f.node} comes back`;
    case 'link':
      return `fault: ${f.node}'s link${f.loss !== undefined ? ` loss ${f.loss}` : ''}${f.latency !== undefined ? ` latency ${f.latency / 1e6}ms` : ''}${f.bandwidth !== undefined ? ` bandwidth ${f.bandwidth}b/s` : ''}`;
    case 'scale':
      return `fault: scale ${f.target.kind}/${f.target.namespace ?? 'default'}/${f.target.name} to ${f.replicas}`;
  }
}

function apply(world: World, f: Fault): void {
  const what = describe(f);
  switch (f.kind) {
    case 'deletePod':
      world.apply(world.cp.deletePod(f.pod.namespace ?? 'default', f.pod.name), what);
      return;
    case 'setReady':
      world.apply(world.cp.setPodReady(f.pod.namespace ?? 'default', f.pod.name, f.ready), what);
      return;
    case 'scale':
      world.apply(world.cp.scale(f.target.kind === 'deployment' ? 'Deployment' : 'StatefulSet', f.target.namespace ?? 'default', f.target.name, f.replicas), what);
      return;
    case 'nodeDown': {
      const n = world.node(f.node);
      if (n) {
        n.host.up = false;
        for (const p of world.pods.values()) if (p.net.node === n) p.net.host.up = false;
      }
      world.apply(world.cp.nodeDown(f.node), what);
      return;
    }
    case 'nodeUp': {
      const n = world.node(f.node);
      if (n) {
        n.host.up = true;
        for (const p of world.pods.values()) if (p.net.node === n) p.net.host.up = true;
      }
      world.apply(world.cp.nodeUp(f.node), what);
      return;
    }
    case 'link': {
      const n = world.node(f.node);
      const link = n?.nic.link;
      if (!link) {
        world.note(`${what}: no such node`);
        return;
      }
      if (f.loss !== undefined) link.loss = f.loss;
      if (f.latency !== undefined) link.delay = f.latency;
      if (f.bandwidth !== undefined) link.bandwidth = f.bandwidth;
      world.note(what);
      return;
    }
  }
}

/** Schedules every fault; returns a function telling whether all have been applied. */
export function scheduleFaults(world: World, onApplied: () => void = () => {}): () => boolean {
  let pending = world.scenario.spec.faults.length;
  for (const f of world.scenario.spec.faults) {
    world.sim.at(Math.max(f.at, world.sim.now), () => {
      pending--;
      try {
        apply(world, f);
      } catch (e) {
        world.note(`${describe(f)} failed: ${e instanceof Error ? e.message : String(e)}`);
      }
      onApplied();
    });
  }
  return () => pending === 0;
}
