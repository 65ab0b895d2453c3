/**
 * Loading a scenario file: multi-document YAML in, the Scenario model plus typed Kubernetes
 * objects out, with every problem at file:line:column (shared/docs/scenario-format.md).
 *
 * Kubernetes documents are read the way the API server decodes them: the fields kubewire
 * models are type-checked and kept; every other field (status, managedFields, resources,
 * volumes, probe commands …) is accepted silently, so `kubectl get -o yaml` and
 * `kubectl create --dry-run=client -o yaml` output loads unchanged; `null` counts as absent.
 * Kinds that do not affect Service networking are ignored with one warning each.
 * Kubernetes' own validation rules (port names, nodePort ranges, …) are the k8s controllers'
 * business; they report through `PositionIndex.problem`.
 *
 * The loader never throws: an internal failure becomes an error at 1:1.
 */
import { LineCounter, isMap, isSeq, parseAllDocuments, visit, type Document } from 'yaml';
import type {
  Container,
  DaemonSet,
  Deployment,
  EndpointSlice,
  Endpoints,
  Ingress,
  IngressBackend,
  LabelSelector,
  Namespace,
  Node,
  ObjectMeta,
  OwnerReference,
  Pod,
  PodSpec,
  PodTemplateSpec,
  Probe,
  ReplicaSet,
  Service,
  StatefulSet,
} from '../k8s/model/index.ts';
import {
  CLUSTER_SCOPED_KINDS,
  MODELLED_KINDS,
  formatObjectKey,
  type K8sObject,
  type KubeProxySpec,
  type ObjectKey,
  type Scenario,
  type ScenarioProblem,
} from './model.ts';
import { YamlPositionIndex, formatPath, type PathSeg, type PositionIndex } from './positions.ts';
import {
  Problems,
  SCENARIO_API_VERSION,
  asBool,
  asEnum,
  asInt,
  asList,
  asMap,
  asString,
  asStringMap,
  describeValue,
  field,
  isMapping,
  readClusterCidr,
  readKubeProxyMode,
  readNodePortAddresses,
  readScenario,
  suggest,
  type JsonMap,
  type PendingProblem,
} from './validate.ts';

// ---------------------------------------------------------------------------------------------
// Result

/** What loading a scenario file produced. `ok` is true exactly when there are no errors. */
export interface LoadResult {
  readonly ok: boolean;
  /** The runnable scenario; absent whenever the file has an error. */
  readonly scenario?: Scenario;
  /** The Kubernetes objects that read cleanly, in file order (List items unpacked). */
  readonly objects: readonly K8sObject[];
  readonly errors: readonly ScenarioProblem[];
  readonly warnings: readonly ScenarioProblem[];
  /** Positions for problems found later (k8s validation, references). */
  readonly positions: PositionIndex;
}

/**
 * Formats a problem the way compilers do:
 * `clusterip.yaml:14:9 Service default/backend spec.ports[1]: ports must be named …`;
 * warnings carry `warning: ` after the position.
 */
export function formatProblem(p: ScenarioProblem): string {
  const head = [p.object ?? '', p.path].filter((s) => s !== '').join(' ');
  const sev = p.severity === 'warning' ? 'warning: ' : '';
  return `${p.file}:${p.line}:${p.column} ${sev}${head === '' ? '' : `${head}: `}${p.message}`;
}

// ---------------------------------------------------------------------------------------------
// A typed schema for the modelled Kubernetes fields

/** Reads one value at a path, reporting problems; undefined when it (or something inside it) is wrong. */
interface Schema<T> {
  readonly read: (v: unknown, path: PathSeg[], p: Problems) => T | undefined;
  /** What the value should be, for "missing" messages. */
  readonly expected: string;
}

interface Req<T> {
  readonly kind: 'required';
  readonly schema: Schema<T>;
}

interface Dflt<T> {
  readonly kind: 'default';
  readonly schema: Schema<T>;
  readonly value: T;
}

type FieldDef = Schema<unknown> | Req<unknown> | Dflt<unknown>;
type Fields = Readonly<Record<string, FieldDef>>;

type Simplify<T> = { [K in keyof T]: T[K] } & {};
type RequiredKeys<F> = { [K in keyof F]: F[K] extends Req<unknown> | Dflt<unknown> ? K : never }[keyof F];
type OptionalKeys<F> = Exclude<keyof F, RequiredKeys<F>>;
type Inner<D> = D extends Req<infer T> ? T : D extends Dflt<infer T> ? T : D extends Schema<infer T> ? T : never;
type ObjOut<F> = Simplify<{ [K in RequiredKeys<F>]: Inner<F[K]> } & { [K in OptionalKeys<F>]?: Inner<F[K]> }>;

const req = <T>(schema: Schema<T>): Req<T> => ({ kind: 'required', schema });
const dflt = <T>(schema: Schema<T>, value: T): Dflt<T> => ({ kind: 'default', schema, value });

function isFieldWrapper(d: FieldDef): d is Req<unknown> | Dflt<unknown> {
  return 'kind' in d && (d.kind === 'required' || d.kind === 'default');
}

