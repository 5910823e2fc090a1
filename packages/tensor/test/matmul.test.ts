import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matmul, linear, narrow, type Device, type Tensor } from '@mini/tensor';
import { MATMUL_KERNELS, matmulKernel, setMatmulKernel } from '../src/ops/matmul.ts';
import { variants, variantName } from './matmul-variants.ts';
import { expectTensorsClose, pair, webgpu } from './helpers.ts';

let gpu: Device;
beforeAll(async () => {
  gpu = await webgpu();
});

// [M, K, N]: sizes that are not multiples of any tile (1, 7, 33, 257), a K of 784, ThreeNet's own.
// On the subgroup family, products of more than 256·64·64 multiply-adds with multiples of 4 take
// the vec4 kernels (edges inside their tiles), other large ones the scalar subgroup kernel, and
// small ones the columns kernel.
const SHAPES: [number, number, number][] = [
  [257, 65, 67],
  [260, 68, 76],
  [1, 1, 1],
  [7, 33, 5],
  [33, 7, 257],
  [65, 64, 63],
  [257, 31, 70],
  [10, 784, 33],
  [1, 8, 4],
  [33, 12, 20],
  [36, 20, 44],
  [256, 784, 200],
];

/** The same [rows, cols] operand on cpu and webgpu, stored contiguously or as the transpose of a [cols, rows] tensor. */
function operand(rows: number, cols: number, transposed: boolean, seed: number): [Tensor, Tensor] {
  if (!transposed) return pair([rows, cols], seed, gpu);
  const [c, g] = pair([cols, rows], seed, gpu);
  return [c.t(), g.t()];
}

const LAYOUTS = [
  { name: 'a·b', ta: false, tb: false },
  { name: 'aᵀ·b', ta: true, tb: false },
  { name: 'a·bᵀ', ta: false, tb: true },
  { name: 'aᵀ·bᵀ', ta: true, tb: true },
];

// Float32 sums of up to 784 products of numbers in [-1, 1], against a float64 reference.
const RTOL = 1e-4;
const ATOL = 1e-4;

for (const kernel of MATMUL_KERNELS) {
  describe(`matmul kernel '${kernel}' matches the cpu reference (rtol ${RTOL}, atol ${ATOL})`, () => {
    beforeAll(() => setMatmulKernel(kernel));
    afterAll(() => setMatmulKernel(null));

    it('is the kernel in use', () => {
      expect(matmulKernel(gpu.gpu)).toBe(kernel);
    });

    const ran = new Set<string>();
    for (const [M, K, N] of SHAPES) {
      for (const { name, ta, tb } of LAYOUTS) {
        it(`${name}: ${M}x${K} · ${K}x${N}`, async () => {
          const [ac, ag] = operand(M, K, ta, M * 7 + K);
          const [bc, bg] = operand(K, N, tb, N * 13 + K);
          if (ta && M > 1 && K > 1) expect(ag.isContiguous()).toBe(false);
          ran.add(variantName(ag, bg));
          await expectTensorsClose(matmul(ag, bg), matmul(ac, bc), RTOL, ATOL);
        });
      }
    }

    it('ran every specialization of the family above', () => {
      expect([...ran].sort()).toEqual(variants(kernel, gpu.gpu).sort());
    });

    it('reads operands at an offset and with strides other than 1 (narrowed views)', async () => {
      const [ac, ag] = pair([40, 30], 11, gpu);
      const [bc, bg] = pair([50, 21], 12, gpu);
      const a = (t: Tensor) => narrow(narrow(t, 0, 3, 33), 1, 5, 20);
      const b = (t: Tensor) => narrow(narrow(t, 0, 7, 20), 1, 2, 17);
      await expectTensorsClose(matmul(a(ag), b(bg)), matmul(a(ac), b(bc)), RTOL, ATOL);
      await expectTensorsClose(matmul(b(bg).t(), a(ag).t()), matmul(b(bc).t(), a(ac).t()), RTOL, ATOL);
    });

    // x and the weight stored as given or as transposes: every kernel's epilogue (a Linear's
    // weight is read transposed, so 'weight stored transposed' gives b along n).
    for (const [M, K, N] of [[37, 50, 19], [256, 784, 200], [9, 1, 70]] as const) {
      for (const { name, ta, tb } of LAYOUTS) {
        it(`fuses bias and ReLU in linear (${M}x${K}, weight ${N}x${K}, x·weight as ${name})`, async () => {
          const [xc, xg] = operand(M, K, ta, 3);
          const [wc, wg] = operand(N, K, tb, 4);
          const [bc, bg] = pair([N], 5, gpu);
          await expectTensorsClose(linear(xg, wg, bg, true), linear(xc, wc, bc, true), RTOL, ATOL);
          await expectTensorsClose(linear(xg, wg, bg), matmul(xc, wc.t()).add(bc), RTOL, ATOL);
          await expectTensorsClose(linear(xg, wg, null, true), matmul(xc, wc.t()).relu(), RTOL, ATOL);
        });
      }
    }

    it('gives bias (then ReLU) when K is 0', async () => {
      const [xc, xg] = pair([5, 0], 6, gpu);
      const [wc, wg] = pair([9, 0], 7, gpu);
      const [bc, bg] = pair([9], 8, gpu);
      await expectTensorsClose(linear(xg, wg, bg, true), linear(xc, wc, bc, true), RTOL, ATOL);
      await expectTensorsClose(matmul(xg, wg.t()), matmul(xc, wc.t()), RTOL, ATOL);
    });
  });
}

