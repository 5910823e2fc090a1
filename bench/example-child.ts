// Runs an example program in this process, unchanged (`example-child.ts <file.ts> [its flags]`):
// it is imported with its own argv, and each JSON event it prints gets the device's counters
// added as `bench` (dispatches, submits, buffers and bind groups created, live bytes), which the bench cannot read
// from outside. The example itself is not copied or altered. With MINI_BENCH_KERNEL_SPECS=1 a
// last line {"type": "bench-kernels", "specs": [...]} lists the kernel specializations it compiled.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { getDefaultDevice, memory, type WebGPURuntime } from '@mini/tensor';
import type { Counters } from './events.ts';

const [file, ...args] = process.argv.slice(2);
if (!file) throw new Error('usage: example-child.ts <example.ts> [flags]');
process.argv = [process.argv[0], resolve(file), ...args];

/**
 * The example's GPU runtime from its first event on, and (with MINI_BENCH_KERNEL_SPECS=1) the
 * kernels compiled by its last event: the example shuts the device down at its end, which
 * forgets them.
 */
const seen: { gpu: WebGPURuntime | null; specs: unknown[] } = { gpu: null, specs: [] };
const listSpecs = process.env.MINI_BENCH_KERNEL_SPECS === '1';

function counters(): Counters | undefined {
  const device = getDefaultDevice();
  if (device.type === 'webgpu') seen.gpu = device.gpu;
  const gpu = seen.gpu;
  if (!gpu) return undefined;
  if (listSpecs) seen.specs = gpu.kernelSpecs();
  return { dispatches: gpu.dispatchCount, submits: gpu.submitCount, buffersCreated: gpu.pool.created, bindGroupsCreated: gpu.bindGroupsCreated, liveBytes: memory().liveBytes };
}

const write = process.stdout.write.bind(process.stdout) as (chunk: string | Uint8Array, ...rest: unknown[]) => boolean;
process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
  const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
  const annotated = text.replace(/^\{.*\}$/gm, (line) => JSON.stringify({ ...JSON.parse(line), bench: counters() }));
  return write(annotated, ...rest);
}) as typeof process.stdout.write;

await import(pathToFileURL(resolve(file)).href);
if (listSpecs) write(`${JSON.stringify({ type: 'bench-kernels', specs: seen.specs })}\n`);
