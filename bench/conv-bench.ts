import { F } from '@mini/nn';
import { autograd, fromArray, Generator, type Device, type Tensor } from '@mini/tensor';
import { convClass, convGeometry, tunerFor, type ConvPass } from '@mini/tensor/internal';
import { mapStat, stat, timeRuns, type Stat } from './stats.ts';

/** A convolution of LeNet's (issue 14): stride 1, square input and kernel. */
export interface ConvShape {
  name: string;
  batch: number;
  in: number;
  out: number;
  kernel: number;
  size: number;
  padding: number;
}

export const LENET_CONVS: ConvShape[] = [
  { name: 'conv1 1→6 5×5 pad 2 on 28×28', batch: 64, in: 1, out: 6, kernel: 5, size: 28, padding: 2 },
  { name: 'conv2 6→16 5×5 on 14×14', batch: 64, in: 6, out: 16, kernel: 5, size: 14, padding: 0 },
];

export const CONV_OPS = ['forward', 'grad input', 'grad weight'] as const;
const PASS: Record<(typeof CONV_OPS)[number], ConvPass> = { forward: 'forward', 'grad input': 'gradInput', 'grad weight': 'gradWeight' };

export interface ConvRow {
  name: string;
  op: (typeof CONV_OPS)[number];
  gflops: Stat;
}

/** Multiply-adds ×2 of one convolution; each backward (input or weight) does as many. */
export function convFlops(s: ConvShape): number {
  const out = s.size + 2 * s.padding - s.kernel + 1;
  return 2 * s.batch * s.out * out * out * s.in * s.kernel * s.kernel;
}

/**
 * GFLOP/s of F.conv2d and of its two backwards through the public API: the backward of one graph
 * built once (autograd.grad with retainGraph), with only the input or only the weight requiring
 * grad, so that each runs alone.
 */
export async function benchConv(device: Device, runs: number, log: (line: string) => void): Promise<ConvRow[]> {
  const g = new Generator(13);
  const random = (shape: number[], requiresGrad = false) =>
    fromArray(Float32Array.from({ length: shape.reduce((a, b) => a * b) }, () => g.uniform() * 2 - 1), shape, { device, requiresGrad });
  const rows: ConvRow[] = [];
  for (const s of LENET_CONVS) {
    const out = s.size + 2 * s.padding - s.kernel + 1;
    const [x, w] = [random([s.batch, s.in, s.size, s.size]), random([s.out, s.in, s.kernel, s.kernel])];
    const [xg, wg] = [random([...x.shape], true), random([...w.shape], true)];
    const gy = random([s.batch, s.out, out, out]);
    const byInput = F.conv2d(xg, w, null, { padding: s.padding });
    const byWeight = F.conv2d(x, wg, null, { padding: s.padding });
    const ops: Record<ConvRow['op'], () => Tensor> = {
      forward: () => F.conv2d(x, w, null, { padding: s.padding }),
      'grad input': () => autograd.grad(byInput, xg, { gradOutputs: gy, retainGraph: true })[0]!,
      'grad weight': () => autograd.grad(byWeight, wg, { gradOutputs: gy, retainGraph: true })[0]!,
    };
    const flops = convFlops(s);
    const reps = Math.max(1, Math.min(50, Math.round(2e8 / flops)));
    for (const op of CONV_OPS) {
      // The first call may start tuning the products' shape classes in the background: let it end before timing.
      ops[op]().dispose();
      await tunerFor(device).idle();
      const seconds = await timeRuns(runs, async () => {
        for (let i = 0; i < reps; i++) ops[op]().dispose();
        device.gpu.flush();
        await device.gpu.settle();
      });
      const row = { name: s.name, op, gflops: mapStat(stat(seconds), (t) => (flops * reps) / t / 1e9) };
      rows.push(row);
      const path = device.type === 'webgpu' ? tunerFor(device).entry(convClass(PASS[op], convGeometry('conv2d', x, w, { padding: s.padding })))?.kernel : undefined;
      log(`  ${s.name.padEnd(30)} ${op.padEnd(12)} ${row.gflops.median.toFixed(2).padStart(7)} GFLOP/s${path ? ` (tuned: ${path})` : ''}`);
    }
    for (const t of [x, w, xg, wg, gy, byInput, byWeight]) t.dispose();
  }
  return rows;
}
