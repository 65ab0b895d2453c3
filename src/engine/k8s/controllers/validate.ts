/**
 * Kubernetes API validation, for the fields the emulator depends on (pkg/apis/core/validation
 * and apps/validation). Messages are Kubernetes' own ("Required value", "Invalid value: …",
 * "Duplicate value: …", "Unsupported value: …"); paths are exact field paths into the object
 * as written (`spec.ports[1].targetPort`, `metadata.labels.app`), so the loader can map them
 * to file positions. Objects are treated as untrusted (they come from YAML): a wrong type is
 * reported, never thrown on.
 *
 * Checks that need cluster state (a clusterIP inside the service CIDR or already taken, a
 * nodePort in range or taken) are made where the value is allocated (services.ts).
 */
import type { LabelSelector, PodSpec, PodTemplateSpec, ServicePort } from '../model/index.ts';
import { parseIpv4 } from '../../wire/addr.ts';
import {
  dns1035LabelErrors,
  dns1123LabelErrors,
  dns1123SubdomainErrors,
  isEmptyLabelSelector,
  labelKeyErrors,
  labelValueErrors,
  matchesLabelSelector,
  portNameErrors,
} from './labels.ts';
import { isClusterScoped, objectKey, refOf, type K8sObject } from './objects.ts';
import { ProblemSink, type ObjectRef, type PathSegment, type Problem } from './problems.ts';
import { READY_ANNOTATION } from './endpointslices.ts';

/** Reports problems for one object. */
class ObjectValidator {
  constructor(
    private readonly sink: ProblemSink,
    readonly ref: ObjectRef,
    private readonly index: number | undefined,
  ) {}

  /** Reports an error at a path. */
  err(path: readonly PathSegment[], message: string): void {
    this.sink.error(this.ref, path, message, this.index);
  }

  /** Reports a warning at a path. */
  warn(path: readonly PathSegment[], message: string): void {
    this.sink.warn(this.ref, path, message, this.index);
  }
}

const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];

/** `"a", "b"`: a list of supported values as Kubernetes prints it. */
function quoted(values: readonly string[]): string {
  return values.map((v) => JSON.stringify(v)).join(', ');
}

/** A value as Kubernetes prints it in "Invalid value: …". */
function show(v: unknown): string {
  return typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v) ?? 'null';
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isPort(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 65535;
}

/** Validates a list of objects: each on its own, then names unique per kind and namespace. */
export function validateObjects(objects: readonly K8sObject[], firstIndex = 0): Problem[] {
  const sink = new ProblemSink();
  const seen = new Map<string, number>();
  objects.forEach((obj, i) => {
    const index = firstIndex + i;
    validateObject(obj, sink, index);
    const ref = refOf(obj);
    if (ref.name === '') return;
    const key = objectKey(obj.kind, ref.namespace, ref.name);
    const first = seen.get(key);
    if (first === undefined) seen.set(key, index);
    else {
      const lower = obj.kind.toLowerCase();
      sink.error(ref, ['metadata', 'name'], `Duplicate value: "${ref.name}": ${lower}s "${ref.name}" already exists${ref.namespace === undefined ? '' : ` in namespace "${ref.namespace}"`} (object ${first + 1} has the same name)`, index);
    }
  });
  return sink.all;
}

/** Validates one object, reporting into `sink`. */
export function validateObject(obj: K8sObject, sink: ProblemSink, index?: number): void {
  const v = new ObjectValidator(sink, refOf(obj), index);
  if (!isObject(obj.metadata)) {
    v.err(['metadata'], 'Required value: metadata.name is required');
    return;
  }
  validateMeta(obj, v);
  switch (obj.kind) {
    case 'Service':
      validateService(obj, v);
      break;
    case 'Pod':
      if (!isObject(obj.spec)) v.err(['spec'], 'Required value');
      else validatePodSpec(obj.spec, ['spec'], v);
      validatePodExtras(obj, v);
      break;
    case 'Deployment':
    case 'ReplicaSet':
    case 'StatefulSet':
    case 'DaemonSet':
      validateWorkload(obj, v);
      break;
    case 'EndpointSlice':
      validateEndpointSlice(obj, v);
      break;
    case 'Endpoints':
      validateEndpoints(obj, v);
      break;
    case 'Ingress':
      validateIngress(obj, v);
      break;
    case 'Namespace':
    case 'Node':
      break;
  }
}

