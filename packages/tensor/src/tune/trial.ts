import type { Device } from '../device/device.ts';
import { fromArray } from '../creation.ts';
import { Generator } from '../random.ts';
import type { Tensor } from '../tensor.ts';
import { launchProduct } from '../ops/matmul-launch.ts';
import { productLayout, type MatmulCandidate, type ProductLayout } from '../ops/matmul-plan.ts';
import { transpose } from '../ops/views.ts';

/** What a tuner chooses among: a kernel (or a way of computing) known by its name. */
export interface Candidate {
  name: string;
}

/** How the tuner tries one candidate; tests inject fakes for either part. */
export interface Trial<C extends Candidate = MatmulCandidate> {
  /** null when the candidate's result matches the reference, else what differs. */
  check(candidate: C): Promise<string | null>;
  /** Seconds per run, from one timed batch. */
  time(candidate: C): Promise<number>;
  /** Frees what the trial holds. */
  dispose(): void;
}

/** Rows of the product the check compares: every row of a small one, else both edges and a spread. */
export function rowsToCheck(M: number): number[] {
  if (M <= 96) return Array.from({ length: M }, (_, i) => i);
  const rows = new Set<number>();
  for (let i = 0; i < 32; i++) rows.add(i).add(M - 1 - i).add(Math.floor((i * M) / 32));
  return [...rows].sort((x, y) => x - y);
}

/** Times one batch: records it with `record`, submits it, and resolves to the seconds it ran (raising its WebGPU errors). */
export type BatchTimer = (record: () => void) => Promise<number>;

/**
 * A clock from the start of the batch's recording to the end of the queue's work, as the main
 * thread sees it; the batch's WebGPU errors are raised after the clock stops.
 */
export function clockTimer(device: Device, clock: () => number): BatchTimer {
  return async (record) => {
    const start = clock();
    record();
    device.gpu.flush();
    await device.gpu.submittedWorkDone();
    const seconds = (clock() - start) / 1000;
    await device.gpu.settle();
    return seconds;
  };
}

/**
 * The device's own timestamps where it has them (the batch's time whatever the main thread does
 * meanwhile: in a training program's background it runs the program), else clockTimer.
 */
export function batchTimer(device: Device, clock: () => number = () => performance.now()): BatchTimer {
  return device.gpu.hasFeature('timestamp-query') ? (record) => device.gpu.gpuSeconds(record) : clockTimer(device, clock);
}

/** Seconds a timed batch of products should last: long enough for the clock, short for the budget. */
export const BATCH_SECONDS = 0.01;
/** The most products a timed batch holds. */
export const MAX_REPS = 64;

/**
 * Seconds per run of `runs` calls of `run` recorded as one batch and timed by `timer` with the
 * queue to itself: in the background of a training run, the queue holds the program's steps.
 */
export async function timeAlone(device: Device, timer: BatchTimer, runs: number, run: () => void): Promise<number> {
  const batch = await device.gpu.alone(() =>
    timer(() => {
      for (let i = 0; i < runs; i++) run();
    }),
  );
  return batch / runs;
}

/**
 * A trial's time(): seconds per run from `timed(candidate, runs)`, the seconds per run of one timed
 * batch of that many runs. A candidate's first batch, one run, only sizes the next: it runs cold
 * (the first dispatch after compiling), and a slow one would pass as long enough. A batch shorter
 * than BATCH_SECONDS/2 is timed again with more runs (up to `most`); the count only grows.
 */
export function batchedTime<C extends Candidate>(timed: (c: C, runs: number) => Promise<number>, most = MAX_REPS): (c: C) => Promise<number> {
  const counts = new Map<string, number>();
  const runsFor = (seconds: number) => Math.min(most, Math.ceil(BATCH_SECONDS / Math.max(seconds, 1e-6)));
  return async (c) => {
    let count = counts.get(c.name) ?? runsFor(await timed(c, 1));
    for (;;) {
      const seconds = await timed(c, count);
      if (seconds * count >= BATCH_SECONDS / 2 || count >= most) {
        counts.set(c.name, count);
        return seconds;
      }
      count = Math.min(most, Math.max(2 * count, runsFor(seconds)));
    }
  };
}

/**
 * The real trial on `device`: random operands laid out as `layout` says (a transposed view for
 * an operand read along its other dim), checked against a float64 CPU product on rowsToCheck's
 * rows (within 1e-3·(1 + |value|)), timed by `timer` as a batch of products submitted at once
 * (enough to last 5–10 ms, up to MAX_REPS) with the queue to itself.
 */
export function gpuTrial(device: Device, layout: ProductLayout, timer: BatchTimer = batchTimer(device), seed = 5): Trial {
  const { M, K, N } = layout;
  const g = new Generator(seed);
  const hostA = Float32Array.from({ length: M * K }, () => g.uniform() * 2 - 1);
  const hostB = Float32Array.from({ length: K * N }, () => g.uniform() * 2 - 1);
  // Host a is row-major [M, K] (b [K, N]); a transposed operand is stored as the other matrix.
  const owned: Tensor[] = [];
  const upload = (data: Float32Array, shape: number[]) => {
    const t = fromArray(data, shape, { device });
    owned.push(t);
    return t;
  };
  const stored = (host: Float32Array, rows: number, cols: number, transposed: boolean): Tensor => {
    if (!transposed) return upload(host, [rows, cols]);
    const t = new Float32Array(rows * cols);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = host[r * cols + c];
    return transpose(upload(t, [cols, rows]), 0, 1);
  };
  const a = stored(hostA, M, K, layout.aAlongM);
  const b = stored(hostB, K, N, layout.bAlongK);
  const own = productLayout(a, b);
  const rows = rowsToCheck(M);
  const reference = rows.map((r) => {
    const line = new Float64Array(N);
    for (let k = 0; k < K; k++) {
      const av = hostA[r * K + k];
      for (let c = 0; c < N; c++) line[c] += av * hostB[k * N + c];
    }
    return line;
  });
  const time = batchedTime((c: MatmulCandidate, runs: number) => {
    const plan = c.plan(own);
    return timeAlone(device, timer, runs, () => launchProduct(a, b, null, false, plan).dispose());
  });
  return {
    async check(c) {
      const out = launchProduct(a, b, null, false, c.plan(own));
      const values = await out.toArray();
      out.dispose();
      for (const [i, r] of rows.entries()) {
        for (let col = 0; col < N; col++) {
          const [got, want] = [values[r * N + col], reference[i][col]];
          if (!(Math.abs(got - want) <= 1e-3 * (1 + Math.abs(want)))) return `element [${r}, ${col}] is ${got}, the reference ${want.toPrecision(7)}`;
        }
      }
      return null;
    },
    time,
    dispose() {
      for (const t of owned) t.dispose();
    },
  };
}
