import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bmm, dot, einsum, matmul, mm, type Device, type Tensor } from '@mini/tensor';
import { MATMUL_KERNELS, matmulPlan, setMatmulKernel } from '../src/ops/matmul.ts';
import { variants, variantName } from './matmul-variants.ts';
import { viewOf } from '../src/ops/views.ts';
import { expectTensorsClose, pair, webgpu } from './helpers.ts';

let gpu: Device;
beforeAll(async () => {
  gpu = await webgpu();
});

// Float32 sums of up to 257 products of numbers in [-1, 1], against a float64 reference.
const RTOL = 1e-4;
const ATOL = 1e-4;

/** [B, M, K, N]: odd sizes (1, 7, 33, 257) and multiples of 4 (the vec4 kernels of the subgroup family). */
const BATCHES: [number, number, number, number][] = [
  [1, 1, 1, 1],
  [7, 33, 7, 1],
  [3, 7, 257, 33],
  [33, 1, 7, 7],
  [5, 36, 20, 44],
  [2, 257, 64, 68],
  [2, 257, 65, 67],
];

/** A [B, rows, cols] operand stored contiguously, or each matrix transposed ([B, cols, rows] viewed). */
function batchOperand(B: number, rows: number, cols: number, transposed: boolean, seed: number): [Tensor, Tensor] {
  if (!transposed) return pair([B, rows, cols], seed, gpu);
  const [c, g] = pair([B, cols, rows], seed, gpu);
  return [c.transpose(1, 2), g.transpose(1, 2)];
}

for (const kernel of MATMUL_KERNELS) {
  describe(`batched products on the '${kernel}' kernels match the cpu (rtol ${RTOL}, atol ${ATOL})`, () => {
    beforeAll(() => setMatmulKernel(kernel));
    afterAll(() => setMatmulKernel(null));

    const ran = new Set<string>();
    for (const [B, M, K, N] of BATCHES) {
      for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]]) {
        it(`bmm [${B}, ${M}, ${K}] · [${B}, ${K}, ${N}]${ta ? ', a transposed' : ''}${tb ? ', b transposed' : ''}: one dispatch`, async () => {
          const [ac, ag] = batchOperand(B, M, K, ta, B * 3 + M);
          const [bc, bg] = batchOperand(B, K, N, tb, N * 5 + K);
          ran.add(variantName(ag, bg));
          const before = gpu.gpu.dispatchCount;
          const out = bmm(ag, bg);
          expect(gpu.gpu.dispatchCount - before).toBe(1);
          await expectTensorsClose(out, bmm(ac, bc), RTOL, ATOL);
        });
      }
    }

    it('ran every specialization of the family above', () => {
      expect([...ran].sort()).toEqual(variants(kernel, gpu.gpu).sort());
    });

    it('reads a batch through a permuted (non-contiguous) batch dim and a broadcast one (stride 0)', async () => {
      const [ac, ag] = pair([7, 5, 33], 1, gpu);
      const [bc, bg] = pair([33, 9], 2, gpu);
      const f = (a: Tensor, b: Tensor) => bmm(a.permute(1, 0, 2), b.expand(5, 33, 9));
      await expectTensorsClose(f(ag, bg), f(ac, bc), RTOL, ATOL);
    });

    it('keeps vec4 loads off a batch whose stride is not a multiple of 4', async () => {
      const [fc, fg] = pair([5 * 97], 3, gpu);
      const [bc, bg] = pair([5, 12, 8], 4, gpu);
      const a = (flat: Tensor) => viewOf(flat, [5, 8, 12], [97, 12, 1]);
      if (kernel === 'subgroup') expect(matmulPlan(a(fg), bg).family).not.toMatch(/vec4/);
      await expectTensorsClose(bmm(a(fg), bg), bmm(a(fc), bc), RTOL, ATOL);
    });
  });
}

