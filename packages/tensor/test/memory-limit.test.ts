import { execFile } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { flush, type Device } from '@mini/tensor';
import { bufferLimit } from '../src/device/webgpu-binding-node.ts';
import { webgpu } from './helpers.ts';

// In a file of its own: it lowers the pool's buffer limit.
let gpu: Device;
beforeAll(async () => {
  gpu = await webgpu();
});

const info = (device: string, vendor = 'mesa') => ({ vendor, device, architecture: '', description: '' }) as GPUAdapterInfo;

describe('the GPU buffer limit: running out is an error, never a driver crash', () => {
  it('caps a software adapter below vm.max_map_count (lavapipe crashes when mappings run out); other adapters have no cap of ours', () => {
    expect(bufferLimit(info('llvmpipe'), () => 65530)).toEqual({ max: 13106, reason: expect.stringContaining('vm.max_map_count = 65530') });
    expect(bufferLimit(info('SwiftShader Device', 'google'), () => 1000)?.max).toBe(200);
    expect(bufferLimit(info('NVIDIA H200', 'nvidia'), () => 65530)).toBeNull();
    expect(bufferLimit(info('llvmpipe'), () => null)).toBeNull();
  });

  it('creating a buffer beyond the limit first frees idle ones, then throws a clear error; a release makes room again', () => {
    const pool = gpu.gpu.pool;
    const saved = pool.limit;
    gpu.gpu.trim();
    try {
      pool.limit = { max: pool.existing + 3, reason: 'a test limit' };
      const idle = pool.acquire(1 << 20);
      pool.release(idle);
      flush();
      const held = [pool.acquire(64), pool.acquire(64), pool.acquire(64)];
      expect(pool.existing).toBe(pool.limit.max);
      expect(() => pool.acquire(64)).toThrow(/out of GPU memory: tried to allocate 0\.00 MiB with \d+ GPU buffers .* in use, the most this device holds at once \(a test limit\)\. Free tensors with dispose\(\) or tidy\(\)/);
      pool.release(held.pop()!);
      flush();
      expect(() => held.push(pool.acquire(64))).not.toThrow();
      for (const b of held) pool.release(b);
      flush();
    } finally {
      pool.limit = saved;
      gpu.gpu.trim();
    }
  });

  it('a loop that never awaits or disposes ends in that error (exit 1), not a crash', async () => {
    const script = new URL('./careless-loop.ts', import.meta.url).pathname;
    const run = (steps: number, env: Record<string, string>) =>
      new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>((resolve) => {
        const child = execFile(process.execPath, ['--import', 'tsx', script, String(steps)], { env: { ...process.env, ...env } }, (_e, stdout, stderr) =>
          resolve({ code: child.exitCode, signal: child.signalCode, stdout, stderr }),
        );
      });
    const short = await run(10, { MINI_MAX_GPU_BUFFERS: '400' });
    expect(short.stdout, short.stderr).toContain('finished');
    const careless = await run(1000, { MINI_MAX_GPU_BUFFERS: '400' });
    expect(careless.signal).toBeNull();
    expect(careless.code).toBe(1);
    expect(careless.stderr).toContain('Error: out of GPU memory');
    expect(careless.stderr).toContain('(MINI_MAX_GPU_BUFFERS)');
    const bad = await run(1, { MINI_MAX_GPU_BUFFERS: 'lots' });
    expect(bad.stderr).toContain('MINI_MAX_GPU_BUFFERS=lots is not a positive integer');
  }, 120_000);
});
