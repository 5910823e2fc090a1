import { describe, it } from 'vitest';
import { Generator, add, div, maximum, mul, pow, sub, where, type Tensor } from '@mini/tensor';
import { distinctInput, expectGradcheck, fmt, randomInput, randomShape } from './helpers.ts';

// Every case runs gradcheck (float64 central differences, eps 1e-6, atol 1e-5, rtol 1e-3) on
// random inputs whose shapes are drawn from a seeded generator; the shapes are in the test names.
const g = new Generator(3);
const shapes = (ndim: number, count = 3) => Array.from({ length: count }, () => randomShape(g, ndim));
/** Pairs of shapes that broadcast against each other in both directions. */
const BROADCASTS: [number[], number[]][] = [
  [[3, 1, 5], [4, 5]],
  [[5], [7, 1]],
  [[2, 3], []],
  [[1, 33], [7, 1]],
];

describe('gradcheck: binary arithmetic', () => {
  const binaries: [string, (a: Tensor, b: Tensor) => Tensor, number][] = [
    ['add', (a, b) => add(a, b), 0],
    ['add alpha 2.5', (a, b) => a.add(b, 2.5), 0],
    ['sub', (a, b) => sub(a, b), 0],
    ['sub alpha -0.75', (a, b) => a.sub(b, -0.75), 0],
    ['mul', (a, b) => mul(a, b), 0],
    // Denominators kept away from 0.
    ['div', (a, b) => div(a, b), 0.5],
  ];
  for (const [name, op, away] of binaries) {
    for (const shape of shapes(2)) {
      it(`${name} ${fmt(shape)}`, async () => {
        const r = new Generator(shape.length * 31 + shape[0]);
        await expectGradcheck(op, [randomInput(r, shape), randomInput(r, shape, { awayFromZero: away })]);
      });
    }
    for (const [sa, sb] of BROADCASTS) {
      it(`${name} broadcasting ${fmt(sa)} with ${fmt(sb)}`, async () => {
        const r = new Generator(sa.length * 7 + sb.length);
        await expectGradcheck(op, [randomInput(r, sa), randomInput(r, sb, { awayFromZero: away })]);
        await expectGradcheck(op, [randomInput(r, sb), randomInput(r, sa, { awayFromZero: away })]);
      });
    }
  }

  it('one operand without grad', async () => {
    const r = new Generator(5);
    await expectGradcheck((a, b) => a.mul(b).div(b.add(3)), [randomInput(r, [3, 7]), randomInput(r, [7], { requiresGrad: false })]);
  });

  it('the same tensor on both sides (x·x, x − x, x / x)', async () => {
    const x = randomInput(new Generator(6), [5, 3], { awayFromZero: 0.5 });
    await expectGradcheck((a) => a.mul(a), [x]);
    await expectGradcheck((a) => a.sub(a).add(a.div(a)), [x]);
  });
});

describe('gradcheck: arithmetic with a number', () => {
  for (const shape of shapes(3, 2)) {
    it(`tensor ∘ number and number ∘ tensor ${fmt(shape)}`, async () => {
      const r = new Generator(shape[0] + 11);
      const x = randomInput(r, shape, { awayFromZero: 0.5 });
      await expectGradcheck((a) => a.add(1.5), [x]);
      await expectGradcheck((a) => a.add(1.5, 3), [x]);
      await expectGradcheck((a) => add(2, a, 0.5), [x]);
      await expectGradcheck((a) => a.sub(0.25, 2), [x]);
      await expectGradcheck((a) => sub(2, a), [x]);
      await expectGradcheck((a) => a.mul(-3), [x]);
      await expectGradcheck((a) => mul(0.5, a), [x]);
      await expectGradcheck((a) => a.div(4), [x]);
      await expectGradcheck((a) => div(2, a), [x]);
    });
  }
});