/** metadata: name (and its format per kind), namespace, labels. */
function validateMeta(obj: K8sObject, v: ObjectValidator): void {
  const m = obj.metadata as unknown as Record<string, unknown>;
  const name = m['name'];
  if (name === undefined || name === '') {
    if (typeof m['generateName'] !== 'string' || m['generateName'] === '') v.err(['metadata', 'name'], 'Required value: name or generateName is required');
  } else if (typeof name !== 'string') v.err(['metadata', 'name'], `Invalid value: ${show(name)}: must be a string`);
  else {
    const errs = obj.kind === 'Service' ? dns1035LabelErrors(name) : obj.kind === 'Namespace' ? dns1123LabelErrors(name) : dns1123SubdomainErrors(name);
    for (const e of errs) v.err(['metadata', 'name'], `Invalid value: ${show(name)}: ${e}`);
  }
  const ns = m['namespace'];
  if (ns !== undefined && ns !== '') {
    if (isClusterScoped(obj.kind)) v.warn(['metadata', 'namespace'], `${obj.kind} is cluster-scoped: the namespace is ignored`);
    else if (typeof ns !== 'string') v.err(['metadata', 'namespace'], `Invalid value: ${show(ns)}: must be a string`);
    else for (const e of dns1123LabelErrors(ns)) v.err(['metadata', 'namespace'], `Invalid value: ${show(ns)}: ${e}`);
  }
  validateLabelMap(m['labels'], ['metadata', 'labels'], v);
  const ann = m['annotations'];
  if (ann !== undefined && !isObject(ann)) v.err(['metadata', 'annotations'], 'Invalid value: must be a map of strings');
  else if (ann !== undefined) {
    for (const [k, val] of Object.entries(ann)) if (typeof val !== 'string') v.err(['metadata', 'annotations', k], `Invalid value: ${show(val)}: annotation values must be strings`);
  }
}

/** A label map (labels, a Service selector, a nodeSelector): keys and values syntax. */
function validateLabelMap(map: unknown, path: readonly PathSegment[], v: ObjectValidator): void {
  if (map === undefined || map === null) return;
  if (!isObject(map)) {
    v.err(path, 'Invalid value: must be a map of strings');
    return;
  }
  for (const [k, val] of Object.entries(map)) {
    const p = [...path, k];
    for (const e of labelKeyErrors(k)) v.err(p, `Invalid value: ${show(k)}: ${e}`);
    if (typeof val !== 'string') v.err(p, `Invalid value: ${show(val)}: label values must be strings (quote numbers and booleans in YAML)`);
    else for (const e of labelValueErrors(val)) v.err(p, `Invalid value: ${show(val)}: ${e}`);
  }
}

/** A metav1.LabelSelector: matchLabels syntax, matchExpressions operators and values. */
function validateLabelSelector(sel: LabelSelector, path: readonly PathSegment[], v: ObjectValidator): void {
  validateLabelMap(sel.matchLabels, [...path, 'matchLabels'], v);
  const exprs = sel.matchExpressions as unknown;
  if (exprs === undefined) return;
  if (!Array.isArray(exprs)) {
    v.err([...path, 'matchExpressions'], 'Invalid value: must be a list');
    return;
  }
  exprs.forEach((e: unknown, i) => {
    const p = [...path, 'matchExpressions', i];
    if (!isObject(e)) return v.err(p, 'Invalid value: must be an object with key and operator');
    if (typeof e['key'] !== 'string') v.err([...p, 'key'], 'Required value');
    else for (const m of labelKeyErrors(e['key'])) v.err([...p, 'key'], `Invalid value: ${show(e['key'])}: ${m}`);
    const op = e['operator'];
    const values = e['values'];
    const count = Array.isArray(values) ? values.length : 0;
    if (op === 'In' || op === 'NotIn') {
      if (count === 0) v.err([...p, 'values'], 'Required value: must be specified when `operator` is \'In\' or \'NotIn\'');
    } else if (op === 'Exists' || op === 'DoesNotExist') {
      if (count > 0) v.err([...p, 'values'], 'Forbidden: may not be specified when `operator` is \'Exists\' or \'DoesNotExist\'');
    } else v.err([...p, 'operator'], `Unsupported value: ${show(op)}: supported values: "DoesNotExist", "Exists", "In", "NotIn"`);
  });
}

/** A protocol field: absent (TCP) or one of TCP, UDP, SCTP. */
function validateProtocol(proto: unknown, path: readonly PathSegment[], v: ObjectValidator): void {
  if (proto === undefined) return;
  if (typeof proto !== 'string' || !PROTOCOLS.includes(proto)) v.err(path, `Unsupported value: ${show(proto)}: supported values: ${quoted(PROTOCOLS)}`);
}

