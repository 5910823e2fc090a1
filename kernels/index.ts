import { readFileSync } from 'node:fs';

const sources = new Map<string, string>();
/** `#include "file.wgsl"` on a line of its own: WGSL has no includes, so the loader splices the file in. */
const INCLUDE = /^#include "([\w-]+)\.wgsl"$/gm;

/** The WGSL source of one kernel family, `kernels/<name>.wgsl`, with its includes spliced in. */
export function kernelSource(name: string): string {
  let source = sources.get(name);
  if (source === undefined) {
    const raw = readFileSync(new URL(`./${name}.wgsl`, import.meta.url), 'utf8');
    source = raw.replace(INCLUDE, (_, included: string) => kernelSource(included));
    sources.set(name, source);
  }
  return source;
}
