import { execFileSync } from 'node:child_process';
import { cpus, hostname, totalmem } from 'node:os';
import type { WebGPURuntime } from '@mini/tensor';

export interface MachineInfo {
  /** The host's name. */
  name: string;
  /** lscpu's model name, cores, memory and OS. */
  machine: string;
  adapter: string;
  node: string;
  date: string;
  command: string;
  /** The 1-minute load average when the bench started (the machine may be shared). */
  load: number;
}

function run(command: string, args: string[]): string | null {
  try {
    return execFileSync(command, args, { encoding: 'utf8' });
  } catch {
    return null;
  }
}

/** The "Model name:" line of lscpu's output (the first one), or null. */
export function lscpuModel(output: string): string | null {
  const line = output.split('\n').find((l) => /^\s*Model name:/.test(l));
  return line ? line.replace(/^\s*Model name:\s*/, '').trim() || null : null;
}

function cpuModel(): string {
  const model = lscpuModel(run('lscpu', []) ?? '') ?? cpus()[0]?.model ?? 'unknown CPU';
  return `${model} × ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB`;
}

export function describeAdapter(gpu: WebGPURuntime): string {
  const info = gpu.adapterInfo as GPUAdapterInfo & { subgroupMinSize?: number; subgroupMaxSize?: number };
  const name = info.description || info.device || info.vendor || 'unknown adapter';
  const subgroups = gpu.hasFeature('subgroups') ? `, subgroups ${info.subgroupMinSize}–${info.subgroupMaxSize}` : ', no subgroups';
  return `${name} (Dawn backend ${gpu.backend}${subgroups})`;
}

export function machineInfo(gpu: WebGPURuntime, argv: readonly string[], load: number): MachineInfo {
  return {
    name: hostname(),
    machine: `${cpuModel()}, ${run('uname', ['-sr'])?.trim() ?? process.platform}`,
    adapter: describeAdapter(gpu),
    node: process.version,
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    command: ['pnpm bench', ...argv].join(' '),
    load,
  };
}
