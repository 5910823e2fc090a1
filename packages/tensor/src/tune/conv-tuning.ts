/**
 * Tuning a convolution's passes: each of the forward, the input gradient and the weight gradient
 * runs either by the direct kernels (conv-direct.ts) or by im2col and the matmul kernels. The
 * direct kernels were written for CPU adapters' subgroup shuffles (they won on lavapipe, see
 * bench/findings.md); on other adapters (a GPU's wide subgroups) the measurement decides, per
 * shape class, in the tuner's background queue and cache as matmul's classes.
 */
import type { Device } from '../device/device.ts';
import { WebGPURuntime } from '../device/webgpu.ts';
import { fromArray } from '../creation.ts';
import { tidy } from '../memory.ts';
import { Generator } from '../random.ts';
import type { Tensor } from '../tensor.ts';
import type { Geometry } from '../ops/conv-direct.ts';
import { batchedTime, batchTimer, timeAlone, type Candidate, type Trial } from './trial.ts';
import { entryOf, pickFastest, pow2, tuneMode, tunerFor } from './tuner.ts';

/** The passes of a convolution that have two ways to run. */
export type ConvPass = 'forward' | 'gradInput' | 'gradWeight';
/** The two ways: the direct kernels, or im2col and the matmul kernels ('unfolded'). */
export type ConvPath = 'direct' | 'unfolded';

/** The tensors a pass reads: the input, the weight and the output gradient, as their geometry's sizes say. */
export interface ConvOperands {
  x: Tensor;
  weight: Tensor;
  grad: Tensor;
}

/** One pass by each path: its result from the operands (no bias). */
export type ConvRunners = Record<ConvPath, (operands: ConvOperands, g: Geometry) => Tensor>;

/** The class a pass's choice is kept under: its geometry, the batch rounded up to a power of 2. */
export function convClass(pass: ConvPass, g: Geometry): string {
  return `conv.${pass} N${pow2(g.N)} C${g.C} ${g.H}x${g.W} OC${g.OC} groups${g.groups} k${g.KH}x${g.KW} s${g.sh}x${g.sw} p${g.ph}x${g.pw} d${g.dh}x${g.dw}`;
}

/** Multiply-adds of a pass (the three are equal). */
const multiplyAdds = (g: Geometry) => g.N * g.OC * g.OH * g.OW * g.Cg * g.KH * g.KW;

/**
 * Whether `pass` of g, which the direct kernel can run, runs it on `device`: the tuned choice of
 * its class once measured; until then, and with MINI_TUNE=off, the direct kernel, and the class
 * is queued for tuning (MINI_TUNE quick or full).
 */
export function runsDirect(device: Device, pass: ConvPass, g: Geometry, runners: ConvRunners): boolean {
  const mode = tuneMode();
  if (mode === 'off') return true;
  const tuner = tunerFor(device);
  const cls = convClass(pass, g);
  const chosen = tuner.entry(cls)?.kernel;
  if (chosen) return chosen === 'direct';
  tuner.enqueue(`convolution class ${cls}`, cls, multiplyAdds(g), () => tuneConv(device, cls, g, runners, mode));
  return true;
}

/** Times both paths of a pass (the direct one first: the incumbent; both in either mode) and records the faster correct one. */
export async function tuneConv(device: Device, cls: string, g: Geometry, runners: ConvRunners, mode: 'quick' | 'full', trial: ConvTrial = convTrial(device, g, runners)): Promise<void> {
  const tuner = tunerFor(device);
  const candidates: Candidate[] = [{ name: 'direct' }, { name: 'unfolded' }];
  try {
    // The unfolded path runs on the matmul kernels: the classes its products queue are tuned first,
    // so that it is timed on the kernels it would run.
    const queued = tuner.waitingClasses();
    trial.runOnce('unfolded');
    await tuner.tuneNow([...tuner.waitingClasses()].filter((cls) => !queued.has(cls)));
    const { winner, seconds, tried } = await pickFastest(candidates, trial, Infinity, () => performance.now());
    tuner.throwIfGone(cls);
    if (!winner) throw new Error(`no path computed the convolution correctly: ${tried.map((t) => `${t.name}: ${t.rejected}`).join('; ')}`);
    tuner.record(cls, entryOf(winner.name, seconds, tried, 'direct', 2 * multiplyAdds(g), mode));
  } finally {
    trial.dispose();
  }
}

