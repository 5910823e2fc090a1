import { existsSync } from 'node:fs';
import { runJson, runTsChild } from './child.ts';
import { stat, type Stat } from './stats.ts';

export interface PeerOutcome {
  name: string;
  /** Seconds per ThreeNet epoch. */
  epoch?: Stat;
  /** How the figure was made: steps timed, extrapolated or not, versions. */
  note?: string;
  skipped?: string;
}

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

async function torchPeer(name: string, mode: 'preloaded' | 'recipe', runs: number, steps: number): Promise<PeerOutcome> {
  const args = ['scripts/bench_torch.py', '--mode', mode, '--runs', String(runs), '--steps', String(steps)];
  const r = await runJson<TorchOut>(python(), args, { OPENBLAS_NUM_THREADS: '2' });
  if (!r.ok) return { name, skipped: /No module named|not found|ENOENT/.test(r.error ?? '') ? `not installed (${r.error}); ${INSTALL}` : `failed: ${r.error}` };
  const v = r.value!;
  const timed = v.extrapolated ? `${v.steps_timed} steps per run scaled to ${v.steps_per_epoch}` : 'whole epochs';
  return { name, epoch: stat(v.seconds), note: `torch ${v.torch}, ${v.threads} thread, ${v.blas}, OPENBLAS_NUM_THREADS=${v.openblas_threads}; ${timed}` };
}

interface TfjsOut {
  backend: string;
  version: string;
  seconds: number[];
  stepsTimed: number;
  extrapolated: boolean;
}

async function tfjsPeer(backend: 'wasm' | 'cpu', runs: number, steps: number): Promise<PeerOutcome> {
  const name = `TensorFlow.js ${backend}`;
  const r = await runTsChild<TfjsOut>('./peer-tfjs.ts', [backend, String(runs), String(steps)], {}, 900_000);
  if (!r.ok) return { name, skipped: /Cannot find (package|module)/.test(r.error ?? '') ? `not installed; ${INSTALL}` : `failed: ${r.error}` };
  const v = r.value!;
  return { name, epoch: stat(v.seconds), note: `@tensorflow/tfjs ${v.version}, backend ${v.backend}; ${v.stepsTimed} steps per run scaled to an epoch` };
}

/** The same ThreeNet epoch in PyTorch CPU and TensorFlow.js, each peer in its own process. */
export async function benchPeers(runs: number, quick: boolean, log: (line: string) => void): Promise<PeerOutcome[]> {
  const peers: (() => Promise<PeerOutcome>)[] = [
    () => torchPeer('PyTorch CPU, preloaded tensors', 'preloaded', runs, 0),
    () => torchPeer("PyTorch CPU, the seed's recipe (Dataset + DataLoader)", 'recipe', runs, quick ? 15 : 30),
    () => tfjsPeer('wasm', runs, quick ? 12 : 30),
    () => tfjsPeer('cpu', runs, quick ? 3 : 8),
  ];
  const outcomes: PeerOutcome[] = [];
  for (const peer of peers) {
    const o = await peer();
    log(`  ${o.name}: ${o.epoch ? `${o.epoch.median.toFixed(2)} s per epoch (${o.note})` : `skipped: ${o.skipped}`}`);
    outcomes.push(o);
  }
  return outcomes;
}
