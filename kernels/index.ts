import { KERNEL_SOURCES } from './sources.ts';

/** The WGSL source of one kernel family, `kernels/<name>.wgsl`, with its includes spliced in. */
export function kernelSource(name: string): string {
  if (!Object.hasOwn(KERNEL_SOURCES, name)) {
    throw new Error(`no kernel family '${name}': expected the name of a file kernels/<name>.wgsl (run \`pnpm kernels\` after adding one)`);
  }
  return KERNEL_SOURCES[name];
}
