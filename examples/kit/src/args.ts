import { parseArgs } from 'node:util';

/** A mistake in how the program was called: printed as one line, exit code 2, no stack trace. */
export class UsageError extends Error {}

export const DATASETS = ['mnist-sample', 'mnist', 'fashion-mnist'] as const;
export type DatasetName = (typeof DATASETS)[number];

export interface Config {
  dataset: DatasetName;
  root: string;
  download: boolean;
  epochs: number;
  batchSize: number;
  lr: number;
  momentum: number;
  optimizer: 'sgd' | 'adam';
  evalEvery: number;
  device: 'webgpu' | 'cpu';
  seed: number;
  shuffle: boolean;
  maxSteps: number | null;
  stepsPerEpoch: number | null;
  logEvery: number | null;
  out: string;
  resume: string | null;
  init: string | null;
  json: boolean;
}

/** The flags' defaults: what an example trains with when they are not given. */
export type Defaults = Pick<Config, 'epochs' | 'batchSize' | 'lr' | 'momentum' | 'evalEvery'>;

/** What differs between the example programs that share this machinery. */
export interface Example {
  /** The program: `pnpm example:<name>`, its runs/<name> folder and its checkpoint format. */
  name: string;
  /** The model as messages name it ('ThreeNet'). */
  title: string;
  /** What --help's first paragraph says the program trains. */
  about: string;
  defaults: Defaults;
  /** A word after a default in --help: why it is what it is. */
  notes?: Partial<Record<keyof Defaults, string>>;
  /** The first weight names of a state dict, for --init's help ('fc1.weight'). */
  firstWeight: string;
}

const INDENT = 24;

/** `flag` padded to the description column, `text` wrapped to 100 columns under it. */
function helpLine(flag: string, text: string): string {
  const lines = [`  ${flag}`.padEnd(INDENT)];
  for (const word of text.split(' ')) {
    const last = lines.length - 1;
    if (lines[last].length > INDENT && lines[last].length + word.length + 1 > 100) lines.push(' '.repeat(INDENT) + word);
    else lines[last] += (lines[last].length > INDENT ? ' ' : '') + word;
  }
  return lines.join('\n');
}

/** The program's --help text. */
export function helpText(example: Example): string {
  const { defaults, notes = {} } = example;
  const withDefault = (key: keyof Defaults, value: unknown) => `default: ${value}${notes[key] ? `, ${notes[key]}` : ''}`;
  const lines: [string, string][] = [
    ['--dataset NAME', 'mnist-sample (embedded, default) | mnist | fashion-mnist'],
    ['--root DIR', 'where datasets live (default: data)'],
    ['--download', 'download MNIST into --root if it is missing'],
    ['--epochs N', `epochs to train (${withDefault('epochs', defaults.epochs)}; 0 only evaluates)`],
    ['--batch-size N', `batch size (${withDefault('batchSize', defaults.batchSize)})`],
    ['--lr X', `learning rate (${withDefault('lr', defaults.lr)})`],
    ['--momentum X', `SGD momentum (${withDefault('momentum', defaults.momentum)})`],
    ['--optimizer NAME', 'sgd (default) | adam'],
    ['--eval-every N', `epochs between training-accuracy checks (${withDefault('evalEvery', defaults.evalEvery)})`],
    ['--device NAME', 'webgpu (default) | cpu'],
    ['--seed N', 'seeds the weight initialisation and the shuffle (default: 0)'],
    ['--no-shuffle', 'keep the training set in order'],
    ['--max-steps N', 'stop after N training steps'],
    ['--steps-per-epoch N', 'end each epoch after N steps (default: the whole training set), for a quick run'],
    ['--log-every N', 'steps between logged losses (1 logs every step; default: once per epoch)'],
    ['--out DIR', `where plots, metrics and checkpoints go (default: runs/${example.name})`],
    [
      '--resume FILE',
      'continue a run from a checkpoint (weights, optimizer, epoch, generator, metrics); --dataset, --batch-size, --optimizer, --lr, --momentum, --eval-every, --steps-per-epoch and --no-shuffle must be as the checkpoint was trained',
    ],
    ['--init FILE', `start from the weights in a .safetensors file (PyTorch names: ${example.firstWeight}, ...)`],
    ['--json', 'print one JSON object per line instead of text'],
    ['-h, --help', 'show this help'],
  ];
  return `Usage: pnpm example:${example.name} [options]\n\n${example.about}\n\n${lines.map(([flag, text]) => helpLine(flag, text)).join('\n')}\n`;
}

