// Entry point run in fresh processes by first-step.ts: what each pipeline that
// `pnpm example:threenet --max-steps 1` compiles costs at its first dispatch, when llvmpipe
// compiles it.
//   compile-child.ts time SPECS    dispatches each of SPECS (JSON) alone, once, and times it
// It runs with an empty shader cache: every pipeline compiled from scratch.
import { init } from '@mini/tensor';
import { type KernelSpec } from '@mini/tensor/internal';

const [mode, specs] = process.argv.slice(2);
if (mode !== 'time') throw new Error(`usage: compile-child.ts time SPECS, found ${mode}`);
const device = await init('webgpu');
const gpu = device.gpu;
const times: { kernel: string; ms: number }[] = [];
// Zero params: every loop runs no iteration, so the time is the compilation and one dispatch.
const buffer = () => gpu.device.createBuffer({ size: 1024, usage: GPUBufferUsage.STORAGE });
for (const spec of JSON.parse(specs) as KernelSpec[]) {
  const start = performance.now();
  const kernel = gpu.kernel(spec);
  const buffers = Array.from({ length: kernel.bufferCount - (kernel.checked ? 1 : 0) }, buffer);
  gpu.dispatch(spec.family, kernel, buffers, kernel.params.zeros(), [1, 1, 1]);
  gpu.flush();
  await gpu.settle();
  times.push({ kernel: describe(spec), ms: performance.now() - start });
}
console.log(JSON.stringify(times));
process.exit(0);

function describe(spec: KernelSpec): string {
  const parts = [spec.entry ? `${spec.family}.${spec.entry}` : spec.family];
  for (const [k, v] of Object.entries({ ...spec.template, ...spec.constants })) parts.push(`${k}=${v}`);
  return parts.join(' ');
}
