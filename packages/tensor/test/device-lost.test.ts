import { describe, expect, it } from 'vitest';
import { init, ones } from '@mini/tensor';

describe('a lost WebGPU device', () => {
  it('raises a clear error on the next readback and op, and init() creates a new device', async () => {
    const dev = await init('webgpu');
    const a = ones([4], { device: dev });
    expect(Array.from(await a.add(1).toArray())).toEqual([2, 2, 2, 2]);
    dev.gpu.device.destroy(); // what a driver reset or a GPU removal does to us
    await expect(a.add(2).toArray()).rejects.toThrow(/^WebGPU device was lost \(destroyed\).*the next init\(\) creates a new device/);
    expect(() => a.add(3)).toThrow(/WebGPU device was lost/);
    const fresh = await init('webgpu');
    expect(fresh).not.toBe(dev);
    expect(Array.from(await ones([2], { device: fresh }).add(1).toArray())).toEqual([2, 2]);
  });
});
