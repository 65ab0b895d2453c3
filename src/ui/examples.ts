/**
 * The bundled example scenarios (scenarios/*.yaml), inlined by Vite at build time, and the rule
 * for which one the app opens on: the ClusterIP example, else the first.
 */

const found = import.meta.glob<string>('/scenarios/*.yaml', { query: '?raw', import: 'default', eager: true });

/** Example name (file name without .yaml) → text, sorted by name. */
export const EXAMPLES: ReadonlyMap<string, string> = new Map(
  Object.entries(found)
    .map(([path, text]) => [path.replace(/^.*\//, '').replace(/\.ya?ml$/, ''), text] as const)
    .sort(([a], [b]) => a.localeCompare(b)),
);

/** The example the app opens on: `clusterip`, else the shortest name containing "clusterip", else the first. */
export function defaultExample(): string {
  const names = [...EXAMPLES.keys()];
  if (names.includes('clusterip')) return 'clusterip';
  const cip = names.filter((n) => /cluster-?ip/i.test(n)).sort((a, b) => a.length - b.length)[0];
  return cip ?? names[0] ?? '';
}
