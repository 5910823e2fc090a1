import { beforeAll, describe, expect, it } from 'vitest';
import { add_, fromArray, tensor, type Device, type Tensor } from '@mini/tensor';
import { expectTensorsClose, pairOf, uniformData, values, webgpu } from './helpers.ts';

let gpu: Device;
beforeAll(async () => {
  gpu = await webgpu();
});

const DEVICES = () => ['cpu', gpu] as const;

/** 0, 1, 2, ... n-1 as float32 in `shape`. */
function iota(shape: number[], device: Device | 'cpu'): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return fromArray(Array.from({ length: n }, (_, i) => i), shape, { device });
}

describe('reshape and view', () => {
  it('view of a contiguous tensor shares its storage', async () => {
    for (const device of DEVICES()) {
      const x = iota([2, 6], device);
      const v = x.view(3, 4);
      expect(v.shape).toEqual([3, 4]);
      expect(v.storage).toBe(x.storage);
      add_(v, 1);
      expect(await values(x)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
      expect(x.view(-1, 3).shape).toEqual([4, 3]);
      expect(x.reshape([12]).shape).toEqual([12]);
    }
  });

  it('views a non-contiguous tensor when its layout allows, without a copy', async () => {
    for (const device of DEVICES()) {
      const x = iota([4, 6], device);
      const t = x.t(); // [6, 4], strides [1, 6]
      const split = t.view(6, 2, 2);
      expect(split.strides).toEqual([1, 12, 6]);
      expect(split.storage).toBe(x.storage);
      expect(await values(split)).toEqual(await values(t));
      const p = iota([2, 3, 4], device).permute(1, 0, 2); // [3, 2, 4]
      const v = p.view(3, 2, 2, 2);
      expect(v.storage).toBe(p.storage);
      expect(await values(v)).toEqual(await values(p));
      const n = x.narrow(1, 1, 4).view(4, 2, 2);
      expect(await values(n)).toEqual([1, 2, 3, 4, 7, 8, 9, 10, 13, 14, 15, 16, 19, 20, 21, 22]);
    }
  });

  it("raises PyTorch's error for a view the layout cannot give, and reshape copies instead", async () => {
    for (const device of DEVICES()) {
      const x = iota([4, 6], device);
      expect(() => x.t().view(24)).toThrow(
        "view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .reshape(...) instead.",
      );
      expect(() => iota([2, 3, 4], device).permute(1, 0, 2).view(3, 8)).toThrow('view size is not compatible');
      const r = x.t().reshape(24);
      expect(r.storage).not.toBe(x.storage);
      expect(await values(r)).toEqual(Array.from({ length: 24 }, (_, i) => (i % 4) * 6 + Math.floor(i / 4)));
    }
  });

  it("raises PyTorch's errors for sizes that do not fit", () => {
    const x = iota([3, 4], gpu);
    expect(() => x.view(4, 4)).toThrow("shape '[4, 4]' is invalid for input of size 12");
    expect(() => x.reshape(5, -1)).toThrow("shape '[5, -1]' is invalid for input of size 12");
    expect(() => x.reshape(-1, -1)).toThrow('only one dimension can be inferred');
  });
});

describe('transpose, permute, narrow, expand, squeeze, flatten', () => {
  it('transpose and permute are views with the right values', async () => {
    for (const device of DEVICES()) {
      const x = iota([2, 3, 4], device);
      const t = x.transpose(0, 2);
      expect(t.shape).toEqual([4, 3, 2]);
      expect(t.storage).toBe(x.storage);
      const expected: number[] = [];
      for (let k = 0; k < 4; k++) for (let j = 0; j < 3; j++) for (let i = 0; i < 2; i++) expected.push(i * 12 + j * 4 + k);
      expect(await values(t)).toEqual(expected);
      expect(await values(x.permute(2, 1, 0))).toEqual(expected);
      expect(await values(x.permute([-1, 1, 0]))).toEqual(expected);
      expect(x.T.shape).toEqual([4, 3, 2]);
      expect(await values(x.transpose(-1, -2).transpose(1, 2))).toEqual(await values(x));
    }
  });

  it('narrow and slice give offset views', async () => {
    for (const device of DEVICES()) {
      const x = iota([5, 3], device);
      const rows = x.slice(0, 1, 3);
      expect(rows.shape).toEqual([2, 3]);
      expect(rows.offset).toBe(3);
      expect(await values(rows)).toEqual([3, 4, 5, 6, 7, 8]);
      expect(await values(x.slice(0, 3))).toEqual([9, 10, 11, 12, 13, 14]);
      expect(await values(x.narrow(1, 2, 1))).toEqual([2, 5, 8, 11, 14]);
      expect(await values(x.narrow(0, -2, 1))).toEqual([9, 10, 11]);
      expect(await values(x.narrow(0, 1, 3).narrow(1, 1, 2).narrow(0, 1, 1))).toEqual([7, 8]);
      expect(() => x.narrow(1, 2, 3)).toThrow('start (2) + length (3) exceeds dimension size (3).');
    }
  });

  it('expand broadcasts with stride 0, -1 keeps a dim, and a bad size raises PyTorch’s error', async () => {
    for (const device of DEVICES()) {
      const x = iota([3, 1], device);
      const e = x.expand(2, 3, 4);
      expect(e.strides).toEqual([0, 1, 0]);
      expect(await values(e)).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]);
      expect(x.expand(-1, 5).shape).toEqual([3, 5]);
      expect(() => x.expand(4, 4)).toThrow(
        'The expanded size of the tensor (4) must match the existing size (3) at non-singleton dimension 0.  Target sizes: [4, 4].  Tensor sizes: [3, 1]',
      );
    }
  });

  it('squeeze, unsqueeze and flatten reshape around size-1 dims', async () => {
    for (const device of DEVICES()) {
      const x = iota([1, 3, 1, 2], device);
      expect(x.squeeze().shape).toEqual([3, 2]);
      expect(x.squeeze(0).shape).toEqual([3, 1, 2]);
      expect(x.squeeze(-2).shape).toEqual([1, 3, 2]);
      const same = x.squeeze(1);
      expect(same.shape).toEqual([1, 3, 1, 2]);
      expect(same).not.toBe(x); // a new view: disposing it leaves x alone
      expect(x.unsqueeze(0).shape).toEqual([1, 1, 3, 1, 2]);
      expect(x.unsqueeze(-1).shape).toEqual([1, 3, 1, 2, 1]);
      expect(x.flatten().shape).toEqual([6]);
      expect(x.flatten(1).shape).toEqual([1, 6]);
      expect(x.flatten(1, 2).shape).toEqual([1, 3, 2]);
      expect(tensor(5, { device }).flatten().shape).toEqual([1]);
      expect(await values(x.squeeze().t().flatten())).toEqual([0, 2, 4, 1, 3, 5]);
      expect(() => x.unsqueeze(5)).toThrow('Dimension out of range (expected to be in range of [-5, 4], but got 5)');
    }
  });

  it('t() of a 1-D tensor is a new view of it', async () => {
    const x = fromArray([1, 2, 3], [3], { device: gpu });
    const t = x.t();
    expect(t).not.toBe(x);
    expect(t.shape).toEqual([3]);
    t.dispose();
    expect(await values(x)).toEqual([1, 2, 3]);
  });

  it('chains of views on webgpu read the same elements as on cpu', async () => {
    const [c, g] = pairOf(uniformData(4 * 5 * 6, 1, -1, 1), [4, 5, 6], gpu);
    const chains: ((x: Tensor) => Tensor)[] = [
      (x) => x.permute(2, 0, 1).narrow(0, 1, 4).transpose(1, 2).contiguous(),
      (x) => x.narrow(2, 1, 3).reshape(4, 15),
      (x) => x.transpose(0, 1).reshape(5, -1),
      (x) => x.narrow(0, 2, 1).squeeze(0).unsqueeze(1).expand(5, 3, 6).clone(),
      (x) => x.flatten(0, 1).t().narrow(0, 3, 2),
    ];
    for (const chain of chains) await expectTensorsClose(chain(g), chain(c), 0, 0);
  });
});

