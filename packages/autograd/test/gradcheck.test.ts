import { describe, expect, it } from 'vitest';
import { Generator, fromArray, memory, mul, tensor, type Tensor } from '@mini/tensor';
import { record } from '@mini/tensor/internal';
import { gradcheck, noGrad } from '@mini/autograd';
import { randomInput } from './helpers.ts';

/** x·y with a backward rule that forgets the factor `wrong` ∈ {x, y} (the rule is deliberately wrong). */
function badProduct(x: Tensor, y: Tensor, wrong: 'x' | 'y'): Tensor {
  const out = noGrad(() => mul(x, y));
  return record('BadProduct', [x, y], out, [x, y], (g, [sx, sy]) => [wrong === 'x' ? g : mul(g, sy), wrong === 'y' ? g : mul(g, sx)]);
}

/** The parts of gradcheck's mismatch error. */
async function mismatch(check: Promise<true>): Promise<{ where: string; numerical: number; analytical: number }> {
  const message = await check.then(
    () => expect.fail('gradcheck passed a wrong backward rule'),
    (e: Error) => e.message,
  );
  const m = /^Jacobian mismatch for (.*): numerical (\S+), analytical (\S+) \(eps/.exec(message);
  if (!m) expect.fail(`unexpected gradcheck error: ${message}`);
  return { where: m[1], numerical: Number(m[2]), analytical: Number(m[3]) };
}

const f64 = (values: number[], requiresGrad = true) => tensor(values, { dtype: 'float64', device: 'cpu', requiresGrad });

describe('gradcheck', () => {
  it('returns true when backward agrees with finite differences', async () => {
    expect(await gradcheck((x, y) => x.mul(y).exp().sum(0), [randomInput(new Generator(1), [3, 4]), randomInput(new Generator(2), [3, 4])])).toBe(true);
  });

  it('names the input, the element, the numerical and the analytical value when they disagree', async () => {
    // d(x·y)/dx[0] = y[0] = 5; the wrong rule gives 1.
    expect(await mismatch(gradcheck((x, y) => badProduct(x, y, 'x'), [f64([2, 3]), f64([5, 7])]))).toEqual({
      where: 'output element 0 with respect to input 0 (shape [2]) at element 0',
      numerical: expect.closeTo(5, 6),
      analytical: 1,
    });
    // With x[0] = 1 the wrong rule for y happens to be right at element 0; at element 1, x[1] = 3.
    expect(await mismatch(gradcheck((x, y) => badProduct(x, y, 'y'), [f64([1, 3]), f64([5, 7])]))).toEqual({
      where: 'output element 1 with respect to input 1 (shape [2]) at element 1',
      numerical: expect.closeTo(3, 6),
      analytical: 1,
    });
  });

  it('only checks inputs that require grad', async () => {
    // The rule for y is wrong, but y does not require grad.
    expect(await gradcheck((x, y) => badProduct(x, y, 'y'), [f64([2, 3]), f64([5, 7], false)])).toBe(true);
  });

  it('treats a missing gradient as zero, which fails where the function depends on the input', async () => {
    const forgetsY = (x: Tensor, y: Tensor) => {
      const out = noGrad(() => mul(x, y));
      return record('ForgetsY', [x, y], out, [y], (g, [sy]) => [mul(g, sy), null]);
    };
    expect(await mismatch(gradcheck(forgetsY, [f64([2]), f64([5])]))).toEqual({
      where: 'output element 0 with respect to input 1 (shape [1]) at element 0',
      numerical: expect.closeTo(2, 6),
      analytical: 0,
    });
  });

  it('runs on float64 copies: a float32 input is checked in float64 and left unchanged', async () => {
    const x = fromArray([0.5, -1.25, 2], [3], { requiresGrad: true });
    expect(await gradcheck((x) => x.pow(3).sum(), [x], { atol: 1e-8, rtol: 1e-7 })).toBe(true);
    expect(Array.from(await x.toArray())).toEqual([0.5, -1.25, 2]);
    expect(x.grad).toBeNull();
  });

  it('needs at least one input that requires grad', async () => {
    await expect(gradcheck((x) => x.exp(), [f64([1], false)])).rejects.toThrow('gradcheck expects at least one input tensor to require gradient');
  });

  it('leaves no tensor behind', async () => {
    const x = randomInput(new Generator(3), [4, 3]);
    const before = memory();
    expect(await gradcheck((x) => x.exp().sum(1), [x])).toBe(true);
    expect(memory().liveTensors).toBe(before.liveTensors);
    expect(memory().liveBytes).toBe(before.liveBytes);
  });
});

describe('gradcheck options', () => {
  it('an unknown option is an error naming it', async () => {
    await expect(gradcheck((x) => x.exp(), [randomInput(new Generator(3), [2])], { epsilon: 1e-6 } as never)).rejects.toThrow(
      "gradcheck() got an unexpected keyword argument 'epsilon'",
    );
  });
});
