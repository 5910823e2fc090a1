import { beforeAll, describe, expect, it } from 'vitest';
import { Generator, add_, fill_, fromArray, linear, logSoftmax, memory, nllLoss, tidy, type Device, type Tensor } from '@mini/tensor';
import { noGrad } from '@mini/autograd';
import { webgpu } from '../../tensor/test/helpers.ts';

let gpu: Device;
beforeAll(async () => {
  gpu = await webgpu();
});

function uniform(g: Generator, shape: number[], scale: number, requiresGrad = false): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = Float32Array.from({ length: n }, () => (g.uniform() * 2 - 1) * scale);
  return fromArray(data, shape, { device: gpu, requiresGrad });
}

/** A tiny MLP (8 → 12 → relu → 4 → logSoftmax) with fixed data, on webgpu. */
function tinyMlp(seed: number) {
  const g = new Generator(seed);
  const x = uniform(g, [16, 8], 1);
  const target = fromArray(Int32Array.from({ length: 16 }, (_, i) => i % 4), [16], { dtype: 'int32', device: gpu });
  const params = [uniform(g, [12, 8], 0.35, true), uniform(g, [12], 0.35, true), uniform(g, [4, 12], 0.3, true), uniform(g, [4], 0.3, true)];
  const [w1, b1, w2, b2] = params;
  const loss = () => nllLoss(logSoftmax(linear(linear(x, w1, b1, true), w2, b2), 1), target);
  // Tests compare global counts: nothing may be left for the garbage collector to free mid-test.
  const dispose = () => {
    for (const t of [x, target, ...params]) {
      t.grad?.dispose();
      t.dispose();
    }
  };
  return { params, loss, dispose };
}

type Counts = { liveTensors: number; liveBytes: number };
const counts = (): Counts => {
  const { liveTensors, liveBytes } = memory();
  return { liveTensors, liveBytes };
};

describe('memory across training steps (webgpu)', () => {
  // Who frees what: each step runs inside tidy(), which disposes the forward's intermediates and
  // the backward's temporaries; the tensors the tape saved for backward are kept out of tidy and
  // are freed by backward itself when it releases the graph (the next test shows that part alone).
  for (const clearGrads of [false, true]) {
    it(`live tensors and bytes stay flat over 1,000 SGD steps, grads ${clearGrads ? 'cleared (set to null)' : 'zeroed in place'}`, async () => {
      const { params, loss, dispose } = tinyMlp(1);
      const step = () =>
        tidy(() => {
          const l = loss();
          l.backward();
          noGrad(() => {
            for (const p of params) add_(p, p.grad!, -0.1);
          });
          for (const p of params) {
            if (clearGrads) {
              p.grad!.dispose();
              p.grad = null;
            } else {
              fill_(p.grad!, 0);
            }
          }
          return l;
        });
      const first = step();
      const firstLoss = await first.item();
      first.dispose();
      const baseline = counts();
      const buffersAfterWarmup: number[] = [];
      for (let i = 1; i < 1000; i++) {
        const l = step();
        if (i % 100 === 99) await l.item();
        l.dispose();
        if (i % 100 === 99) {
          expect(counts(), `after step ${i + 1}`).toEqual(baseline);
          buffersAfterWarmup.push(memory().gpuBuffersCreated);
        }
      }
      expect(counts()).toEqual(baseline);
      // The pool stops creating GPU buffers once it holds a step's worth.
      expect(new Set(buffersAfterWarmup.slice(2)).size).toBe(1);
      // And it learned something (a sanity check that the steps really ran).
      const last = noGrad(() => tidy(loss));
      expect(await last.item()).toBeLessThan(firstLoss * 0.5);
      last.dispose();
      dispose();
    });
  }

  it('backward frees the tensors the graph saved; with retainGraph only the last backward does', async () => {
    const { params, loss, dispose } = tinyMlp(2);
    const clearGrads = () => {
      for (const p of params) {
        p.grad?.dispose();
        p.grad = null;
      }
    };
    const before = counts();
    // Only the loss escapes tidy: whatever else stays alive is held by the tape.
    const l1 = tidy(loss);
    const withGraph = counts();
    expect(withGraph.liveBytes).toBeGreaterThan(before.liveBytes + 4);
    l1.backward();
    clearGrads();
    expect(counts()).toEqual({ liveTensors: before.liveTensors + 1, liveBytes: before.liveBytes + 4 });
    expect(() => l1.backward()).toThrow('Trying to backward through the graph a second time');
    l1.dispose();
    expect(counts()).toEqual(before);

    const l2 = tidy(loss);
    expect(counts()).toEqual(withGraph);
    l2.backward(undefined, { retainGraph: true });
    clearGrads();
    expect(counts()).toEqual(withGraph);
    l2.backward();
    clearGrads();
    l2.dispose();
    expect(counts()).toEqual(before);
    dispose();
  });

  it('disposing the last tensor that can reach a graph node frees what the node saved, without backward or garbage collection', async () => {
    const { params, loss, dispose } = tinyMlp(3);
    const before = counts();
    // Evaluating without noGrad: the graph is recorded, and backward never runs.
    const l1 = tidy(loss);
    expect(counts().liveBytes).toBeGreaterThan(before.liveBytes + 4);
    l1.dispose();
    expect(counts()).toEqual(before);

    // A tensor inside the graph keeps its own node (and those before it) until it goes too.
    const [w1, b1] = params;
    let hidden!: Tensor;
    const l2 = tidy(() => {
      const l = loss();
      hidden = linear(fromArray(new Float32Array(16 * 8).fill(0.5), [16, 8], { device: gpu }), w1, b1, true);
      return [l, hidden];
    })[0];
    const withHidden = counts();
    l2.dispose();
    const afterLoss = counts();
    expect(afterLoss.liveBytes).toBeLessThan(withHidden.liveBytes);
    expect(afterLoss.liveBytes).toBeGreaterThan(before.liveBytes);
    hidden.dispose();
    expect(counts()).toEqual(before);

    // After a backward that kept the graph, disposing the loss frees it too.
    const l3 = tidy(loss);
    l3.backward(undefined, { retainGraph: true });
    for (const p of params) {
      p.grad?.dispose();
      p.grad = null;
    }
    l3.dispose();
    expect(counts()).toEqual(before);
    dispose();
  });
});
