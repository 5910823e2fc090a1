import { describe, it } from 'vitest';
import { Generator, bmm, dot, einsum, matmul, mm, type Tensor } from '@mini/tensor';
import { expectGradcheck, fmt, randomInput } from './helpers.ts';

// gradcheck (float64 central differences, eps 1e-6, atol 1e-5, rtol 1e-3), every input requiring grad.
const CASES: [string, number[][], (...xs: Tensor[]) => Tensor][] = [
  ['mm', [[3, 5], [5, 2]], (a, b) => mm(a, b)],
  ['bmm', [[2, 3, 4], [2, 4, 5]], (a, b) => bmm(a, b)],
  ['bmm of transposed matrices', [[2, 4, 3], [2, 5, 4]], (a, b) => bmm(a.transpose(1, 2), b.transpose(1, 2))],
  ['bmm with a broadcast batch (expand)', [[2, 3, 4], [4, 5]], (a, b) => a.bmm(b.expand(2, 4, 5))],
  ['dot', [[7], [7]], (a, b) => dot(a, b)],
  ['matmul 1-D · 1-D', [[5], [5]], (a, b) => matmul(a, b)],
  ['matmul 1-D · 2-D', [[5], [5, 3]], (a, b) => matmul(a, b)],
  ['matmul 2-D · 1-D', [[3, 5], [5]], (a, b) => matmul(a, b)],
  ['matmul N-D · 2-D (folded)', [[2, 3, 4], [4, 5]], (a, b) => matmul(a, b)],
  ['matmul N-D · 1-D', [[2, 3, 4], [4]], (a, b) => matmul(a, b)],
  ['matmul 1-D · N-D', [[4], [2, 4, 3]], (a, b) => matmul(a, b)],
  ['matmul 2-D · N-D', [[3, 4], [2, 4, 5]], (a, b) => matmul(a, b)],
  ['matmul broadcast batches', [[2, 1, 3, 4], [3, 4, 2]], (a, b) => matmul(a, b)],
  ['matmul of a permuted batch', [[3, 2, 4], [2, 4, 3]], (a, b) => a.permute(1, 0, 2).matmul(b)],
  ['einsum matrix product', [[3, 4], [4, 5]], (a, b) => einsum('ij,jk->ik', a, b)],
  ['einsum batch matmul', [[2, 3, 4], [2, 4, 5]], (a, b) => einsum('bij,bjk->bik', a, b)],
  ['einsum transpose', [[3, 4]], (a) => einsum('ij->ji', a)],
  ['einsum trace', [[4, 4]], (a) => einsum('ii', a)],
  ['einsum diagonal', [[4, 4]], (a) => einsum('ii->i', a)],
  ['einsum outer product', [[3], [4]], (a, b) => einsum('i,j->ij', a, b)],
  ['einsum sum over an axis', [[3, 4]], (a) => einsum('ij->j', a)],
  ['einsum sum of everything', [[3, 4]], (a) => einsum('ij->', a)],
  ['einsum implicit output', [[3, 4], [4, 5]], (a, b) => einsum('ij,jk', a, b)],
  ['einsum bilinear form with three operands', [[3], [3, 4], [4]], (a, m, b) => einsum('i,ij,j->', a, m, b)],
  ['einsum batch of attention-like scores', [[2, 3, 4], [2, 5, 4]], (q, k) => einsum('bqd,bkd->bqk', q, k)],
  ['einsum with a broadcast size-1 dim', [[1, 4], [3, 4]], (a, b) => einsum('ij,ij->ij', a, b)],
  ['einsum ellipsis batches, broadcast', [[2, 1, 3, 4], [3, 4, 2]], (a, b) => einsum('...ij,...jk->...ik', a, b)],
  ['einsum ellipsis summed away', [[2, 3, 4]], (a) => einsum('...ij->j', a)],
  ['einsum ellipsis in the middle', [[2, 3, 4], [3, 5]], (a, b) => einsum('a...b,...c->...abc', a, b)],
];

describe('gradcheck: the matmul family and einsum', () => {
  CASES.forEach(([name, shapes, op], i) => {
    it(`${name} ${shapes.map(fmt).join(' ')}`, async () => {
      const g = new Generator(i + 501);
      await expectGradcheck(op, shapes.map((s) => randomInput(g, s)));
    });
  });
});