describe('matmul follows torch.matmul for 1-D, 2-D and N-D operands', () => {
  const CASES: [number[], number[], number[]][] = [
    [[7], [7], []],
    [[33], [33, 7], [7]],
    [[7, 33], [33], [7]],
    [[7, 33], [33, 257], [7, 257]],
    [[3, 7, 33], [33, 5], [3, 7, 5]],
    [[2, 3, 7, 33], [33], [2, 3, 7]],
    [[33], [3, 33, 5], [3, 5]],
    [[7, 33], [3, 33, 5], [3, 7, 5]],
    [[2, 1, 7, 33], [3, 33, 5], [2, 3, 7, 5]],
    [[1, 7, 1], [5, 1, 4], [5, 7, 4]],
  ];
  for (const [sa, sb, expected] of CASES) {
    it(`[${sa}] · [${sb}] -> [${expected}]`, async () => {
      const [ac, ag] = pair(sa, sa.length * 7 + 1, gpu);
      const [bc, bg] = pair(sb, sb.length * 11 + 2, gpu);
      const out = matmul(ag, bg);
      expect(out.shape).toEqual(expected);
      await expectTensorsClose(out, matmul(ac, bc), RTOL, ATOL);
    });
  }

  it('a 2-D product keeps its kernel and its single dispatch', () => {
    const [, a] = pair([256, 784], 5, gpu);
    const [, b] = pair([784, 200], 6, gpu);
    const plan = matmulPlan(a, b);
    expect(plan.workgroups[2]).toBe(1);
    const before = gpu.gpu.dispatchCount;
    matmul(a, b);
    mm(a, b);
    expect(gpu.gpu.dispatchCount - before).toBe(2);
  });

  it('dot and einsum on webgpu match the cpu', async () => {
    const [ac, ag] = pair([257], 7, gpu);
    const [bc, bg] = pair([257], 8, gpu);
    await expectTensorsClose(dot(ag, bg), dot(ac, bc), RTOL, ATOL);
    const [xc, xg] = pair([3, 7, 33], 9, gpu);
    const [yc, yg] = pair([3, 33, 5], 10, gpu);
    await expectTensorsClose(einsum('bij,bjk->bik', xg, yg), bmm(xc, yc), RTOL, ATOL);
    await expectTensorsClose(einsum('bij,bjk->kb', xg, yg), einsum('bij,bjk->kb', xc, yc), RTOL, ATOL);
  });

  it("raises PyTorch's errors", () => {
    const [, a] = pair([2, 3], 1, gpu);
    const [, b] = pair([4, 5], 2, gpu);
    const [, v] = pair([4], 3, gpu);
    const [, batch] = pair([2, 4, 5], 4, gpu);
    expect(() => matmul(a, b)).toThrow('mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)');
    expect(() => matmul(a, v)).toThrow('size mismatch, got input (2), mat (2x3), vec (4)');
    expect(() => matmul(v, a)).toThrow('mat1 and mat2 shapes cannot be multiplied (1x4 and 2x3)');
    expect(() => matmul(a.reshape(1, 2, 3), batch)).toThrow('Expected size for first two dimensions of batch2 tensor to be: [2, 3] but got: [2, 4].');
    expect(() => matmul(a.sum(), a)).toThrow('both arguments to matmul need to be at least 1D, but they are 0D and 2D');
    expect(() => mm(a, batch)).toThrow('mm: mat2 must be a matrix, found 3-D');
    expect(() => bmm(a, batch)).toThrow('batch1 must be a 3D tensor');
    expect(() => bmm(batch, batch)).toThrow('Expected size for first two dimensions of batch2 tensor to be: [2, 5] but got: [2, 4].');
    expect(() => dot(v, a)).toThrow('1D tensors expected, but got 1D and 2D tensors');
    expect(() => dot(v, a.reshape(6))).toThrow('inconsistent tensor size, expected tensor [4] and src [6] to have the same number of elements, but got 4 and 6 elements respectively');
    expect(() => matmul(a, a.int())).toThrow('matmul: expected mat2 of dtype float32, found int32');
  });
});

describe('einsum errors', () => {
  it('names what is wrong with the equation', () => {
    const [x] = pair([2, 3], 1, gpu);
    const [y] = pair([3, 4], 2, gpu);
    expect(() => einsum('...i,...i', x, pair([4, 3], 3, gpu)[0])).toThrow(
      'einsum(): dimension 0 covered by ellipsis in operand 1 has size 4 which does not broadcast with previously seen ellipsis with size 2 for the respective dimension',
    );
    expect(() => einsum('...ijk', x)).toThrow('einsum(): the number of subscripts in the equation (3) is more than the number of dimensions (2) for operand 0');
    expect(() => einsum('i..j', x)).toThrow("einsum(): found '.' for operand 0 that is not part of any ellipsis");
    expect(() => einsum('...i...', x)).toThrow("einsum(): found '.' for operand 0 for which an ellipsis was already found");
    expect(() => einsum('ij->i.j', x)).toThrow("einsum(): found '.' for output that is not part of any ellipsis (...)");
    expect(() => einsum('...ij->......', x)).toThrow("einsum(): found '.' for output but an ellipsis (...) was already found");
    expect(() => einsum('ij,jk->ik', x)).toThrow('einsum(): fewer operands were provided than specified in the equation');
    expect(() => einsum('ij->ik', x)).toThrow('einsum(): output subscript k does not appear in the equation for any input operand');
    expect(() => einsum('ijk->ij', x)).toThrow('einsum(): the number of subscripts in the equation (3) does not match the number of dimensions (2) for operand 0');
    expect(() => einsum('ij,ik->jk', x, y)).toThrow('subscript i has size 3 for operand 1, 2 elsewhere');
    expect(() => einsum('ii->i', x)).toThrow("einsum(): subscript i is repeated for operand 0 but the sizes don't match, 2 != 3");
    expect(() => einsum('i1->i', x)).toThrow('einsum(): invalid subscript given at index 1 in the equation string, subscripts must be in [a-zA-Z]');
    expect(() => einsum('ij->ii', x)).toThrow('einsum(): output subscript i appears more than once in the output');
  });
});