describe('contiguous, clone and moves', () => {
  it('contiguous returns the tensor itself when it is contiguous, else a dense copy', async () => {
    for (const device of DEVICES()) {
      const x = iota([3, 4], device);
      expect(x.contiguous()).toBe(x);
      const t = x.t();
      expect(t.isContiguous()).toBe(false);
      const c = t.contiguous();
      expect(c.isContiguous()).toBe(true);
      expect(c.strides).toEqual([3, 1]);
      expect(await values(c)).toEqual(await values(t));
    }
  });

  it('clone copies: writing to the clone leaves the original alone', async () => {
    for (const device of DEVICES()) {
      const x = iota([2, 3], device);
      const y = x.narrow(1, 1, 2).clone();
      expect(y.offset).toBe(0);
      add_(y, 100);
      expect(await values(x)).toEqual([0, 1, 2, 3, 4, 5]);
      expect(await values(y)).toEqual([101, 102, 104, 105]);
      expect(y.dtype).toBe(x.dtype);
      const b = tensor([true, false], { device }).clone();
      expect(b.dtype).toBe('bool');
      expect(await values(b)).toEqual([1, 0]);
    }
  });

  it('to(webgpu) uploads a cpu tensor (views included) and await cpu() brings it back', async () => {
    const x = fromArray(uniformData(6 * 7, 2, -5, 5), [6, 7], { device: 'cpu' });
    for (const view of [x, x.t(), x.narrow(0, 2, 3), tensor([[1, 2], [3, 4]], { device: 'cpu' }), tensor([true, false], { device: 'cpu' })]) {
      const g = view.to(gpu);
      expect(g.device).toBe(gpu);
      expect([g.shape, g.dtype]).toEqual([view.shape, view.dtype]);
      expect(await values(g)).toEqual(await values(view));
      const back = await g.cpu();
      expect(back.device.type).toBe('cpu');
      expect(await values(back)).toEqual(await values(view));
    }
    expect(x.to('cpu')).toBe(x);
    const g = x.to('webgpu');
    expect(g.to(gpu)).toBe(g);
    expect(() => g.to('cpu')).toThrow('reading a webgpu tensor is asynchronous: use `await t.cpu()`');
  });
});
