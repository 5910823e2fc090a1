// `tsx bench/matmul-peak.ts`: what bounds matmul on this adapter, measured in one run:
// - the adapter's attainable multiply-add rate (kernels/peak-fma.wgsl: register-only vec4 fma chains);
// - the rate of per-invocation vec4 loads from a storage buffer (kernels/peak-load.wgsl), and from
//   the two the most the tuned kernel's tile can reach (its loads and multiply-adds, one after the other);
// - (256×784)·(784×200) through the public torch.matmul in a loop, tuner off (the heuristics) and
//   on (after a full tuning of its class, whose own time is printed);
// - OpenBLAS sgemm through /usr/bin/python3 numpy on the same cores, 2048³ and the same product.
import { execFileSync } from 'node:child_process';
import { empty, init, matmul, randn, shutdown, type Device } from '@mini/tensor';
import { denseLayout, launch, matmulCandidate, tunerFor } from '@mini/tensor/internal';
import { stat, timeRuns } from './stats.ts';

const RUNS = 5;

/** GFLOP/s of the register-only fma kernel: 64 flops per round per invocation. */
async function peak(device: Device): Promise<number> {
  const invocations = 64 * 256;
  const iterations = 4096;
  const out = empty([invocations], { device });
  const run = async () => {
    launch('peak-fma', { family: 'peak-fma' }, [out], { iterations, scale: 0.999 }, [invocations / 64]);
    device.gpu.flush();
    await device.gpu.settle();
  };
  const seconds = stat(await timeRuns(RUNS, run)).min;
  out.dispose();
  return (invocations * iterations * 64) / seconds / 1e9;
}

/** Per-invocation vec4 loads per second from a storage buffer, four independent sums per invocation. */
async function loadRate(device: Device): Promise<number> {
  const invocations = 64 * 256;
  const iterations = 1024;
  const span = 4096;
  const src = randn([(span + iterations) * 4], { device });
  const out = empty([invocations], { device });
  const run = async () => {
    launch('peak-load', { family: 'peak-load' }, [src, out], { iterations, span }, [invocations / 64]);
    device.gpu.flush();
    await device.gpu.settle();
  };
  const seconds = stat(await timeRuns(RUNS, run)).min;
  src.dispose();
  out.dispose();
  return (invocations * iterations) / seconds;
}

/**
 * GFLOP/s a vec4 subgroup kernel's tile reaches when its loads cost what peak-load's do and its
 * multiply-adds what peak-fma's do, one after the other (on llvmpipe both are instructions on the
 * same cores). Per 4 k a workgroup of SG lanes loads SG·(⌈TM/SG⌉ + B) vec4, B = 4·TN for vec4-n (TN
 * groups of 4 columns, 4 rows of k) and TN for vec4-k, and does 2·SG·TM·C·4 flops, C = 4·TN and TN
 * columns. Null for the other families.
 */
function tileCeiling(kernel: string, loadsPerSecond: number, peakGflops: number): number | null {
  const m = /^matmul-vec4-(n|k) SG=(\d+) TM=(\d+) TN=(\d+)$/.exec(kernel);
  if (!m) return null;
  const [sg, tm, tn] = [m[2], m[3], m[4]].map(Number);
  const perLane = m[1] === 'n' ? 4 * tn : tn;
  const loads = sg * (Math.ceil(tm / sg) + perLane);
  const flops = 2 * sg * tm * perLane * 4;
  return flops / (loads / loadsPerSecond + flops / (peakGflops * 1e9)) / 1e9;
}

/** GFLOP/s of torch.matmul (256×784)·(784×200) in a loop of 50, best of RUNS (as for the others: on a loaded machine the best run is nearest the machine's own rate). */
async function publicMatmul(device: Device): Promise<{ gflops: number; kernel: string }> {
  const a = randn([256, 784], { device });
  const b = randn([784, 200], { device });
  const reps = 50;
  const run = async () => {
    for (let i = 0; i < reps; i++) matmul(a, b).dispose();
    device.gpu.flush();
    await device.gpu.settle();
  };
  const seconds = stat(await timeRuns(RUNS, run)).min;
  const kernel = matmulCandidate(a, b).name;
  a.dispose();
  b.dispose();
  return { gflops: (2 * 256 * 784 * 200 * reps) / seconds / 1e9, kernel };
}

const NUMPY = `
import numpy as np, time
def rate(m, k, n, reps):
    a = np.random.rand(m, k).astype(np.float32)
    b = np.random.rand(k, n).astype(np.float32)
    a @ b
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(reps):
            a @ b
        best = min(best, time.perf_counter() - start)
    return 2 * m * k * n * reps / best / 1e9
print(rate(2048, 2048, 2048, 2), rate(256, 784, 200, 50))
`;

const device = await init('webgpu');
console.log(`adapter: ${device.gpu.adapterInfo.description}`);
const peakGflops = await peak(device);
console.log(`peak fma (register-only kernel): ${peakGflops.toFixed(1)} GFLOP/s`);
const loads = await loadRate(device);
console.log(`storage loads (vec4, an address per invocation): ${(loads / 1e9).toFixed(2)} G/s, ${((peakGflops * 1e9) / 2 / 4 / loads).toFixed(0)} vec4 multiply-adds' time each`);
process.env.MINI_TUNE = 'off';
const off = await publicMatmul(device);
console.log(`torch.matmul (256×784)·(784×200), tuner off: ${off.gflops.toFixed(1)} GFLOP/s (${off.kernel})`);
process.env.MINI_TUNE = 'full';
for (const mode of ['quick', 'full'] as const) {
  const outcome = await tunerFor(device).tune(denseLayout(256, 784, 200), mode);
  console.log(`tuner ${mode}: ${outcome.winner} at ${outcome.gflops.toFixed(1)} GFLOP/s, ${outcome.tried.length} tried, ${outcome.elapsedMs.toFixed(0)} ms`);
}
const on = await publicMatmul(device);
console.log(`torch.matmul (256×784)·(784×200), tuner on: ${on.gflops.toFixed(1)} GFLOP/s (${on.kernel})`);
const ceiling = tileCeiling(on.kernel, loads, peakGflops);
if (ceiling !== null) console.log(`its tile's loads and multiply-adds alone: ${ceiling.toFixed(1)} GFLOP/s (the kernel runs at ${((100 * on.gflops) / ceiling).toFixed(0)} % of it)`);
const [blas2048, blasSmall] = execFileSync('/usr/bin/python3', ['-c', NUMPY], { encoding: 'utf8' }).trim().split(' ').map(Number);
console.log(`OpenBLAS sgemm (numpy): 2048³ ${blas2048.toFixed(1)} GFLOP/s, (256×784)·(784×200) ${blasSmall.toFixed(1)} GFLOP/s`);
console.log(`tuned torch.matmul / OpenBLAS 2048³: ${((100 * on.gflops) / blas2048).toFixed(1)} % (target 20 %)`);
shutdown();
