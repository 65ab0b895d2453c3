/**
 * Pod placement, deterministic. A pod that names its node (spec.nodeName) is bound there
 * without scheduling, as in Kubernetes. Otherwise a node is feasible when it is Ready and
 * carries every label of the pod's nodeSelector (kubernetes.io/hostname=<name> is on every
 * node), and among feasible nodes the scheduler picks the one with the fewest pods of the
 * same owner (kube-scheduler's default PodTopologySpread, which spreads a workload's pods
 * over hostnames), then the fewest pods in all (its least-allocated scoring), then the
 * first in node order. Real kube-scheduler breaks ties at random; kubewire breaks them by
 * node order so the same file always lands pods on the same nodes.
 */
import type { Node, StringMap } from '../model/index.ts';
import { nodeIsReady } from './ipam.ts';

/** Where a pod was placed, or why it could not be. */
export type ScheduleResult = { readonly node: string } | { readonly node: null; readonly reason: string };

/** Counts pods per node and per owner and places new ones. */
export class Scheduler {
  private readonly total = new Map<string, number>();
  private readonly byOwner = new Map<string, number>();
  private nodes: readonly Node[];

  /** A scheduler over the cluster's nodes, in node order. */
  constructor(nodes: readonly Node[]) {
    this.nodes = nodes;
    for (const n of nodes) this.total.set(n.metadata.name, 0);
  }

  /** Replaces the node list (a node went down or came back); counts are kept. */
  setNodes(nodes: readonly Node[]): void {
    this.nodes = nodes;
  }

  /** Whether a node of this name exists. */
  hasNode(name: string): boolean {
    return this.nodes.some((n) => n.metadata.name === name);
  }

  /** Counts a pod bound to a node (ownerKey: its controller, if any). */
  bind(node: string, ownerKey: string | undefined): void {
    this.total.set(node, (this.total.get(node) ?? 0) + 1);
    if (ownerKey !== undefined) this.byOwner.set(`${ownerKey}\u0000${node}`, this.ownerCount(ownerKey, node) + 1);
  }

  /** Forgets a pod that left a node. */
  unbind(node: string, ownerKey: string | undefined): void {
    this.total.set(node, Math.max(0, (this.total.get(node) ?? 0) - 1));
    if (ownerKey !== undefined) this.byOwner.set(`${ownerKey}\u0000${node}`, Math.max(0, this.ownerCount(ownerKey, node) - 1));
  }

  /** How many pods are counted on a node. */
  podCount(node: string): number {
    return this.total.get(node) ?? 0;
  }

  private ownerCount(ownerKey: string, node: string): number {
    return this.byOwner.get(`${ownerKey}\u0000${node}`) ?? 0;
  }

  /** Picks a node for a pod with this nodeSelector and owner, and binds it there; does not bind on failure. */
  schedule(nodeSelector: StringMap | undefined, ownerKey: string | undefined): ScheduleResult {
    let best: Node | undefined;
    let bestScore: [number, number] = [Infinity, Infinity];
    let selectorMisses = 0;
    let notReady = 0;
    for (const node of this.nodes) {
      const labels: Record<string, string> = { 'kubernetes.io/hostname': node.metadata.name, ...node.metadata.labels };
      if (nodeSelector !== undefined && !Object.entries(nodeSelector).every(([k, v]) => labels[k] === v)) {
        selectorMisses++;
        continue;
      }
      if (!nodeIsReady(node)) {
        notReady++;
        continue;
      }
      const name = node.metadata.name;
      const score: [number, number] = [ownerKey === undefined ? 0 : this.ownerCount(ownerKey, name), this.podCount(name)];
      if (score[0] < bestScore[0] || (score[0] === bestScore[0] && score[1] < bestScore[1])) {
        best = node;
        bestScore = score;
      }
    }
    if (best === undefined) {
      const reasons: string[] = [];
      if (selectorMisses > 0) reasons.push(`${selectorMisses} node(s) didn't match Pod's node affinity/selector`);
      if (notReady > 0) reasons.push(`${notReady} node(s) had untolerated taint {node.kubernetes.io/unreachable: }`);
      reasons.sort();
      const n = this.nodes.length;
      return { node: null, reason: `0/${n} nodes are available: ${reasons.join(', ') || 'no nodes'}.` };
    }
    this.bind(best.metadata.name, ownerKey);
    return { node: best.metadata.name };
  }
}
