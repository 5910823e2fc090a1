import { describe, it } from 'vitest';
import { Generator, indexSelect, linear, matmul, type Tensor } from '@mini/tensor';
import { noGrad } from '@mini/autograd';
import { expectGradcheck, randomIndex, randomInput } from './helpers.ts';

// gradcheck (float64 central differences, eps 1e-6, atol 1e-5, rtol 1e-3) on random inputs.
const MKN: [number, number, number][] = [
  [1, 1, 1],
  [7, 3, 5],
  [2, 33, 3],
  [5, 1, 7],
];

describe('gradcheck: matmul', () => {
  for (const [M, K, N] of MKN) {
    it(`${M}x${K} · ${K}x${N}`, async () => {
      const r = new Generator(M * 100 + K * 10 + N);
      await expectGradcheck(matmul, [randomInput(r, [M, K]), randomInput(r, [K, N])]);
    });

    it(`${M}x${K} · ${K}x${N} from transposed views`, async () => {
      const r = new Generator(M + K + N);
      await expectGradcheck((a, b) => matmul(a.t(), b.t()), [randomInput(r, [K, M]), randomInput(r, [N, K])]);
      await expectGradcheck((a, b) => matmul(a.t(), b), [randomInput(r, [K, M]), randomInput(r, [K, N])]);
    });
  }

  it('one operand without grad, and a narrowed (offset, strided) operand', async () => {
    const r = new Generator(73);
    await expectGradcheck(matmul, [randomInput(r, [3, 4]), randomInput(r, [4, 5], { requiresGrad: false })]);
    await expectGradcheck(matmul, [randomInput(r, [3, 4], { requiresGrad: false }), randomInput(r, [4, 5])]);
    await expectGradcheck((a, b) => matmul(a.narrow(1, 2, 4), b), [randomInput(r, [3, 7]), randomInput(r, [4, 5])]);
  });

  it('x · x (the same tensor on both sides)', async () => {
    await expectGradcheck((x) => matmul(x, x), [randomInput(new Generator(79), [5, 5])]);
  });
});

/** Random x [M, K] and weight [N, K] whose products all sit at least 0.01 from relu's kink at 0. */
function awayFromKink(r: Generator, M: number, K: number, N: number): [Tensor, Tensor] {
  for (;;) {
    const x = randomInput(r, [M, K]);
    const w = randomInput(r, [N, K]);
    if (noGrad(() => matmul(x, w.t())).storage.array.every((z) => Math.abs(z) >= 0.01)) return [x, w];
  }
}

describe('gradcheck: linear', () => {
  for (const [M, K, N] of MKN) {
    it(`x ${M}x${K}, weight ${N}x${K}, with and without bias`, async () => {
      const r = new Generator(M * 7 + K * 3 + N);
      const x = randomInput(r, [M, K]);
      const w = randomInput(r, [N, K]);
      const b = randomInput(r, [N]);
      await expectGradcheck((x, w, b) => linear(x, w, b), [x, w, b]);
      await expectGradcheck((x, w) => linear(x, w), [x, w]);
    });

    it(`x ${M}x${K}, weight ${N}x${K}, with relu, with and without bias`, async () => {
      const [x, w] = awayFromKink(new Generator(M * 5 + K * 11 + N), M, K, N);
      await expectGradcheck((x, w) => linear(x, w, null, true), [x, w]);
      // A bias in [2, 3) keeps every pre-activation positive here.
      await expectGradcheck((x, w, b) => linear(x, w, b, true), [x, w, randomInput(new Generator(N), [N], { low: 2, high: 3 })]);
    });
  }

  it('a transposed input and weight', async () => {
    const r = new Generator(83);
    await expectGradcheck((x, w, b) => linear(x.t(), w.t(), b, true), [randomInput(r, [7, 3]), randomInput(r, [7, 5]), randomInput(r, [5], { low: 2, high: 3 })]);
  });
});

describe('gradcheck: indexSelect', () => {
  for (const shape of [
    [7],
    [5, 3],
    [3, 33, 2],
  ]) {
    for (let d = 0; d < shape.length; d++) {
      it(`dim ${d} of [${shape}], with repeated indices`, async () => {
        const r = new Generator(shape.length * 13 + d);
        const index = randomIndex(r, shape[d] + 2, 0, shape[d]);
        await expectGradcheck((x, i) => indexSelect(x, d, i), [randomInput(r, shape), index]);
      });
    }
  }
});