const str: Schema<string> = { expected: 'a string', read: (v, path, p) => asString(p, v, path) };
/** A string that messages call `expected` (e.g. "the object's name"). */
const strAs = (expected: string): Schema<string> => ({ expected, read: (v, path, p) => asString(p, v, path) });
const objectName = strAs("the object's name");
const bool: Schema<boolean> = { expected: 'true or false', read: (v, path, p) => asBool(p, v, path) };
const int = (min = -Infinity, max = Infinity, expected = 'an integer'): Schema<number> => ({ expected, read: (v, path, p) => asInt(p, v, path, min, max, expected) });
const int32 = int();
const enm = <const V extends string>(...values: V[]): Schema<V> => ({ expected: `one of ${values.join(', ')}`, read: (v, path, p) => asEnum(p, v, path, values) });
const stringMap: Schema<Record<string, string>> = { expected: 'a mapping of strings', read: (v, path, p) => asStringMap(p, v, path) };
/** IntOrString: a number or a (named-port) string. */
const intOrString: Schema<number | string> = {
  expected: 'a port number or name',
  read: (v, path, p) => {
    if (typeof v === 'string') return v;
    if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
    p.error(path, `expected an integer or a string, got ${describeValue(v)}`);
    return undefined;
  },
};

/** A list of `of`; `expected` names it in messages ("a list of containers"); `tooFew` is said when it has fewer than `minItems`. */
function list<T>(of: Schema<T>, expected = 'a list', minItems = 0, tooFew = `expected at least ${minItems} item${minItems === 1 ? '' : 's'}`): Schema<T[]> {
  return {
    expected,
    read: (v, path, p) => {
      const l = asList(p, v, path, expected);
      if (!l) return undefined;
      if (l.length < minItems) {
        p.error(path, `${tooFew}, got none`);
        return undefined;
      }
      const out: T[] = [];
      let ok = true;
      l.forEach((item, i) => {
        const r = of.read(item, [...path, i], p);
        if (r === undefined) ok = false;
        else out.push(r);
      });
      return ok ? out : undefined;
    },
  };
}

function obj<const F extends Fields>(fields: F, expected = 'a mapping'): Schema<ObjOut<F>> {
  return {
    expected,
    read: (v, path, p) => {
      const m = asMap(p, v, path, expected);
      if (!m) return undefined;
      const out: Record<string, unknown> = {};
      let ok = true;
      for (const [key, d] of Object.entries(fields)) {
        const schema = isFieldWrapper(d) ? d.schema : d;
        const val = field(m, key);
        if (val === undefined) {
          if (isFieldWrapper(d) && d.kind === 'required') {
            p.error([...path, key], `missing required field (expected ${schema.expected})`);
            ok = false;
          } else if (isFieldWrapper(d) && d.kind === 'default') out[key] = d.value;
          continue;
        }
        const r = schema.read(val, [...path, key], p);
        if (r === undefined) ok = false;
        else out[key] = r;
      }
      return ok ? (out as ObjOut<F>) : undefined;
    },
  };
}

// --- The model's fields, kind by kind (k8s.io/api core/v1, apps/v1, discovery/v1, networking/v1).

const protocol = enm('TCP', 'UDP', 'SCTP');

const ownerReference = obj({
  apiVersion: str,
  kind: req(strAs("the owner's kind")),
  name: req(strAs("the owner's name")),
  uid: str,
  controller: bool,
  blockOwnerDeletion: bool,
});
const metaFields = {
  name: req(objectName),
  namespace: str,
  labels: stringMap,
  annotations: stringMap,
  uid: str,
  generateName: str,
  ownerReferences: list(ownerReference, 'a list of owner references'),
} as const;
const objectMeta = obj(metaFields, 'object metadata (a mapping)');
const podMeta = obj({ ...metaFields, deletionTimestamp: str }, 'object metadata (a mapping)');
const templateMeta = obj({ ...metaFields, name: str });

const containerPort = obj({ name: str, containerPort: req(int(0, 65535, 'a port number')), protocol, hostPort: int32 });
const portRef = obj({ port: req(intOrString) });
const probe = obj({
  httpGet: obj({ path: str, port: req(intOrString) }),
  tcpSocket: portRef,
  exec: obj({ command: list(str, 'a list of strings') }),
  grpc: obj({ port: req(int32) }),
  initialDelaySeconds: int32,
  periodSeconds: int32,
  failureThreshold: int32,
});
const container = obj({ name: req(strAs("the container's name")), image: str, ports: list(containerPort, 'a list of container ports'), readinessProbe: probe }, 'a container (a mapping)');
const podSpec = obj({
  nodeName: str,
  nodeSelector: stringMap,
  containers: req(list(container, 'a list of containers, each with a name', 1, 'a pod needs at least one container')),
  initContainers: list(container, 'a list of containers'),
  hostname: str,
  subdomain: str,
  hostNetwork: bool,
  dnsPolicy: enm('ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None'),
  dnsConfig: obj({ nameservers: list(str, 'a list of addresses'), searches: list(str, 'a list of domains'), options: list(obj({ name: req(str), value: str }), 'a list of {name, value}') }),
  setHostnameAsFQDN: bool,
  restartPolicy: enm('Always', 'OnFailure', 'Never'),
});
const condition = obj({ type: req(strAs('a condition type such as Ready')), status: req(enm('True', 'False', 'Unknown')), reason: str, message: str });
const podStatus = obj({
  phase: enm('Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'),
  podIP: str,
  podIPs: list(obj({ ip: req(strAs('an IP address')) }), 'a list of {ip}'),
  hostIP: str,
  hostIPs: list(obj({ ip: req(strAs('an IP address')) }), 'a list of {ip}'),
  conditions: list(condition, 'a list of conditions'),
});
const pod = obj({ metadata: req(podMeta), spec: req(podSpec), status: podStatus });

