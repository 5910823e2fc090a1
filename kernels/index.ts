import { readFileSync } from 'node:fs';

const sources = new Map<string, string>();

/** The WGSL source of one kernel family, `kernels/<name>.wgsl`. */
export function kernelSource(name: string): string {
  let source = sources.get(name);
  if (source === undefined) {
    source = readFileSync(new URL(`./${name}.wgsl`, import.meta.url), 'utf8');
    sources.set(name, source);
  }
  return source;
}
