import { beforeAll, describe, expect, it } from 'vitest';
import { Generator, fromArray, init, keep, linear, logSoftmax, nllLoss, relu, type Device, type Reduction, type Tensor } from '@mini/tensor';
import { grad } from '@mini/autograd';
import { testing } from '@mini/tensor/internal';
import { expectGradcheck, randomIndex, randomInput } from './helpers.ts';

// The engine runs a node's backward and its input node's as one fused rule only when nothing else
// can see the gradient in between (see engine.ts, fusablePartner). gradcheck (float64 cpu) checks
// the fused rules' values; on webgpu the dispatch counts show which path ran, and every result is
// compared with the cpu's.

/** Targets in [0, C), with every fourth one set to ignoreIndex -100. */
function targets(r: Generator, N: number, C: number): Tensor {
  const t = randomIndex(r, N, 0, C);
  for (let n = 3; n < N; n += 4) t.storage.array[n] = -100;
  return t;
}

describe('gradcheck: nllLoss(logSoftmax(x, 1)) differentiated by the fused rule', () => {
  for (const [N, C] of [[1, 1], [7, 10], [33, 7]] as const) {
    for (const reduction of ['mean', 'sum', 'none'] as Reduction[]) {
      it(`[${N}, ${C}], reduction ${reduction}, ignored targets, with and without class weights`, async () => {
        const r = new Generator(N * 13 + C);
        const t = targets(r, N, C);
        const weight = randomInput(r, [C], { low: 0.5, high: 2, requiresGrad: false });
        await expectGradcheck((x) => nllLoss(logSoftmax(x, 1), t, { reduction }), [randomInput(r, [N, C], { low: -4, high: 4 })]);
        await expectGradcheck((x) => nllLoss(logSoftmax(x, 1), t, { reduction, weight }), [randomInput(r, [N, C], { low: -4, high: 4 })]);
      });
    }
  }

  it('where it must not fuse: logp also used elsewhere, and logSoftmax over dim 0', async () => {
    const r = new Generator(5);
    const t = randomIndex(r, 7, 0, 5);
    await expectGradcheck((x) => {
      const logp = logSoftmax(x, 1);
      return nllLoss(logp, t).add(logp.mul(logp).sum());
    }, [randomInput(r, [7, 5])]);
    await expectGradcheck((x) => nllLoss(logSoftmax(x, 0), t), [randomInput(r, [7, 5])]);
  });
});

/** Random x [M, K] and weight [N, K] whose products all sit at least 0.01 from relu's kink at 0. */
function awayFromKink(r: Generator, M: number, K: number, N: number): [Tensor, Tensor] {
  for (;;) {
    const x = randomInput(r, [M, K]);
    const w = randomInput(r, [N, K]);
    if (linear(x.detach(), w.detach()).storage.array.every((z) => Math.abs(z) >= 0.01)) return [x, w];
  }
}

describe('gradcheck: relu(linear(x, w, b)) differentiated by the fused rule', () => {
  for (const [M, K, N] of [[1, 1, 1], [7, 3, 5], [2, 33, 3]] as const) {
    it(`x ${M}x${K}, weight ${N}x${K}, with and without bias, input with and without grad`, async () => {
      const [x, w] = awayFromKink(new Generator(M * 5 + K * 11 + N), M, K, N);
      const b = fromArray(new Float64Array(N), [N], { dtype: 'float64', requiresGrad: true });
      await expectGradcheck((x, w, b) => relu(linear(x, w, b)), [x, w, b]);
      await expectGradcheck((x, w) => relu(linear(x, w)), [x, w]);
      await expectGradcheck((w) => relu(linear(x.detach(), w)), [w]);
    });
  }

  it('where it must not fuse: the linear output also used elsewhere', async () => {
    const [x, w] = awayFromKink(new Generator(3), 5, 4, 3);
    await expectGradcheck((x, w) => {
      const z = linear(x, w);
      return relu(z).add(z.mul(z));
    }, [x, w]);
  });
});

