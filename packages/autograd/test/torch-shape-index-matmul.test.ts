import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  bmm,
  cat,
  chunk,
  diagonal,
  dot,
  einsum,
  flip,
  fromArray,
  gather,
  indexSelect,
  maskedFill,
  maskedSelect,
  matmul,
  mm,
  repeat,
  scatter,
  scatterAdd,
  select,
  slice,
  split,
  stack,
  tril,
  triu,
  type Device,
  type DType,
  type Tensor,
} from '@mini/tensor';
import { webgpu } from '../../tensor/test/helpers.ts';
import { relativeError } from './helpers.ts';

/**
 * PyTorch's outputs and gradients of sum(output · cos(0, 1, ...)) for the shape, indexing and
 * matmul ops, written by scripts/fixtures/shape_index_matmul.py (float64). Relative error of a
 * tensor: max|ours − torch| / max|torch|. Tolerances: 1e-12 on cpu in float64 (the same sums in
 * other orders), 1e-5 on webgpu in float32.
 */
interface Flat {
  shape: number[];
  data: number[];
}
interface Case {
  inputs: Flat[];
  args: Record<string, Flat & { dtype: DType }>;
  output: Flat;
  grads: Flat[];
}
const fixture: { cases: Record<string, Case> } = JSON.parse(readFileSync(new URL('./fixtures/shape_index_matmul.json', import.meta.url), 'utf8'));

type Args = Record<string, Tensor>;
const scaled = (parts: Tensor[], dim: number) => cat(parts.map((p, i) => p.mul(i + 1)), dim);

/** Each case of the fixture, as mini writes it (the Python script has PyTorch's form). */
const OPS: Record<string, (a: Args, ...xs: Tensor[]) => Tensor | Promise<Tensor>> = {
  gather: (a, x) => gather(x, 1, a.index),
  scatter: (a, x, s) => scatter(x, 0, a.index, s),
  scatter_value: (a, x) => x.scatter(0, a.index, 0.5),
  scatter_add: (a, x, s) => scatterAdd(x, 0, a.index, s),
  index_select: (a, x) => indexSelect(x, 0, a.index),
  cat: (_, x, y, z) => cat([x, y, z], 0),
  cat_dim1: (_, x, y) => cat([x, y], 1),
  stack: (_, x, y) => stack([x, y], 2),
  split: (_, x) => scaled(split(x, 3), 0),
  chunk: (_, x) => scaled(chunk(x, 3, 1), 1),
  repeat: (_, x) => repeat(x, [2, 1, 3]),
  flip: (_, x) => flip(x, [0, 1]),
  tril: (_, x) => tril(x, -1),
  triu: (_, x) => triu(x, 1),
  masked_fill: (a, x) => maskedFill(x, a.mask, -1.5),
  masked_select: (a, x) => maskedSelect(x, a.mask),
  select: (_, x) => select(x, 1, -1),
  slice: (_, x) => slice(x, 1, 1, 8, 3),
  diagonal: (_, x) => diagonal(x, 1),
  mm: (_, x, y) => mm(x, y),
  bmm: (_, x, y) => bmm(x, y),
  dot: (_, x, y) => dot(x, y),
  matmul_vector_matrix: (_, x, y) => matmul(x, y),
  matmul_matrix_vector: (_, x, y) => matmul(x, y),
  matmul_batch_matrix: (_, x, y) => matmul(x, y),
  matmul_broadcast: (_, x, y) => matmul(x, y),
  matmul_vector_batch: (_, x, y) => matmul(x, y),
  einsum_mm: (_, x, y) => einsum('ij,jk->ik', x, y),
  einsum_bmm: (_, x, y) => einsum('bij,bjk->bik', x, y),
  einsum_transpose: (_, x) => einsum('ij->ji', x),
  einsum_trace: (_, x) => einsum('ii', x),
  einsum_diagonal: (_, x) => einsum('ii->i', x),
  einsum_outer: (_, x, y) => einsum('i,j->ij', x, y),
  einsum_sum_axis: (_, x) => einsum('ij->j', x),
  einsum_implicit: (_, x, y) => einsum('ij,jk', x, y),
  einsum_bilinear: (_, x, m, y) => einsum('i,ij,j->', x, m, y),
  einsum_scores: (_, q, k) => einsum('bqd,bkd->bqk', q, k),
  einsum_ellipsis_bmm: (_, x, y) => einsum('...ij,...jk->...ik', x, y),
  einsum_ellipsis_summed: (_, x) => einsum('...ij->ij', x),
  einsum_ellipsis_implicit: (_, x, y) => einsum('...,ba', x, y),
  einsum_ellipsis_middle: (_, x, y) => einsum('a...b,...c->...abc', x, y),
  einsum_ellipsis_diagonal: (_, x) => einsum('...ii->...i', x),
  einsum_ellipsis_attention: (_, q, k) => einsum('...qd,...kd->...qk', q, k),
};

let gpu: Device;
beforeAll(async () => {
  gpu = await webgpu();
});

async function expectMatches(actual: Tensor, expected: Flat, tolerance: number): Promise<void> {
  expect(actual.shape).toEqual(expected.shape);
  expect(relativeError(await actual.toArray(), expected.data)).toBeLessThanOrEqual(tolerance);
}

describe('shape, indexing and matmul ops against PyTorch 1.13 (outputs and gradients)', () => {
  it('covers every case of the fixture', () => {
    expect(Object.keys(OPS).sort()).toEqual(Object.keys(fixture.cases).sort());
  });

  for (const [name, c] of Object.entries(fixture.cases)) {
    for (const [deviceName, dtype, tolerance] of [['cpu', 'float64', 1e-12], ['webgpu', 'float32', 1e-5]] as const) {
      it(`${name} on ${deviceName} in ${dtype}`, async () => {
        const device = deviceName === 'cpu' ? 'cpu' : gpu;
        const inputs = c.inputs.map((x) => fromArray(x.data, x.shape, { dtype, device, requiresGrad: true }));
        const args = Object.fromEntries(Object.entries(c.args).map(([k, t]) => [k, fromArray(t.data, t.shape, { dtype: t.dtype, device })]));
        const out = await OPS[name](args, ...inputs);
        await expectMatches(out, c.output, tolerance);
        const n = c.output.data.length;
        const weights = fromArray(Array.from({ length: n }, (_, i) => Math.cos(i)), c.output.shape, { dtype, device });
        out.mul(weights).sum().backward();
        for (const [i, x] of inputs.entries()) await expectMatches(x.grad!, c.grads[i], tolerance);
      });
    }
  }
});