function validateService(obj: Extract<K8sObject, { kind: 'Service' }>, v: ObjectValidator): void {
  const spec = obj.spec as unknown;
  if (!isObject(spec)) return v.err(['spec'], 'Required value');
  const type = spec['type'] ?? 'ClusterIP';
  if (typeof type !== 'string' || !SERVICE_TYPES.includes(type)) {
    v.err(['spec', 'type'], `Unsupported value: ${show(type)}: supported values: ${quoted(SERVICE_TYPES)}`);
    return;
  }
  const clusterIPPath: PathSegment[] = spec['clusterIP'] !== undefined ? ['spec', 'clusterIP'] : ['spec', 'clusterIPs', 0];
  const clusterIPs = spec['clusterIPs'];
  if (clusterIPs !== undefined && !Array.isArray(clusterIPs)) v.err(['spec', 'clusterIPs'], 'Invalid value: must be a list of addresses');
  const clusterIP: unknown = spec['clusterIP'] ?? (Array.isArray(clusterIPs) ? clusterIPs[0] : undefined);
  if (typeof spec['clusterIP'] === 'string' && Array.isArray(clusterIPs) && clusterIPs.length > 0 && clusterIPs[0] !== spec['clusterIP']) {
    v.err(['spec', 'clusterIPs', 0], `Invalid value: ${show(clusterIPs[0])}: must match \`clusterIP\` ${show(spec['clusterIP'])}`);
  }
  const headless = clusterIP === 'None';
  if (clusterIP !== undefined && clusterIP !== '' && clusterIP !== 'None') {
    if (typeof clusterIP !== 'string' || parseIpv4(clusterIP) === null) v.err(clusterIPPath, `Invalid value: ${show(clusterIP)}: must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)`);
  }
  if (type === 'ExternalName') {
    if (clusterIP !== undefined && clusterIP !== '') v.err(clusterIPPath, 'Forbidden: may not be set for ExternalName services');
    const en = spec['externalName'];
    if (en === undefined || en === '') v.err(['spec', 'externalName'], 'Required value');
    else if (typeof en !== 'string') v.err(['spec', 'externalName'], `Invalid value: ${show(en)}: must be a DNS name`);
    else for (const e of dns1123SubdomainErrors(en.replace(/\.$/, ''))) v.err(['spec', 'externalName'], `Invalid value: ${show(en)}: ${e}`);
  }
  if (headless && (type === 'NodePort' || type === 'LoadBalancer')) {
    v.err(clusterIPPath, `Invalid value: "None": may not be set to 'None' for ${type} services`);
  }

  const ports = spec['ports'];
  if (ports !== undefined && !Array.isArray(ports)) v.err(['spec', 'ports'], 'Invalid value: must be a list');
  const list: unknown[] = Array.isArray(ports) ? ports : [];
  if (list.length === 0 && !headless && type !== 'ExternalName') v.err(['spec', 'ports'], 'Required value');
  const names = new Set<string>();
  const portProto = new Set<string>();
  const nodePortProto = new Set<string>();
  list.forEach((raw, i) => {
    const p: PathSegment[] = ['spec', 'ports', i];
    if (!isObject(raw)) return v.err(p, 'Invalid value: must be an object with a port');
    const sp = raw as unknown as ServicePort;
    const name = raw['name'];
    if (list.length > 1 && (name === undefined || name === '')) v.err([...p, 'name'], 'Required value: ports must be named when a Service has more than one');
    if (name !== undefined && name !== '') {
      if (typeof name !== 'string') v.err([...p, 'name'], `Invalid value: ${show(name)}: must be a string`);
      else {
        for (const e of dns1123LabelErrors(name)) v.err([...p, 'name'], `Invalid value: ${show(name)}: ${e}`);
        if (names.has(name)) v.err([...p, 'name'], `Duplicate value: ${show(name)}`);
        names.add(name);
      }
    }
    if (!isPort(raw['port'])) v.err([...p, 'port'], `Invalid value: ${show(raw['port'])}: must be between 1 and 65535, inclusive`);
    validateProtocol(raw['protocol'], [...p, 'protocol'], v);
    const key = `${String(raw['port'])}/${String(raw['protocol'] ?? 'TCP')}`;
    if (portProto.has(key)) v.err(p, `Duplicate value: {"port":${show(raw['port'])},"protocol":${show(raw['protocol'] ?? 'TCP')}}`);
    portProto.add(key);
    const tp = raw['targetPort'];
    if (typeof tp === 'number') {
      if (tp !== 0 && !isPort(tp)) v.err([...p, 'targetPort'], `Invalid value: ${tp}: must be between 1 and 65535, inclusive`);
    } else if (typeof tp === 'string') {
      for (const e of portNameErrors(tp)) v.err([...p, 'targetPort'], `Invalid value: ${show(tp)}: ${e}`);
    } else if (tp !== undefined) v.err([...p, 'targetPort'], `Invalid value: ${show(tp)}: must be a port number or a port name`);
    const np = raw['nodePort'];
    if (np !== undefined && np !== 0) {
      if (typeof np !== 'number' || !Number.isInteger(np)) v.err([...p, 'nodePort'], `Invalid value: ${show(np)}: must be an integer`);
      else if (type === 'ClusterIP' || type === 'ExternalName') v.err([...p, 'nodePort'], `Forbidden: may not be used when \`type\` is '${type}'`);
      else {
        const nk = `${np}/${String(sp.protocol ?? 'TCP')}`;
        if (nodePortProto.has(nk)) v.err([...p, 'nodePort'], `Duplicate value: {"nodePort":${np},"protocol":${show(sp.protocol ?? 'TCP')}}`);
        nodePortProto.add(nk);
      }
    }
  });

  const selector = spec['selector'];
  validateLabelMap(selector, ['spec', 'selector'], v);
  if (type === 'ExternalName' && isObject(selector) && Object.keys(selector).length > 0) v.warn(['spec', 'selector'], 'an ExternalName Service has no endpoints: its selector is ignored');

  const etp = spec['externalTrafficPolicy'];
  if (etp !== undefined && etp !== '') {
    if (etp !== 'Cluster' && etp !== 'Local') v.err(['spec', 'externalTrafficPolicy'], `Unsupported value: ${show(etp)}: supported values: "Cluster", "Local"`);
    else if (type !== 'NodePort' && type !== 'LoadBalancer') v.err(['spec', 'externalTrafficPolicy'], `Invalid value: ${show(etp)}: may only be set when \`type\` is 'NodePort' or 'LoadBalancer'`);
  }
  const itp = spec['internalTrafficPolicy'];
  if (itp !== undefined && itp !== 'Cluster' && itp !== 'Local') v.err(['spec', 'internalTrafficPolicy'], `Unsupported value: ${show(itp)}: supported values: "Cluster", "Local"`);
  const sa = spec['sessionAffinity'];
  if (sa !== undefined && sa !== 'None' && sa !== 'ClientIP') v.err(['spec', 'sessionAffinity'], `Unsupported value: ${show(sa)}: supported values: "ClientIP", "None"`);
  const sac = spec['sessionAffinityConfig'];
  if (isObject(sac) && isObject(sac['clientIP'])) {
    const t = sac['clientIP']['timeoutSeconds'];
    if (t !== undefined && (typeof t !== 'number' || !Number.isInteger(t) || t < 1 || t > 86400)) {
      v.err(['spec', 'sessionAffinityConfig', 'clientIP', 'timeoutSeconds'], `Invalid value: ${show(t)}: must be greater than 0 and less than 86400`);
    }
    if (sa !== 'ClientIP') v.err(['spec', 'sessionAffinityConfig'], `Invalid value: must not be set when \`sessionAffinity\` is ${show(sa ?? 'None')}`);
  }
  const hc = spec['healthCheckNodePort'];
  if (hc !== undefined && hc !== 0 && !(type === 'LoadBalancer' && etp === 'Local')) {
    v.err(['spec', 'healthCheckNodePort'], `Invalid value: ${show(hc)}: may only be set when \`type\` is 'LoadBalancer' and \`externalTrafficPolicy\` is 'Local'`);
  }
  const lsr = spec['loadBalancerSourceRanges'];
  if (lsr !== undefined) {
    if (!Array.isArray(lsr)) v.err(['spec', 'loadBalancerSourceRanges'], 'Invalid value: must be a list of CIDRs');
    else {
      if (type !== 'LoadBalancer' && lsr.length > 0) v.err(['spec', 'loadBalancerSourceRanges'], "Forbidden: may only be used when `type` is 'LoadBalancer'");
      lsr.forEach((c: unknown, i) => {
        if (typeof c !== 'string' || !/^\s*\d{1,3}(\.\d{1,3}){3}\/\d{1,2}\s*$/.test(c) || parseIpv4(c.trim().split('/')[0]!) === null || Number(c.trim().split('/')[1]) > 32) {
          v.err(['spec', 'loadBalancerSourceRanges', i], `Invalid value: ${show(c)}: must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)`);
        }
      });
    }
  }
  const eips = spec['externalIPs'];
  if (Array.isArray(eips)) {
    eips.forEach((ip: unknown, i) => {
      if (typeof ip !== 'string' || parseIpv4(ip) === null) v.err(['spec', 'externalIPs', i], `Invalid value: ${show(ip)}: must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)`);
    });
  }
  const lbip = spec['loadBalancerIP'];
  if (lbip !== undefined && lbip !== '' && (typeof lbip !== 'string' || parseIpv4(lbip) === null)) v.err(['spec', 'loadBalancerIP'], `Invalid value: ${show(lbip)}: must be a valid IP address`);
  const status = (obj as unknown as Record<string, unknown>)['status'];
  if (isObject(status) && isObject(status['loadBalancer']) && status['loadBalancer']['ingress'] !== undefined && !Array.isArray(status['loadBalancer']['ingress'])) {
    v.err(['status', 'loadBalancer', 'ingress'], 'Invalid value: must be a list');
  }
  if (isObject(status) && isObject(status['loadBalancer']) && Array.isArray(status['loadBalancer']['ingress'])) {
    (status['loadBalancer']['ingress'] as unknown[]).forEach((ing, i) => {
      if (isObject(ing) && ing['ip'] !== undefined && (typeof ing['ip'] !== 'string' || parseIpv4(ing['ip']) === null)) {
        v.err(['status', 'loadBalancer', 'ingress', i, 'ip'], `Invalid value: ${show(ing['ip'])}: must be a valid IP address`);
      }
    });
  }
}