function positiveInt(name: string, value: string | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} expects an integer >= ${min}, found '${value}'`);
  return n;
}

function number(name: string, value: string | undefined, fallback: number, check: (n: number) => boolean, expected: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || !check(n)) throw new UsageError(`--${name} expects ${expected}, found '${value}'`);
  return n;
}

function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new UsageError(`--${name} must be one of ${allowed.join(', ')}, found '${value}'`);
  }
  return value as T;
}

/**
 * `--epochs -1` reads to parseArgs as a flag -1 after a flag without its value; joined as
 * `--epochs=-1` it reaches the value's own check, which says what is wrong with it.
 */
function joinNegativeValues(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const next = argv[i + 1];
    if (/^--[\w-]+$/.test(argv[i]) && next !== undefined && /^-\d/.test(next)) out.push(`${argv[i]}=${argv[++i]}`);
    else out.push(argv[i]);
  }
  return out;
}

/** Parses the command line (flags not given take the example's defaults); returns null when --help was asked for. */
export function parseConfig(argv: string[], { name, defaults }: Example): Config | null {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: joinNegativeValues(argv),
      strict: true,
      allowPositionals: false,
      options: {
        dataset: { type: 'string' },
        root: { type: 'string' },
        download: { type: 'boolean' },
        epochs: { type: 'string' },
        'batch-size': { type: 'string' },
        lr: { type: 'string' },
        momentum: { type: 'string' },
        optimizer: { type: 'string' },
        'eval-every': { type: 'string' },
        device: { type: 'string' },
        seed: { type: 'string' },
        'no-shuffle': { type: 'boolean' },
        'max-steps': { type: 'string' },
        'steps-per-epoch': { type: 'string' },
        'log-every': { type: 'string' },
        out: { type: 'string' },
        resume: { type: 'string' },
        init: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    throw new UsageError(`${(e as Error).message.split('\n')[0]} (see --help)`);
  }
  if (values.help) return null;
  const s = (k: string) => values[k] as string | undefined;
  return {
    dataset: oneOf('dataset', s('dataset'), DATASETS, 'mnist-sample'),
    root: s('root') ?? 'data',
    download: Boolean(values.download),
    epochs: positiveInt('epochs', s('epochs'), defaults.epochs, 0),
    batchSize: positiveInt('batch-size', s('batch-size'), defaults.batchSize),
    lr: number('lr', s('lr'), defaults.lr, (n) => n > 0, 'a positive number'),
    momentum: number('momentum', s('momentum'), defaults.momentum, (n) => n >= 0 && n < 1, 'a number in [0, 1)'),
    optimizer: oneOf('optimizer', s('optimizer'), ['sgd', 'adam'] as const, 'sgd'),
    evalEvery: positiveInt('eval-every', s('eval-every'), defaults.evalEvery),
    device: oneOf('device', s('device'), ['webgpu', 'cpu'] as const, 'webgpu'),
    seed: positiveInt('seed', s('seed'), 0, 0),
    shuffle: !values['no-shuffle'],
    maxSteps: s('max-steps') === undefined ? null : positiveInt('max-steps', s('max-steps'), 0),
    stepsPerEpoch: s('steps-per-epoch') === undefined ? null : positiveInt('steps-per-epoch', s('steps-per-epoch'), 0),
    logEvery: s('log-every') === undefined ? null : positiveInt('log-every', s('log-every'), 0),
    out: s('out') ?? `runs/${name}`,
    resume: s('resume') ?? null,
    init: s('init') ?? null,
    json: Boolean(values.json),
  };
}
