import { readFileSync } from 'node:fs';

/** Command-line flags of `pnpm bench`. */
export interface BenchOptions {
  /** Runs per figure (each figure is the median of these; at least 5 for RESULTS.md). */
  runs: number;
  /** Timed epochs of ours, after one warm-up epoch (the memory check needs 3 epochs in all). */
  epochs: number;
  /** Fewer steps per run for the peers timed by steps and for the backend comparison. */
  quick: boolean;
  peers: boolean;
  backends: boolean;
  /** Write bench/RESULTS.md. */
  write: boolean;
  only: Set<string> | null;
}

export const SECTIONS = ['matmul', 'dispatch', 'first-step', 'threenet', 'backends', 'peers'] as const;

const VERSION = (JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string }).version;

const HELP = `pnpm bench [flags]
  --runs N       runs per figure (default 5; RESULTS.md wants at least 5)
  --epochs N     timed epochs of ours after a warm-up epoch (default 5, at least 3)
  --quick        fewer steps per run for the long peers and the backend comparison
  --no-peers     skip PyTorch and TensorFlow.js
  --no-backends  skip the Vulkan vs GL comparison
  --only a,b     sections: ${SECTIONS.join(', ')}
  --no-write     print only, leave bench/RESULTS.md alone
  --version      print the version
  -h, --help     show this help`;

/** A mistake in how `pnpm bench` was called: one line on stderr, exit code 2. */
export class UsageError extends Error {}

/** The flags, or null when --help or --version printed what was asked (nothing to run). */
export function parseOptions(argv: readonly string[], print: (text: string) => void = console.log): BenchOptions | null {
  const o: BenchOptions = { runs: 5, epochs: 5, quick: false, peers: true, backends: true, write: true, only: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${a} needs a value (see --help)`);
      return v;
    };
    if (a === '--runs') o.runs = Number(value());
    else if (a === '--epochs') o.epochs = Number(value());
    else if (a === '--quick') o.quick = true;
    else if (a === '--no-peers') o.peers = false;
    else if (a === '--no-backends') o.backends = false;
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
  if (!(o.epochs >= 3) || !Number.isInteger(o.epochs)) throw new UsageError(`--epochs expects an integer of at least 3, found ${o.epochs}`);
  for (const s of o.only ?? []) {
    if (!(SECTIONS as readonly string[]).includes(s)) throw new UsageError(`--only: unknown section ${s}; expected ${SECTIONS.join(', ')}`);
  }
  return o;
}

export function wants(o: BenchOptions, section: (typeof SECTIONS)[number]): boolean {
  return o.only ? o.only.has(section) : true;
}
