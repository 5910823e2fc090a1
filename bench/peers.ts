import { existsSync } from 'node:fs';
import { runJson, runTsChild } from './child.ts';
import { stat, type Stat } from './stats.ts';

export interface PeerOutcome {
  name: string;
  /** Seconds per ThreeNet epoch. */
  epoch?: Stat;
  /** Our epoch, timed right after each of the peer's runs. */
  ours?: Stat;
  /** Peer time over ours, run by run (the machine is shared: paired runs see the same load). */
  ratio?: Stat;
  /** How the figure was made: steps timed, extrapolated or not, versions. */
  note?: string;
  skipped?: string;
}

/** One run of a peer in a fresh process: its epoch in seconds and how it was timed, or why not. */
type PeerRun = { seconds: number; note: string } | { skipped: string };

const INSTALL = 'install the peers with `bash scripts/bench_peers.sh`';

/** Debian's python3 (which has python3-torch), unless MINI_BENCH_PYTHON names another. */
function python(): string {
  return process.env.MINI_BENCH_PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
}

interface TorchOut {
  seconds: number[];
  steps_timed: number;
  steps_per_epoch: number;
  extrapolated: boolean;
  torch: string;
  threads: number;
  blas: string;
  openblas_threads: string;
}

async function torchPeer(mode: 'preloaded' | 'recipe', steps: number): Promise<PeerRun> {
  const args = ['scripts/bench_torch.py', '--mode', mode, '--runs', '1', '--steps', String(steps)];
  const r = await runJson<TorchOut>(python(), args, { OPENBLAS_NUM_THREADS: '2' });
  if (!r.ok) return { skipped: /No module named|not found|ENOENT/.test(r.error ?? '') ? `not installed (${r.error}); ${INSTALL}` : `failed: ${r.error}` };
  const v = r.value!;
  const timed = v.extrapolated ? `${v.steps_timed} steps per run scaled to ${v.steps_per_epoch}` : 'whole epochs';
  return { seconds: v.seconds[0], note: `torch ${v.torch}, ${v.threads} thread, ${v.blas}, OPENBLAS_NUM_THREADS=${v.openblas_threads}; ${timed}` };
}

interface TfjsOut {
  backend: string;
  version: string;
  seconds: number[];
  stepsTimed: number;
  extrapolated: boolean;
}

async function tfjsPeer(backend: 'wasm' | 'cpu', steps: number): Promise<PeerRun> {
  const r = await runTsChild<TfjsOut>('./peer-tfjs.ts', [backend, '1', String(steps)], {}, 900_000);
  if (!r.ok) return { skipped: /Cannot find (package|module)/.test(r.error ?? '') ? `not installed; ${INSTALL}` : `failed: ${r.error}` };
  const v = r.value!;
  return { seconds: v.seconds[0], note: `@tensorflow/tfjs ${v.version}, backend ${v.backend}; ${v.stepsTimed} steps per run scaled to an epoch` };
}

/**
 * The same ThreeNet epoch in PyTorch CPU and TensorFlow.js, each run of a peer in its own process
 * (after its own warm-up) and followed by one epoch of ours (`ours`, in seconds), so that each
 * ratio compares runs made under the same load.
 */
export async function benchPeers(runs: number, quick: boolean, ours: () => Promise<number>, log: (line: string) => void): Promise<PeerOutcome[]> {
  const peers: [string, () => Promise<PeerRun>][] = [
    ['PyTorch CPU, preloaded tensors', () => torchPeer('preloaded', 0)],
    ["PyTorch CPU, the seed's recipe (Dataset + DataLoader)", () => torchPeer('recipe', quick ? 15 : 30)],
    ['TensorFlow.js wasm', () => tfjsPeer('wasm', quick ? 12 : 30)],
    ['TensorFlow.js cpu', () => tfjsPeer('cpu', quick ? 3 : 8)],
  ];
  const outcomes: PeerOutcome[] = [];
  for (const [name, run] of peers) {
    const o = await paired(name, run, runs, ours);
    log(`  ${name}: ${o.epoch ? `${o.epoch.median.toFixed(2)} s per epoch, ${o.ratio!.median.toFixed(2)}× ours (${o.note})` : `skipped: ${o.skipped}`}`);
    outcomes.push(o);
  }
  return outcomes;
}

/** `runs` runs of a peer, each followed by one epoch of ours; stops at the first it skips. */
async function paired(name: string, run: () => Promise<PeerRun>, runs: number, ours: () => Promise<number>): Promise<PeerOutcome> {
  const theirs: number[] = [];
  const mine: number[] = [];
  let note = '';
  for (let i = 0; i < runs; i++) {
    const r = await run();
    if ('skipped' in r) return { name, skipped: r.skipped };
    theirs.push(r.seconds);
    note = r.note;
    mine.push(await ours());
  }
  return { name, epoch: stat(theirs), ours: stat(mine), ratio: stat(theirs.map((t, j) => t / mine[j])), note };
}
