import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as mini from '@mini/tensor';
import { fromArray, isTensor, type Device, type DType, type Tensor, type ValuesIndices } from '@mini/tensor';
import { expectClose, webgpu } from './helpers.ts';

// PyTorch 1.13's values and gradients of the reductions (scripts/fixtures/reductions.py).
interface Case {
  op: string;
  input: string;
  args: unknown[];
  options: Record<string, unknown>;
  shape: number[];
  values: number[];
  indices?: number[];
  grad?: number[] | null;
}
const fixture = JSON.parse(readFileSync(new URL('./fixtures/reductions.json', import.meta.url), 'utf8')) as {
  inputs: Record<string, { shape: number[]; values: number[] }>;
  cases: Case[];
};

type Op = (x: Tensor, ...args: unknown[]) => Tensor | ValuesIndices;
const OPS = {
  sum: mini.sum,
  mean: mini.mean,
  amax: mini.amax,
  amin: mini.amin,
  max: mini.max,
  min: mini.min,
  argmax: mini.argmax,
  argmin: mini.argmin,
  prod: mini.prod,
  var: mini.variance,
  std: mini.std,
  norm: mini.norm,
  logsumexp: mini.logsumexp,
  cumsum: mini.cumsum,
  all: mini.all,
  any: mini.any,
  sort: mini.sort,
  argsort: mini.argsort,
  topk: mini.topk,
} as unknown as Record<string, Op>;

/** JSON has no infinities: the script writes them as strings. */
function decode(arg: unknown): unknown {
  if (arg === 'inf') return Infinity;
  if (arg === '-inf') return -Infinity;
  return Array.isArray(arg) ? arg.map(decode) : arg;
}

function call(c: Case, x: Tensor): Tensor | ValuesIndices {
  const args = c.args.map(decode);
  return OPS[c.op](x, ...args, ...(Object.keys(c.options).length ? [c.options] : []));
}

let gpu: Device;
beforeAll(async () => {
  gpu = await webgpu();
});

const label = (c: Case) => `${c.op}(${c.input}${c.args.map((a) => `, ${JSON.stringify(a)}`).join('')}${Object.keys(c.options).length ? `, ${JSON.stringify(c.options)}` : ''})`;

describe('reductions agree with PyTorch 1.13', () => {
  for (const [device, dtype, rtol, atol] of [
    ['cpu', 'float64', 1e-10, 1e-12],
    ['webgpu', 'float32', 1e-4, 1e-5],
  ] as const) {
    for (const c of fixture.cases) {
      it(`${label(c)} on ${device} (${dtype})`, async () => {
        const input = fixture.inputs[c.input];
        const x = fromArray(input.values, input.shape, { dtype: dtype as DType, device: device === 'cpu' ? 'cpu' : gpu, requiresGrad: true });
        const result = call(c, x);
        const values = isTensor(result) ? result : result.values;
        expect(values.shape).toEqual(c.shape);
        expectClose(await values.toArray(), c.values, rtol, atol);
        if (c.indices) expect(Array.from(await (result as ValuesIndices).indices.toArray())).toEqual(c.indices);
        if (c.grad === undefined) {
          expect(values.requiresGrad).toBe(false);
          return;
        }
        const w = fromArray(Array.from({ length: values.numel() }, (_, i) => (i % 7) * 0.25 - 0.75), values.shape, { dtype: dtype as DType, device: x.device });
        values.mul(w).sum().backward();
        if (c.grad === null) expect(x.grad).toBeNull();
        else expectClose(await x.grad!.toArray(), c.grad, rtol, atol);
      });
    }
  }
});
