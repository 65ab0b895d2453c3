/**
 * networking.k8s.io/v1 Ingress objects → the routing table an ingress controller loads
 * (apps/ingress-proxy.ts IngressRoute: plain data, so the proxy program needs no k8s types).
 *
 * - Every `rules[].http.paths[]` entry becomes a route for its host ("" when the rule has none),
 *   path ("/" when absent) and pathType. Hosts are lower-cased.
 * - The backend Service is looked up in the Ingress's namespace; its port is chosen by number
 *   (it must be one of the Service's ports) or by name. The route's backend is the Service's
 *   ClusterIP and that port (see ingress-proxy.ts for why the ClusterIP). A Service that does
 *   not exist, has no ClusterIP (headless, ExternalName) or lacks the port gives a route with
 *   no backend: the controller answers 503, as ingress-nginx does.
 * - `spec.defaultBackend` becomes a fallback route for each host the Ingress names (used when
 *   none of that host's paths match); an Ingress with a default backend and no rules is the
 *   catch-all for requests whose host no rule names (ingress-nginx's default server). As in
 *   ingress-nginx, a host's unmatched paths do not fall through to hostless rules.
 * - Ingresses are taken in the given order (oldest first); a (host, path, pathType) already
 *   taken by an earlier Ingress is ignored, and so is a second catch-all.
 * - `ingressClassName` (option): only Ingresses of that class (spec.ingressClassName or the
 *   legacy `kubernetes.io/ingress.class` annotation) are taken; without it, all are.
 */
import type { IngressRoute, IngressRouteBackend } from '../apps/ingress-proxy.ts';
import { namespaceOf, type Ingress, type IngressBackend, type Service } from './model/index.ts';

/** Which Ingresses a controller takes. */
export interface IngressRouteOptions {
  readonly ingressClassName?: string;
}

/** The ClusterIP and port of an Ingress backend, or null when the Service or port does not exist. */
export function resolveIngressBackend(backend: IngressBackend, namespace: string, services: readonly Service[]): { backend: IngressRouteBackend | null; label: string } {
  const ref = backend.service;
  if (!ref) return { backend: null, label: '(resource backend: not supported)' };
  const portText = ref.port.number !== undefined ? String(ref.port.number) : (ref.port.name ?? '');
  const label = `${namespace}/${ref.name}:${portText}`;
  const svc = services.find((s) => s.metadata.name === ref.name && namespaceOf(s.metadata) === namespace);
  const ip = svc?.spec.clusterIP ?? '';
  if (!svc || ip === '' || ip === 'None' || svc.spec.type === 'ExternalName') return { backend: null, label };
  const port = (svc.spec.ports ?? []).find((p) => (ref.port.number !== undefined ? p.port === ref.port.number : (p.name ?? '') === ref.port.name));
  if (!port) return { backend: null, label };
  return { backend: { clusterIP: ip, port: port.port }, label };
}

function ingressClass(ing: Ingress): string | undefined {
  return ing.spec.ingressClassName ?? ing.metadata.annotations?.['kubernetes.io/ingress.class'];
}

/** The routing table for `ingresses` against the current `services` (see the module comment). */
export function computeIngressRoutes(ingresses: readonly Ingress[], services: readonly Service[], opts: IngressRouteOptions = {}): IngressRoute[] {
  const routes: IngressRoute[] = [];
  const taken = new Set<string>();
  const add = (r: IngressRoute): void => {
    const key = `${r.host}\u0000${r.fallback ? '(default backend)' : `${r.pathType}\u0000${r.path}`}`;
    if (taken.has(key)) return;
    taken.add(key);
    routes.push(r);
  };
  for (const ing of ingresses) {
    if (opts.ingressClassName !== undefined && ingressClass(ing) !== opts.ingressClassName) continue;
    const ns = namespaceOf(ing.metadata);
    const source = `ingress ${ns}/${ing.metadata.name}`;
    const hosts: string[] = [];
    for (const rule of ing.spec.rules ?? []) {
      const host = (rule.host ?? '').toLowerCase();
      if (!hosts.includes(host)) hosts.push(host);
      for (const p of rule.http?.paths ?? []) {
        const { backend, label } = resolveIngressBackend(p.backend, ns, services);
        add({ host, path: p.path ?? '/', pathType: p.pathType, backend, label: `${label} (${source})` });
      }
    }
    const def = ing.spec.defaultBackend;
    if (def) {
      const { backend, label } = resolveIngressBackend(def, ns, services);
      // ingress-nginx: the default backend answers for the hosts this Ingress names; it becomes
      // the catch-all only for an Ingress without rules.
      const fallbackHosts = (ing.spec.rules ?? []).length === 0 ? [''] : hosts.filter((h) => h !== '');
      for (const host of fallbackHosts) add({ host, path: '/', pathType: 'Prefix', backend, fallback: true, label: `${label} (${source} default backend)` });
    }
  }
  return routes;
}
