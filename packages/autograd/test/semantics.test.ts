import { describe, expect, it } from 'vitest';
import { add_, exp, fromArray, indexSelect, isGradEnabled, linear, logSoftmax, matmul, maximum, nllLoss, ones, softmax, tensor, where, zeros, type Tensor } from '@mini/tensor';
import { record } from '@mini/tensor/internal';
import { enableGrad, noGrad } from '@mini/autograd';

// PyTorch's autograd semantics, on the cpu device (exact float32 arithmetic on small integers).
const leaf = (values: number[], shape = [values.length]) => fromArray(values, shape, { device: 'cpu', requiresGrad: true });
const cpu = (values: number[], shape = [values.length]) => fromArray(values, shape, { device: 'cpu' });
const values = async (t: Tensor | null) => Array.from(await t!.toArray());

describe('requiresGrad, grad, gradFn, isLeaf', () => {
  it('requiresGrad is off by default and set by the option or requiresGrad_()', () => {
    expect(zeros([2], { device: 'cpu' }).requiresGrad).toBe(false);
    expect(tensor([1.5], { device: 'cpu', requiresGrad: true }).requiresGrad).toBe(true);
    const x = cpu([1, 2]);
    expect(x.requiresGrad_()).toBe(x);
    expect(x.requiresGrad).toBe(true);
    x.requiresGrad_(false);
    expect(x.requiresGrad).toBe(false);
  });

  it('refuses requiresGrad on integer tensors and on non-leaves, with PyTorch messages', () => {
    expect(() => tensor([1, 2], { device: 'cpu', requiresGrad: true })).toThrow('only Tensors of floating point dtype can require gradients (found int32)');
    const y = leaf([1]).mul(2);
    expect(() => y.requiresGrad_(false)).toThrow('you can only change requires_grad flags of leaf variables.');
  });

  it('an op on an input that requires grad records its gradFn; leaves have none', () => {
    const x = leaf([1, 2]);
    const y = x.mul(3);
    expect(x.isLeaf).toBe(true);
    expect(x.gradFn).toBeNull();
    expect(y.requiresGrad).toBe(true);
    expect(y.isLeaf).toBe(false);
    expect(y.gradFn?.name).toBe('Mul');
    expect(String(y.sum().gradFn)).toBe('<SumBackward>');
    expect(y.gradFn?.inputs).toEqual([x]);
  });

  it('an op on inputs that do not require grad records nothing', () => {
    const y = cpu([1, 2]).exp();
    expect(y.requiresGrad).toBe(false);
    expect(y.gradFn).toBeNull();
    expect(y.isLeaf).toBe(true);
  });

  it('.grad is null until backward, then holds d loss / d leaf; non-leaves get none', async () => {
    const x = leaf([1, 2, 3]);
    const y = x.mul(x);
    const loss = y.sum();
    expect(x.grad).toBeNull();
    loss.backward();
    expect(await values(x.grad)).toEqual([2, 4, 6]);
    expect(x.grad!.shape).toEqual([3]);
    expect(y.grad).toBeNull();
  });

  it('a leaf that requires grad can be the root', async () => {
    const x = leaf([4]);
    x.backward();
    expect(await values(x.grad)).toEqual([1]);
  });

  it('the implicit gradient 1 is shared between backward calls but never handed out to be changed', async () => {
    // Roots of shape [1] (x itself, then y·3) and of shape [] (two sums): each pair shares a seed.
    const x = leaf([4]);
    x.backward();
    add_(x.grad!, tensor([5], { device: 'cpu' }));
    const y = leaf([2]);
    y.mul(3).backward();
    const z = leaf([2, 5]);
    z.sum().backward();
    add_(z.grad!, tensor([7, 7], { device: 'cpu' }));
    const w = leaf([3, 1]);
    w.mul(2).sum().backward();
    expect(await values(x.grad)).toEqual([6]);
    expect(await values(y.grad)).toEqual([3]);
    expect(await values(z.grad)).toEqual([8, 8]);
    expect(await values(w.grad)).toEqual([2, 2]);
  });
});

