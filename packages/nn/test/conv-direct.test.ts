import { beforeAll, describe, expect, it } from 'vitest';
import { autograd, init, type Device, type Tensor } from '@mini/tensor';
import { F } from '@mini/nn';
import { both, expectSame } from './layer-fixtures.ts';

// The direct convolution kernels on webgpu (packages/tensor/src/ops/conv-direct.ts) against the
// CPU reference (im2col + matmul, gradchecked in conv.test.ts): the forward (tiles of columns and
// blocks of output channels with their tails), the stride-1 input gradient (the flipped weight),
// the strided input gradient (col2im), and the weight and bias gradients of one pass (its splits;
// im2col + matmul for kernel rows too wide for it).

let gpu: Device;
beforeAll(async () => {
  gpu = await init('webgpu');
});

interface Case {
  x: number[];
  w: number[];
  options: object;
  bias?: boolean;
}

const CASES: Case[] = [
  { x: [1, 1, 1, 1], w: [1, 1, 1, 1], options: {} },
  { x: [3, 1, 7, 7], w: [3, 1, 3, 3], options: { padding: 1 } },
  { x: [1, 3, 13, 13], w: [7, 3, 5, 5], options: { padding: 2 } },
  { x: [3, 7, 33, 9], w: [5, 7, 3, 3], options: { padding: 1, stride: 2 } },
  { x: [3, 7, 33, 9], w: [5, 7, 3, 3], options: { padding: 1, stride: [1, 2] } },
  { x: [2, 6, 17, 19], w: [9, 2, 5, 3], options: { groups: 3, dilation: [1, 2], padding: [2, 0] } },
  { x: [1, 3, 257, 3], w: [2, 3, 7, 1], options: { stride: 3 } },
  { x: [1, 3, 33, 33], w: [33, 3, 1, 1], options: {}, bias: false },
  { x: [3, 3, 13, 7], w: [2, 3, 3, 5], options: { dilation: 2, padding: [1, 2] } },
  { x: [1, 4, 7, 13], w: [6, 2, 3, 3], options: { groups: 2, padding: 1 } },
  { x: [3, 6, 13, 13], w: [6, 3, 5, 5], options: { groups: 2, stride: 2, dilation: [2, 1] } },
  { x: [1, 7, 1, 33], w: [3, 7, 1, 7], options: { padding: [0, 3] } },
  { x: [3, 1, 33, 7], w: [20, 1, 5, 1], options: { stride: [1, 2], padding: [2, 0] } },
  // One block of weights over 99 rows: the weight gradient splits its rows, then sums the splits.
  { x: [3, 1, 33, 5], w: [2, 1, 1, 3], options: { padding: [0, 1] } },
  // A kernel row wider than the weight gradient's accumulators: that gradient by im2col + matmul.
  { x: [1, 2, 3, 60], w: [3, 2, 1, 50], options: { padding: [1, 0] } },
  // LeNet's layers at a small batch.
  { x: [3, 1, 28, 28], w: [6, 1, 5, 5], options: { padding: 2 } },
  { x: [3, 6, 14, 14], w: [16, 6, 5, 5], options: {} },
];

const name = (c: Case) => `x [${c.x}] w [${c.w}] ${JSON.stringify(c.options)}${c.bias === false ? ' no bias' : ''}`;