describe('gradcheck: pow', () => {
  for (const shape of shapes(2)) {
    it(`scalar exponents ${fmt(shape)}`, async () => {
      const r = new Generator(shape[1] + 17);
      const positive = randomInput(r, shape, { low: 0.5, high: 2 });
      const any = randomInput(r, shape, { awayFromZero: 0.3 });
      for (const e of [2, 3, 1, 0]) await expectGradcheck((a) => a.pow(e), [any]);
      for (const e of [0.5, -1.5, 2.7]) await expectGradcheck((a) => a.pow(e), [positive]);
    });

    it(`tensor exponent ${fmt(shape)}`, async () => {
      const r = new Generator(shape[0] + 19);
      const base = randomInput(r, shape, { low: 0.5, high: 2 });
      const exponent = randomInput(r, shape, { low: -2, high: 2 });
      await expectGradcheck((a, e) => a.pow(e), [base, exponent]);
    });
  }

  it('tensor exponent, broadcasting', async () => {
    const r = new Generator(23);
    await expectGradcheck((a, e) => a.pow(e), [randomInput(r, [3, 1, 5], { low: 0.5, high: 2 }), randomInput(r, [4, 5])]);
  });

  it('number base with a tensor exponent', async () => {
    await expectGradcheck((e) => pow(2, e), [randomInput(new Generator(29), [7, 3])]);
  });
});

describe('gradcheck: unary', () => {
  const unaries: [string, (x: Tensor) => Tensor, { low?: number; high?: number; awayFromZero?: number }][] = [
    ['neg', (x) => x.neg(), {}],
    ['exp', (x) => x.exp(), { low: -2, high: 2 }],
    ['log', (x) => x.log(), { low: 0.2, high: 3 }],
    ['sqrt', (x) => x.sqrt(), { low: 0.2, high: 3 }],
    // Away from relu's kink at 0.
    ['relu', (x) => x.relu(), { awayFromZero: 0.01 }],
  ];
  for (const [name, op, range] of unaries) {
    for (const shape of [...shapes(1, 1), ...shapes(2, 1), ...shapes(3, 1), [33]]) {
      it(`${name} ${fmt(shape)}`, async () => {
        await expectGradcheck(op, [randomInput(new Generator(shape.length + 37), shape, range)]);
      });
    }
  }
});

describe('gradcheck: maximum and where', () => {
  for (const shape of shapes(2)) {
    it(`maximum without ties ${fmt(shape)}`, async () => {
      const r = new Generator(shape[0] * 3 + 41);
      // Interleaved distinct values, so that each side wins somewhere.
      const both = distinctInput(r, [2, ...shape]);
      await expectGradcheck((ab) => maximum(ab.narrow(0, 0, 1).squeeze(0), ab.narrow(0, 1, 1).squeeze(0)), [both]);
    });

    it(`where ${fmt(shape)}`, async () => {
      const r = new Generator(shape[1] * 5 + 43);
      const cond = randomInput(r, shape, { requiresGrad: false });
      await expectGradcheck((c, a, b) => where(c.gt(0), a, b), [cond, randomInput(r, shape), randomInput(r, shape)]);
      await expectGradcheck((c, a) => where(c.gt(0), a, 0.5), [cond, randomInput(r, shape)]);
      await expectGradcheck((c, b) => where(c.gt(0), -2, b), [cond, randomInput(r, shape)]);
    });
  }

  it('maximum, broadcasting', async () => {
    const r = new Generator(47);
    const a = distinctInput(r, [4, 1]);
    const b = randomInput(r, [5], { low: 0.01, high: 0.04 });
    await expectGradcheck((x, y) => maximum(x, y), [a, b]);
  });

  it('where, broadcasting cond and operands', async () => {
    const r = new Generator(53);
    const cond = randomInput(r, [3, 1], { requiresGrad: false });
    await expectGradcheck((c, a, b) => where(c.lt(0), a, b), [cond, randomInput(r, [1, 5]), randomInput(r, [5])]);
  });
});