describe('backward', () => {
  it('accumulates into .grad across two backward calls through a retained graph', async () => {
    const x = leaf([1, 2, 3]);
    const loss = x.mul(x).sum();
    loss.backward(undefined, { retainGraph: true });
    const first = x.grad;
    loss.backward();
    expect(await values(x.grad)).toEqual([4, 8, 12]);
    // In place, as in PyTorch: the same tensor.
    expect(x.grad).toBe(first);
  });

  it('a retained graph gives the same gradients again, for every op that saves tensors', async () => {
    const f64 = (shape: number[], seed: number) =>
      fromArray(Float64Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => 0.5 + ((i * 7 + seed) % 11) / 10), shape, { dtype: 'float64', device: 'cpu', requiresGrad: true });
    const graph = () => {
      const [a, b, w, bias] = [f64([4, 3], 1), f64([4, 3], 2), f64([5, 3], 3), f64([5], 4)];
      const e = a.mul(b).div(b.sqrt()).pow(b).add(a.log()).exp().relu();
      const m = maximum(e, b.pow(2)).amax(1, true).add(where(a.gt(1), a, b));
      const h = linear(m, w, bias, true).add(linear(matmul(a, b.t()).narrow(1, 0, 3), w));
      const p = indexSelect(softmax(h, 0), 1, tensor([0, 2, 2, 4], { device: 'cpu' }));
      const loss = nllLoss(logSoftmax(p, 1), tensor([1, 0, 3, 2], { device: 'cpu' }));
      return { loss, leaves: [a, b, w, bias] };
    };
    const once = graph();
    once.loss.backward();
    const twice = graph();
    twice.loss.backward(undefined, { retainGraph: true });
    twice.loss.backward();
    for (const [i, x] of twice.leaves.entries()) {
      const single = await values(once.leaves[i].grad);
      expect(single.some((v) => v !== 0)).toBe(true);
      expect(await values(x.grad)).toEqual(single.map((v) => 2 * v));
    }
  });

  it('accumulates across two graphs, and starts over once .grad is cleared', async () => {
    const x = leaf([1, 2]);
    x.mul(3).sum().backward();
    x.mul(x).sum().backward();
    expect(await values(x.grad)).toEqual([5, 7]);
    x.grad = null;
    x.mul(x).sum().backward();
    expect(await values(x.grad)).toEqual([2, 4]);
  });

  it('sums the gradients of a leaf used several times', async () => {
    const x = leaf([1, 2]);
    x.mul(x).add(x).add(x.mul(2)).sum().backward();
    expect(await values(x.grad)).toEqual([5, 7]);
  });

  it('does not change a gradient in place while another node still needs it', async () => {
    // d/dx (x + (exp(w) + exp(x)))·2 is handed to x and to the pending exp nodes alike.
    const x = fromArray([1.5, 2], [2], { dtype: 'float64', device: 'cpu', requiresGrad: true });
    const w = fromArray([0.5, 0.25], [2], { dtype: 'float64', device: 'cpu', requiresGrad: true });
    x.add(exp(w).add(exp(x))).mul(2).sum().backward();
    expect(await values(x.grad)).toEqual([2 + 2 * Math.exp(1.5), 2 + 2 * Math.exp(2)]);
    expect(await values(w.grad)).toEqual([2 * Math.exp(0.5), 2 * Math.exp(0.25)]);
  });

  it('takes a gradient for a non-scalar output, and does not alias it', async () => {
    const x = leaf([1, 2, 3, 4, 5, 6], [2, 3]);
    const v = cpu([1, 0, -1, 2, 0.5, 3], [2, 3]);
    x.mul(3).backward(v);
    expect(await values(x.grad)).toEqual([3, 0, -3, 6, 1.5, 9]);
    const y = leaf([1, 2]);
    const gradient = cpu([5, 6]);
    y.clone().backward(gradient);
    add_(gradient, 1);
    expect(await values(y.grad)).toEqual([5, 6]);
  });

  it('runs through a deep graph (10,000 nodes) without overflowing the stack', async () => {
    const x = leaf([1]);
    let y = x;
    for (let i = 0; i < 10_000; i++) y = y.add(1);
    y.backward();
    expect(await values(x.grad)).toEqual([1]);
  });

  it("throws PyTorch's error on a second backward through a released graph", () => {
    const x = leaf([1, 2]);
    const loss = x.exp().sum();
    loss.backward();
    expect(() => loss.backward()).toThrow('Trying to backward through the graph a second time');
    expect(() => loss.backward()).toThrow('Specify retainGraph: true');
  });

  it("throws PyTorch's error for an implicit gradient of a non-scalar", () => {
    const y = leaf([1, 2]).mul(2);
    expect(() => y.backward()).toThrow('grad can be implicitly created only for scalar outputs');
  });

  it("throws PyTorch's error on a tensor that does not require grad", () => {
    expect(() => cpu([1, 2]).sum().backward()).toThrow('element 0 of tensors does not require grad and does not have a grad_fn');
  });

  it('checks the shape of the gradient', () => {
    const y = leaf([1, 2]).mul(2);
    expect(() => y.backward(ones([3], { device: 'cpu' }))).toThrow('Mismatch in shape: grad_output[0] has a shape of [3] and output[0] has a shape of [2].');
  });
});

