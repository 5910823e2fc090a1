import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { fromArray, tensor, type Device, type DType } from '@mini/tensor';
import { values, webgpu } from './helpers.ts';

let gpu: Device;
beforeAll(async () => {
  gpu = await webgpu();
});

interface FormatCase {
  name: string;
  data: (number | boolean | string)[];
  shape: number[];
  dtype: DType;
  requiresGrad?: boolean;
  torch: string;
}

/** PyTorch's printed strings, written by fixtures/make-format-fixtures.py. */
const fixtures = JSON.parse(readFileSync(new URL('./fixtures/format.json', import.meta.url), 'utf8')) as { cases: FormatCase[] };

const SPECIAL: Record<string, number> = { nan: NaN, inf: Infinity, '-inf': -Infinity, '-0': -0 };

describe("format() prints like PyTorch's str(tensor)", () => {
  for (const c of fixtures.cases) {
    it(`${c.name}: ${JSON.stringify(c.torch.split('\n')[0])}`, async () => {
      const data = c.data.map((v) => (typeof v === 'string' ? SPECIAL[v] : Number(v)));
      const t = fromArray(data, c.shape, { dtype: c.dtype, device: 'cpu', requiresGrad: c.requiresGrad });
      expect(await t.format()).toBe(c.torch);
      // On webgpu the same string gains PyTorch's device suffix (float64 lives on cpu only).
      const lastLine = c.torch.split('\n').at(-1)!;
      if (c.dtype !== 'float64' && c.torch.endsWith('])') && lastLine.length < 60 && !c.torch.includes('=')) {
        const onGpu = fromArray(data, c.shape, { dtype: c.dtype, device: gpu });
        expect(await onGpu.format()).toBe(`${c.torch.slice(0, -1)}, device='webgpu')`);
      }
    });
  }
});

describe('readback', () => {
  it('toArray returns the typed array of the dtype, on both devices', async () => {
    for (const device of ['cpu', gpu] as const) {
      expect(await fromArray([1.5, 2], [2], { device }).toArray()).toEqual(Float32Array.from([1.5, 2]));
      expect(await tensor([1, -2], { device }).toArray()).toEqual(Int32Array.from([1, -2]));
      expect(await fromArray(Uint8Array.from([1, 255, 3]), [3], { device }).toArray()).toEqual(Uint8Array.from([1, 255, 3]));
      expect(await tensor([true, false], { device }).toArray()).toEqual(Uint8Array.from([1, 0]));
    }
  });

  it('reads views: transposed, narrowed at an offset, expanded, and uint8 rows at odd byte offsets', async () => {
    const bytes = Uint8Array.from({ length: 15 }, (_, i) => i * 17);
    for (const device of ['cpu', gpu] as const) {
      const x = fromArray([0, 1, 2, 3, 4, 5], [2, 3], { device });
      expect(await values(x.t())).toEqual([0, 3, 1, 4, 2, 5]);
      expect(await values(x.narrow(1, 1, 2))).toEqual([1, 2, 4, 5]);
      expect(await values(x.narrow(0, 1, 1).expand(2, 3))).toEqual([3, 4, 5, 3, 4, 5]);
      const b = fromArray(bytes, [5, 3], { device });
      expect(Array.from(await b.narrow(0, 1, 3).toArray())).toEqual(Array.from(bytes.subarray(3, 12)));
      expect(Array.from(await b.narrow(0, 3, 1).toArray())).toEqual(Array.from(bytes.subarray(9, 12)));
      const columns = Array.from({ length: 5 }, (_, r) => [bytes[r * 3 + 1], bytes[r * 3 + 2]]).flat();
      expect(Array.from(await b.narrow(1, 1, 2).toArray())).toEqual(columns);
      expect(Array.from(await b.t().toArray())).toEqual([0, 1, 2].flatMap((c) => [0, 1, 2, 3, 4].map((r) => bytes[r * 3 + c])));
    }
  });

  it('item() reads one element and raises for more than one', async () => {
    for (const device of ['cpu', gpu] as const) {
      expect(await tensor(2.5, { device }).item()).toBe(2.5);
      expect(await tensor([[7]], { device }).item()).toBe(7);
      expect(await tensor([1, 2, 3], { device }).narrow(0, 2, 1).item()).toBe(3);
      await expect(tensor([1, 2], { device }).item()).rejects.toThrow('a Tensor with 2 elements cannot be converted to Scalar');
    }
  });

  it('tolist() nests like the shape, with booleans for bool tensors', async () => {
    for (const device of ['cpu', gpu] as const) {
      expect(await tensor([[1, 2, 3], [4, 5, 6]], { device }).tolist()).toEqual([[1, 2, 3], [4, 5, 6]]);
      expect(await tensor([[[0.5]], [[1.5]]], { device }).tolist()).toEqual([[[0.5]], [[1.5]]]);
      expect(await tensor(4, { device }).tolist()).toBe(4);
      expect(await tensor([[true], [false]], { device }).tolist()).toEqual([[true], [false]]);
      expect(await fromArray([], [2, 0], { device }).tolist()).toEqual([[], []]);
    }
  });

  it('format() of a webgpu tensor names the device and reads strided views', async () => {
    const x = fromArray([1, 2, 3, 4, 5, 6], [2, 3], { device: gpu });
    expect(await x.t().format()).toBe("tensor([[1., 4.],\n        [2., 5.],\n        [3., 6.]], device='webgpu')");
  });
});
