#!/usr/bin/env node
/**
 * `pnpm mini info`   the adapter, backend, limits and features in use
 * `pnpm mini smoke`  the chosen device, and a small matrix product on it checked against the cpu
 * `pnpm mini probe [default|vulkan|opengles]`   exit status 0 when a WebGPU device can be created
 */
import { init, matmul, randn, shutdown, device, WebGPURuntime, manualSeed } from './index.ts';

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

const [command = 'info', ...rest] = process.argv.slice(2);
const commands: Record<string, () => Promise<void>> = {
  info: () => info(rest.includes('--short')),
  smoke,
  probe: () => probe(rest[0]),
};

if (!commands[command]) {
  console.error(`unknown command '${command}'; expected one of: ${Object.keys(commands).join(', ')}`);
  process.exit(2);
}
try {
  await commands[command]();
} catch (e) {
  console.error((e as Error).message);
  process.exitCode = 1;
} finally {
  if (device().type === 'webgpu') shutdown();
}