describe('dtype conversions', () => {
  it('a float conversion is differentiable and hands back the gradient in the input dtype', async () => {
    const x = leaf([1, 2, 3]);
    const y = x.double();
    expect(y.gradFn?.name).toBe('ToCopy');
    y.mul(y).sum().backward();
    expect(x.grad!.dtype).toBe('float32');
    expect(await values(x.grad)).toEqual([2, 4, 6]);
  });

  it('a float32 leaf used with float64 operands gets a float32 gradient', async () => {
    const x = leaf([1, 2]);
    const w = fromArray([3, 4], [2], { dtype: 'float64', device: 'cpu' });
    x.mul(w).sum().backward();
    x.mul(w).sum().backward();
    expect(x.grad!.dtype).toBe('float32');
    expect(await values(x.grad)).toEqual([6, 8]);
  });

  it('a backward rule that returns a gradient of the wrong shape or a narrower dtype is an error', () => {
    const x = fromArray([1, 2], [2], { dtype: 'float64', device: 'cpu', requiresGrad: true });
    const withRule = (rule: (g: Tensor) => Tensor) => record('Custom', [x], noGrad(() => x.mul(2)), [], (g) => [rule(g)]);
    expect(() => withRule((g) => g.sum()).sum().backward()).toThrow(
      'Function CustomBackward returned an invalid gradient at index 0 - got [] but expected shape compatible with [2]',
    );
    expect(() => withRule((g) => g.float()).sum().backward()).toThrow(
      'Function CustomBackward returned an invalid gradient at index 0 - expected dtype float64 but got float32',
    );
  });

  it('a conversion to an integer type ends the graph', () => {
    const i = leaf([1.5, 2]).int();
    expect(i.requiresGrad).toBe(false);
    expect(i.gradFn).toBeNull();
  });
});

describe('detach', () => {
  it('shares the data but leaves the graph', async () => {
    const x = leaf([1, 2, 3]);
    const d = x.detach();
    expect(d.requiresGrad).toBe(false);
    expect(d.gradFn).toBeNull();
    expect(d.storage).toBe(x.storage);
    x.mul(d).sum().backward();
    // Only the attached factor contributes: d(x·c)/dx = c.
    expect(await values(x.grad)).toEqual([1, 2, 3]);
  });
});

describe('noGrad and enableGrad', () => {
  it('noGrad records nothing inside, returns fn’s value and restores the mode', () => {
    const x = leaf([1, 2]);
    const y = noGrad(() => x.mul(2));
    expect(y.requiresGrad).toBe(false);
    expect(y.gradFn).toBeNull();
    expect(isGradEnabled()).toBe(true);
    expect(x.mul(2).requiresGrad).toBe(true);
  });

  it('enableGrad records again inside noGrad; nesting restores each level', () => {
    const x = leaf([1, 2]);
    noGrad(() => {
      const y = enableGrad(() => x.mul(2));
      expect(y.gradFn?.name).toBe('Mul');
      expect(isGradEnabled()).toBe(false);
      expect(x.mul(2).requiresGrad).toBe(false);
    });
    expect(isGradEnabled()).toBe(true);
  });

  it('restores the mode when fn throws', () => {
    expect(() =>
      noGrad(() => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(isGradEnabled()).toBe(true);
  });

  it('keeps the mode across an async fn until its promise settles', async () => {
    const x = leaf([1, 2]);
    const pending = noGrad(async () => {
      await Promise.resolve();
      return x.mul(2);
    });
    const y = await pending;
    expect(y.requiresGrad).toBe(false);
    expect(isGradEnabled()).toBe(true);
    await expect(
      noGrad(async () => {
        await Promise.resolve();
        throw new Error('async boom');
      }),
    ).rejects.toThrow('async boom');
    expect(isGradEnabled()).toBe(true);
    const z = await noGrad(() => enableGrad(async () => x.mul(2)));
    expect(z.requiresGrad).toBe(true);
    expect(isGradEnabled()).toBe(true);
  });

  it('a manual SGD step under noGrad does not enter the graph', async () => {
    const w = leaf([1, 2]);
    w.mul(w).sum().backward();
    noGrad(() => add_(w, w.grad!, -0.25));
    expect(await values(w)).toEqual([0.5, 1]);
    expect(w.isLeaf).toBe(true);
    expect(w.gradFn).toBeNull();
  });
});
