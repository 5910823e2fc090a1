import { describe, expect, it } from 'vitest';
import { copyInto, fill_, fromArray, Generator, keep, markModified, mul_, zeros, type Tensor } from '@mini/tensor';
import { noGrad } from '@mini/autograd';
import { expectGradcheck, randomInput } from './helpers.ts';

// In-place ops under autograd, as PyTorch 1.13 runs them (values worked out by hand, on the cpu device).
const leaf = (values: number[]) => fromArray(values, [values.length], { device: 'cpu', requiresGrad: true });
const cpu = (values: number[]) => fromArray(values, [values.length], { device: 'cpu' });
const values = async (t: Tensor | null) => Array.from(await t!.toArray());
const HINT = 'one of the variables needed for gradient computation has been modified by an inplace operation: ';

describe('in-place ops are recorded for autograd', () => {
  it('mul_ on a non-leaf multiplies its gradient (PyTorch: [6, 6])', async () => {
    const x = leaf([1, 2]);
    const y = x.mul(2);
    expect(y.mul_(3)).toBe(y);
    expect(String(y.gradFn)).toBe('<MulBackward>');
    y.sum().backward();
    expect(await values(x.grad)).toEqual([6, 6]);
    expect(await values(y)).toEqual([6, 12]);
  });

  it('add_ and mul_ with an operand that requires grad give it its gradient', async () => {
    const x = leaf([1, 2]);
    const w = leaf([3, 4]);
    const y = x.mul(1);
    y.mul_(w).add_(x, 2);
    y.sum().backward();
    // y = x·w + 2x: dy/dx = w + 2, dy/dw = x (x's values before the write).
    expect(await values(x.grad)).toEqual([5, 6]);
    expect(await values(w.grad)).toEqual([1, 2]);
  });

  it('a tensor that does not require grad becomes a non-leaf when an operand does', async () => {
    const w = leaf([3, 4]);
    const acc = zeros([2], { device: 'cpu' });
    acc.add_(w, 2).add_(w.mul(w));
    expect(acc.isLeaf).toBe(false);
    expect(acc.requiresGrad).toBe(true);
    acc.sum().backward();
    expect(await values(w.grad)).toEqual([8, 10]);
  });

  it('y.mul_(y) reads y before the write (d y² / dx = 2y)', async () => {
    const x = leaf([1.5, -2]);
    const y = x.mul(1);
    mul_(y, y);
    y.sum().backward();
    expect(await values(x.grad)).toEqual([3, -4]);
  });

  it('copy_ (copyInto) passes the gradient to its source; fill_ stops it', async () => {
    const w = leaf([1, 2, 3]);
    const dst = zeros([3], { device: 'cpu' });
    copyInto(dst, w);
    dst.mul(3).sum().backward();
    expect(await values(w.grad)).toEqual([3, 3, 3]);
    const x = leaf([1, 2]);
    const y = x.mul(2);
    fill_(y, 5);
    y.add(x).sum().backward();
    expect(await values(x.grad)).toEqual([1, 1]);
  });

  it('nodes recorded before an in-place op keep routing their gradient to the old history', async () => {
    const x = leaf([1, 2]);
    const y = x.mul(2);
    const before = y.add(1);
    y.mul_(3);
    before.add(y).sum().backward();
    // d/dx (2x + 1) + d/dx 6x = 2 + 6.
    expect(await values(x.grad)).toEqual([8, 8]);
  });

  it('retainGrad() follows the tensor to its new history', async () => {
    const x = leaf([1, 2]);
    const y = x.mul(2);
    y.retainGrad();
    y.mul_(3);
    expect(y.retainsGrad).toBe(true);
    y.mul(5).sum().backward();
    expect(await values(y.grad)).toEqual([5, 5]);
    expect(await values(x.grad)).toEqual([30, 30]);
  });

  it('a hook registered before an in-place op sees the gradient of the old values (PyTorch 1.13: [15, 15])', async () => {
    const x = leaf([1, 2]);
    const y = x.mul(2);
    const seen: Tensor[] = [];
    y.registerHook((g) => void seen.push(keep(g.clone())));
    y.mul_(3);
    y.mul(5).sum().backward();
    expect(seen.length).toBe(1);
    expect(await values(seen[0])).toEqual([15, 15]);
  });

  it('gradcheck passes through a chain of in-place ops (float64)', async () => {
    const g = new Generator(3);
    const [a, b] = [randomInput(g, [3, 4]), randomInput(g, [4])];
    await expectGradcheck(
      (x, w) => {
        const y = x.mul(1);
        y.mul_(w).add_(x, 0.5).mul_(y);
        return y;
      },
      [a, b],
    );
  });
});

