import { beforeAll, describe, expect, it } from 'vitest';
import { add, add_, device, flush, fromArray, getDefaultDevice, init, randn, setDefaultDevice, tidy, WebGPURuntime, type Device, type Tensor } from '@mini/tensor';
import { grid, launch } from '@mini/tensor/internal';
import { expectClose, values, webgpu } from './helpers.ts';

let gpu: Device;
let runtime: WebGPURuntime;
beforeAll(async () => {
  gpu = await webgpu();
  runtime = gpu.gpu;
});

/** Waits for all recorded work, so that a test starts with nothing pending. */
async function settled(): Promise<void> {
  await fromArray([0], [1], { device: gpu }).toArray();
}

const fillSpec = { family: 'fill', template: { T: 'f32', VALUE: 'p.value_f32' } };
const fillParams = (n: number, value: number) => ({ numel: n, offset: 0, value_f32: value, value_i32: 0 });

describe('devices', () => {
  it('init() makes webgpu the default device; device() resolves names; cpu stays available', async () => {
    expect(gpu.type).toBe('webgpu');
    expect(await init('webgpu')).toBe(gpu);
    expect(device('webgpu')).toBe(gpu);
    expect(getDefaultDevice()).toBe(gpu);
    expect(String(device('cpu'))).toBe('cpu');
    try {
      setDefaultDevice('cpu');
      expect(randn([2]).device.type).toBe('cpu');
    } finally {
      setDefaultDevice(gpu);
    }
    await expect(init('tpu' as 'cpu')).rejects.toThrow("unknown device 'tpu'; expected 'webgpu' or 'cpu'");
  });

  it('reports the adapter, its backend and the limits it asked for', () => {
    expect(['default', 'vulkan', 'opengles']).toContain(runtime.backend);
    expect(runtime.limits.maxStorageBufferBindingSize).toBeGreaterThanOrEqual(128 * 2 ** 20);
    expect(runtime.limits.maxComputeInvocationsPerWorkgroup).toBeGreaterThanOrEqual(256);
  });
});

describe('dispatch batching', () => {
  it('records each op as one dispatch into the open encoder and submits only on readback', async () => {
    const x = randn([1000], { device: gpu });
    await settled();
    const [dispatches, submits] = [runtime.dispatchCount, runtime.submitCount];
    let y: Tensor = x;
    for (let i = 0; i < 50; i++) y = y.mul(1.01).add(0.5);
    expect(runtime.dispatchCount - dispatches).toBe(100);
    expect(runtime.submitCount).toBe(submits);
    await y.toArray();
    expect(runtime.submitCount).toBe(submits + 1);
  });

  it('flush() submits what was recorded, and nothing when nothing was', async () => {
    await settled();
    const submits = runtime.submitCount;
    flush();
    expect(runtime.submitCount).toBe(submits);
    const x = fromArray([1, 2, 3], [3], { device: gpu });
    const y = x.add(x).exp();
    flush();
    expect(runtime.submitCount).toBe(submits + 1);
    expectClose(await y.toArray(), [2, 4, 6].map(Math.exp), 1e-6, 0);
  });

  it(`submits on its own every ${WebGPURuntime.flushEvery} dispatches, never once per op`, async () => {
    const x = fromArray([1], [1], { device: gpu });
    await settled();
    const submits = runtime.submitCount;
    const n = Math.floor(2.5 * WebGPURuntime.flushEvery);
    let y = x;
    for (let i = 0; i < n; i++) y = y.add(1);
    expect(runtime.submitCount - submits).toBe(Math.floor((n - 1) / WebGPURuntime.flushEvery));
    expect(await y.item()).toBe(1 + n);
  });

  it('compiles each kernel specialization once: repeated ops reuse cached pipelines', async () => {
    const run = (n: number) => {
      const a = randn([n, 3], { device: gpu });
      const b = randn([3], { device: gpu });
      return a.add(b).relu().sum(1).mean().add(fromArray(Int32Array.from([1]), [1], { device: gpu }));
    };
    // Both of each reduction's entries: one invocation per output up to 64 elements, a workgroup past that.
    await run(5).toArray();
    await run(65).toArray();
    const compiled = runtime.pipelinesCompiled;
    for (const n of [1, 7, 33, 257, 784]) await run(n).toArray();
    expect(runtime.pipelinesCompiled).toBe(compiled);
    // A new specialization (int32 instead of float32) compiles one more.
    await add(fromArray(Int32Array.from([1]), [1], { device: gpu }), fromArray(Int32Array.from([2]), [1], { device: gpu })).toArray();
    expect(runtime.pipelinesCompiled).toBe(compiled + 1);
  });
});

