/**
 * The matmul tuner: for a shape class on the running adapter it tries the candidate kernels
 * within a small budget, checks each one's result against a CPU reference before it may win,
 * keeps the fastest correct one, and remembers it in the persistent cache (cache.ts). Its
 * background queue and cache also serve a convolution's paths (conv-tuning.ts).
 */
import { kernelSource } from '@mini/kernels';
import { defaultTuneStore } from '#tune-store';
import type { Device } from '../device/device.ts';
import { envVar, warn } from '../env.ts';
import {
  adapterTraits,
  allCandidates,
  candidatesFor,
  heuristicCandidate,
  heuristicFamily,
  type AdapterTraits,
  type MatmulCandidate,
  type ProductLayout,
} from '../ops/matmul-plan.ts';
import { fingerprint, type TuneEntry, type TuneStore } from './cache.ts';
import { batchTimer, gpuTrial, type Candidate, type Trial } from './trial.ts';

/** How matmul kernels are chosen: heuristics only ('off'), or tuned from a few or all candidates. */
export type TuneMode = 'off' | 'quick' | 'full';
/** Every tuning mode, the values MINI_TUNE takes. */
export const TUNE_MODES: readonly TuneMode[] = ['off', 'quick', 'full'];

let modeOverride: TuneMode | null = null;

/** Sets the tuning mode for later products, over MINI_TUNE (a web page has no environment); null restores MINI_TUNE. */
export function setTuneMode(mode: TuneMode | null): void {
  if (mode !== null && !TUNE_MODES.includes(mode)) throw new Error(`unknown tuning mode '${mode}'; expected one of ${TUNE_MODES.join(', ')}`);
  modeOverride = mode;
}

/** The tuning mode: setTuneMode's, else MINI_TUNE, 'quick' when unset. */
export function tuneMode(): TuneMode {
  if (modeOverride) return modeOverride;
  const value = envVar('MINI_TUNE') || 'quick';
  if (!TUNE_MODES.includes(value as TuneMode)) throw new Error(`MINI_TUNE=${value} is not a tuning mode; expected one of ${TUNE_MODES.join(', ')}`);
  return value as TuneMode;
}

/** Milliseconds one shape class may take: a candidate begun within it is finished, none begun after. */
export const TUNE_BUDGET_MS: Readonly<Record<'quick' | 'full', number>> = { quick: 300, full: 4000 };
/** The most candidates quick mode tries (quickCandidates says which). */
export const QUICK_CANDIDATES = 4;
/**
 * Background tuning begins this long after the first product asks for it. Its trials compile
 * and run on the program's own GPU queue, ahead of the program's later work: a short program (a
 * one-step smoke run, a script of a few products) ends before paying for them, and a training run
 * starts tuning in its first seconds.
 */
export const TUNE_START_DELAY_MS = 2000;

/** Resolves after ms, without keeping a Node process alive for it. */
function delay(ms: number): Promise<void> {
  return new Promise((resolve) => (setTimeout(resolve, ms) as { unref?: () => void }).unref?.());
}

/** n rounded up to a power of 2 (shape classes). */
export const pow2 = (n: number) => 2 ** Math.ceil(Math.log2(Math.max(1, n)));

/**
 * The class a product's choice is kept under: how its operands lie (which kernels take it) and
 * its sizes rounded up to powers of 2; null for products the tuner leaves to the heuristics
 * (batched ones, and operands with no unit stride, whose layout a trial does not reproduce).
 */
export function shapeClass(l: ProductLayout): string | null {
  if (l.batch > 1 || l.strided) return null;
  const a = l.aK4 ? 'aK4' : l.aM4 ? 'aM4' : l.aAlongM ? 'aM' : 'aK';
  const b = l.bK4 ? 'bK4' : l.bN4 ? 'bN4' : l.bAlongK ? 'bK' : 'bN';
  return `${a}.${b} ${pow2(l.M)}x${pow2(l.K)}x${pow2(l.N)}`;
}

/** One candidate's trial: its time per product, or why it was rejected. */
export interface TrialResult {
  name: string;
  seconds: number | null;
  rejected: string | null;
}

/** What tuning one shape class found. */
export interface TuneOutcome {
  shapeClass: string;
  /** The shape it was measured on. */
  shape: [number, number, number];
  winner: string;
  gflops: number;
  heuristic: string;
  heuristicGflops: number | null;
  tried: TrialResult[];
  /** Milliseconds the tuning took, pipeline compilation included. */
  elapsedMs: number;
}

/**
 * How much faster than the first candidate (the heuristic's choice) another must be to win: on a
 * loaded machine two equal kernels differ by a few percent from run to run, and a tie should keep
 * the kernel the heuristics were measured with.
 */