const labelSelector = obj({
  matchLabels: stringMap,
  matchExpressions: list(obj({ key: req(strAs('a label key')), operator: req(enm('In', 'NotIn', 'Exists', 'DoesNotExist')), values: list(str, 'a list of strings') }), 'a list of {key, operator, values}'),
});
const podTemplate = obj({ metadata: templateMeta, spec: req(podSpec) });
const selector = req(labelSelector);
const template = req(podTemplate);
const deployment = obj({ metadata: req(objectMeta), spec: req(obj({ replicas: int(0), selector, template })) });
const replicaSet = deployment;
const statefulSet = obj({
  metadata: req(objectMeta),
  spec: req(obj({ replicas: int(0), serviceName: str, selector, template })),
});
const daemonSet = obj({ metadata: req(objectMeta), spec: req(obj({ selector, template })) });

const servicePort = obj({ name: str, protocol, port: req(int(0, 65535, 'a port number')), targetPort: intOrString, nodePort: int32, appProtocol: str }, 'a Service port (a mapping)');
const trafficPolicy = enm('Cluster', 'Local');
const serviceSpec = obj({
  type: enm('ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'),
  clusterIP: str,
  clusterIPs: list(str, 'a list of IP addresses'),
  ipFamilies: list(enm('IPv4', 'IPv6'), 'a list of IP families'),
  ipFamilyPolicy: enm('SingleStack', 'PreferDualStack', 'RequireDualStack'),
  ports: list(servicePort, 'a list of ports'),
  selector: stringMap,
  sessionAffinity: enm('None', 'ClientIP'),
  sessionAffinityConfig: obj({ clientIP: obj({ timeoutSeconds: int32 }) }),
  externalTrafficPolicy: trafficPolicy,
  internalTrafficPolicy: trafficPolicy,
  healthCheckNodePort: int32,
  loadBalancerSourceRanges: list(str, 'a list of CIDRs'),
  externalIPs: list(str, 'a list of IP addresses'),
  externalName: str,
  publishNotReadyAddresses: bool,
  allocateLoadBalancerNodePorts: bool,
  loadBalancerIP: str,
});
const serviceStatus = obj({ loadBalancer: obj({ ingress: list(obj({ ip: str, hostname: str, ipMode: enm('VIP', 'Proxy') }), 'a list of {ip, hostname}') }) });
const service = obj({ metadata: req(objectMeta), spec: req(serviceSpec), status: serviceStatus });

const endpointAddress = obj({
  ip: req(strAs('an IP address')),
  hostname: str,
  nodeName: str,
  targetRef: obj({ kind: str, name: str, namespace: str }),
});
const endpoints = obj({
  metadata: req(objectMeta),
  subsets: list(
    obj({
      addresses: list(endpointAddress, 'a list of {ip}'),
      notReadyAddresses: list(endpointAddress, 'a list of {ip}'),
      ports: list(obj({ name: str, port: req(int(0, 65535, 'a port number')), protocol }), 'a list of ports'),
    }),
    'a list of subsets',
  ),
});

const objectReference = obj({ kind: str, namespace: str, name: str, uid: str });
const named = obj({ name: req(strAs('a name')) });
const endpointSlice = obj({
  metadata: req(objectMeta),
  addressType: req(enm('IPv4', 'IPv6', 'FQDN')),
  // `kubectl get` prints `endpoints: null` for a slice with none.
  endpoints: dflt(
    list(
      obj({
        addresses: req(list(str, 'a list of addresses', 1, 'an endpoint needs an address')),
        conditions: obj({ ready: bool, serving: bool, terminating: bool }),
        hostname: str,
        targetRef: objectReference,
        nodeName: str,
        zone: str,
        hints: obj({ forZones: list(named, 'a list of {name}'), forNodes: list(named, 'a list of {name}') }),
      }),
      'a list of endpoints',
    ),
    [],
  ),
  ports: list(obj({ name: str, protocol, port: int(0, 65535), appProtocol: str }), 'a list of ports'),
});

const ingressBackend = obj({ service: obj({ name: req(strAs('the Service name')), port: req(obj({ number: int(0, 65535), name: str }, 'a port {number} or {name}')) }) });
const ingress = obj({
  metadata: req(objectMeta),
  spec: dflt(
    obj({
      ingressClassName: str,
      defaultBackend: ingressBackend,
      rules: list(
        obj({
          host: str,
          http: obj({
            paths: req(list(obj({ path: str, pathType: req(enm('Prefix', 'Exact', 'ImplementationSpecific')), backend: req(ingressBackend) }), 'a list of paths')),
          }),
        }),
        'a list of rules',
      ),
    }),
    {},
  ),
});

const namespace = obj({ metadata: req(objectMeta), status: obj({ phase: enm('Active', 'Terminating') }) });
const node = obj({
  metadata: req(objectMeta),
  spec: obj({ podCIDR: str, podCIDRs: list(str, 'a list of CIDRs') }),
  status: obj({
    addresses: list(obj({ type: req(enm('InternalIP', 'ExternalIP', 'Hostname', 'InternalDNS', 'ExternalDNS')), address: req(strAs('an address')) }), 'a list of {type, address}'),
    // Taken as written: a node pasted as NotReady stays NotReady until a fault says otherwise.
    conditions: list(condition, 'a list of conditions'),
  }),
});

