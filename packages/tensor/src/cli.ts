#!/usr/bin/env node
/**
 * `pnpm mini info`   the adapter, backend, limits and features in use
 * `pnpm mini smoke`  the chosen device, and a small matrix product on it checked against the cpu
 * `pnpm mini probe [default|vulkan|opengles]`   exit status 0 when a WebGPU device can be created
 */
import { readFileSync } from 'node:fs';
import { init, matmul, randn, shutdown, device, WebGPURuntime, manualSeed } from './index.ts';

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

const USAGE = `Usage: pnpm mini [command] [options]

  info [--short]                       the adapter, backend, limits and features in use (default)
  smoke                                a small matrix product on the chosen device, checked against the cpu
  probe [default|vulkan|opengles]      exit status 0 when a WebGPU device can be created
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
    default:
      throw new UsageError(`unknown command '${command}'; expected one of: info, smoke, probe (see --help)`);
  }
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
