import { beforeAll, describe, expect, it } from 'vitest';
import { fromArray, init, type Device, type Tensor } from '@mini/tensor';
import { F, nn } from '@mini/nn';
import { backwardWith, both, expectGradcheck, expectSame, expectValues, FIXTURES, load, randomLeaf, targets } from './layer-fixtures.ts';

let gpu: Device;
beforeAll(async () => {
  gpu = await init('webgpu');
});

describe('F.conv2d / F.conv1d against PyTorch', () => {
  for (const t of targets(() => gpu)) {
    for (const c of FIXTURES.conv) {
      it(`${c.name} (${c.fn}) on ${t.dtype === 'float64' ? 'cpu' : 'webgpu'}: output and the gradients of input, weight and bias`, async () => {
        const x = load(c.input, t, true);
        const w = load(c.weight as never, t, true);
        const b = c.bias ? load(c.bias as never, t, true) : null;
        const out = (c.fn === 'conv1d' ? F.conv1d : F.conv2d)(x, w, b, c.options);
        await expectValues(out, c.output, t, 'output');
        backwardWith(out, c.upstream, t);
        await expectValues(x.grad!, c.grads.input, t, 'input grad');
        await expectValues(w.grad!, c.grads.weight, t, 'weight grad');
        if (b) await expectValues(b.grad!, c.grads.bias, t, 'bias grad');
      });
    }
  }
});

describe('conv2d gradcheck (float64, cpu)', () => {
  const cases: [string, number[], number[], object][] = [
    ['stride, padding', [2, 2, 5, 4], [3, 2, 3, 2], { stride: [2, 1], padding: 1 }],
    ['dilation, groups', [1, 4, 6, 5], [4, 2, 2, 3], { dilation: [2, 1], groups: 2 }],
    ["'same' with an even kernel", [1, 1, 4, 5], [2, 1, 2, 2], { padding: 'same' }],
  ];
  for (const [name, xs, ws, options] of cases) {
    it(name, async () => {
      const x = randomLeaf(xs, 1);
      const w = randomLeaf(ws, 2);
      const b = randomLeaf([ws[0]], 3);
      await expectGradcheck((x, w, b) => F.conv2d(x, w, b, options), [x, w, b]);
    });
  }
  it('conv1d', async () => {
    await expectGradcheck((x, w) => F.conv1d(x, w, null, { stride: 2, padding: 2 }), [randomLeaf([2, 3, 7], 4), randomLeaf([2, 3, 3], 5)]);
  });
});

describe('conv kernels against the CPU reference (more in conv-direct.test.ts)', () => {
  it('reads a non-contiguous input view', async () => {
    const [xc, xg] = both([2, 5, 4, 3], 5, gpu);
    const [wc, wg] = both([4, 3, 2, 2], 6, gpu);
    const view = (x: Tensor) => x.permute(0, 3, 2, 1);
    await expectSame(F.conv2d(view(xc), wc), F.conv2d(view(xg), wg), 'output');
  });
});

describe('nn.Conv2d / nn.Conv1d', () => {
  it('has PyTorch parameter shapes, initialization bounds and printed form', async () => {
    const conv = new nn.Conv2d(6, 16, 5, { stride: 2, padding: 1, groups: 2, bias: false });
    expect(conv.weight.shape).toEqual([16, 3, 5, 5]);
    expect(conv.bias).toBeNull();
    expect(conv.namedParameters().map(([n]) => n)).toEqual(['weight']);
    const bound = 1 / Math.sqrt(3 * 25);
    for (const v of await conv.weight.toArray()) expect(Math.abs(v)).toBeLessThanOrEqual(bound);
    expect(conv.toString()).toBe('Conv2d(6, 16, kernel_size=(5, 5), stride=(2, 2), padding=(1, 1), groups=2, bias=False)');
    const c1 = new nn.Conv1d(2, 4, 3, { dilation: 2 });
    expect(c1.toString()).toBe('Conv1d(2, 4, kernel_size=(3,), stride=(1,), dilation=(2,))');
    const y = c1.call(fromArray(new Float32Array(2 * 2 * 9), [2, 2, 9]));
    expect(y.shape).toEqual([2, 4, 5]);
  });
  it('gives the same output as F.conv2d with its parameters', async () => {
    const conv = new nn.Conv2d(1, 6, 5, { padding: 2 });
    const x = fromArray(Float32Array.from({ length: 2 * 28 * 28 }, (_, i) => Math.sin(i)), [2, 1, 28, 28]);
    const y = conv.call(x);
    expect(y.shape).toEqual([2, 6, 28, 28]);
    expect(Array.from(await y.toArray())).toEqual(Array.from(await F.conv2d(x, conv.weight, conv.bias, { padding: 2 }).toArray()));
  });
  it("refuses what PyTorch refuses, in PyTorch's words", () => {
    expect(() => new nn.Conv2d(3, 4, 3, { groups: 2 })).toThrow('in_channels must be divisible by groups');
    expect(() => new nn.Conv2d(2, 3, 3, { groups: 2 })).toThrow('out_channels must be divisible by groups');
    expect(() => new nn.Conv2d(2, 3, 3, { stride: 2, padding: 'same' })).toThrow("padding='same' is not supported for strided convolutions");
    expect(() => new nn.Conv2d(2, 3, 3, { paddingMode: 'reflect' as 'zeros' })).toThrow("padding_mode 'reflect' is not supported");
    expect(() => new nn.Conv2d(2, 3, 3, { strid: 2 } as object)).toThrow("Conv2d() got an unexpected keyword argument 'strid'");
    const x = fromArray(new Float32Array(2 * 3 * 4 * 4), [2, 3, 4, 4]);
    const w = fromArray(new Float32Array(6 * 1 * 5 * 5), [6, 1, 5, 5]);
    expect(() => F.conv2d(x, w)).toThrow('Given groups=1, weight of size [6, 1, 5, 5], expected input[2, 3, 4, 4] to have 1 channels, but got 3 channels instead');
    const w3 = fromArray(new Float32Array(6 * 3 * 5 * 5), [6, 3, 5, 5]);
    expect(() => F.conv2d(x, w3)).toThrow("Calculated padded input size per channel: (4 x 4). Kernel size: (5 x 5). Kernel size can't be greater than actual input size");
    expect(() => F.conv2d(x.flatten(), w3)).toThrow('Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: [96]');
    expect(() => F.conv2d(x, w3, fromArray([1, 2], [2]), { padding: 1 })).toThrow('expected bias to be 1-dimensional with 6 elements, but got bias of size [2] instead');
    expect(() => F.conv2d(x, w3, null, { padding: 'full' as 'same' })).toThrow("Invalid padding string 'full'");
    expect(() => F.conv2d(x, w3, null, { stride: 0, padding: 2 })).toThrow('non-positive stride is not supported');
    expect(() => F.conv2d(x, w3, null, { padding: -1 })).toThrow('negative padding is not supported');
    expect(() => F.conv2d(x, w3, null, { padding: 2, dilation: 0 })).toThrow('dilation should be greater than zero');
  });
});