// Compile-time proof that each schema produces what the model declares (a drift fails `tsc`).
type Body<T> = Omit<T, 'apiVersion' | 'kind'>;
type Out<S> = S extends Schema<infer T> ? T : never;
const modelChecks: {
  pod: Out<typeof pod> extends Body<Pod> ? true : false;
  deployment: Out<typeof deployment> extends Body<Deployment> ? true : false;
  replicaSet: Out<typeof replicaSet> extends Body<ReplicaSet> ? true : false;
  statefulSet: Out<typeof statefulSet> extends Body<StatefulSet> ? true : false;
  daemonSet: Out<typeof daemonSet> extends Body<DaemonSet> ? true : false;
  service: Out<typeof service> extends Body<Service> ? true : false;
  endpoints: Out<typeof endpoints> extends Body<Endpoints> ? true : false;
  endpointSlice: Out<typeof endpointSlice> extends Body<EndpointSlice> ? true : false;
  ingress: Out<typeof ingress> extends Body<Ingress> ? true : false;
  namespace: Out<typeof namespace> extends Body<Namespace> ? true : false;
  node: Out<typeof node> extends Body<Node> ? true : false;
  parts: [
    Out<typeof objectMeta> extends ObjectMeta ? true : false,
    Out<typeof ownerReference> extends OwnerReference ? true : false,
    Out<typeof container> extends Container ? true : false,
    Out<typeof probe> extends Probe ? true : false,
    Out<typeof podSpec> extends PodSpec ? true : false,
    Out<typeof podTemplate> extends PodTemplateSpec ? true : false,
    Out<typeof labelSelector> extends LabelSelector ? true : false,
    Out<typeof ingressBackend> extends IngressBackend ? true : false,
  ];
} = {
  pod: true,
  deployment: true,
  replicaSet: true,
  statefulSet: true,
  daemonSet: true,
  service: true,
  endpoints: true,
  endpointSlice: true,
  ingress: true,
  namespace: true,
  node: true,
  parts: [true, true, true, true, true, true, true, true],
};
void modelChecks;

/**
 * The model fields (as dotted paths) a schema does not read. Every field the k8s model declares
 * must be read, or be listed below with the reason it is not: when the model grows, `tsc`
 * fails here until the loader keeps up.
 */
type Unwrap<T> = T extends readonly (infer E)[] ? E : T;
type DeepMissing<M, O, P extends string = ''> = M extends string | number | boolean
  ? never
  : { [K in keyof M & string]-?: K extends keyof O ? DeepMissing<Unwrap<NonNullable<M[K]>>, Unwrap<NonNullable<O[K]>>, `${P}${K}.`> : `${P}${K}` }[keyof M & string];
/** Workload status counters are what the controllers compute; the file's values are not inputs. */
type DerivedStatus = 'status';
/** Compiles only when T is never; otherwise the error names the unread field paths. */
type AssertNoneMissing<T extends never> = T;
type LoaderReadsEveryModelField = AssertNoneMissing<
  | DeepMissing<Body<Pod>, Out<typeof pod>>
  | Exclude<DeepMissing<Body<Deployment>, Out<typeof deployment>>, DerivedStatus>
  | Exclude<DeepMissing<Body<ReplicaSet>, Out<typeof replicaSet>>, DerivedStatus>
  | Exclude<DeepMissing<Body<StatefulSet>, Out<typeof statefulSet>>, DerivedStatus>
  | Exclude<DeepMissing<Body<DaemonSet>, Out<typeof daemonSet>>, DerivedStatus>
  | DeepMissing<Body<Service>, Out<typeof service>>
  | DeepMissing<Body<Endpoints>, Out<typeof endpoints>>
  | DeepMissing<Body<EndpointSlice>, Out<typeof endpointSlice>>
  | DeepMissing<Body<Ingress>, Out<typeof ingress>>
  | DeepMissing<Body<Namespace>, Out<typeof namespace>>
  | DeepMissing<Body<Node>, Out<typeof node>>
>;

const SCHEMAS: Readonly<Record<K8sObject['kind'], Schema<unknown>>> = {
  Pod: pod,
  Deployment: deployment,
  ReplicaSet: replicaSet,
  StatefulSet: statefulSet,
  DaemonSet: daemonSet,
  Service: service,
  Endpoints: endpoints,
  EndpointSlice: endpointSlice,
  Ingress: ingress,
  Namespace: namespace,
  Node: node,
};

// ---------------------------------------------------------------------------------------------
// Kinds kubewire does not model

/** Built-in kinds that do not affect Service networking: accepted and ignored with a warning. */
const IGNORED_KINDS: ReadonlySet<string> = new Set([
  'ConfigMap',
  'Secret',
  'ServiceAccount',
  'Role',
  'RoleBinding',
  'ClusterRole',
  'ClusterRoleBinding',
  'PersistentVolume',
  'PersistentVolumeClaim',
  'StorageClass',
  'VolumeAttachment',
  'CSIDriver',
  'CSINode',
  'HorizontalPodAutoscaler',
  'VerticalPodAutoscaler',
  'PodDisruptionBudget',
  'LimitRange',
  'ResourceQuota',
  'PriorityClass',
  'RuntimeClass',
  'Job',
  'CronJob',
  'ControllerRevision',
  'Event',
  'Lease',
  'CustomResourceDefinition',
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
  'APIService',
  'CertificateSigningRequest',
  'FlowSchema',
  'PriorityLevelConfiguration',
  'PodTemplate',
  'ReplicationController',
  'ComponentStatus',
  'IngressClass',
  'ServiceCIDR',
  'IPAddress',
  'NetworkPolicy',
  'KubeletConfiguration',
  'ClusterConfiguration',
  'InitConfiguration',
  'JoinConfiguration',
]);

/** Why an ignored kind is ignored, when there is more to say than "does not affect Service networking". */
const IGNORED_WHY: Readonly<Record<string, string>> = {
  NetworkPolicy: 'ignored: NetworkPolicy is not modelled yet, so no traffic is filtered by it',
  ReplicationController: 'ignored: ReplicationController is not modelled (use a Deployment or ReplicaSet)',
  Job: 'ignored: Jobs are not modelled (their pods serve no Service traffic here)',
  CronJob: 'ignored: CronJobs are not modelled (their pods serve no Service traffic here)',
  IngressClass: 'ignored (the emulated ingress controller serves every Ingress)',
  ServiceCIDR: 'ignored: service ranges come from spec.cluster.serviceCIDR',
};