describe('on webgpu: fused where nothing else sees the gradient in between, not fused where something does', () => {
  let gpu: Device;
  beforeAll(async () => {
    gpu = await init('webgpu');
  });

  const dispatches = (fn: () => void) => testing.dispatchLabels(gpu.gpu, fn);
  const FUSED_NLL = 'nllLoss+logSoftmax.backward';

  const close = async (a: Tensor, b: Tensor) => expect(testing.relativeError(await a.toArray(), await b.toArray())).toBeLessThan(1e-5);

  /** x [33, 10] on cpu and webgpu (requiring grad), and int32 targets with ignored ones. */
  function classification(): { x: Record<'cpu' | 'gpu', Tensor>; t: Record<'cpu' | 'gpu', Tensor> } {
    const r = new Generator(17);
    const xs = Float32Array.from({ length: 330 }, () => r.uniform() * 8 - 4);
    const t = targets(r, 33, 10).storage.array;
    const make = (device: Device | 'cpu') => fromArray(xs, [33, 10], { device, requiresGrad: true });
    return { x: { cpu: make('cpu'), gpu: make(gpu) }, t: { cpu: fromArray(t, [33], { dtype: 'int32', device: 'cpu' }), gpu: fromArray(t, [33], { dtype: 'int32', device: gpu }) } };
  }

  it('nllLoss(logSoftmax(x, 1)): one backward kernel for both; a hook, retainGrad or autograd.grad on logp keeps both', async () => {
    const { x, t } = classification();
    const loss = (device: 'cpu' | 'gpu') => {
      const logp = logSoftmax(x[device], 1);
      return { logp, loss: nllLoss(logp, t[device]) };
    };
    loss('cpu').loss.backward();
    loss('gpu').loss.backward(); // the first backward also makes the implicit gradient 1 (a fill, kept)
    x.gpu.grad = null;
    const fused = await dispatches(() => loss('gpu').loss.backward());
    expect(fused).toEqual(['logSoftmax+nllLoss', FUSED_NLL]); // the forward's two fused at submit (tensor's submit-fusion tests)
    await close(x.gpu.grad!, x.cpu.grad!);
    x.gpu.grad = null;

    let seen: Tensor | null = null;
    const hooked = await dispatches(() => {
      const { logp, loss: l } = loss('gpu');
      logp.registerHook((g) => void (seen = keep(g.clone())));
      l.backward();
    });
    expect(hooked).toContain('nllLoss.backward');
    expect(hooked).toContain('logSoftmaxBackward');
    expect(hooked).not.toContain(FUSED_NLL);
    expect(seen).not.toBeNull();
    await close(x.gpu.grad!, x.cpu.grad!);
    x.gpu.grad = null;

    let logp: Tensor | null = null;
    const retained = await dispatches(() => {
      const retained = loss('gpu');
      logp = retained.logp;
      retained.logp.retainGrad();
      retained.loss.backward();
    });
    expect(retained).toContain('logSoftmaxBackward');
    expect(retained).not.toContain(FUSED_NLL);
    await close(logp!.grad!, seen!);
    await close(x.gpu.grad!, x.cpu.grad!);

    const again = loss('gpu');
    let grads: (Tensor | null)[] = [];
    expect(await dispatches(() => (grads = grad(again.loss, [again.logp, x.gpu])))).not.toContain(FUSED_NLL);
    const [gLogp, gx] = grads;
    await close(gLogp!, seen!);
    await close(gx!, x.cpu.grad!);
  });

  it('relu(linear(x, w, b)): the fused linear+ReLU backward; a hook on z or z used twice keeps the ReLU backward', async () => {
    const r = new Generator(23);
    const data = (n: number) => Float32Array.from({ length: n }, () => r.uniform() * 2 - 1);
    const [xs, ws, bs] = [data(7 * 33), data(5 * 33), data(5)];
    const params = (device: Device | 'cpu') => ({
      x: fromArray(xs, [7, 33], { device, requiresGrad: true }),
      w: fromArray(ws, [5, 33], { device, requiresGrad: true }),
      b: fromArray(bs, [5], { device, requiresGrad: true }),
    });
    const cases: [string, (p: ReturnType<typeof params>) => Tensor, boolean][] = [
      ['nothing else sees z', (p) => relu(linear(p.x, p.w, p.b)).sum(), true],
      ['a hook on z', (p) => {
        const z = linear(p.x, p.w, p.b);
        z.registerHook(() => {});
        return relu(z).sum();
      }, false],
      ['z used twice', (p) => {
        const z = linear(p.x, p.w, p.b);
        return relu(z).sum().add(z.sum());
      }, false],
    ];
    for (const [name, build, fuses] of cases) {
      const [cpu, webgpu] = [params('cpu'), params(gpu)];
      build(cpu).backward();
      const labels = await dispatches(() => build(webgpu).backward());
      // Fused, the bias-gradient pass also applies the ReLU's mask: no reluBackward kernel runs.
      expect(labels.includes('reluBackward'), name).toBe(!fuses);
      expect(labels.filter((l) => l === 'linear.backward'), name).toHaveLength(1);
      for (const key of ['x', 'w', 'b'] as const) await close(webgpu[key].grad!, cpu[key].grad!);
    }
    // The same gradients as the fused forward's (linear with relu): one pass each way.
    const [fused, separate] = [params(gpu), params(gpu)];
    linear(fused.x, fused.w, fused.b, true).sum().backward();
    relu(linear(separate.x, separate.w, separate.b)).sum().backward();
    for (const key of ['x', 'w', 'b'] as const) await close(separate[key].grad!, fused[key].grad!);
  });
});
