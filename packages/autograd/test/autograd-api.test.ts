import { describe, expect, it } from 'vitest';
import { fromArray, keep, type Tensor } from '@mini/tensor';
import { backward, grad } from '@mini/autograd';

// torch.autograd.grad, retain_grad and register_hook, on the cpu device (values worked out by hand).
const leaf = (values: number[]) => fromArray(values, [values.length], { device: 'cpu', requiresGrad: true });
const cpu = (values: number[]) => fromArray(values, [values.length], { device: 'cpu' });
const values = async (t: Tensor | null) => Array.from(await t!.toArray());

describe('autograd.grad', () => {
  it('returns d out / d input for leaves and non-leaves, and accumulates into no .grad', async () => {
    const x = leaf([1, 2]);
    const y = x.mul(x);
    const out = y.mul(3).sum();
    const [gx, gy] = grad(out, [x, y]);
    expect(await values(gx)).toEqual([6, 12]);
    expect(await values(gy)).toEqual([3, 3]);
    expect(x.grad).toBeNull();
    expect(y.grad).toBeNull();
  });

  it('takes gradOutputs for non-scalar and several outputs', async () => {
    const x = leaf([1, 2]);
    const a = x.mul(2);
    const b = x.mul(x);
    const [g] = grad([a, b], x, { gradOutputs: [cpu([1, 10]), cpu([1, 1])] });
    // 2·[1, 10] + 2x·[1, 1].
    expect(await values(g)).toEqual([4, 24]);
  });

  it('runs only the part of the graph between outputs and inputs', async () => {
    const w = leaf([1, 2]);
    const x = leaf([3, 4]);
    const h = w.mul(x);
    const out = h.exp().sum();
    // d out / d h needs only the exp and sum nodes: h's own node (w·x) neither runs nor is freed.
    const [gh] = grad(out, [h]);
    expect(await values(gh)).toEqual([Math.fround(Math.exp(3)), Math.fround(Math.exp(8))]);
    expect(h.gradFn!.released).toBe(false);
    const [gw] = grad(h.sum(), [w]);
    expect(await values(gw)).toEqual([3, 4]);
  });

  it('frees the graph unless retainGraph is set', () => {
    const x = leaf([1, 2]);
    const out = x.mul(x).sum();
    grad(out, [x]);
    expect(() => grad(out, [x])).toThrow('Trying to backward through the graph a second time');
  });

  it("raises PyTorch's errors, and gives null for unused inputs with allowUnused", async () => {
    const x = leaf([1, 2]);
    const unused = leaf([5]);
    const out = x.mul(2).sum();
    expect(() => grad(out, [x, unused], { retainGraph: true })).toThrow(
      'One of the differentiated Tensors appears to not have been used in the graph. Set allowUnused: true if this is the desired behavior.',
    );
    const [gx, gu] = grad(out, [x, unused], { allowUnused: true, retainGraph: true });
    expect(await values(gx)).toEqual([2, 2]);
    expect(gu).toBeNull();
    expect(() => grad(out, [cpu([1])])).toThrow('One of the differentiated Tensors does not require grad');
    expect(() => grad(x.mul(2), [x])).toThrow('grad can be implicitly created only for scalar outputs');
    expect(() => grad(out, [x], { createGraph: true })).toThrow('createGraph is not supported');
    expect(() => grad(out, [x], { retain_graph: true } as never)).toThrow("grad() got an unexpected keyword argument 'retain_graph'");
  });

  it('hands out tensors the caller owns, never the implicit gradient itself', async () => {
    const x = leaf([4]);
    const [g] = grad(x, [x]);
    expect(await values(g)).toEqual([1]);
    g!.dispose();
    const [again] = grad(x.mul(2), [x]);
    expect(await values(again)).toEqual([2]);
  });
});

describe('autograd.backward', () => {
  it('backpropagates from several roots at once', async () => {
    const x = leaf([1, 2]);
    backward([x.mul(3).sum(), x.mul(x)], [null, cpu([1, 1])]);
    expect(await values(x.grad)).toEqual([5, 7]);
  });

  it('refuses an unknown option, naming it', () => {
    const x = leaf([1, 2]);
    expect(() => x.sum().backward(undefined, { retain_graph: true } as never)).toThrow("backward() got an unexpected keyword argument 'retain_graph'");
  });
});

describe('retainGrad', () => {
  it("keeps a non-leaf's gradient in .grad and accumulates it", async () => {
    const x = leaf([1, 2]);
    const y = x.mul(2);
    y.retainGrad();
    expect(y.retainsGrad).toBe(true);
    const out = y.mul(y).sum();
    out.backward(undefined, { retainGraph: true });
    expect(await values(y.grad)).toEqual([4, 8]);
    out.backward();
    expect(await values(y.grad)).toEqual([8, 16]);
    expect(await values(x.grad)).toEqual([16, 32]);
  });

  it("is a no-op on a leaf and PyTorch's error without requiresGrad", () => {
    const x = leaf([1]);
    x.retainGrad();
    expect(x.retainsGrad).toBe(false);
    expect(() => cpu([1]).retainGrad()).toThrow("can't retain_grad on Tensor that has requires_grad=False");
  });
});

describe('registerHook', () => {
  it('sees the gradient of a non-leaf and can replace it', async () => {
    const x = leaf([1, 2]);
    const y = x.mul(x);
    const seen: Tensor[] = [];
    y.registerHook((g) => void seen.push(keep(g.clone())));
    y.registerHook((g) => g.mul(10));
    y.mul(3).sum().backward();
    expect(await values(seen[0])).toEqual([3, 3]);
    // dy/dx = 2x, times the replaced gradient 30.
    expect(await values(x.grad)).toEqual([60, 120]);
  });

  it("on a leaf runs on its summed gradient before .grad is written; remove() unregisters it", async () => {
    const x = leaf([1, 2]);
    const handle = x.registerHook((g) => g.neg());
    x.mul(2).add(x).sum().backward();
    expect(await values(x.grad)).toEqual([-3, -3]);
    handle.remove();
    x.grad = null;
    x.mul(2).sum().backward();
    expect(await values(x.grad)).toEqual([2, 2]);
  });

  it("raises PyTorch's errors: no requiresGrad, a hook that changes the size", () => {
    expect(() => cpu([1]).registerHook(() => undefined)).toThrow("cannot register a hook on a tensor that doesn't require gradient");
    const x = leaf([1, 2]);
    const y = x.mul(2);
    y.registerHook(function resize() {
      return cpu([1, 2, 3]);
    });
    expect(() => y.sum().backward()).toThrow("hook 'resize' has changed the size of value");
  });
});
