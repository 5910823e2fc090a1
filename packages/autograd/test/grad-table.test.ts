import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as mini from '@mini/tensor';
import { Generator, fromArray, init, type Device, type Tensor } from '@mini/tensor';
import { testing } from '@mini/tensor/internal';
import { expectGradcheck, fmt, randomInput, type RandomInput } from './helpers.ts';

const { ELEMENTWISE_OPS, applyElementwise } = testing;

/** Where gradcheck draws each operand, where [-1, 1] does not do: domains, poles and kinks kept out of eps's reach. */
const RANGES: Record<string, RandomInput[]> = {
  div: [{}, { awayFromZero: 0.5 }],
  pow: [{ low: 0.5, high: 2 }, { low: -2, high: 2 }],
  log: [{ low: 0.2, high: 3 }],
  sqrt: [{ low: 0.2, high: 3 }],
  rsqrt: [{ low: 0.2, high: 3 }],
  abs: [{ awayFromZero: 0.05 }],
  relu: [{ awayFromZero: 0.05 }],
  leakyRelu: [{ awayFromZero: 0.05 }],
  elu: [{ awayFromZero: 0.05 }],
  where: [{ requiresGrad: false }, {}, {}],
  clamp: [{ low: -2, high: 2 }, { low: -1, high: -0.2 }, { low: 0.2, high: 1 }],
  softplus: [{ low: -3, high: 3 }],
  gelu: [{ low: -3, high: 3 }],
  geluTanh: [{ low: -3, high: 3 }],
};

const differentiable = [...ELEMENTWISE_OPS.values()].filter((op) => op.grad);

describe('gradcheck (float64): every differentiable row of the elementwise table', () => {
  it('the test configuration names only differentiable rows', () => {
    for (const name of Object.keys(RANGES)) expect(differentiable.map((o) => o.name)).toContain(name);
  });

  for (const op of differentiable) {
    const shapes: number[][][] = [Array.from({ length: op.arity }, () => [5, 3])];
    if (op.arity > 1) shapes.push([[3, 1, 5], [4, 5], [5]].slice(0, op.arity));
    for (const s of shapes) {
      it(`${op.name} ${s.map(fmt).join(' ')}`, async () => {
        const g = new Generator(op.name.length * 7 + s[0].length);
        const inputs = s.map((shape, i) => randomInput(g, shape, RANGES[op.name]?.[i] ?? {}));
        await expectGradcheck((...xs) => applyElementwise(op, xs), inputs);
      });
    }
  }

  it('rows with number arguments, away from their defaults', async () => {
    const g = new Generator(71);
    const x = randomInput(g, [7, 3], { low: -3, high: 3, awayFromZero: 0.05 });
    await expectGradcheck((t) => mini.leakyRelu(t, 0.2), [x]);
    await expectGradcheck((t) => mini.elu(t, 0.7), [x]);
    await expectGradcheck((t) => mini.softplus(t, 2, 1.5), [randomInput(g, [7, 3], { low: -3, high: 3 })]);
    const b = randomInput(g, [3], { requiresGrad: false });
    await expectGradcheck((t) => t.add(b, -2.5), [x]);
  });

  it('clamp with number bounds and with one bound missing', async () => {
    const x = randomInput(new Generator(73), [5, 7], { low: -2, high: 2 });
    await expectGradcheck((t) => t.clamp(-0.5, 0.7), [x]);
    await expectGradcheck((t) => t.clamp(null, 0.3), [x]);
    await expectGradcheck((t) => t.clamp(-0.3), [x]);
  });
});

// ---- PyTorch's values and gradients (scripts/fixtures/elementwise_fixtures.py) ----

interface Fixture {
  op: string;
  args: (number | null)[];
  options?: Record<string, unknown>;
  inputs: (number | string)[][];
  output: (number | string)[];
  weights?: number[];
  grads?: (number | string)[][];
}

const decode = (xs: (number | string)[]) => xs.map((v) => (typeof v === 'number' ? v : Number(v.replace('inf', 'Infinity'))));
const fixtures = (JSON.parse(readFileSync(new URL('./fixtures/elementwise_torch.json', import.meta.url), 'utf8')) as { cases: Fixture[] }).cases;

/** Mini's call of a fixture case: the tensors, PyTorch's positional arguments, then the options. */
function call(c: Fixture, tensors: Tensor[]): Tensor {
  const fn = (mini as unknown as Record<string, (...args: unknown[]) => Tensor>)[c.op];
  return fn(...tensors, ...c.args, ...(c.options ? [c.options] : []));
}

let gpu: Device;
beforeAll(async () => {
  gpu = await init('webgpu');
});

describe('values and gradients against PyTorch 1.13', () => {
  for (const [i, c] of fixtures.entries()) {
    const args = [...c.inputs.map((_, k) => 'xyz'[k]), ...c.args.map(String), ...(c.options ? [JSON.stringify(c.options)] : [])];
    it(`#${i} ${c.op}(${args.join(', ')})${c.grads ? ' and its gradients' : ''}`, async () => {
      const expected = decode(c.output);
      const xs = c.inputs.map((x) => fromArray(decode(x), [x.length], { dtype: 'float64', device: 'cpu', requiresGrad: !!c.grads }));
      const out = call(c, xs);
      expect(testing.closeMismatch(await out.toArray(), expected, 1e-12, 1e-14)).toBeNull();
      if (c.grads) {
        out.mul(fromArray(c.weights!, [c.weights!.length], { dtype: 'float64', device: 'cpu' })).sum().backward();
        for (const [k, grad] of c.grads.entries()) expect(testing.closeMismatch(await xs[k].grad!.toArray(), decode(grad), 1e-10, 1e-12)).toBeNull();
      }
      const onGpu = call(c, c.inputs.map((x) => fromArray(decode(x), [x.length], { device: gpu })));
      expect(testing.closeMismatch(await onGpu.toArray(), expected, 1e-5, 1e-6)).toBeNull();
    });
  }
});
