import { beforeAll, describe, expect, it } from 'vitest';
import { flush, matmul, memory, randn, throttle, tidy, Generator, WebGPURuntime, type Device } from '@mini/tensor';
import { BufferPool } from '../src/device/buffer-pool.ts';
import { webgpu } from './helpers.ts';

// In a file of its own: it counts the pool's buffers and the device's in-flight submits.
let gpu: Device;
beforeAll(async () => {
  gpu = await webgpu();
});

describe('backpressure: work queued ahead of the GPU is bounded', () => {
  it('a loop that never reads back, calling throttle(), never has more than maxInFlight submits queued', async () => {
    const g = new Generator(4);
    const a = randn([256, 512], { device: gpu, generator: g });
    const b = randn([512, 512], { device: gpu, generator: g });
    // Each step is a submit of two 67-MFLOP products: the software GPU needs milliseconds for
    // what the loop records in microseconds, so without backpressure the queue runs away.
    const step = () => {
      tidy(() => void matmul(matmul(a, b), b));
      flush();
    };
    for (let i = 0; i < 30; i++) step();
    expect(gpu.gpu.inFlightSubmits).toBeGreaterThan(WebGPURuntime.maxInFlight);
    await throttle();
    expect(gpu.gpu.inFlightSubmits).toBeLessThanOrEqual(WebGPURuntime.maxInFlight);
    const before = memory();
    let peak = 0;
    for (let i = 0; i < 60; i++) {
      step();
      await throttle();
      peak = Math.max(peak, gpu.gpu.inFlightSubmits);
    }
    expect(peak).toBeLessThanOrEqual(WebGPURuntime.maxInFlight);
    expect(memory().liveBytes).toBe(before.liveBytes);
    a.dispose();
    b.dispose();
  });
});

describe('the buffer pool', () => {
  it('keeps at most maxPooledBytes for reuse and destroys what a release would add beyond it', async () => {
    const pool = gpu.gpu.pool;
    gpu.gpu.trim();
    const cap = pool.maxPooledBytes;
    pool.maxPooledBytes = 4 << 20;
    try {
      const buffers = Array.from({ length: 12 }, () => pool.acquire(1 << 20));
      for (const b of buffers) pool.release(b);
      flush();
      expect(pool.pooledBytes).toBe(4 << 20);
      // The four kept are reused before anything is created.
      const created = pool.created;
      const again = Array.from({ length: 4 }, () => pool.acquire(1 << 20));
      expect(pool.created).toBe(created);
      for (const b of again) pool.release(b);
      flush();
    } finally {
      pool.maxPooledBytes = cap;
      gpu.gpu.trim();
    }
  });

  it('destroys buffers left unused for idleSubmits submits, beyond idleKeepBytes of them: after a burst it shrinks back', async () => {
    const pool = gpu.gpu.pool;
    gpu.gpu.trim();
    const burst = Array.from({ length: 16 }, () => pool.acquire(3 << 20));
    for (const b of burst) pool.release(b);
    flush();
    expect(pool.pooledBytes).toBe(48 << 20);
    // Submits that use other buffers only: the burst's buffers sit idle.
    const x = randn([64, 64], { device: gpu });
    const idleRun = () => {
      for (let i = 0; i < 2 * BufferPool.idleSubmits; i++) {
        tidy(() => void x.add(1));
        flush();
      }
    };
    idleRun();
    // Five of the sixteen stay (15 MiB of the 16 MiB idleKeepBytes), beside the loop's own 16 kB buffers.
    expect(pool.pooledBytes).toBeGreaterThanOrEqual(15 << 20);
    expect(pool.pooledBytes).toBeLessThan(16 << 20);
    const keep = pool.idleKeepBytes;
    pool.idleKeepBytes = 0;
    try {
      idleRun();
      expect(pool.pooledBytes).toBeLessThan(1 << 20);
    } finally {
      pool.idleKeepBytes = keep;
    }
    x.dispose();
  });
});