/** A pod spec (a Pod's, or a template's under spec.template.spec). */
function validatePodSpec(spec: PodSpec, path: readonly PathSegment[], v: ObjectValidator): void {
  const containers = (spec as unknown as Record<string, unknown>)['containers'];
  if (!Array.isArray(containers) || containers.length === 0) v.err([...path, 'containers'], 'Required value');
  const names = new Set<string>();
  const portNames = new Set<string>();
  const each = (list: unknown, field: 'containers' | 'initContainers'): void => {
    if (!Array.isArray(list)) return;
    list.forEach((c: unknown, i) => {
      const p = [...path, field, i];
      if (!isObject(c)) return v.err(p, 'Invalid value: must be a container');
      const name = c['name'];
      if (typeof name !== 'string' || name === '') v.err([...p, 'name'], 'Required value');
      else {
        for (const e of dns1123LabelErrors(name)) v.err([...p, 'name'], `Invalid value: ${show(name)}: ${e}`);
        if (names.has(name)) v.err([...p, 'name'], `Duplicate value: ${show(name)}`);
        names.add(name);
      }
      const ports = c['ports'];
      if (ports === undefined) return;
      if (!Array.isArray(ports)) return v.err([...p, 'ports'], 'Invalid value: must be a list');
      ports.forEach((cp: unknown, j) => {
        const pp = [...p, 'ports', j];
        if (!isObject(cp)) return v.err(pp, 'Invalid value: must be a container port');
        if (!isPort(cp['containerPort'])) v.err([...pp, 'containerPort'], `Invalid value: ${show(cp['containerPort'])}: must be between 1 and 65535, inclusive`);
        const hp = cp['hostPort'];
        if (hp !== undefined && hp !== 0 && !isPort(hp)) v.err([...pp, 'hostPort'], `Invalid value: ${show(hp)}: must be between 1 and 65535, inclusive`);
        validateProtocol(cp['protocol'], [...pp, 'protocol'], v);
        const pn = cp['name'];
        if (pn !== undefined && pn !== '') {
          if (typeof pn !== 'string') v.err([...pp, 'name'], `Invalid value: ${show(pn)}: must be a string`);
          else {
            for (const e of portNameErrors(pn)) v.err([...pp, 'name'], `Invalid value: ${show(pn)}: ${e}`);
            if (portNames.has(pn)) v.err([...pp, 'name'], `Duplicate value: ${show(pn)}`);
            portNames.add(pn);
          }
        }
      });
    });
  };
  each(containers, 'containers');
  each((spec as unknown as Record<string, unknown>)['initContainers'], 'initContainers');
  validateLabelMap(spec.nodeSelector, [...path, 'nodeSelector'], v);
  for (const f of ['hostname', 'subdomain'] as const) {
    const val = spec[f] as unknown;
    if (val === undefined || val === '') continue;
    if (typeof val !== 'string') v.err([...path, f], `Invalid value: ${show(val)}: must be a string`);
    else for (const e of dns1123LabelErrors(val)) v.err([...path, f], `Invalid value: ${show(val)}: ${e}`);
  }
  const dp = spec.dnsPolicy as unknown;
  const policies = ['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None'];
  if (dp !== undefined && (typeof dp !== 'string' || !policies.includes(dp))) v.err([...path, 'dnsPolicy'], `Unsupported value: ${show(dp)}: supported values: ${quoted(policies)}`);
  if (dp === 'None' && (spec.dnsConfig?.nameservers ?? []).length === 0) v.err([...path, 'dnsConfig'], "Required value: must provide `dnsConfig` when `dnsPolicy` is None");
  const nn = spec.nodeName as unknown;
  if (nn !== undefined && nn !== '' && (typeof nn !== 'string' || dns1123SubdomainErrors(nn).length > 0)) v.err([...path, 'nodeName'], `Invalid value: ${show(nn)}: must be a node name`);
}

