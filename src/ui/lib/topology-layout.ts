/**
 * The topology view's geometry: clients and the cloud LB above the node network, nodes (with
 * their pods inside) below it, Services at the bottom. Rows wrap to the available width, so the
 * same picture works at 1280 px and at 700 px.
 */
import type { ExternalDto, NodeDto, PodDto, ServiceDto, TopologyDto } from '../../api/engine-api.ts';

/** A rectangle, px. */
export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface PodPlace {
  pod: PodDto;
  box: Box;
}
export interface NodePlace {
  node: NodeDto;
  box: Box;
  header: Box;
  pods: PodPlace[];
}
export interface ExternalPlace {
  ext: ExternalDto;
  box: Box;
}
export interface ServicePlace {
  svc: ServiceDto;
  box: Box;
}

export interface TopologyLayout {
  width: number;
  height: number;
  externals: ExternalPlace[];
  /** The node network bar. */
  underlay: Box;
  nodes: NodePlace[];
  servicesTop: number;
  services: ServicePlace[];
  /** Where each trace host is drawn (pods by their event host name, nodes and externals by name). */
  hosts: Map<string, Box>;
}

export const M = 12;
export const GAP = 14;
export const EXT_W = 168;
export const EXT_H = 50;
export const NODE_W = 240;
export const NODE_HEAD = 66;
export const LINE = 14;
export const SVC_W = 240;

/** Height of a pod's box: name, IP, then one line per container. */
export function podHeight(pod: PodDto): number {
  return 10 + LINE * (2 + Math.max(1, pod.containers.length));
}

/** Height of a Service's box: name, type and IP, one line per port, endpoints. */
export function serviceHeight(svc: ServiceDto): number {
  return 10 + LINE * (3 + svc.ports.length + (svc.loadBalancerIPs.length ? 1 : 0));
}

/** Places boxes of the given heights in rows that fit `width`; returns their boxes and the bottom y. */
function wrap(heights: number[], boxW: number, width: number, top: number): { boxes: Box[]; bottom: number } {
  const perRow = Math.max(1, Math.floor((width - 2 * M + GAP) / (boxW + GAP)));
  const boxes: Box[] = [];
  let y = top;
  for (let i = 0; i < heights.length; i += perRow) {
    const row = heights.slice(i, i + perRow);
    const h = Math.max(...row);
    row.forEach((rh, k) => boxes.push({ x: M + k * (boxW + GAP), y, w: boxW, h: rh }));
    y += h + GAP;
  }
  return { boxes, bottom: heights.length ? y - GAP : top };
}

/** Lays the topology out for a view `width` px wide. */
export function layoutTopology(t: TopologyDto, width: number): TopologyLayout {
  const hosts = new Map<string, Box>();
  const w = Math.max(width, NODE_W + 2 * M);
  let y = M + 14;
  const ext = wrap(t.externals.map(() => EXT_H), EXT_W, w, y);
  const externals = t.externals.map((e, i) => ({ ext: e, box: ext.boxes[i]! }));
  for (const e of externals) hosts.set(e.ext.name, e.box);
  y = ext.bottom + 22;
  const perRow = Math.max(1, Math.floor((w - 2 * M + GAP) / (NODE_W + GAP)));
  const underlay: Box = { x: M, y, w: Math.max(EXT_W, Math.min(w - 2 * M, Math.max(t.nodes.length, t.externals.length, 1) * (NODE_W + GAP) - GAP, perRow * (NODE_W + GAP) - GAP)), h: 6 };
  y += underlay.h + 26;
  const nodeHeights = t.nodes.map((n) => NODE_HEAD + n.pods.reduce((s, p) => s + podHeight(p) + 6, 0) + 4);
  const nb = wrap(nodeHeights, NODE_W, w, y);
  const nodes: NodePlace[] = t.nodes.map((node, i) => {
    const box = nb.boxes[i]!;
    const header: Box = { x: box.x, y: box.y, w: box.w, h: NODE_HEAD };
    hosts.set(node.name, header);
    let py = box.y + NODE_HEAD;
    const pods = node.pods.map((pod) => {
      const pb: Box = { x: box.x + 8, y: py, w: box.w - 16, h: podHeight(pod) };
      py += pb.h + 6;
      hosts.set(pod.host, pb);
      return { pod, box: pb };
    });
    return { node, box, header, pods };
  });
  y = nb.bottom + 30;
  const servicesTop = y;
  const sb = wrap(t.services.map(serviceHeight), SVC_W, w, y + 4);
  const services = t.services.map((svc, i) => ({ svc, box: sb.boxes[i]! }));
  const height = (t.services.length ? sb.bottom : nb.bottom) + M;
  return { width: w, height, externals, underlay, nodes, servicesTop, services, hosts };
}

/** The centre of a box. */
export function centre(b: Box): { x: number; y: number } {
  return { x: b.x + b.w / 2, y: b.y + b.h / 2 };
}

/** The address part of "10.96.0.10:53" / "10.96.0.10.53" / "10.96.0.10". */
export function ipOf(endpoint: string): string {
  const m = /^(\d+\.\d+\.\d+\.\d+)/.exec(endpoint);
  return m ? m[1]! : endpoint;
}
