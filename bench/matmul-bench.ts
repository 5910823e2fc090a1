import { fromArray, Generator, matmul, transpose, type Device, type MatmulKernel, type Tensor } from '@mini/tensor';
import { matmulPlan, productLayout, setMatmulKernel, shapeClass, tuneMode, tunerFor } from '@mini/tensor/internal';
import { mapStat, stat, timeRuns, type Stat } from './stats.ts';

export interface MatmulRow {
  name: string;
  shape: string;
  kernel: string;
  /** What the tuner did for this product's class (chose now, or found in the cache), null when it is off or the kernel was forced. */
  tuner: string | null;
  gflops: Stat;
}

interface Case {
  name: string;
  M: number;
  K: number;
  N: number;
  /** a is stored as [K, M] and read transposed; b likewise as [N, K]. */
  ta?: boolean;
  tb?: boolean;
  kernel?: MatmulKernel;
}

const LAYERS: [number, number][] = [
  [784, 200],
  [200, 60],
  [60, 10],
];

function cases(): Case[] {
  const list: Case[] = [
    { name: 'product', M: 256, K: 784, N: 200 },
    { name: 'product, textbook tiled kernel', M: 256, K: 784, N: 200, kernel: 'tiled' },
    { name: 'product, no-subgroup kernel', M: 256, K: 784, N: 200, kernel: 'columns' },
    { name: 'product, shared-memory vec4 kernel', M: 256, K: 784, N: 200, kernel: 'tiled-vec4' },
    { name: 'product', M: 256, K: 200, N: 60 },
    { name: 'product', M: 256, K: 60, N: 10 },
  ];
  // The products of a ThreeNet step, in the layouts the step has them: linear's backward stores
  // the output gradient gz transposed (with the ReLU mask applied, and the bias gradient taken in
  // the same pass), so gzᵀ is contiguous and gz a transposed view.
  for (const [i, [inF, outF]] of LAYERS.entries()) {
    list.push({ name: `layer ${i + 1} forward x·Wᵀ`, M: 256, K: inF, N: outF, tb: true });
    if (i > 0) list.push({ name: `layer ${i + 1} grad input gz·W`, M: 256, K: outF, N: inF, ta: true });
    list.push({ name: `layer ${i + 1} grad weight gzᵀ·x`, M: outF, K: 256, N: inF });
  }
  list.push({ name: 'product', M: 1024, K: 1024, N: 1024 });
  return list;
}

function operand(rows: number, cols: number, transposed: boolean, device: Device, g: Generator): Tensor {
  const shape = transposed ? [cols, rows] : [rows, cols];
  const data = Float32Array.from({ length: rows * cols }, () => g.uniform() * 2 - 1);
  const t = fromArray(data, shape, { device });
  return transposed ? transpose(t, 0, 1) : t;
}

/** Tunes the class of a·b unless MINI_TUNE=off or it is cached; says what was chosen, and how long it took. */
async function tuneCase(device: Device, a: Tensor, b: Tensor): Promise<string | null> {
  const mode = tuneMode();
  const layout = productLayout(a, b);
  const cls = shapeClass(layout);
  if (mode === 'off' || !cls) return null;
  const tuner = tunerFor(device);
  const cached = tuner.entry(cls);
  if (cached) return `tuner: ${cached.kernel} (cached, ${cached.mode} tuning)`;
  const out = await tuner.tune(layout, mode);
  return `tuner: ${out.winner}, ${out.tried.length} tried in ${out.elapsedMs.toFixed(0)} ms (${mode})`;
}

export async function benchMatmul(device: Device, runs: number, log: (line: string) => void): Promise<MatmulRow[]> {
  const g = new Generator(11);
  const rows: MatmulRow[] = [];
  for (const c of cases()) {
    const a = operand(c.M, c.K, c.ta ?? false, device, g);
    const b = operand(c.K, c.N, c.tb ?? false, device, g);
    setMatmulKernel(c.kernel ?? null);
    try {
      const tuner = c.kernel ? null : await tuneCase(device, a, b);
      const flops = 2 * c.M * c.N * c.K;
      // Enough products per run to last about 40 ms at 50 GFLOP/s, recorded into one submit.
      const reps = Math.max(1, Math.min(200, Math.round(2e9 / flops)));
      const run = async () => {
        for (let i = 0; i < reps; i++) matmul(a, b).dispose();
        device.gpu.flush();
        await device.gpu.settle();
      };
      const seconds = await timeRuns(runs, run);
      const plan = matmulPlan(a, b);
      const kernel = `${plan.family}${Object.entries(plan.template).map(([k, v]) => ` ${k}=${v}`).join('')}`;
      const shape = `(${c.M}×${c.K})${c.ta ? 'ᵀ-stored' : ''}·(${c.K}×${c.N})${c.tb ? 'ᵀ-stored' : ''}`;
      const row = { name: c.name, shape, kernel, tuner, gflops: mapStat(stat(seconds), (s) => (flops * reps) / s / 1e9) };
      rows.push(row);
      log(`  ${c.name.padEnd(34)} ${shape.padEnd(28)} ${row.gflops.median.toFixed(1).padStart(6)} GFLOP/s  (${kernel})${tuner ? `  ${tuner}` : ''}`);
    } finally {
      setMatmulKernel(null);
      a.dispose();
      b.dispose();
    }
  }
  return rows;
}