/** Pod fields outside the spec: status.podIP, the readiness annotation. */
function validatePodExtras(obj: Extract<K8sObject, { kind: 'Pod' }>, v: ObjectValidator): void {
  const status = (obj as unknown as Record<string, unknown>)['status'];
  if (status !== undefined && status !== null && !isObject(status)) v.err(['status'], 'Invalid value: must be an object');
  if (isObject(status)) {
    const conds = status['conditions'];
    if (conds !== undefined && conds !== null && !Array.isArray(conds)) v.err(['status', 'conditions'], 'Invalid value: must be a list');
    if (Array.isArray(conds)) {
      conds.forEach((c: unknown, i) => {
        if (!isObject(c) || typeof c['type'] !== 'string') v.err(['status', 'conditions', i], 'Invalid value: a condition needs a type and a status');
        else if (c['status'] !== 'True' && c['status'] !== 'False' && c['status'] !== 'Unknown') v.err(['status', 'conditions', i, 'status'], `Unsupported value: ${show(c['status'])}: supported values: "False", "True", "Unknown"`);
      });
    }
    const ip = status['podIP'];
    if (ip !== undefined && ip !== '' && (typeof ip !== 'string' || parseIpv4(ip) === null)) v.err(['status', 'podIP'], `Invalid value: ${show(ip)}: must be a valid IPv4 address`);
  }
  validateReadyAnnotation(obj.metadata.annotations, ['metadata', 'annotations', READY_ANNOTATION], v);
}

