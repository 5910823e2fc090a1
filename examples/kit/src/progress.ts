import type { Config } from './args.ts';

/** One row of metrics.csv: an epoch's last loss, a logged step's loss, or a training accuracy. */
export interface MetricRow {
  epoch: number;
  step: number;
  loss: number | '';
  trainAccuracy: number | '';
  seconds: number;
}

/** The flags that define what a run trains: a resumed run must have the same. */
export const TRAINING_FLAGS = ['dataset', 'batchSize', 'optimizer', 'lr', 'momentum', 'evalEvery', 'stepsPerEpoch', 'shuffle'] as const;
export type TrainingFlags = Pick<Config, (typeof TRAINING_FLAGS)[number]>;

/** Where a run stands: enough to continue it exactly, and to write the same outputs. */
export interface Progress {
  /** The epoch to run next (0-based), and how many of its batches are already done. */
  epoch: number;
  step: number;
  /** The shuffling generator's state at the start of that epoch, so its order is drawn again. */
  loaderState: number[];
  lossList: number[];
  accuracyList: number[];
  bestA: number;
  seconds: number;
  /** The loss last read back (an epoch's end row of metrics.csv shows it). */
  lastLoss: number | null;
  metrics: MetricRow[];
  flags: TrainingFlags;
}

export function trainingFlags(config: Config): TrainingFlags {
  return Object.fromEntries(TRAINING_FLAGS.map((k) => [k, config[k]])) as TrainingFlags;
}

/** How a flag's value reads on the command line. */
function flagText(key: keyof TrainingFlags, value: unknown): string {
  if (key === 'shuffle') return value ? 'shuffling on (no --no-shuffle)' : '--no-shuffle';
  const flag = `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  return value === null ? `no ${flag}` : `${flag} ${value}`;
}

/** The differences between the checkpoint's flags and this run's, one phrase each. */
export function flagConflicts(saved: TrainingFlags, now: TrainingFlags): string[] {
  return TRAINING_FLAGS.filter((k) => saved[k] !== now[k]).map(
    (k) => `the checkpoint was trained with ${flagText(k, saved[k])}, this run has ${flagText(k, now[k])}`,
  );
}

const isCount = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;
const isFinite = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
const isFraction = (v: unknown) => isFinite(v) && (v as number) >= 0 && (v as number) <= 1;
const listOf = (check: (v: unknown) => boolean) => (v: unknown) => Array.isArray(v) && v.every(check);
const orEmpty = (check: (v: unknown) => boolean) => (v: unknown) => v === '' || check(v);
const isRow = (v: unknown) =>
  Array.isArray(v) && v.length === 5 && isCount(v[0]) && isCount(v[1]) && orEmpty(isFinite)(v[2]) && orEmpty(isFraction)(v[3]) && isFinite(v[4]);

const CHECKS: Record<Exclude<keyof Progress, 'flags' | 'metrics'>, [(v: unknown) => boolean, string]> = {
  epoch: [isCount, 'a non-negative integer'],
  step: [isCount, 'a non-negative integer'],
  loaderState: [(v) => listOf((w) => Number.isInteger(w) && (w as number) >= 0 && (w as number) < 2 ** 32)(v) && (v as number[]).length === 4, 'four 32-bit unsigned integers'],
  lossList: [listOf(isFinite), 'a list of finite numbers'],
  accuracyList: [listOf(isFraction), 'a list of numbers in [0, 1]'],
  bestA: [isFraction, 'a number in [0, 1]'],
  seconds: [(v) => isFinite(v) && (v as number) >= 0, 'a non-negative number'],
  lastLoss: [(v) => v === null || isFinite(v), 'a finite number or null'],
};

/** Metrics rows as they are stored: [epoch, step, loss, trainAccuracy, seconds]. */
export function packMetrics(rows: readonly MetricRow[]): unknown[] {
  return rows.map((m) => [m.epoch, m.step, m.loss, m.trainAccuracy, m.seconds]);
}

/**
 * The progress stored in a checkpoint, every field checked: a tampered or foreign file is an
 * error naming the field, what it must be and what it holds. Its flags must be this run's
 * (`flags`), and its step at most `stepsPerEpoch`.
 */
export function parseProgress(text: string | undefined, { flags, stepsPerEpoch }: { flags: TrainingFlags; stepsPerEpoch: number }): Progress {
  let raw: unknown;
  try {
    raw = JSON.parse(text ?? '');
  } catch {
    throw new Error(`its progress metadata is not JSON, found ${JSON.stringify(text ?? null)}`);
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new Error(`its progress must be a JSON object, found ${JSON.stringify(raw)}`);
  const fields = raw as Record<string, unknown>;
  const bad = (name: string, expected: string) => new Error(`progress field '${name}' must be ${expected}, found ${JSON.stringify(fields[name]) ?? 'nothing'}`);
  for (const [name, [check, expected]] of Object.entries(CHECKS)) if (!check(fields[name])) throw bad(name, expected);
  if (!listOf(isRow)(fields.metrics)) throw bad('metrics', 'a list of [epoch, step, loss, train accuracy, seconds] rows');
  const saved = fields.flags as TrainingFlags | undefined;
  if (!saved || typeof saved !== 'object' || TRAINING_FLAGS.some((k) => !Object.hasOwn(saved, k))) throw bad('flags', `an object of ${TRAINING_FLAGS.join(', ')}`);
  const conflicts = flagConflicts(saved, flags);
  if (conflicts.length) throw new Error(`${conflicts.join('; ')}. Give the checkpoint's values to continue it, or start a new run without --resume`);
  if ((fields.step as number) > stepsPerEpoch) throw bad('step', `at most ${stepsPerEpoch} (the batches in an epoch)`);
  const metrics = (fields.metrics as MetricRow[keyof MetricRow][][]).map(([epoch, step, loss, trainAccuracy, seconds]) => ({ epoch, step, loss, trainAccuracy, seconds }) as MetricRow);
  return { ...(fields as unknown as Progress), metrics };
}
