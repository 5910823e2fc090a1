#!/usr/bin/env node
/**
 * `pnpm mini info`   the adapter, backend, limits and features in use
 * `pnpm mini smoke`  the chosen device, and a small matrix product on it checked against the cpu
 * `pnpm mini probe [default|vulkan|opengles]`   exit status 0 when a WebGPU device can be created
 * `pnpm mini tune [--mode quick|full] [--shape MxKxN[:layout]]... [--conv N,C,H,W,OC,K[,padding[,stride]]]...`
 *                    tunes matmul kernels and convolutions' paths here, into the cache
 */
import { readFileSync } from 'node:fs';
import { init, matmul, randn, shutdown, device, empty, WebGPURuntime, manualSeed, type Device } from './index.ts';
import { CONV_RUNNERS, geometry } from './ops/conv.ts';
import { directPaths } from './ops/conv-direct.ts';
import { denseLayout } from './ops/matmul-plan.ts';
import { convClass, tuneConv, type ConvPass } from './tune/conv-tuning.ts';
import { tunerFor } from './tune/tuner.ts';

const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

const LIMITS = [
  'maxBufferSize',
  'maxStorageBufferBindingSize',
  'maxStorageBuffersPerShaderStage',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupsPerDimension',
  'minStorageBufferOffsetAlignment',
] as const;

function describe(gpu: WebGPURuntime): string {
  const info = gpu.adapterInfo;
  return `webgpu via ${gpu.backend} backend: ${info.description || info.device || info.architecture} (${info.vendor || 'unknown vendor'})`;
}

async function info(short: boolean): Promise<void> {
  const dev = await init();
  if (dev.type === 'cpu') {
    console.log('device: cpu (MINI_DEVICE=cpu)');
    return;
  }
  const gpu = dev.gpu;
  console.log(`device: ${describe(gpu)}`);
  if (short) return;
  console.log('limits:');
  for (const name of LIMITS) console.log(`  ${name.padEnd(36)} ${gpu.limits[name]}`);
  console.log(`features: ${gpu.features.join(', ')}`);
}

async function smoke(): Promise<void> {
  const dev = await init();
  console.log(`device: ${dev.type === 'cpu' ? 'cpu' : describe(dev.gpu)}`);
  manualSeed(0);
  const a = randn([64, 784], { device: dev });
  const b = randn([784, 200], { device: dev });
  const product = matmul(a, b);
  const reference = await matmul(await a.cpu(), await b.cpu()).toArray();
  const values = await product.toArray();
  const worst = Array.from(values).reduce((m, v, i) => Math.max(m, Math.abs(v - reference[i])), 0);
  console.log(`(64x784)·(784x200) on ${dev}: max |difference| from the cpu reference ${worst.toExponential(2)}`);
  if (!(worst < 1e-3)) throw new Error('the product disagrees with the cpu reference');
}

async function probe(backend: string | undefined): Promise<void> {
  if (backend) process.env.MINI_WEBGPU_BACKEND = backend;
  const dev = await init('webgpu');
  console.log(describe(dev.gpu));
}

/** A product to tune: sizes, and which operands are stored transposed. */
interface TuneShape {
  M: number;
  K: number;
  N: number;
  ta: boolean;
  tb: boolean;
}

/** The products of a ThreeNet (784-200-60-10) training step at batch 256, in the layouts the step has them. */
const THREENET_SHAPES: TuneShape[] = [
  { M: 256, K: 784, N: 200, ta: false, tb: false },
  ...[[784, 200], [200, 60], [60, 10]].flatMap(([inF, outF], i) => [
    { M: 256, K: inF, N: outF, ta: false, tb: true },
    ...(i > 0 ? [{ M: 256, K: outF, N: inF, ta: true, tb: false }] : []),
    { M: outF, K: 256, N: inF, ta: false, tb: false },
  ]),
];

/** A convolution to tune: input [N, C, H, W], OC output channels, a square K×K kernel. */
interface TuneConv {
  N: number;
  C: number;
  H: number;
  W: number;
  OC: number;
  K: number;
  padding: number;
  stride: number;
}