describe('direct conv2d kernels on webgpu against the CPU reference', () => {
  for (const c of CASES) {
    it(`${name(c)}: output, input, weight and bias gradients`, async () => {
      const [xc, xg] = both(c.x, 1, gpu);
      const [wc, wg] = both(c.w, 2, gpu);
      const [bc, bg] = c.bias === false ? [null, null] : both([c.w[0]], 3, gpu);
      const [oc, og] = [F.conv2d(xc, wc, bc, c.options), F.conv2d(xg, wg, bg, c.options)];
      await expectSame(oc, og, 'output');
      const [uc, ug] = both(oc.shape as number[], 4, gpu);
      oc.backward(uc.detach());
      og.backward(ug.detach());
      await expectSame(xc.grad!, xg.grad!, 'input grad');
      await expectSame(wc.grad!, wg.grad!, 'weight grad');
      if (bc) await expectSame(bc.grad!, bg!.grad!, 'bias grad');
    });
  }

  it('each gradient alone: only the input, only the weight (no bias), only the bias requiring grad', async () => {
    const c = CASES[2];
    const combos: [string, boolean, boolean, boolean][] = [
      ['input', true, false, false],
      ['weight', false, true, false],
      ['bias', false, false, true],
    ];
    for (const [what, wantX, wantW, wantB] of combos) {
      const [xc, xg] = both(c.x, 5, gpu);
      const [wc, wg] = both(c.w, 6, gpu);
      const [bc, bg] = both([c.w[0]], 7, gpu);
      const leaf = (t: Tensor, want: boolean) => (want ? t : t.detach());
      const run = (x: Tensor, w: Tensor, b: Tensor) => F.conv2d(leaf(x, wantX), leaf(w, wantW), wantW ? null : leaf(b, wantB), c.options);
      const [oc, og] = [run(xc, wc, bc), run(xg, wg, bg)];
      const [uc, ug] = both(oc.shape as number[], 8, gpu);
      const pick = (x: Tensor, w: Tensor, b: Tensor) => (wantX ? x : wantW ? w : b);
      const [rc] = autograd.grad(oc, pick(xc, wc, bc), { gradOutputs: uc.detach() });
      const [rg] = autograd.grad(og, pick(xg, wg, bg), { gradOutputs: ug.detach() });
      await expectSame(rc!, rg!, `${what} grad`);
    }
  });

  it('reads strided views: a permuted input, a transposed weight and a non-contiguous output gradient', async () => {
    const [xc, xg] = both([3, 13, 7, 4], 9, gpu);
    const [wc, wg] = both([4, 3, 3, 5], 10, gpu);
    const input = (x: Tensor) => x.permute(0, 3, 2, 1); // [3, 4, 7, 13]
    const weight = (w: Tensor) => w.transpose(0, 1); // [3, 4, 3, 5]
    const [oc, og] = [F.conv2d(input(xc), weight(wc), null, { padding: 1 }), F.conv2d(input(xg), weight(wg), null, { padding: 1 })];
    await expectSame(oc, og, 'output');
    const [uc, ug] = both([oc.shape[0], oc.shape[3], oc.shape[2], oc.shape[1]], 11, gpu);
    const upstream = (u: Tensor) => u.detach().permute(0, 3, 2, 1);
    oc.backward(upstream(uc));
    og.backward(upstream(ug));
    await expectSame(xc.grad!, xg.grad!, 'input grad');
    await expectSame(wc.grad!, wg.grad!, 'weight grad');
  });

  it('relu(conv2d) with the ReLU fused into the kernel gives relu of the reference, NaN kept', async () => {
    const [xc, xg] = both([3, 3, 13, 13], 12, gpu);
    const [wc, wg] = both([7, 3, 3, 3], 13, gpu);
    const [bc, bg] = both([7], 14, gpu);
    const [oc, og] = [F.relu(F.conv2d(xc, wc, bc)), F.relu(F.conv2d(xg, wg, bg))];
    await expectSame(oc, og, 'output');
    const [uc, ug] = both(oc.shape as number[], 15, gpu);
    oc.backward(uc.detach());
    og.backward(ug.detach());
    await expectSame(xc.grad!, xg.grad!, 'input grad');
    await expectSame(wc.grad!, wg.grad!, 'weight grad');
    const nan = xg.detach().mul(Number.NaN);
    const out = await F.relu(F.conv2d(nan, wg.detach())).toArray();
    expect(Array.from(out).every(Number.isNaN)).toBe(true);
  });
});
