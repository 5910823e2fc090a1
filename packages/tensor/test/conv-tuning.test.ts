import { afterEach, describe, expect, it, vi } from 'vitest';
import { conv2d, type Device, type Tensor } from '@mini/tensor';
import { CONV_RUNNERS, geometry } from '../src/ops/conv.ts';
import { memoryTuneStore } from '../src/tune/cache.ts';
import { convClass, convTrial, tuneConv, type ConvPass, type ConvRunners } from '../src/tune/conv-tuning.ts';
import { resetTuner, setTuneMode, setTuneStore, tunerFor } from '../src/tune/tuner.ts';
import { expectTensorsClose, pair, webgpu } from './helpers.ts';

const gpu: Device = await webgpu();
const PASSES: ConvPass[] = ['forward', 'gradInput', 'gradWeight'];

/** A fresh tuner over an empty memory store, in `mode`. */
function freshTuner(mode: 'quick' | 'off') {
  const store = memoryTuneStore();
  setTuneStore(store);
  setTuneMode(mode);
  resetTuner(gpu);
  return { store, tuner: tunerFor(gpu) };
}

afterEach(() => {
  setTuneStore(null);
  setTuneMode(null);
  resetTuner(gpu);
});

/** conv2d's forward and backward on webgpu and cpu; the labels of the webgpu dispatches. */
async function convolve(xShape: number[], wShape: number[], options = {}) {
  const [xc, xg] = pair(xShape, 1, gpu);
  const [wc, wg] = pair(wShape, 2, gpu);
  const spy = vi.spyOn(gpu.gpu, 'dispatch');
  const run = (x: Tensor, w: Tensor) => {
    x.requiresGrad_();
    w.requiresGrad_();
    const out = conv2d(x, w, null, options);
    out.sum().backward();
    return [out, x.grad!, w.grad!];
  };
  const got = run(xg, wg);
  const labels = spy.mock.calls.map(([label]) => label);
  spy.mockRestore();
  const want = run(xc, wc);
  for (let i = 0; i < want.length; i++) await expectTensorsClose(got[i], want[i], 1e-4, 1e-4);
  return { labels, g: geometry('conv2d', xg, wg, options) };
}