describe('linear backward (one pass for ReLU mask and bias gradient, then the products) matches the cpu', () => {
  // How the output gradient lies: a transposed view (read through its strides), contiguous, or
  // contiguous after an offset.
  const layouts = {
    transposed: (g: Tensor, M: number, N: number) => narrow(g, 0, 0, M * N).reshape([N, M]).t(),
    contiguous: (g: Tensor, M: number, N: number) => narrow(g, 0, 0, M * N).reshape([M, N]),
    offset: (g: Tensor, M: number, N: number) => narrow(g, 0, 4, M * N).reshape([M, N]),
  };
  for (const relu of [true, false]) {
    for (const withBias of [true, false]) {
      for (const [M, K, N] of [[37, 50, 19], [256, 784, 200], [1, 7, 33], [8, 12, 60], [36, 5, 4], [12, 3, 10]] as const) {
        for (const [layout, view] of Object.entries(layouts)) {
          it(`relu ${relu}, bias ${withBias}: x ${M}x${K}, weight ${N}x${K}, output gradient ${layout}`, async () => {
            const [xc, xg] = pair([M, K], 21, gpu);
            const [wc, wg] = pair([N, K], 22, gpu);
            const [bc, bg] = pair([N], 23, gpu);
            const [gc, gg] = pair([M * N + 4], 24, gpu);
            const grads = (x: Tensor, w: Tensor, b: Tensor, g: Tensor) => {
              for (const t of [x, w, b]) t.requiresGrad_();
              const y = linear(x, w, withBias ? b : null, relu);
              return y.gradFn!.apply(view(g, M, N));
            };
            const got = grads(xg, wg, bg, gg);
            const want = grads(xc, wc, bc, gc);
            expect(got.map((t) => t === null)).toEqual(want.map((t) => t === null));
            for (let i = 0; i < want.length; i++) {
              if (want[i]) await expectTensorsClose(got[i]!, want[i]!, RTOL, ATOL);
            }
          });
        }
      }
    }
  }

});

describe('matmul errors', () => {
  it("raises PyTorch's error for shapes that cannot be multiplied", () => {
    const [a] = pair([256, 784], 1, gpu);
    const [b] = pair([200, 60], 2, gpu);
    expect(() => matmul(a, b)).toThrow('mat1 and mat2 shapes cannot be multiplied (256x784 and 200x60)');
  });

  it('rejects an unknown kernel name', () => {
    expect(() => setMatmulKernel('fast' as never)).toThrow("unknown matmul kernel 'fast'; expected one of subgroup, columns, tiled, tiled-vec4");
  });
});