/** The kubewire.dev/ready annotation: "true" or "false". */
function validateReadyAnnotation(ann: unknown, path: readonly PathSegment[], v: ObjectValidator): void {
  if (!isObject(ann)) return;
  const val = ann[READY_ANNOTATION];
  if (val !== undefined && val !== 'true' && val !== 'false') v.err(path, `Unsupported value: ${show(val)}: supported values: "false", "true"`);
}

function validateWorkload(obj: Extract<K8sObject, { kind: 'Deployment' | 'ReplicaSet' | 'StatefulSet' | 'DaemonSet' }>, v: ObjectValidator): void {
  const spec = obj.spec as unknown;
  if (!isObject(spec)) return v.err(['spec'], 'Required value');
  if (obj.kind !== 'DaemonSet') {
    const r = spec['replicas'];
    if (r !== undefined && (typeof r !== 'number' || !Number.isInteger(r) || r < 0)) v.err(['spec', 'replicas'], `Invalid value: ${show(r)}: must be greater than or equal to 0`);
  }
  const sel = spec['selector'];
  const template = spec['template'];
  if (!isObject(sel)) v.err(['spec', 'selector'], 'Required value');
  else {
    validateLabelSelector(sel as LabelSelector, ['spec', 'selector'], v);
    if (isEmptyLabelSelector(sel as LabelSelector)) v.err(['spec', 'selector'], `Invalid value: ${show(sel)}: empty selector is invalid for ${obj.kind.toLowerCase()}`);
  }
  if (!isObject(template)) return v.err(['spec', 'template'], 'Required value');
  const t = template as unknown as PodTemplateSpec;
  const labels = t.metadata?.labels;
  validateLabelMap(labels, ['spec', 'template', 'metadata', 'labels'], v);
  if (isObject(sel) && !isEmptyLabelSelector(sel as LabelSelector) && !matchesLabelSelector(sel as LabelSelector, labels)) {
    v.err(['spec', 'template', 'metadata', 'labels'], `Invalid value: ${show(labels ?? {})}: \`selector\` does not match template \`labels\``);
  }
  if (!isObject(t.spec)) v.err(['spec', 'template', 'spec'], 'Required value');
  else validatePodSpec(t.spec, ['spec', 'template', 'spec'], v);
  validateReadyAnnotation(t.metadata?.annotations, ['spec', 'template', 'metadata', 'annotations', READY_ANNOTATION], v);
  if (obj.kind === 'StatefulSet') {
    const sn = spec['serviceName'];
    if (sn !== undefined && sn !== '' && (typeof sn !== 'string' || dns1123LabelErrors(sn).length > 0)) v.err(['spec', 'serviceName'], `Invalid value: ${show(sn)}: must be the name of a Service`);
  }
}

