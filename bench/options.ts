import { readFileSync } from 'node:fs';

/** Command-line flags of `pnpm bench`. */
export interface BenchOptions {
  /** Runs per figure: in-process figures are medians of these; programs run this many rounds. */
  runs: number;
  /** Shorter windows of steps and fewer peers: a rough pass in a few minutes. */
  quick: boolean;
  peers: boolean;
  /** Write bench/RESULTS.md. */
  write: boolean;
  only: Set<string> | null;
}

export const SECTIONS = ['matmul', 'dispatch', 'conv', 'first-step', 'threenet', 'lenet', 'browser'] as const;
export type Section = (typeof SECTIONS)[number];

const VERSION = (JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string }).version;

const HELP = `pnpm bench [flags]
Times the programs users run (the ThreeNet example's epoch and its first step as whole
processes, a LeNet epoch, the ThreeNet step in headless Chromium) beside PyTorch CPU and
TensorFlow.js in the same run, paired run by run, and the kernels under them (matmul, conv2d,
dispatch cost); writes bench/RESULTS.md (a run with --only updates its own sections there).
  --runs N       runs per figure, rounds per program comparison (default 3)
  --quick        shorter step windows, no TensorFlow.js cpu: a rough pass
  --no-peers     skip PyTorch and TensorFlow.js
  --only a,b     sections: ${SECTIONS.join(', ')}
  --no-write     print only, leave bench/RESULTS.md alone
  --version      print the version
  -h, --help     show this help`;

/** A mistake in how `pnpm bench` was called: one line on stderr, exit code 2. */
export class UsageError extends Error {}

/** The flags, or null when --help or --version printed what was asked (nothing to run). */
export function parseOptions(argv: readonly string[], print: (text: string) => void = console.log): BenchOptions | null {
  const o: BenchOptions = { runs: 3, quick: false, peers: true, write: true, only: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${a} needs a value (see --help)`);
      return v;
    };
    if (a === '--runs') o.runs = Number(value());
    else if (a === '--quick') o.quick = true;
    else if (a === '--no-peers') o.peers = false;
    else if (a === '--no-write') o.write = false;
    else if (a === '--only') o.only = new Set(value().split(','));
    else if (a === '--help' || a === '-h') {
      print(HELP);
      return null;
    } else if (a === '--version') {
      print(`mini bench ${VERSION}`);
      return null;
    } else throw new UsageError(`unknown flag '${a}' (see --help)`);
  }
  if (!(o.runs >= 1) || !Number.isInteger(o.runs)) throw new UsageError(`--runs expects a positive integer, found ${o.runs}`);
  for (const s of o.only ?? []) {
    if (!(SECTIONS as readonly string[]).includes(s)) throw new UsageError(`--only: unknown section ${s}; expected ${SECTIONS.join(', ')}`);
  }
  return o;
}

/** Whether the run includes `section` (all do unless --only names some). */
export function wants(o: BenchOptions, section: Section): boolean {
  return o.only ? o.only.has(section) : true;
}