/** API groups served by Kubernetes itself (and its config groups); anything else with a dot is a custom resource. */
const BUILTIN_GROUPS: ReadonlySet<string> = new Set([
  '',
  'apps',
  'batch',
  'autoscaling',
  'policy',
  'extensions',
  'rbac.authorization.k8s.io',
  'networking.k8s.io',
  'discovery.k8s.io',
  'storage.k8s.io',
  'apiextensions.k8s.io',
  'admissionregistration.k8s.io',
  'apiregistration.k8s.io',
  'certificates.k8s.io',
  'coordination.k8s.io',
  'events.k8s.io',
  'node.k8s.io',
  'scheduling.k8s.io',
  'flowcontrol.apiserver.k8s.io',
  'resource.k8s.io',
  'authentication.k8s.io',
  'authorization.k8s.io',
  'kubeproxy.config.k8s.io',
  'kubelet.config.k8s.io',
  'kubeadm.k8s.io',
]);

const KUBE_PROXY_API_VERSION = 'kubeproxy.config.k8s.io/v1alpha1';

function isModelledKind(kind: string): kind is K8sObject['kind'] {
  return Object.prototype.hasOwnProperty.call(MODELLED_KINDS, kind);
}

function apiGroup(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

// ---------------------------------------------------------------------------------------------
// Loading

interface ScenarioDoc {
  readonly docIndex: number;
  readonly base: readonly PathSeg[];
  readonly value: JsonMap;
}

/** The loader's working state for one file. */
class Loader {
  readonly errors: ScenarioProblem[] = [];
  readonly warnings: ScenarioProblem[] = [];
  readonly objects: K8sObject[] = [];
  readonly scenarios: ScenarioDoc[] = [];
  readonly kubeProxyDocs: ScenarioDoc[] = [];
  /** Documents whose YAML was broken but that looked like a Scenario (so "no Scenario" is not reported). */
  brokenScenario = false;

  constructor(
    readonly fileName: string,
    readonly index: YamlPositionIndex,
  ) {}

  /** Adds problems found under (docIndex, base) for the object labelled `object`. */
  add(pending: readonly PendingProblem[], docIndex: number, base: readonly PathSeg[], object: string | undefined): void {
    for (const q of pending) {
      const pos = this.index.locateInDocument(docIndex, [...base, ...q.path], q.atKey === true ? { key: true } : {});
      const prob: ScenarioProblem = {
        file: this.fileName,
        line: pos.line,
        column: pos.column,
        docIndex,
        ...(object !== undefined ? { object } : {}),
        path: formatPath(q.path),
        message: q.message,
        severity: q.severity,
      };
      (q.severity === 'error' ? this.errors : this.warnings).push(prob);
    }
  }

  /** Adds one problem at a path of one YAML document (`docIndex`) */
  one(severity: 'error' | 'warning', docIndex: number, base: readonly PathSeg[], path: readonly PathSeg[], message: string, object?: string, atKey = false): void {
    this.add([{ path, message, severity, ...(atKey ? { atKey } : {}) }], docIndex, base, object);
  }

  /** Reads one document (or List item) at `base` of YAML document `docIndex`. */
  readDocument(value: unknown, docIndex: number, base: readonly PathSeg[], depth: number): void {
    if (!isMapping(value)) {
      this.one('error', docIndex, base, [], `expected a Kubernetes object (a mapping with apiVersion and kind), got ${describeValue(value)}`);
      return;
    }
    const kindV = field(value, 'kind');
    const apiVersionV = field(value, 'apiVersion');
    if (kindV === undefined) {
      this.one('error', docIndex, base, [], `missing kind: every document needs apiVersion and kind (e.g. apiVersion: v1, kind: Service)`);
      return;
    }
    if (typeof kindV !== 'string' || kindV === '') {
      this.one('error', docIndex, base, ['kind'], `expected a kind such as Service, got ${describeValue(kindV)}`);
      return;
    }
    const kind = kindV;
    if (kind === 'Scenario') {
      this.index.register({ kind: 'Scenario', name: scenarioName(value, this.fileName) }, docIndex, base);
      this.scenarios.push({ docIndex, base, value });
      return;
    }
    const label = objectLabel(kind, value);
    this.registerObject(kind, value, docIndex, base);
    if (apiVersionV === undefined) {
      this.one('error', docIndex, base, ['kind'], `missing apiVersion for kind ${kind}${isModelledKind(kind) ? ` (expected ${MODELLED_KINDS[kind]})` : ''}`, label);
      return;
    }
    if (typeof apiVersionV !== 'string') {
      this.one('error', docIndex, base, ['apiVersion'], `expected an apiVersion such as v1, got ${describeValue(apiVersionV)}`, label);
      return;
    }
    const apiVersion = apiVersionV;
    if ((kind === 'List' || kind.endsWith('List')) && Object.prototype.hasOwnProperty.call(value, 'items')) {
      this.readList(value, docIndex, base, depth, label);
      return;
    }
    if (kind === 'KubeProxyConfiguration') {
      if (apiVersion !== KUBE_PROXY_API_VERSION) this.one('error', docIndex, base, ['apiVersion'], `expected ${KUBE_PROXY_API_VERSION}, got ${describeValue(apiVersion)}`, label);
      else this.kubeProxyDocs.push({ docIndex, base, value });
      return;
    }
    const group = apiGroup(apiVersion);
    if (isModelledKind(kind)) {
      const k = kind;
      const want = MODELLED_KINDS[k];
      if (apiVersion !== want) {
        const why = BUILTIN_GROUPS.has(group) ? `${kind} is served as ${want} by current Kubernetes` : `${kind} is a built-in kind in ${want}`;
        this.one('error', docIndex, base, ['apiVersion'], `expected apiVersion ${want}, got ${describeValue(apiVersion)} (${why})`, label);
        return;
      }
      this.readModelled(k, value, docIndex, base, label);
      return;
    }
    if (!BUILTIN_GROUPS.has(group)) {
      if (group.includes('.')) {
        this.one('warning', docIndex, base, [], `ignored: custom resource (${apiVersion}) does not affect Service networking in kubewire`, label);
      } else {
        this.one('error', docIndex, base, ['apiVersion'], `unknown apiVersion ${describeValue(apiVersion)} for kind ${kind}`, label);
      }
      return;
    }
    if (IGNORED_KINDS.has(kind)) {
      this.one('warning', docIndex, base, [], (Object.prototype.hasOwnProperty.call(IGNORED_WHY, kind) ? IGNORED_WHY[kind] : undefined) ?? 'ignored (does not affect Service networking)', label);
      return;
    }
    const known = [...Object.keys(MODELLED_KINDS), ...IGNORED_KINDS, 'Scenario', 'List', 'KubeProxyConfiguration'];
    const hint = suggest(kind, known);
    this.one(
      'error',
      docIndex,
      base,
      ['kind'],
      `unknown kind ${describeValue(kind)}${hint !== undefined ? ` (did you mean ${hint}?)` : ''}; kubewire models ${Object.keys(MODELLED_KINDS).join(', ')}`,
      label,
    );
  }

  /** Registers a document's object (for positions) without reading it: used for documents with syntax errors. */
  registerOnly(value: JsonMap, docIndex: number): void {
    const kind = field(value, 'kind');
    if (kind === 'Scenario') this.index.register({ kind, name: scenarioName(value, this.fileName) }, docIndex, []);
    else if (typeof kind === 'string') this.registerObject(kind, value, docIndex, []);
  }

  private registerObject(kind: string, value: JsonMap, docIndex: number, base: readonly PathSeg[]): void {
    const meta = field(value, 'metadata');
    if (!isMapping(meta)) return;
    const name = field(meta, 'name');
    const ns = field(meta, 'namespace');
    if (typeof name !== 'string') return;
    this.index.register(typeof ns === 'string' ? { kind, namespace: ns, name } : { kind, name }, docIndex, base);
  }

  private readList(value: JsonMap, docIndex: number, base: readonly PathSeg[], depth: number, label: string | undefined): void {
    const items = field(value, 'items') ?? [];
    if (!Array.isArray(items)) {
      this.one('error', docIndex, base, ['items'], `expected a list of objects, got ${describeValue(items)}`, label);
      return;
    }
    if (depth > 4) {
      this.one('error', docIndex, base, [], 'Lists nested more than four deep', label);
      return;
    }
    items.forEach((item, i) => this.readDocument(item, docIndex, [...base, 'items', i], depth + 1));
  }

  private readModelled(kind: K8sObject['kind'], value: JsonMap, docIndex: number, base: readonly PathSeg[], label: string | undefined): void {
    const p = new Problems();
    const meta = field(value, 'metadata');
    if (isMapping(meta) && field(meta, 'name') === undefined && typeof field(meta, 'generateName') === 'string') {
      // The API server would invent a name; a scenario must be reproducible, so it has to be written.
      p.error(['metadata', 'name'], 'missing required field (expected the object\'s name; generateName is not supported: the name must be fixed)');
    } else {
      const body = SCHEMAS[kind].read(value, [], p);
      if (body !== undefined && p.errorCount === 0) {
        const apiVersion = MODELLED_KINDS[kind];
        const o = { apiVersion, kind, ...(body as object) } as K8sObject;
        const key: ObjectKey = o.metadata.namespace === undefined ? { kind, name: o.metadata.name } : { kind, namespace: o.metadata.namespace, name: o.metadata.name };
        this.index.registerObjectIndex(this.objects.length, key, docIndex, base);
        this.objects.push(o);
      }
    }
    this.add(p.list, docIndex, base, label);
  }

  /** Reads the kube-proxy settings of a KubeProxyConfiguration document (kubeproxy.config.k8s.io) */
  readKubeProxyConfiguration(doc: ScenarioDoc): KubeProxySpec | undefined {
    const p = new Problems();
    const m = doc.value;
    const out: Record<string, unknown> = {};
    const set = (key: string, v: unknown): void => {
      if (v !== undefined) out[key] = v;
    };
    const sub = (key: string): JsonMap | undefined => {
      const v = field(m, key);
      return v === undefined ? undefined : asMap(p, v, [key]);
    };
    const modeV = field(m, 'mode');
    if (modeV !== undefined) set('mode', readKubeProxyMode(p, modeV, ['mode']));
    const cc = field(m, 'clusterCIDR');
    if (cc !== undefined) set('clusterCIDR', readClusterCidr(p, cc, ['clusterCIDR']));
    const dlm = field(m, 'detectLocalMode');
    if (dlm !== undefined && dlm !== '') set('detectLocalMode', asEnum(p, dlm, ['detectLocalMode'], ['ClusterCIDR', 'NodeCIDR', 'BridgeInterface', 'InterfaceNamePrefix']));
    const dl = sub('detectLocal');
    if (dl) {
      const bi = field(dl, 'bridgeInterface');
      if (bi !== undefined && bi !== '') set('bridgeInterface', asString(p, bi, ['detectLocal', 'bridgeInterface']));
      const ip = field(dl, 'interfaceNamePrefix');
      if (ip !== undefined && ip !== '') set('interfaceNamePrefix', asString(p, ip, ['detectLocal', 'interfaceNamePrefix']));
    }
    const npa = field(m, 'nodePortAddresses');
    if (npa !== undefined) set('nodePortAddresses', readNodePortAddresses(p, npa, ['nodePortAddresses']));
    const ipt = sub('iptables');
    if (ipt) {
      const ma = field(ipt, 'masqueradeAll');
      if (ma !== undefined) set('masqueradeAll', asBool(p, ma, ['iptables', 'masqueradeAll']));
      const mb = field(ipt, 'masqueradeBit');
      if (mb !== undefined) set('masqueradeBit', asInt(p, mb, ['iptables', 'masqueradeBit'], 0, 31));
      const lnp = field(ipt, 'localhostNodePorts');
      if (lnp !== undefined) set('localhostNodePorts', asBool(p, lnp, ['iptables', 'localhostNodePorts']));
    }
    const topMa = field(m, 'masqueradeAll');
    if (topMa !== undefined) set('masqueradeAll', asBool(p, topMa, ['masqueradeAll']));
    const ct = sub('conntrack');
    if (ct) {
      const lib = field(ct, 'tcpBeLiberal');
      if (lib !== undefined) set('conntrackTCPBeLiberal', asBool(p, lib, ['conntrack', 'tcpBeLiberal']));
    }
    this.add(p.list, doc.docIndex, doc.base, 'KubeProxyConfiguration');
    return p.errorCount === 0 ? (out as KubeProxySpec) : undefined;
  }
}

function scenarioName(value: JsonMap, fileName: string): string {
  const meta = field(value, 'metadata');
  const name = isMapping(meta) ? field(meta, 'name') : undefined;
  return typeof name === 'string' && name.trim() !== '' ? name : defaultScenarioName(fileName);
}

/** The name of a Scenario without metadata.name: the file's base name without its extension. */
function defaultScenarioName(fileName: string): string {
  const baseName = fileName.split(/[\\/]/).pop() ?? fileName;
  const stem = baseName.replace(/\.(ya?ml|json)$/i, '');
  return stem === '' ? 'scenario' : stem;
}

/** `Kind ns/name` for problems, or `Kind` when the object has no usable name. */
function objectLabel(kind: string, value: JsonMap): string | undefined {
  const meta = field(value, 'metadata');
  const name = isMapping(meta) ? field(meta, 'name') : undefined;
  const ns = isMapping(meta) ? field(meta, 'namespace') : undefined;
  if (typeof name !== 'string' || name === '') return kind;
  const key: ObjectKey = typeof ns === 'string' ? { kind, namespace: ns, name } : { kind, name };
  return formatObjectKey(key);
}

function yamlErrorMessage(text: string, code: string, message: string, pos: readonly [number, number]): string {
  if (code === 'DUPLICATE_KEY') {
    const key = text.slice(pos[0], Math.max(pos[0], pos[1])).trim();
    // The error's range covers the repeated key (or just its first character).
    const m = /^[^\s:]+/.exec(text.slice(pos[0], pos[0] + 200));
    const shown = key.length > 1 ? key : (m?.[0] ?? key);
    return `duplicate key ${JSON.stringify(shown.replace(/^["']|["']$/g, ''))}: a key may appear only once in a mapping`;
  }
  // The library's messages are full sentences; make them fit after "file:line:col ".
  const first = message.split('\n')[0]!.trim();
  return `YAML syntax error: ${first.charAt(0).toLowerCase()}${first.slice(1)}`;
}

/** Offsets of mapping keys that are lists or mappings (`? [a, b]: x`), which Kubernetes YAML never has. */
function collectionKeyOffsets(doc: Document): number[] {
  const out: number[] = [];
  visit(doc, {
    Pair(_, pair) {
      const k = pair.key as unknown;
      if ((isMap(k) || isSeq(k)) && k.range) out.push(k.range[0]);
    },
  });
  return out;
}

function mergeKubeProxy(loader: Loader, scenario: Scenario, fromConfig: KubeProxySpec, doc: ScenarioDoc, scenarioDoc: ScenarioDoc): Scenario {
  const own = scenario.spec.cluster.kubeProxy ?? {};
  for (const [k, v] of Object.entries(own)) {
    const other = (fromConfig as Record<string, unknown>)[k];
    if (other !== undefined && JSON.stringify(other) !== JSON.stringify(v)) {
      loader.one(
        'warning',
        scenarioDoc.docIndex,
        scenarioDoc.base,
        ['spec', 'cluster', 'kubeProxy', k],
        `overrides the KubeProxyConfiguration (document ${doc.docIndex + 1}), which says ${JSON.stringify(other)}`,
        `Scenario ${scenario.metadata.name}`,
      );
    }
  }
  return { ...scenario, spec: { ...scenario.spec, cluster: { ...scenario.spec.cluster, kubeProxy: { ...fromConfig, ...own } } } };
}

function loadUnchecked(text: string, fileName: string): LoadResult {
  const lineCounter = new LineCounter();
  // logLevel 'error': the library must not print (console/process warnings) from inside the engine.
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false, merge: true, uniqueKeys: true, logLevel: 'error' }) as readonly Document[];
  const index = new YamlPositionIndex(fileName, docs, lineCounter);
  const loader = new Loader(fileName, index);

  docs.forEach((doc, docIndex) => {
    const complexKeys = collectionKeyOffsets(doc);
    const broken = doc.errors.some((e) => e.code !== 'DUPLICATE_KEY') || complexKeys.length > 0;
    let value: unknown;
    let readable = true;
    try {
      value = doc.contents === null ? undefined : doc.toJS({ maxAliasCount: 1000 });
    } catch (e) {
      readable = false;
      const pos = index.documentStart(docIndex);
      loader.errors.push({ file: fileName, line: pos.line, column: pos.column, docIndex, path: '', message: `cannot read this document: ${e instanceof Error ? e.message : String(e)}`, severity: 'error' });
    }
    // Register first, so that syntax errors can name the object they are in.
    if (doc.errors.length > 0 && isMapping(value)) loader.registerOnly(value, docIndex);
    for (const e of doc.errors) {
      const pos = index.positionOf(e.pos[0], docIndex);
      const at = index.pathAt(pos.line, pos.column);
      loader.errors.push({
        file: fileName,
        line: pos.line,
        column: pos.column,
        docIndex,
        // After a syntax error the recovered names may be wrong; only name the object when the YAML parsed.
        ...(at?.object !== undefined && !broken ? { object: at.object } : {}),
        path: at?.path ?? '',
        message: yamlErrorMessage(text, e.code, e.message, e.pos),
        severity: 'error',
      });
    }
    for (const offset of complexKeys) {
      const pos = index.positionOf(offset, docIndex);
      loader.errors.push({ file: fileName, line: pos.line, column: pos.column, docIndex, path: index.pathAt(pos.line, pos.column)?.path ?? '', message: 'a mapping key must be a string, not a list or mapping', severity: 'error' });
    }
    for (const w of doc.warnings) {
      const pos = index.positionOf(w.pos[0], docIndex);
      loader.warnings.push({ file: fileName, line: pos.line, column: pos.column, docIndex, path: '', message: `YAML: ${w.message.split('\n')[0]}`, severity: 'warning' });
    }
    if (!readable || value === undefined || value === null) return;
    if (broken) {
      // Do not pile guesses on top of a syntax error; just remember a Scenario was meant.
      if (isMapping(value) && field(value, 'kind') === 'Scenario') loader.brokenScenario = true;
      return;
    }
    loader.readDocument(value, docIndex, [], 0);
  });

  let scenario: Scenario | undefined;
  if (loader.scenarios.length === 0) {
    if (!loader.brokenScenario) {
      loader.errors.push({
        file: fileName,
        line: 1,
        column: 1,
        docIndex: -1,
        path: '',
        message: `no Scenario document: add a document with "apiVersion: ${SCENARIO_API_VERSION}" and "kind: Scenario" that says what traffic to send (see docs/scenario-format.md)`,
        severity: 'error',
      });
    }
  } else {
    const first = loader.scenarios[0]!;
    const firstLine = index.locateInDocument(first.docIndex, first.base).line;
    for (const extra of loader.scenarios.slice(1)) {
      loader.one('error', extra.docIndex, extra.base, ['kind'], `a file holds exactly one Scenario document; the first is at line ${firstLine}`, `Scenario ${scenarioName(extra.value, fileName)}`);
    }
    const p = new Problems();
    const name = scenarioName(first.value, fileName);
    scenario = readScenario(first.value, defaultScenarioName(fileName), p);
    loader.add(p.list, first.docIndex, first.base, `Scenario ${name}`);
    if (loader.kubeProxyDocs.length > 1) {
      for (const extra of loader.kubeProxyDocs.slice(1)) loader.one('error', extra.docIndex, extra.base, ['kind'], 'only one KubeProxyConfiguration per file', 'KubeProxyConfiguration');
    }
    const kpDoc = loader.kubeProxyDocs[0];
    if (kpDoc) {
      const kp = loader.readKubeProxyConfiguration(kpDoc);
      if (kp && scenario) scenario = mergeKubeProxy(loader, scenario, kp, kpDoc, first);
    }
  }
  if (loader.scenarios.length === 0) for (const kpDoc of loader.kubeProxyDocs) loader.readKubeProxyConfiguration(kpDoc);

  const errors = sortProblems(loader.errors);
  const warnings = sortProblems(loader.warnings);
  const ok = errors.length === 0 && scenario !== undefined;
  return { ok, ...(ok ? { scenario } : {}), objects: loader.objects, errors, warnings, positions: index };
}

