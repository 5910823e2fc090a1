import { existsSync } from 'node:fs';
import { runJson, runProcess, runTsChild, failure } from './child.ts';
import { stat, type Stat } from './stats.ts';

/** One timed run of a program in a fresh process: its seconds and how they were made, or why it could not run. */
export type RunOutcome<D = undefined> = { seconds: number; note: string; detail?: D } | { skipped: string };

/** A program in a comparison. */
export interface Contender<D = undefined> {
  name: string;
  run: () => Promise<RunOutcome<D>>;
  /** Run in the first round only (too slow to repeat); its ratio is against that round's run of ours. */
  once?: boolean;
}

export interface Figure {
  name: string;
  seconds?: Stat;
  /** This program's time over the reference's, run by run. */
  ratio?: Stat;
  note?: string;
  skipped?: string;
}

export interface Comparison<D> {
  reference: Figure & { details: D[] };
  others: Figure[];
}

/**
 * `runs` rounds, each one run of the reference and then one of every other program, so that each
 * ratio (other / reference) compares runs made minutes apart under the same load on a shared
 * machine. A program that skips is not run again; a failure of our own programs is an error
 * (they throw).
 */
export async function compare<D>(runs: number, reference: Contender<D>, others: Contender[], log: (line: string) => void): Promise<Comparison<D>> {
  const details: D[] = [];
  const all = [reference, ...others] as Contender<unknown>[];
  const taken = all.map(() => ({ seconds: [] as number[], ratios: [] as number[], note: '', skipped: undefined as string | undefined }));
  for (let round = 0; round < runs; round++) {
    let base: number | null = null;
    for (const [i, program] of all.entries()) {
      const t = taken[i];
      if (t.skipped || (program.once && round > 0)) continue;
      const r = await program.run();
      if ('skipped' in r) {
        t.skipped = r.skipped;
        log(`  ${program.name}: skipped: ${r.skipped}`);
        continue;
      }
      t.seconds.push(r.seconds);
      t.note = r.note;
      if (i === 0) {
        base = r.seconds;
        if (r.detail !== undefined) details.push(r.detail as D);
      } else if (base !== null) t.ratios.push(r.seconds / base);
      log(`  round ${round + 1}: ${program.name}: ${r.seconds.toFixed(2)} s${i > 0 && base !== null ? `, ${(r.seconds / base).toFixed(2)}× ${reference.name}` : ''}`);
    }
  }
  const figure = (program: Contender<unknown>, i: number): Figure => {
    const t = taken[i];
    if (t.seconds.length === 0) return { name: program.name, skipped: t.skipped ?? 'not run' };
    return { name: program.name, seconds: stat(t.seconds), ...(t.ratios.length ? { ratio: stat(t.ratios) } : {}), note: t.note, ...(t.skipped ? { skipped: t.skipped } : {}) };
  };
  return { reference: { ...figure(reference as Contender<unknown>, 0), details }, others: others.map((o, i) => figure(o as Contender<unknown>, i + 1)) };
}

const INSTALL = 'install the peers with `bash scripts/bench_peers.sh`';

/** Debian's python3 (which has python3-torch), unless MINI_BENCH_PYTHON names another. */
export function python(): string {
  return process.env.MINI_BENCH_PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
}

/** One torch thread; OpenBLAS's two (the parent's environment). */
const TORCH_ENV = { OPENBLAS_NUM_THREADS: '2' };

interface TorchEnvironment {
  torch: string;
  threads: number;
  blas: string;
  openblas_threads: string;
}

const torchNote = (v: TorchEnvironment) => `torch ${v.torch}, ${v.threads} thread, ${v.blas}, OPENBLAS_NUM_THREADS=${v.openblas_threads}`;
const skipTorch = (error = '') => ({ skipped: /No module named|not found|ENOENT/.test(error) ? `not installed (${error}); ${INSTALL}` : `failed: ${error}` });

/** PyTorch CPU's epoch of `model` on preloaded Fashion-MNIST (scripts/bench_torch.py); steps 0 times a whole epoch. */
export async function torchEpoch(model: 'threenet' | 'lenet', steps: number): Promise<RunOutcome> {
  const args = ['scripts/bench_torch.py', 'epoch', '--model', model, '--runs', '1', '--steps', String(steps)];
  const r = await runJson<TorchEnvironment & { seconds: number[]; steps_timed: number; steps_per_epoch: number }>(python(), args, TORCH_ENV);
  if (!r.ok) return skipTorch(r.error);
  const v = r.value!;
  const timed = v.steps_timed === v.steps_per_epoch ? 'a whole epoch' : `${v.steps_timed} steps scaled to ${v.steps_per_epoch}`;
  return { seconds: v.seconds[0], note: `${torchNote(v)}; preloaded tensors; after a warm-up run, ${timed}` };
}

/** PyTorch's whole process for its first ThreeNet step: python start, the seed's imports, the model, one step. */
export async function torchFirstStep(): Promise<RunOutcome> {
  const r = await runProcess(python(), ['scripts/bench_torch.py', 'first-step'], TORCH_ENV);
  if (r.code !== 0) return skipTorch(failure(r));
  return { seconds: r.ms / 1000, note: `${torchNote(JSON.parse(r.stdout.trim().split('\n').at(-1)!) as TorchEnvironment)}; one batch of 256 random images (no dataset read)` };
}

/** PyTorch CPU's kernels: conv2d ops for `shapes` (GFLOP/s samples per name and op) and OpenBLAS sgemm 2048³. */
export interface TorchKernels {
  conv: { name: string; op: string; gflops: Stat }[];
  sgemm: Stat;
  note: string;
}

export async function torchKernels(shapes: unknown, runs: number): Promise<TorchKernels | { skipped: string }> {
  const args = ['scripts/bench_torch.py', 'kernels', '--runs', String(runs), '--shapes', JSON.stringify(shapes)];
  const r = await runJson<TorchEnvironment & { rows: { name: string; op: string; gflops: number[] }[]; sgemm: number[] }>(python(), args, TORCH_ENV);
  if (!r.ok) return skipTorch(r.error);
  const v = r.value!;
  return {
    conv: v.rows.map((row) => ({ name: row.name, op: row.op, gflops: stat(row.gflops) })),
    sgemm: stat(v.sgemm),
    note: `${torchNote(v)}; F.conv2d, and aten.convolution_backward with one output mask per backward; torch.mm for sgemm`,
  };
}

/** TensorFlow.js's epoch of `model` (bench/peer-tfjs.ts): `steps` steps after a warm-up, scaled to an epoch. */
export async function tfjsEpoch(model: 'threenet' | 'lenet', backend: 'wasm' | 'cpu', steps: number): Promise<RunOutcome> {
  const r = await runTsChild<{ backend: string; version: string; seconds: number; stepsTimed: number; stepsPerEpoch: number }>(
    './peer-tfjs.ts',
    [model, backend, String(steps)],
    {},
    900_000,
  );
  if (!r.ok) return { skipped: /Cannot find (package|module)/.test(r.error ?? '') ? `not installed; ${INSTALL}` : `failed: ${r.error}` };
  const v = r.value!;
  return { seconds: v.seconds, note: `@tensorflow/tfjs ${v.version}, backend ${v.backend}; preloaded tensors; ${v.stepsTimed} steps scaled to ${v.stepsPerEpoch}` };
}