function validateEndpointSlice(obj: Extract<K8sObject, { kind: 'EndpointSlice' }>, v: ObjectValidator): void {
  const raw = obj as unknown as Record<string, unknown>;
  const at = raw['addressType'];
  if (at === undefined || at === '') v.err(['addressType'], 'Required value');
  else if (at !== 'IPv4' && at !== 'IPv6' && at !== 'FQDN') v.err(['addressType'], `Unsupported value: ${show(at)}: supported values: "FQDN", "IPv4", "IPv6"`);
  const eps = raw['endpoints'];
  if (eps !== undefined && eps !== null && !Array.isArray(eps)) v.err(['endpoints'], 'Invalid value: must be a list');
  if (Array.isArray(eps)) {
    eps.forEach((ep: unknown, i) => {
      if (!isObject(ep)) return v.err(['endpoints', i], 'Invalid value: must be an endpoint');
      const addrs = ep['addresses'];
      if (!Array.isArray(addrs) || addrs.length === 0) return v.err(['endpoints', i, 'addresses'], 'Required value: must contain at least 1 address');
      if (addrs.length > 100) v.err(['endpoints', i, 'addresses'], `Too many: ${addrs.length}: must have at most 100 items`);
      addrs.forEach((a: unknown, j) => {
        if (at === 'IPv4' && (typeof a !== 'string' || parseIpv4(a) === null)) v.err(['endpoints', i, 'addresses', j], `Invalid value: ${show(a)}: must be a valid IPv4 address`);
      });
      if (ep['nodeName'] !== undefined && typeof ep['nodeName'] !== 'string') v.err(['endpoints', i, 'nodeName'], `Invalid value: ${show(ep['nodeName'])}: must be a node name`);
    });
  }
  const ports = raw['ports'];
  if (ports !== undefined && ports !== null && !Array.isArray(ports)) v.err(['ports'], 'Invalid value: must be a list');
  if (Array.isArray(ports)) {
    const names = new Set<string>();
    ports.forEach((p: unknown, i) => {
      if (!isObject(p)) return v.err(['ports', i], 'Invalid value: must be a port');
      const name = p['name'];
      if (typeof name === 'string' && name !== '') {
        for (const e of dns1123LabelErrors(name)) v.err(['ports', i, 'name'], `Invalid value: ${show(name)}: ${e}`);
      }
      const key = typeof name === 'string' ? name : '';
      if (names.has(key)) v.err(['ports', i, 'name'], `Duplicate value: ${show(key)}`);
      names.add(key);
      const port = p['port'];
      if (port !== undefined && port !== null && (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535)) {
        v.err(['ports', i, 'port'], `Invalid value: ${show(port)}: must be between 0 and 65535, inclusive`);
      }
      validateProtocol(p['protocol'], ['ports', i, 'protocol'], v);
    });
  }
  const svc = obj.metadata.labels?.['kubernetes.io/service-name'];
  if (svc === undefined || svc === '') v.warn(['metadata', 'labels'], 'no kubernetes.io/service-name label: kube-proxy ignores this EndpointSlice');
}

function validateEndpoints(obj: Extract<K8sObject, { kind: 'Endpoints' }>, v: ObjectValidator): void {
  const subsets = (obj as unknown as Record<string, unknown>)['subsets'];
  if (subsets === undefined || subsets === null) return;
  if (!Array.isArray(subsets)) return v.err(['subsets'], 'Invalid value: must be a list');
  subsets.forEach((ss: unknown, i) => {
    if (!isObject(ss)) return v.err(['subsets', i], 'Invalid value: must be a subset');
    for (const field of ['addresses', 'notReadyAddresses'] as const) {
      const list = ss[field];
      if (!Array.isArray(list)) continue;
      list.forEach((a: unknown, j) => {
        if (!isObject(a) || typeof a['ip'] !== 'string' || parseIpv4(a['ip']) === null) {
          v.err(['subsets', i, field, j, 'ip'], `Invalid value: ${show(isObject(a) ? a['ip'] : a)}: must be a valid IPv4 address`);
        }
      });
    }
    const ports = ss['ports'];
    if (!Array.isArray(ports)) return;
    const names = new Set<string>();
    ports.forEach((p: unknown, j) => {
      const pp: PathSegment[] = ['subsets', i, 'ports', j];
      if (!isObject(p)) return v.err(pp, 'Invalid value: must be a port');
      const name = p['name'];
      if (ports.length > 1 && (name === undefined || name === '')) v.err([...pp, 'name'], 'Required value');
      if (typeof name === 'string' && name !== '') {
        for (const e of dns1123LabelErrors(name)) v.err([...pp, 'name'], `Invalid value: ${show(name)}: ${e}`);
        if (names.has(name)) v.err([...pp, 'name'], `Duplicate value: ${show(name)}`);
        names.add(name);
      }
      if (!isPort(p['port'])) v.err([...pp, 'port'], `Invalid value: ${show(p['port'])}: must be between 1 and 65535, inclusive`);
      validateProtocol(p['protocol'], [...pp, 'protocol'], v);
    });
  });
}