export const INCUMBENT_MARGIN = 0.05;

/** Timed batches per candidate, taken in turns: on a loaded machine the least of a few, interleaved, is what compares. */
export const TIMING_ROUNDS = 3;

/**
 * Checks the candidates in order until the budget is spent (the first is always tried), then
 * times those whose check passed in TIMING_ROUNDS interleaved rounds, and picks the fastest by
 * its best round, the first winning ties within INCUMBENT_MARGIN; a candidate that fails its
 * check, or throws, is never timed and never wins.
 */
export async function pickFastest<C extends Candidate>(
  candidates: readonly C[],
  trial: Pick<Trial<C>, 'check' | 'time'>,
  budgetMs: number,
  clock: () => number,
): Promise<{ winner: C | null; seconds: number; tried: TrialResult[]; elapsedMs: number }> {
  const start = clock();
  const tried: TrialResult[] = [];
  const correct: C[] = [];
  for (const [i, c] of candidates.entries()) {
    if (i > 0 && clock() - start >= budgetMs) break;
    let rejected: string | null;
    try {
      rejected = await trial.check(c);
    } catch (e) {
      rejected = (e as Error).message;
    }
    tried.push({ name: c.name, seconds: null, rejected });
    if (rejected === null) correct.push(c);
  }
  for (let round = 0; round < TIMING_ROUNDS; round++) {
    for (const c of correct) {
      const result = tried.find((t) => t.name === c.name)!;
      try {
        const seconds = await trial.time(c);
        result.seconds = Math.min(result.seconds ?? Infinity, seconds);
      } catch (e) {
        result.rejected = (e as Error).message;
      }
    }
  }
  let winner: C | null = null;
  let best = Infinity;
  for (const c of correct) {
    const { seconds, rejected } = tried.find((t) => t.name === c.name)!;
    if (rejected !== null || seconds === null) continue;
    const score = c === candidates[0] ? seconds / (1 + INCUMBENT_MARGIN) : seconds;
    if (score < best) [winner, best] = [c, score];
  }
  const seconds = winner ? tried.find((t) => t.name === winner.name)!.seconds! : Infinity;
  return { winner, seconds, tried, elapsedMs: clock() - start };
}

/**
 * Quick mode's candidates, QUICK_CANDIDATES at most, the heuristic's first. On CPU adapters, where
 * the heuristics were measured, its nearest relatives: its kernel file and subgroup width, then its
 * family. Elsewhere (a GPU, where none was) one candidate of each family, the subgroup family's at
 * its widest lanes: variants of the heuristic's kernel would never try the kinds of kernel a GPU
 * may want (the shared-memory tiled one).
 */
export function quickCandidates(list: readonly MatmulCandidate[], heuristic: MatmulCandidate, traits: AdapterTraits): MatmulCandidate[] {
  if (!traits.software) {
    const lanes = (c: MatmulCandidate) => Number(c.template.SG ?? 0);
    const byFamily = new Map<string, MatmulCandidate>([[heuristic.family, heuristic]]);
    for (const c of [...list].sort((x, y) => lanes(y) - lanes(x))) if (!byFamily.has(c.family)) byFamily.set(c.family, c);
    return [...byFamily.values()].slice(0, QUICK_CANDIDATES);
  }
  const sg = heuristic.template.SG;
  const distance = (c: MatmulCandidate) =>
    c.name === heuristic.name ? 0 : c.file === heuristic.file && c.template.SG === sg ? 1 : c.family === heuristic.family ? 2 : 3;
  return [...list].sort((x, y) => distance(x) - distance(y)).slice(0, QUICK_CANDIDATES);
}

/**
 * How candidates are timed, in the cache's keys: raised when that changes, so that choices timed
 * the old way are measured again. 2: each batch alone on the queue (before, a batch timed in the
 * background of a training run also waited for the steps queued ahead of it). 3: by the GPU's
 * timestamps where it has them, a candidate's first product never taken as its time, and nothing
 * recorded from a device destroyed mid-tuning (its batches finish at once).
 */
export const TIMING_VERSION = 3;

/** The kernel files of a convolution's paths (conv-tuning.ts): their choices are cached here too. */
const CONV_KERNELS = ['conv', 'conv-direct', 'conv-grad-weight'];

/** The key of an adapter in the cache: its identity, driver (in the description), backend, subgroups, the kernels' sources and the timing's version. */
export function adapterKey(device: Device): string {
  const gpu = device.gpu;
  const info = gpu.adapterInfo as GPUAdapterInfo & { subgroupMinSize?: number; subgroupMaxSize?: number };
  const files = [...new Set([...allCandidates().map((c) => c.file), ...CONV_KERNELS])].sort();
  const sources = fingerprint(files.map((f) => kernelSource(f)).join('\n'));
  return [info.vendor, info.architecture, info.device, info.description, gpu.backend, `subgroups ${info.subgroupMinSize ?? 0}-${info.subgroupMaxSize ?? 0}`, `kernels ${sources}`, `timing ${TIMING_VERSION}`].join(' | ');
}