/** LeNet's convolutions at batch 64 (examples/lenet). */
const LENET_CONVS: TuneConv[] = [
  { N: 64, C: 1, H: 28, W: 28, OC: 6, K: 5, padding: 2, stride: 1 },
  { N: 64, C: 6, H: 14, W: 14, OC: 16, K: 5, padding: 0, stride: 1 },
];

function parseConv(text: string): TuneConv {
  const parts = text.split(',').map(Number);
  if (parts.length < 6 || parts.length > 8 || !parts.every((n) => Number.isInteger(n) && n >= 0) || parts.slice(0, 6).some((n) => n === 0) || parts[7] === 0) {
    throw new UsageError(`tune: --conv takes N,C,H,W,OC,K[,padding[,stride]] (positive integers; padding may be 0), found '${text}' (see --help)`);
  }
  const [N, C, H, W, OC, K, padding = 0, stride = 1] = parts;
  return { N, C, H, W, OC, K, padding, stride };
}

/** Tunes each pass of a convolution that both paths can run here; prints what was chosen. */
async function tuneConvolution(dev: Device, mode: 'quick' | 'full', c: TuneConv): Promise<number> {
  const g = geometry('conv2d', empty([c.N, c.C, c.H, c.W], { device: 'cpu' }), empty([c.OC, c.C, c.K, c.K], { device: 'cpu' }), { padding: c.padding, stride: c.stride });
  const possible = directPaths(dev, g);
  const tuner = tunerFor(dev);
  const start = performance.now();
  for (const pass of ['forward', 'gradInput', 'gradWeight'] as ConvPass[]) {
    const shape = `conv ${c.N}×${c.C}×${c.H}×${c.W}, ${c.OC}×${c.K}×${c.K}, padding ${c.padding}, stride ${c.stride}: ${pass}`;
    if (!possible[pass]) {
      console.log(`  ${shape}: unfolded (the direct kernel cannot run it here)`);
      continue;
    }
    const cls = convClass(pass, g);
    await tuneConv(dev, cls, g, CONV_RUNNERS[pass], mode);
    const entry = tuner.entry(cls)!;
    const heuristic = entry.heuristicGflops === null ? 'not timed' : `${entry.heuristicGflops.toFixed(1)} GFLOP/s`;
    console.log(`  ${shape.padEnd(66)} ${entry.kernel.padEnd(9)} ${entry.gflops.toFixed(1).padStart(6)} GFLOP/s  (direct ${heuristic})`);
  }
  return performance.now() - start;
}

const LAYOUTS: Record<string, [boolean, boolean]> = { ab: [false, false], atb: [true, false], abt: [false, true], atbt: [true, true] };

function parseShape(text: string): TuneShape {
  const match = /^(\d+)x(\d+)x(\d+)(?::(\w+))?$/.exec(text);
  const layout = LAYOUTS[match?.[4] ?? 'ab'];
  if (!match || !layout) throw new UsageError(`tune: --shape takes MxKxN[:${Object.keys(LAYOUTS).join('|')}], found '${text}' (see --help)`);
  const [M, K, N] = match.slice(1, 4).map(Number);
  return { M, K, N, ta: layout[0], tb: layout[1] };
}

async function tune(mode: 'quick' | 'full', shapes: TuneShape[], convs: TuneConv[]): Promise<void> {
  const dev = await init('webgpu');
  const tuner = tunerFor(dev);
  console.log(`device: ${describe(dev.gpu)}; ${mode} tuning`);
  let total = 0;
  for (const c of convs) total += await tuneConvolution(dev, mode, c);
  for (const { M, K, N, ta, tb } of shapes) {
    const out = await tuner.tune(denseLayout(M, K, N, ta, tb), mode);
    total += out.elapsedMs;
    const shape = `(${M}×${K})${ta ? 'ᵀ' : ''}·(${K}×${N})${tb ? 'ᵀ' : ''}`;
    const rejected = out.tried.filter((t) => t.rejected !== null).length;
    const heuristic = out.heuristicGflops === null ? 'not timed' : `${out.heuristicGflops.toFixed(1)} GFLOP/s`;
    console.log(`  ${shape.padEnd(22)} ${out.winner.padEnd(44)} ${out.gflops.toFixed(1).padStart(6)} GFLOP/s  (heuristic ${heuristic}; ${out.tried.length} tried, ${rejected} rejected, ${out.elapsedMs.toFixed(0)} ms)`);
  }
  console.log(`tuned ${shapes.length} product classes and ${convs.length} convolutions in ${(total / 1000).toFixed(2)} s; cache: ${tuner.store.where}`);
}