/** The three operands' `f(shape or value, name)`. */
function eachOperand<A, B>(of: Record<keyof ConvOperands, A>, f: (a: A, k: keyof ConvOperands) => B): Record<keyof ConvOperands, B> {
  return { x: f(of.x, 'x'), weight: f(of.weight, 'weight'), grad: f(of.grad, 'grad') };
}

/** A pass's trial; runOnce(path) runs a path once on the timed operands (its products then queue their classes). */
export interface ConvTrial extends Trial<Candidate> {
  runOnce(path: ConvPath): void;
}

/** Where `got` differs from `want` beyond 1e-3·(1 + |want|), or null. */
function differs(got: Float32Array, want: Float32Array, what: string): string | null {
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i] - want[i]) <= 1e-3 * (1 + Math.abs(want[i])))) return `element ${i} is ${got[i]}, ${what} ${want[i].toPrecision(7)}`;
  }
  return null;
}

/**
 * The real trial of a pass on `device`: random operands of g's sizes, timed as a batch of runs with
 * the queue to itself (as many as fit one submit). It checks a path on at most two images: where
 * both paths agree on the GPU, both are right; otherwise the cpu's unfolded path (computed then,
 * once: for a large layer it costs the main thread) says which.
 */
export function convTrial(device: Device, g: Geometry, runners: ConvRunners, seed = 7): ConvTrial {
  const gen = new Generator(seed);
  const owned: Tensor[] = [];
  const shapesOf = (s: Geometry): Record<keyof ConvOperands, number[]> => ({
    x: [s.N, s.C, s.H, s.W],
    weight: [s.OC, s.Cg, s.KH, s.KW],
    grad: [s.N, s.OC, s.OH, s.OW],
  });
  const randomValues = (s: Geometry) => eachOperand(shapesOf(s), (shape) => Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => gen.uniform() * 2 - 1));
  const upload = (values: Record<keyof ConvOperands, Float32Array>, s: Geometry, on: Device | 'cpu'): ConvOperands => {
    const made = eachOperand(shapesOf(s), (shape, k) => fromArray(values[k], shape, { device: on }));
    owned.push(made.x, made.weight, made.grad);
    return made;
  };
  const full = upload(randomValues(g), g, device);
  const small = { ...g, N: Math.min(g.N, 2) };
  const values = randomValues(small);
  const checked = upload(values, small, device);
  const run = (path: ConvPath, ops: ConvOperands, sizes: Geometry) => tidy(() => runners[path](ops, sizes));
  const dispatches = new Map<string, number>();
  // Each path's result on the checked operands (and its dispatches, which size the timed batches).
  const results = new Map<ConvPath, Promise<Float32Array>>();
  const resultOf = (path: ConvPath) => {
    let result = results.get(path);
    if (!result) {
      result = (async () => {
        const before = device.gpu.dispatchCount;
        const out = run(path, checked, small);
        dispatches.set(path, device.gpu.dispatchCount - before);
        try {
          return (await out.toArray()) as Float32Array;
        } finally {
          out.dispose();
        }
      })();
      results.set(path, result);
    }
    return result;
  };
  let reference: Promise<Float32Array> | null = null;
  const cpuReference = () => {
    if (!reference) {
      const t = tidy(() => runners.unfolded(upload(values, small, 'cpu'), small));
      owned.push(t);
      reference = t.toArray() as Promise<Float32Array>;
    }
    return reference;
  };
  const timer = batchTimer(device);
  let timing: ((c: Candidate) => Promise<number>) | null = null;
  return {
    async check(c) {
      const path = c.name as ConvPath;
      const got = await resultOf(path);
      const other = await resultOf(path === 'direct' ? 'unfolded' : 'direct').catch(() => null);
      if (other && differs(got, other, 'the other path') === null) return null;
      return differs(got, await cpuReference(), 'the reference');
    },
    runOnce(path) {
      run(path, full, g).dispose();
    },
    time(c) {
      // Made after the checks, which counted each path's dispatches: a timed batch must fit one submit.
      timing ??= batchedTime(
        (c: Candidate, runs: number) => timeAlone(device, timer, runs, () => run(c.name as ConvPath, full, g).dispose()),
        Math.max(1, Math.floor(WebGPURuntime.flushEvery / Math.max(1, ...dispatches.values()))),
      );
      return timing(c);
    },
    dispose() {
      for (const t of owned) t.dispose();
    },
  };
}