/** Options of MatmulTuner.tune (tests inject the trial and the candidates). */
export interface TuneOptions {
  trial?: Trial;
  candidates?: MatmulCandidate[];
  budgetMs?: number;
}

/** The cache entry of a tuning that picked `winner` at `seconds` a run of `flops`, the heuristic's choice being `heuristic`. */
export function entryOf(winner: string, seconds: number, tried: TrialResult[], heuristic: string, flops: number, mode: 'quick' | 'full'): TuneEntry {
  const heuristicSeconds = tried.find((t) => t.name === heuristic)?.seconds ?? null;
  return {
    kernel: winner,
    gflops: flops / seconds / 1e9,
    heuristic,
    heuristicGflops: heuristicSeconds === null ? null : flops / heuristicSeconds / 1e9,
    mode,
    tunedAt: new Date().toISOString(),
  };
}

/** The tuner of one device: its cached choices, and the tunings running in the background. */
export class MatmulTuner {
  readonly traits: AdapterTraits;
  readonly adapterKey: string;
  /** What each tuning this tuner ran found, in order (none when every class came from the cache). */
  readonly outcomes: TuneOutcome[] = [];
  private entries: Record<string, TuneEntry>;
  private chosen = new Map<string, MatmulCandidate | null>();
  /** Every class schedule() took (waiting, tuned or failed): each is tuned in the background at most once. */
  private scheduled = new Set<string>();
  /** The scheduled classes not begun yet: their size (multiply-adds) and their tuning. */
  private waiting = new Map<string, { size: number; tune: () => Promise<unknown> }>();
  /** The background run that tunes the waiting classes, while there is one. */
  private running: Promise<void> | null = null;

  constructor(
    private device: Device,
    readonly store: TuneStore,
    private clock: () => number = () => performance.now(),
    private startDelayMs = TUNE_START_DELAY_MS,
  ) {
    this.traits = adapterTraits(device.gpu);
    this.adapterKey = adapterKey(device);
    this.entries = store.load()?.adapters[this.adapterKey] ?? {};
  }

  /** Every shape class tuned on this adapter (cached or tuned in this run), with its entry. */
  choices(): Readonly<Record<string, TuneEntry>> {
    return this.entries;
  }

  /** The cached entry of a class on this adapter. */
  entry(shapeClassKey: string): TuneEntry | undefined {
    return this.entries[shapeClassKey];
  }

  /** The tuned candidate for a product, or null when its class is untuned (or its winner no longer takes it). */
  tuned(l: ProductLayout): MatmulCandidate | null {
    const cls = shapeClass(l);
    if (!cls) return null;
    if (!this.chosen.has(cls)) {
      const name = this.entries[cls]?.kernel;
      this.chosen.set(cls, name ? (candidatesFor(this.traits, l, null).find((c) => c.name === name) ?? null) : null);
    }
    return this.chosen.get(cls)!;
  }

  /**
   * Tunes the product's class in the background unless it is tuned or was scheduled before. The
   * classes are tuned one at a time, beginning startDelayMs after the first of a run asks, the one
   * with the most multiply-adds first: a training step asks for all of its classes at once, and the
   * largest products are where a better kernel saves the most.
   */
  schedule(l: ProductLayout, mode: 'quick' | 'full'): void {
    const cls = shapeClass(l);
    if (cls) this.enqueue(`matmul class ${cls}`, cls, l.M * l.N * l.K, () => this.tune(l, mode));
  }

  /**
   * Queues the tuning of class `cls` (of `size` multiply-adds) in the background, as schedule()
   * does a product's, unless the class is tuned or was queued before; `what` names it in a warning.
   */
  enqueue(what: string, cls: string, size: number, tune: () => Promise<unknown>): void {
    if (this.entries[cls] || this.scheduled.has(cls)) return;
    this.scheduled.add(cls);
    this.waiting.set(cls, { size, tune: () => tune().catch((e: Error) => this.warnFailed(what, e)) });
    this.running ??= this.tuneWaiting();
  }

  /** The classes queued and not begun yet. */
  waitingClasses(): Set<string> {
    return new Set(this.waiting.keys());
  }

  /** Tunes now, largest first, those of `classes` that are queued and not begun (from within a tuning: conv-tuning.ts). */
  async tuneNow(classes: Iterable<string>): Promise<void> {
    const jobs = [...classes].flatMap((cls) => {
      const job = this.waiting.get(cls);
      this.waiting.delete(cls);
      return job ? [job] : [];
    });
    for (const job of jobs.sort((x, y) => y.size - x.size)) await job.tune();
  }