describe('bind groups', () => {
  it('a loop that flushes after each step (as Optimizer.step() does) creates bind groups in its first steps only', async () => {
    const x = randn([64, 50], { device: gpu });
    const w = randn([50, 10], { device: gpu });
    const step = () => {
      tidy(() => add_(w, x.t().matmul(x.matmul(w).relu()).mul(-1e-4)));
      flush();
    };
    for (let i = 0; i < 3; i++) step();
    const created = runtime.bindGroupsCreated;
    for (let i = 0; i < 20; i++) step();
    expect(runtime.bindGroupsCreated).toBe(created);
    // Each step's dispatches read their own params: the last step's result is the CPU's.
    const [xs, ws] = [await x.toArray(), await w.toArray()];
    const wc = fromArray(ws, [50, 10], { device: 'cpu' });
    const xc = fromArray(xs, [64, 50], { device: 'cpu' });
    add_(wc, xc.t().matmul(xc.matmul(wc).relu()).mul(-1e-4));
    step();
    expectClose(await w.toArray(), await wc.toArray(), 1e-4, 1e-5);
  });
});

describe('WebGPU errors become JS errors that name the op', () => {
  it('a kernel launched with the wrong number of buffers raises at once, before anything is recorded', () => {
    const a = fromArray([1, 2], [2], { device: gpu });
    const b = fromArray([1, 2], [2], { device: gpu });
    const dispatches = runtime.dispatchCount;
    expect(() => launch('myFill', fillSpec, [a, b], fillParams(2, 1), [1])).toThrow('kernel for myFill takes 1 buffers, given 2');
    expect(runtime.dispatchCount).toBe(dispatches);
  });

  it('params are given by field name: a missing, unknown or mistyped field raises at once, naming the kernel and the field', () => {
    const t = fromArray([0, 0], [2], { device: gpu });
    const dispatches = runtime.dispatchCount;
    const { value_i32: _, ...missing } = fillParams(2, 1);
    expect(() => launch('myFill', fillSpec, [t], missing, [1])).toThrow("kernel fill (op myFill): params field 'value_i32' was not given");
    expect(() => launch('myFill', fillSpec, [t], { ...fillParams(2, 1), valu_f32: 3 }, [1])).toThrow("kernel fill (op myFill): unknown params field 'valu_f32'");
    expect(() => launch('myFill', fillSpec, [t], { ...fillParams(2, 1), numel: [2] }, [1])).toThrow("params field 'numel' is a u32, given an array");
    expect(runtime.dispatchCount).toBe(dispatches);
  });

  it('params fields land at their struct offsets, arrays zero-padded, whatever the slot held before', async () => {
    // Two fills with different values fill their own halves: numel and offset are read by name.
    const t = fromArray([9, 9, 9, 9], [4], { device: gpu });
    launch('fillFirst', fillSpec, [t], { numel: 2, offset: 0, value_f32: 1, value_i32: 0 }, [1]);
    launch('fillSecond', fillSpec, [t], { numel: 2, offset: 2, value_f32: -2.5, value_i32: 0 }, [1]);
    expect(await values(t)).toEqual([1, 1, -2.5, -2.5]);
    // The elementwise kernel's strides are arrays of 8: a short array leaves the rest zero.
    const x = fromArray([1, 2, 3, 4, 5, 6], [2, 3], { device: gpu });
    expect(await values(x.t().contiguous())).toEqual([1, 4, 2, 5, 3, 6]);
  });

  it('binding one buffer for writing and for reading raises at once, naming the op', () => {
    const a = fromArray([1, 2], [2], { device: gpu });
    const spec = { family: 'elementwise', template: { EXPR: 'x + y', A: 'f32', B: 'f32', C: 'f32', OUT: 'f32', T: 'f32', FIRST: 'a', INPLACE: 'false' } };
    // The bindings are checked before the params are read.
    expect(() => launch('aliasedAdd', spec, [a, a, a, a], {}, grid(2))).toThrow(
      'aliasedAdd: one buffer is bound both for writing and as another binding of the same dispatch',
    );
  });

  it('a dispatch that WebGPU rejects raises at the next readback; results of that submit never read back as garbage', async () => {
    const x = fromArray([1, 2, 3], [3], { device: gpu });
    await settled();
    const before = x.add(10); // recorded in the same submit as the bad dispatch
    const target = fromArray([0, 0, 0], [3], { device: gpu });
    const tooMany = runtime.limits.maxComputeWorkgroupsPerDimension + 1;
    launch('oversizedFill', fillSpec, [target], fillParams(3, 5), [tooMany, 1]);
    const after = before.mul(2);
    await expect(after.toArray()).rejects.toThrow(/WebGPU Validation\w* in a submit of ops \[.*oversizedFill.*\]: .*workgroup/);
    await expect(before.toArray()).rejects.toThrow("this tensor's values were never computed: WebGPU Validation");
    await expect(target.toArray()).rejects.toThrow('never computed');
    // What is computed from a lost result is lost too; fresh work runs normally.
    await expect(after.add(1).toArray()).rejects.toThrow('never computed');
    expect(await values(x.add(10))).toEqual([11, 12, 13]);
  });

  it('a kernel that does not compile raises at the next readback, naming the kernel and the op', async () => {
    const t = fromArray([0, 0], [2], { device: gpu });
    await settled();
    launch('brokenFill', { family: 'fill', template: { T: 'f64', VALUE: 'p.value_f32' } }, [t], fillParams(2, 1), [1]);
    await expect(t.toArray()).rejects.toThrow(/compiling kernel .*fill.* for op brokenFill/);
    expect(await values(fromArray([4], [1], { device: gpu }).sqrt())).toEqual([2]);
  });
});
