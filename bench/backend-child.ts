// Entry point run in a fresh process by backends.ts, once per Dawn backend (MINI_WEBGPU_BACKEND):
// the same headline matmul, dispatch cost and ThreeNet step there, to choose the backend by
// measurement. Prints one JSON line.
import { fromArray, Generator, init, matmul, matmulKernel } from '@mini/tensor';
import { benchDispatch } from './dispatch-bench.ts';
import { describeAdapter } from './machine.ts';
import { stat } from './stats.ts';
import { ThreeNetTrainer } from './threenet.ts';

const runs = Number(process.argv[2] ?? 5);
const steps = Number(process.argv[3] ?? 40);
const device = await init('webgpu');
const gpu = device.gpu;

const g = new Generator(5);
const random = (shape: number[]) => fromArray(Float32Array.from({ length: shape[0] * shape[1] }, () => g.uniform() * 2 - 1), shape, { device });
const [a, b] = [random([256, 784]), random([784, 200])];
const reps = 20;
const matmulRun = async () => {
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) matmul(a, b).dispose();
  gpu.flush();
  await gpu.settle();
  return (2 * 256 * 784 * 200 * reps) / ((performance.now() - t0) / 1000) / 1e9;
};
await matmulRun();
const gflops: number[] = [];
for (let i = 0; i < runs; i++) gflops.push(await matmulRun());

const dispatch = await benchDispatch(device, runs);

const trainer = new ThreeNetTrainer(device);
trainer.shuffle();
const stepRun = async () => {
  const t0 = performance.now();
  let loss = null;
  for (let s = 0; s < steps; s++) {
    loss?.dispose();
    loss = trainer.step(s);
  }
  await loss!.item();
  loss!.dispose();
  return ((performance.now() - t0) * 1000) / steps;
};
await stepRun();
const stepMicros: number[] = [];
for (let i = 0; i < runs; i++) stepMicros.push(await stepRun());

console.log(
  JSON.stringify({
    backend: gpu.backend,
    adapter: describeAdapter(gpu),
    kernel: matmulKernel(gpu),
    gflops: stat(gflops),
    dispatchMicros: dispatch.perDispatch,
    readbackMicros: dispatch.readback,
    stepMicros: stat(stepMicros),
    steps,
  }),
);
process.exit(0);