describe("a convolution's paths tuned by measurement", () => {
  it('keys a pass by its geometry, the batch rounded up to a power of 2', () => {
    const [x60] = pair([60, 3, 12, 12], 1, gpu);
    const [x64] = pair([64, 3, 12, 12], 1, gpu);
    const [x65] = pair([65, 3, 12, 12], 1, gpu);
    const [w] = pair([8, 3, 5, 5], 2, gpu);
    const [g60, g64, g65] = [x60, x64, x65].map((x) => geometry('conv2d', x, w, { padding: 2 }));
    expect(convClass('forward', g60)).toBe('conv.forward N64 C3 12x12 OC8 groups1 k5x5 s1x1 p2x2 d1x1');
    expect(convClass('forward', g64)).toBe(convClass('forward', g60));
    expect(convClass('forward', g65)).not.toBe(convClass('forward', g64));
    expect(new Set(PASSES.map((p) => convClass(p, g64))).size).toBe(3);
  });

  it("checks the paths against each other, and where they differ against the cpu: a wrong one is rejected", async () => {
    const [x] = pair([3, 2, 9, 9], 1, gpu);
    const [w] = pair([5, 2, 3, 3], 2, gpu);
    const g = geometry('conv2d', x, w, { padding: 1 });
    for (const pass of PASSES) {
      let cpuRuns = 0;
      const counted = (runners: ConvRunners): ConvRunners => ({
        ...runners,
        unfolded: (ops, gg) => {
          if (ops.x.device.type === 'cpu') cpuRuns++;
          return runners.unfolded(ops, gg);
        },
      });
      const trial = convTrial(gpu, g, counted(CONV_RUNNERS[pass]));
      expect(await trial.check({ name: 'direct' })).toBeNull();
      expect(await trial.check({ name: 'unfolded' })).toBeNull();
      trial.dispose();
      expect(cpuRuns).toBe(0);
      const halved = convTrial(gpu, g, counted({ ...CONV_RUNNERS[pass], direct: (ops, gg) => CONV_RUNNERS[pass].direct(ops, gg).mul(0.5) }));
      expect(await halved.check({ name: 'direct' })).toMatch(/^element \d+ is .*, the reference /);
      expect(await halved.check({ name: 'unfolded' })).toBeNull();
      halved.dispose();
      expect(cpuRuns).toBe(1);
    }
  });

  it('records the faster correct path of each pass, and conv2d then runs it', async () => {
    const { store, tuner } = freshTuner('off');
    const [x] = pair([4, 3, 10, 10], 1, gpu);
    const [w] = pair([6, 3, 3, 3], 2, gpu);
    const g = geometry('conv2d', x, w, {});
    // A trial whose times favour the unfolded path, its checks real.
    for (const pass of PASSES) {
      const real = convTrial(gpu, g, CONV_RUNNERS[pass]);
      const trial = { ...real, time: async (c: { name: string }) => (c.name === 'unfolded' ? 1e-3 : 2e-3) };
      await tuneConv(gpu, convClass(pass, g), g, CONV_RUNNERS[pass], 'full', trial);
      const entry = tuner.entry(convClass(pass, g))!;
      expect(entry).toMatchObject({ kernel: 'unfolded', heuristic: 'direct', mode: 'full' });
      expect(store.file!.adapters[tuner.adapterKey][convClass(pass, g)]).toEqual(entry);
    }
    setTuneMode('quick');
    const { labels } = await convolve([4, 3, 10, 10], [6, 3, 3, 3]);
    expect(labels.filter((l) => l.startsWith('conv2d.direct'))).toEqual([]);
    expect(labels).toContain('conv.im2col');
    expect(labels).toContain('conv.col2im');
  });

  it("tunes the unfolded path's products before timing it, so that it is timed on the kernels it would run", async () => {
    const { tuner } = freshTuner('quick');
    const [x] = pair([4, 3, 10, 10], 1, gpu);
    const [w] = pair([6, 3, 3, 3], 2, gpu);
    const g = geometry('conv2d', x, w, {});
    let productsTunedWhenTimed = -1;
    const real = convTrial(gpu, g, CONV_RUNNERS.forward);
    const trial = { ...real, time: (c: { name: string }) => ((productsTunedWhenTimed = tuner.outcomes.length), real.time(c)) };
    await tuneConv(gpu, convClass('forward', g), g, CONV_RUNNERS.forward, 'quick', trial);
    // The forward's product: [N·OH·OW, C·KH·KW] · [C·KH·KW, OC].
    expect(tuner.outcomes.map((o) => o.shape)).toContainEqual([4 * 8 * 8, 3 * 3 * 3, 6]);
    expect(productsTunedWhenTimed).toBe(tuner.outcomes.length);
    expect(tuner.entry(convClass('forward', g))).toBeDefined();
  });

  it('with MINI_TUNE=quick, the first convolution of a class queues its tuning; later ones take the winner', async () => {
    const { tuner } = freshTuner('quick');
    const { labels, g } = await convolve([2, 3, 8, 8], [4, 3, 3, 3], { padding: 1 });
    expect(labels).toContain('conv2d.direct');
    await tuner.idle();
    const kernels = PASSES.map((p) => tuner.entry(convClass(p, g))?.kernel);
    for (const k of kernels) expect(['direct', 'unfolded']).toContain(k);
    const again = await convolve([2, 3, 8, 8], [4, 3, 3, 3], { padding: 1 });
    expect(again.labels.includes('conv.im2col')).toBe(kernels[0] === 'unfolded' || kernels[2] === 'unfolded');
  });

  it('with MINI_TUNE=off, the direct kernels run and nothing is queued', async () => {
    const { tuner } = freshTuner('off');
    const { labels, g } = await convolve([2, 3, 8, 8], [4, 3, 3, 3]);
    expect(labels).toContain('conv2d.direct');
    await tuner.idle();
    for (const p of PASSES) expect(tuner.entry(convClass(p, g))).toBeUndefined();
  });
});
