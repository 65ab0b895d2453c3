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
  /** Pods per node of each owner (only nodes where it has some). */
  private readonly byOwner = new Map<string, Map<string, number>>();
  private nodes: readonly Node[];
  /** Node name → position in node order. */
  private position = new Map<string, number>();
  /**
   * A min segment tree over node order whose leaves hold each Ready node's pod count
   * (Infinity for nodes that are not Ready), so the common case — no nodeSelector, some Ready
   * node without a pod of this owner — is decided in O(log n) instead of a scan of every node.
   */
  private tree = new Float64Array(2);
  private leaves = 1;

  /** A scheduler over the cluster's nodes, in node order. */
  constructor(nodes: readonly Node[]) {
    this.nodes = nodes;
    for (const n of nodes) this.total.set(n.metadata.name, 0);
    this.rebuild();
  }

  /** Replaces the node list (a node went down or came back); counts are kept. */
  setNodes(nodes: readonly Node[]): void {
    this.nodes = nodes;
    this.rebuild();
  }

  private rebuild(): void {
    const n = this.nodes.length;
    let leaves = 1;
    while (leaves < n) leaves *= 2;
    this.leaves = leaves;
    this.tree = new Float64Array(2 * leaves).fill(Infinity);
    this.position = new Map();
    this.nodes.forEach((node, i) => {
      this.position.set(node.metadata.name, i);
      if (nodeIsReady(node)) this.tree[leaves + i] = this.podCount(node.metadata.name);
    });
    for (let i = leaves - 1; i >= 1; i--) this.tree[i] = Math.min(this.tree[2 * i]!, this.tree[2 * i + 1]!);
  }

  /** Sets leaf `i` to `v` and fixes the minima above it. */
  private setLeaf(i: number, v: number): void {
    const t = this.tree;
    let k = this.leaves + i;
    t[k] = v;
    for (k >>= 1; k >= 1; k >>= 1) t[k] = Math.min(t[2 * k]!, t[2 * k + 1]!);
  }

  /** Keeps a Ready node's leaf equal to its pod count. */
  private refreshLeaf(name: string): void {
    const i = this.position.get(name);
    if (i !== undefined && this.tree[this.leaves + i] !== Infinity) this.setLeaf(i, this.podCount(name));
  }

  /** Whether a node of this name exists. */
  hasNode(name: string): boolean {
    return this.position.has(name);
  }

  /** Counts a pod bound to a node (ownerKey: its controller, if any). */
  bind(node: string, ownerKey: string | undefined): void {
    this.total.set(node, (this.total.get(node) ?? 0) + 1);
    this.refreshLeaf(node);
    if (ownerKey !== undefined) this.setOwnerCount(ownerKey, node, this.ownerCount(ownerKey, node) + 1);
  }

  /** Forgets a pod that left a node. */
  unbind(node: string, ownerKey: string | undefined): void {
    this.total.set(node, Math.max(0, (this.total.get(node) ?? 0) - 1));
    this.refreshLeaf(node);
    if (ownerKey !== undefined) this.setOwnerCount(ownerKey, node, Math.max(0, this.ownerCount(ownerKey, node) - 1));
  }

  /** How many pods are counted on a node. */
  podCount(node: string): number {
    return this.total.get(node) ?? 0;
  }

  private ownerCount(ownerKey: string, node: string): number {
    return this.byOwner.get(ownerKey)?.get(node) ?? 0;
  }

  private setOwnerCount(ownerKey: string, node: string, n: number): void {
    let m = this.byOwner.get(ownerKey);
    if (m === undefined) this.byOwner.set(ownerKey, (m = new Map()));
    if (n === 0) m.delete(node);
    else m.set(node, n);
  }

  /** Picks a node for a pod with this nodeSelector and owner, and binds it there; does not bind on failure. */
  schedule(nodeSelector: StringMap | undefined, ownerKey: string | undefined): ScheduleResult {
    const fast = nodeSelector === undefined ? this.leastLoadedWithoutOwner(ownerKey) : null;
    if (fast !== null) {
      this.bind(fast, ownerKey);
      return { node: fast };
    }
    return this.scheduleByScan(nodeSelector, ownerKey);
  }

  /**
   * The first Ready node, in node order, with the fewest pods among those holding no pod of
   * `ownerKey`; null when every Ready node holds one (then the scan decides). When such a node
   * exists its owner count, 0, is the least possible, so it is exactly what the scan would pick.
   */
  private leastLoadedWithoutOwner(ownerKey: string | undefined): string | null {
    const here = ownerKey === undefined ? undefined : this.byOwner.get(ownerKey);
    const t = this.tree;
    const hidden: number[] = [];
    if (here !== undefined) {
      for (const name of here.keys()) {
        const i = this.position.get(name);
        if (i === undefined || t[this.leaves + i] === Infinity) continue;
        hidden.push(i, t[this.leaves + i]!);
        this.setLeaf(i, Infinity);
      }
    }
    let found: string | null = null;
    if (t[1] !== Infinity) {
      let k = 1;
      while (k < this.leaves) k = t[2 * k] === t[k] ? 2 * k : 2 * k + 1;
      found = this.nodes[k - this.leaves]!.metadata.name;
    }
    for (let j = 0; j < hidden.length; j += 2) this.setLeaf(hidden[j]!, hidden[j + 1]!);
    return found;
  }

  /** The general case: every node scored on (pods of this owner, pods in all), first in node order on ties. */
  private scheduleByScan(nodeSelector: StringMap | undefined, ownerKey: string | undefined): ScheduleResult {
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
