import { execFileSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import type { WebGPURuntime } from '@mini/tensor';

export interface MachineInfo {
  machine: string;
  adapter: string;
  node: string;
  date: string;
  command: string;
}

function cpuModel(): string {
  const list = cpus();
  return `${list[0]?.model ?? 'unknown CPU'} × ${list.length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB`;
}

function os(): string {
  try {
    return execFileSync('uname', ['-sr'], { encoding: 'utf8' }).trim();
  } catch {
    return process.platform;
  }
}

export function describeAdapter(gpu: WebGPURuntime): string {
  const info = gpu.adapterInfo as GPUAdapterInfo & { subgroupMinSize?: number; subgroupMaxSize?: number };
  const name = info.description || info.device || info.vendor || 'unknown adapter';
  const subgroups = gpu.hasFeature('subgroups') ? `, subgroups ${info.subgroupMinSize}–${info.subgroupMaxSize}` : ', no subgroups';
  return `${name} (Dawn backend ${gpu.backend}${subgroups})`;
}

export function machineInfo(gpu: WebGPURuntime, argv: readonly string[]): MachineInfo {
  return {
    machine: `${cpuModel()}, ${os()}`,
    adapter: describeAdapter(gpu),
    node: process.version,
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    command: ['pnpm bench', ...argv].join(' '),
  };
}