function sortProblems(list: ScenarioProblem[]): ScenarioProblem[] {
  // Stable: file order, then the order found.
  return list
    .map((p, i) => ({ p, i }))
    .sort((a, b) => a.p.line - b.p.line || a.p.column - b.p.column || a.i - b.i)
    .map((x) => x.p);
}

/**
 * Loads a scenario file: parses every YAML document, reads the Scenario document and the
 * Kubernetes objects, and collects every problem with its position. Never throws.
 * `fileName` is used only in problems (and as the Scenario's default name).
 */
export function loadScenario(text: string, fileName: string): LoadResult {
  try {
    if (typeof text !== 'string') throw new TypeError('the scenario text is not a string');
    return loadUnchecked(text, fileName);
  } catch (e) {
    const lineCounter = new LineCounter();
    const positions = new YamlPositionIndex(fileName, [], lineCounter);
    const message = `internal error while loading the file (please report it): ${e instanceof Error ? e.message : String(e)}`;
    return { ok: false, objects: [], errors: [{ file: fileName, line: 1, column: 1, docIndex: -1, path: '', message, severity: 'error' }], warnings: [], positions };
  }
}

/** Whether a kind is cluster-scoped (Node, Namespace, …), i.e. its key ignores the namespace. */
export function isClusterScopedKind(kind: string): boolean {
  return CLUSTER_SCOPED_KINDS.has(kind);
}