  /** How the device went away ('destroyed' when the program ended it, 'lost'), or null while it is there. */
  private get gone(): string | null {
    return this.device.gpu.isDestroyed ? 'destroyed' : this.device.gpu.isLost ? 'lost' : null;
  }

  /** Throws when the device went away while class `cls` was tuned. */
  throwIfGone(cls: string): void {
    if (this.gone) throw new Error(`the device was ${this.gone} while class ${cls} was tuned: nothing is recorded`);
  }

  private warnFailed(what: string, e: Error): void {
    if (!this.gone) warn(`mini: tuning ${what} failed (${e.message}); it keeps the heuristic kernel`);
  }

  private async tuneWaiting(): Promise<void> {
    await delay(this.startDelayMs);
    while (this.waiting.size > 0 && !this.gone) {
      const [cls, job] = [...this.waiting].reduce((best, next) => (next[1].size > best[1].size ? next : best));
      this.waiting.delete(cls);
      await job.tune();
    }
    this.running = null;
  }

  /** Resolves when every tuning scheduled so far has ended. */
  async idle(): Promise<void> {
    // The start delay's timer lets Node exit (a short program ends before tuning); a wait here keeps it running.
    const keepAlive = setInterval(() => {}, 60_000);
    try {
      while (this.running) await this.running;
    } finally {
      clearInterval(keepAlive);
    }
  }

  /** Tunes the class of a product now, records the winner, and saves it to the store. */
  async tune(l: ProductLayout, mode: 'quick' | 'full', options: TuneOptions = {}): Promise<TuneOutcome> {
    const cls = shapeClass(l);
    if (!cls) throw new Error(`matmul products of batch ${l.batch}${l.strided ? ' with no unit stride' : ''} are not tuned (they take the heuristic kernel)`);
    const heuristic = heuristicCandidate(this.traits, heuristicFamily(this.traits, null), l);
    let candidates = options.candidates ?? candidatesFor(this.traits, l, heuristic);
    if (!options.candidates && mode === 'quick') candidates = quickCandidates(candidates, heuristic, this.traits);
    const trial = options.trial ?? gpuTrial(this.device, l, batchTimer(this.device, this.clock));
    try {
      const budget = options.budgetMs ?? TUNE_BUDGET_MS[mode];
      const { winner, seconds, tried, elapsedMs } = await pickFastest(candidates, trial, budget, this.clock);
      this.throwIfGone(cls);
      if (!winner) throw new Error(`no candidate computed the product correctly: ${tried.map((t) => `${t.name}: ${t.rejected}`).join('; ')}`);
      const entry = entryOf(winner.name, seconds, tried, heuristic.name, 2 * l.M * l.N * l.K, mode);
      this.record(cls, entry);
      const outcome: TuneOutcome = { shapeClass: cls, shape: [l.M, l.K, l.N], winner: winner.name, gflops: entry.gflops, heuristic: heuristic.name, heuristicGflops: entry.heuristicGflops, tried, elapsedMs };
      this.outcomes.push(outcome);
      return outcome;
    } finally {
      trial.dispose();
    }
  }

  /**
   * Keeps a tuned class's entry, here and in the stored cache (read afresh and merged: another
   * process may have added some; a failed save warns). Not after the device went away mid-tuning:
   * its batches then finish at once and the times say nothing.
   */
  record(cls: string, entry: TuneEntry): void {
    this.throwIfGone(cls);
    this.entries[cls] = entry;
    this.chosen.delete(cls);
    try {
      const file = this.store.load() ?? { version: 1, adapters: {} };
      (file.adapters[this.adapterKey] ??= {})[cls] = entry;
      this.store.save(file);
    } catch (e) {
      warn(`mini: could not save the tuning cache to ${this.store.where} (${(e as Error).message})`);
    }
  }
}

const tuners = new WeakMap<Device, MatmulTuner>();
let storeOverride: TuneStore | null = null;

/** Makes later tuners keep their choices in `store` (tests); null restores the platform's store. */
export function setTuneStore(store: TuneStore | null): void {
  storeOverride = store;
}

/** The tuner of a webgpu device, made (and its cache read) on first use. */
export function tunerFor(device: Device): MatmulTuner {
  let tuner = tuners.get(device);
  if (!tuner) tuners.set(device, (tuner = new MatmulTuner(device, storeOverride ?? defaultTuneStore())));
  return tuner;
}

/** Forgets the device's tuner (tests: the next tunerFor reads the store again). */
export function resetTuner(device: Device): void {
  tuners.delete(device);
}