function validateIngress(obj: Extract<K8sObject, { kind: 'Ingress' }>, v: ObjectValidator): void {
  const spec = obj.spec as unknown;
  if (!isObject(spec)) return v.err(['spec'], 'Required value');
  const backend = (b: unknown, path: readonly PathSegment[]): void => {
    if (!isObject(b)) return v.err(path, 'Required value');
    const svc = b['service'];
    if (!isObject(svc)) return v.err([...path, 'service'], 'Required value: a backend must name a service');
    if (typeof svc['name'] !== 'string' || svc['name'] === '') v.err([...path, 'service', 'name'], 'Required value');
    const port = svc['port'];
    if (!isObject(port)) return v.err([...path, 'service', 'port'], 'Required value');
    const hasNum = port['number'] !== undefined && port['number'] !== 0;
    const hasName = port['name'] !== undefined && port['name'] !== '';
    if (hasNum && hasName) v.err([...path, 'service', 'port'], 'Invalid value: cannot set both port name & port number');
    else if (!hasNum && !hasName) v.err([...path, 'service', 'port', 'name'], 'Required value: port name or number is required');
    else if (hasNum && !isPort(port['number'])) v.err([...path, 'service', 'port', 'number'], `Invalid value: ${show(port['number'])}: must be between 1 and 65535, inclusive`);
    else if (hasName && (typeof port['name'] !== 'string' || portNameErrors(port['name']).length > 0)) {
      v.err([...path, 'service', 'port', 'name'], `Invalid value: ${show(port['name'])}: ${portNameErrors(String(port['name']))[0] ?? 'must be a port name'}`);
    }
  };
  if (spec['defaultBackend'] !== undefined) backend(spec['defaultBackend'], ['spec', 'defaultBackend']);
  const rules = spec['rules'];
  if (rules === undefined) {
    if (spec['defaultBackend'] === undefined) v.err(['spec'], 'Invalid value: either `defaultBackend` or `rules` must be specified');
    return;
  }
  if (!Array.isArray(rules)) return v.err(['spec', 'rules'], 'Invalid value: must be a list');
  rules.forEach((r: unknown, i) => {
    if (!isObject(r)) return v.err(['spec', 'rules', i], 'Invalid value: must be a rule');
    const host = r['host'];
    if (host !== undefined && host !== '') {
      if (typeof host !== 'string') v.err(['spec', 'rules', i, 'host'], `Invalid value: ${show(host)}: must be a DNS name`);
      else {
        const h = host.startsWith('*.') ? host.slice(2) : host;
        for (const e of dns1123SubdomainErrors(h)) v.err(['spec', 'rules', i, 'host'], `Invalid value: ${show(host)}: ${e}`);
      }
    }
    const http = r['http'];
    if (http === undefined) return;
    if (!isObject(http) || !Array.isArray(http['paths']) || http['paths'].length === 0) return v.err(['spec', 'rules', i, 'http', 'paths'], 'Required value');
    (http['paths'] as unknown[]).forEach((p, j) => {
      const pp: PathSegment[] = ['spec', 'rules', i, 'http', 'paths', j];
      if (!isObject(p)) return v.err(pp, 'Invalid value: must be a path');
      const pt = p['pathType'];
      if (pt === undefined) v.err([...pp, 'pathType'], 'Required value: pathType must be specified');
      else if (pt !== 'Exact' && pt !== 'Prefix' && pt !== 'ImplementationSpecific') v.err([...pp, 'pathType'], `Unsupported value: ${show(pt)}: supported values: "Exact", "ImplementationSpecific", "Prefix"`);
      const path = p['path'];
      if ((pt === 'Exact' || pt === 'Prefix') && (typeof path !== 'string' || !path.startsWith('/'))) v.err([...pp, 'path'], `Invalid value: ${show(path)}: must be an absolute path`);
      backend(p['backend'], [...pp, 'backend']);
    });
  });
}