const USAGE = `Usage: pnpm mini [command] [options]

  info [--short]                       the adapter, backend, limits and features in use (default)
  smoke                                a small matrix product on the chosen device, checked against the cpu
  probe [default|vulkan|opengles]      exit status 0 when a WebGPU device can be created
  tune [--mode quick|full] [--shape MxKxN[:ab|atb|abt|atbt]]... [--conv N,C,H,W,OC,K[,padding[,stride]]]...
                                       times the matmul kernels that run here for each shape's class, checks
                                       each result, and keeps the fastest correct one in the cache
                                       (MINI_TUNE_CACHE, else $XDG_CACHE_HOME/mini or ~/.cache/mini); by
                                       default the products of a ThreeNet step at batch 256 and LeNet's two
                                       convolutions at batch 64, in full mode.
                                       atb: a stored transposed, abt: b (as a Linear's weight);
                                       --conv: input [N, C, H, W], OC output channels, a K×K kernel, whose
                                       passes each take the direct kernel or im2col + matmul as timed
  -h, --help                           show this help (also after a command)
  --version                            print the version
`;

const BACKENDS = ['default', 'vulkan', 'opengles'];

/** What to run for argv, or a string to print and exit 0 with; a mistake throws UsageError. */
function parseCommand(argv: string[]): (() => Promise<void>) | string {
  if (argv.some((a) => a === '--help' || a === '-h')) return USAGE;
  if (argv.includes('--version')) return `mini ${VERSION}\n`;
  const [command = 'info', ...rest] = argv;
  const only = (allowed: string[]) => {
    const extra = rest.find((a) => !allowed.includes(a));
    if (extra !== undefined) throw new UsageError(`${command}: unexpected argument '${extra}'${allowed.length ? `; expected ${allowed.join(' or ')}` : ''} (see --help)`);
  };
  switch (command) {
    case 'info':
      only(['--short']);
      return () => info(rest.includes('--short'));
    case 'smoke':
      only([]);
      return smoke;
    case 'probe':
      if (rest.length > 1) throw new UsageError(`probe: expected at most one backend, found '${rest.join(' ')}' (see --help)`);
      only(BACKENDS);
      return () => probe(rest[0]);
    case 'tune':
      return parseTune(rest);
    default:
      throw new UsageError(`unknown command '${command}'; expected one of: info, smoke, probe, tune (see --help)`);
  }
}

function parseTune(args: string[]): () => Promise<void> {
  let mode: 'quick' | 'full' = 'full';
  const shapes: TuneShape[] = [];
  const convs: TuneConv[] = [];
  for (let i = 0; i < args.length; i++) {
    const [flag, value] = [args[i], args[i + 1]];
    if (flag === '--mode' && (value === 'quick' || value === 'full')) mode = value;
    else if (flag === '--shape' && value !== undefined) shapes.push(parseShape(value));
    else if (flag === '--conv' && value !== undefined) convs.push(parseConv(value));
    else if (flag === '--mode') throw new UsageError(`tune: --mode takes quick or full, found '${value ?? ''}' (see --help)`);
    else throw new UsageError(`tune: unexpected argument '${flag}'; expected --mode, --shape or --conv (see --help)`);
    i++;
  }
  const defaults = shapes.length === 0 && convs.length === 0;
  return () => tune(mode, defaults ? THREENET_SHAPES : shapes, defaults ? LENET_CONVS : convs);
}

class UsageError extends Error {}

let run: (() => Promise<void>) | string;
try {
  run = parseCommand(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`error: ${(e as Error).message}\n`);
  process.exit(2);
}
if (typeof run === 'string') {
  process.stdout.write(run);
  process.exit(0);
}
try {
  await run();
} catch (e) {
  console.error(`error: ${(e as Error).message}`);
  process.exitCode = 1;
} finally {
  if (device().type === 'webgpu') shutdown();
}