describe("the version counter: PyTorch's error when a saved tensor was changed in place", () => {
  it('an output saved by its op (exp) changed afterwards', () => {
    const x = leaf([1, 2]);
    const y = x.exp();
    y.add_(1);
    expect(() => y.sum().backward()).toThrow(HINT + '[float32 [2]], which is output 0 of ExpBackward, is at version 1; expected version 0 instead.');
  });

  it('an input saved by a later op (mul) changed afterwards', () => {
    const x = leaf([1, 2]);
    const y = x.mul(2);
    const z = y.mul(y);
    y.mul_(3).mul_(3);
    expect(() => z.sum().backward()).toThrow(HINT + '[float32 [2]], which is output 0 of MulBackward, is at version 2; expected version 0 instead.');
  });

  it('a constant saved by mul changed afterwards, even under noGrad or through another view', () => {
    const w = leaf([1, 2]);
    const c = cpu([3, 4]);
    const z = w.mul(c);
    noGrad(() => c.narrow(0, 1, 1).mul_(2));
    expect(() => z.sum().backward()).toThrow(HINT + '[float32 [2]] is at version 1; expected version 0 instead.');
  });

  it('markModified counts a write done by a kernel of its own', () => {
    const w = leaf([1, 2]);
    const c = cpu([3, 4]);
    const z = w.mul(c);
    markModified(c);
    expect(() => z.sum().backward()).toThrow('is at version 1; expected version 0 instead.');
  });

  it('a write before the op saves the tensor is not an error', async () => {
    const w = leaf([1, 2]);
    const c = cpu([3, 4]);
    c.mul_(2);
    w.mul(c).sum().backward();
    expect(await values(w.grad)).toEqual([6, 8]);
  });
});

describe('in-place ops that autograd refuses', () => {
  it("a leaf that requires grad, in PyTorch's words; allowed under noGrad", async () => {
    const w = leaf([1, 2]);
    const message = 'a leaf Variable that requires grad is being used in an in-place operation.';
    expect(() => w.add_(1)).toThrow(message);
    expect(() => w.mul_(cpu([2, 2]))).toThrow(message);
    expect(() => fill_(w, 0)).toThrow(message);
    expect(() => copyInto(w, cpu([0, 0]))).toThrow(message);
    expect(await values(w)).toEqual([1, 2]);
    noGrad(() => w.mul_(2).add_(1));
    expect(await values(w)).toEqual([3, 5]);
    expect(w.isLeaf).toBe(true);
  });

  it('a view of a leaf that requires grad', () => {
    const w = leaf([1, 2, 3]);
    expect(() => w.narrow(0, 1, 2).add_(1)).toThrow('a view of a leaf Variable that requires grad is being used in an in-place operation.');
  });

  it('a view of a non-leaf (PyTorch rewrites the base; mini refuses rather than lose gradients)', async () => {
    const x = leaf([1, 2, 3]);
    const y = x.mul(2);
    expect(() => y.narrow(0, 0, 2).mul_(3)).toThrow('an in-place operation on a view is not supported by autograd');
    const base = zeros([3], { device: 'cpu' });
    expect(() => base.narrow(0, 0, 2).add_(x.narrow(0, 0, 2))).toThrow('an in-place operation on a view is not supported by autograd');
    // Nothing requires grad: a view is written in place as before.
    base.narrow(0, 1, 2).add_(cpu([4, 5]));
    expect(await values(base)).toEqual([0, 4, 5]);
  });

  it('a view taken before its base got a new history by an in-place op', () => {
    const x = leaf([1, 2]);
    const y = x.mul(2);
    const view = y.narrow(0, 0, 1);
    y.mul_(3);
    expect(() => view.sum()).toThrow("a view of a tensor was used after an in-place operation changed its base's autograd history");
    const z = zeros([2], { device: 'cpu' });
    const zView = z.narrow(0, 0, 1);
    z.add_(x);
    expect(() => zView.mul(2)).toThrow("a view of a tensor was used after an in-place operation changed its base's autograd history");
  });
});
