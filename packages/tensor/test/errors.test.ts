import { beforeAll, describe, expect, it } from 'vitest';
import {
  add,
  add_,
  copyInto,
  fromArray,
  indexSelect,
  linear,
  logSoftmax,
  matmul,
  max,
  mean,
  memory,
  nllLoss,
  softmax,
  sum,
  where,
  type Device,
  type Tensor,
} from '@mini/tensor';
import { webgpu } from './helpers.ts';

let gpu: Device;
beforeAll(async () => {
  gpu = await webgpu();
});

type On = (device: Device | 'cpu') => {
  x: Tensor; // float32 [2, 3]
  v: Tensor; // float32 [4]
  ints: Tensor; // int32 [2]
  bytes: Tensor; // uint8 [3]
};

const tensorsOn: On = (device) => ({
  x: fromArray([1, 2, 3, 4, 5, 6], [2, 3], { device }),
  v: fromArray([1, 2, 3, 4], [4], { device }),
  ints: fromArray(Int32Array.from([0, 1]), [2], { device }),
  bytes: fromArray(Uint8Array.from([1, 2, 3]), [3], { device }),
});

const DIM = (range: string, got: number) => `Dimension out of range (expected to be in range of ${range}, but got ${got})`;

/**
 * Errors raised by the checks every op makes before it records anything, in PyTorch's words. Each
 * case prepares its operands, then returns the one call that must fail.
 */
const CASES: [string, (t: ReturnType<On>) => () => unknown, string][] = [
  ['broadcast shapes', ({ x, v }) => () => add(x, v), 'The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1'],
  ['broadcast shapes in where', ({ x, v }) => { const c = x.gt(2); return () => where(c, x, v); }, 'The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1'],
  ['in-place result shape', ({ x }) => { const row = x.narrow(0, 0, 1).reshape(3); return () => add_(row, x); }, "output with shape [3] doesn't match the broadcast shape [2, 3]"],
  ['writing into an expanded view', ({ x }) => { const e = x.narrow(0, 0, 1).expand(4, 3); return () => add_(e, 1); }, 'unsupported operation: more than one element of the written-to tensor refers to a single memory location. Please clone() the tensor before performing the operation.'],
  ['copy into a smaller view', ({ x, v }) => () => copyInto(x, v), 'The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1'],
  ['matmul shapes', ({ x }) => () => matmul(x, x), 'mat1 and mat2 shapes cannot be multiplied (2x3 and 2x3)'],
  ['linear shapes', ({ x, v }) => { const w = v.reshape(2, 2); return () => linear(x, w); }, 'mat1 and mat2 shapes cannot be multiplied (2x3 and 2x2)'],
  ['negating a bool tensor', ({ x }) => { const mask = x.gt(2); return () => mask.neg(); }, 'Negation, the `-` operator, on a bool tensor is not supported.'],
  ['mean of integers', ({ ints }) => () => mean(ints), 'mean(): could not infer output dtype. Input dtype must be floating point, but got int32'],
  ['logSoftmax of integers', ({ ints }) => () => logSoftmax(ints, 0), 'logSoftmax: expected input of dtype float32 or float64, found int32'],
  ['matmul of integers', ({ ints }) => { const [a, b] = [ints.reshape(1, 2), ints.reshape(2, 1)]; return () => matmul(a, b); }, 'matmul: expected mat1 of dtype float32 or float64, found int32'],
  ['nllLoss with float targets', ({ x }) => { const t = x.narrow(1, 0, 1).reshape(2); return () => nllLoss(x, t); }, 'nllLoss: expected target of dtype int32, found float32'],
  ['indexSelect with a float index', ({ x, v }) => () => indexSelect(x, 0, v), 'indexSelect: expected index of dtype int32, found float32'],
  ['sum over a dim out of range', ({ x }) => () => sum(x, 2), DIM('[-2, 1]', 2)],
  ['max over a negative dim out of range', ({ x }) => () => max(x, -3), DIM('[-2, 1]', -3)],
  ['softmax over a dim out of range', ({ x }) => () => softmax(x, 5), DIM('[-2, 1]', 5)],
  ['transpose', ({ x }) => () => x.transpose(0, 2), DIM('[-2, 1]', 2)],
  ['narrow', ({ x }) => () => x.narrow(3, 0, 1), DIM('[-2, 1]', 3)],
  ['unsqueeze', ({ x }) => () => x.unsqueeze(4), DIM('[-3, 2]', 4)],
  ['squeeze', ({ x }) => () => x.squeeze(2), DIM('[-2, 1]', 2)],
  ['flatten', ({ x }) => () => x.flatten(0, 5), DIM('[-2, 1]', 5)],
  ['size', ({ x }) => () => x.size(2), DIM('[-2, 1]', 2)],
  ['indexSelect dim', ({ x, ints }) => () => indexSelect(x, -3, ints), DIM('[-2, 1]', -3)],
  ['0-d tensors have dims 0 and -1 only', ({ x }) => { const s = x.reshape(6).narrow(0, 0, 1).reshape([]); return () => sum(s, 1); }, DIM('[-1, 0]', 1)],
  ['permute length', ({ x }) => () => x.permute(0), 'number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = 2 is not equal to len(dims) = 1'],
  ['permute repeats', ({ x }) => () => x.permute(1, 1), 'permute(): duplicate dims are not allowed.'],
  ['view size', ({ x }) => () => x.view(4, 2), "shape '[4, 2]' is invalid for input of size 6"],
  ['narrow range', ({ x }) => () => x.narrow(1, 1, 3), 'start (1) + length (3) exceeds dimension size (3).'],
  ['expand size', ({ x }) => () => x.expand(2, 4), 'The expanded size of the tensor (4) must match the existing size (3) at non-singleton dimension 1.'],
];

describe('errors are raised before anything is dispatched or allocated', () => {
  for (const [name, run, message] of CASES) {
    it(`${name}: "${message}"`, () => {
      for (const device of ['cpu', gpu] as const) {
        const call = run(tensorsOn(device));
        const [dispatches, live] = [gpu.gpu.dispatchCount, memory().liveTensors];
        expect(call, `on ${device}`).toThrow(message);
        expect(gpu.gpu.dispatchCount - dispatches, `dispatches on ${device}`).toBe(0);
        expect(memory().liveTensors - live, `tensors left behind on ${device}`).toBe(0);
      }
    });
  }

  it('on cpu, a target or an index out of range raises at once and leaves nothing behind', () => {
    const { x } = tensorsOn('cpu');
    const bad = fromArray(Int32Array.from([0, 3]), [2], { device: 'cpu' });
    const live = memory().liveTensors;
    expect(() => nllLoss(x, bad)).toThrow('Target 3 is out of bounds');
    expect(() => indexSelect(x, 1, bad)).toThrow('index 3 is out of range for dimension of size 3');
    expect(memory().liveTensors).toBe(live);
  });

  it('uint8 and float64 say what to do where webgpu cannot take them', () => {
    const { bytes } = tensorsOn(gpu);
    expect(() => bytes.add(1)).toThrow('uint8 tensors on webgpu can only be read back, indexed by rows, or converted with .float() / .int() / normalize; convert first');
    expect(() => fromArray([1], [1], { device: 'cpu', dtype: 'float64' }).to(gpu)).toThrow(
      'float64 is not supported on webgpu (WGSL has no f64): use float32, or the cpu device',
    );
  });
});

describe('operands on different devices', () => {
  const message = 'Expected all tensors to be on the same device, but found at least two devices, webgpu and cpu!';
  const cases: [string, (g: ReturnType<On>, c: ReturnType<On>) => () => unknown][] = [
    ['add', (g, c) => () => add(g.x, c.x)],
    ['where', (g, c) => { const cond = g.x.gt(0); return () => where(cond, g.x, c.x); }],
    ['add_', (g, c) => () => add_(g.x, c.x)],
    ['copyInto', (g, c) => () => copyInto(g.x, c.x)],
    ['matmul', (g, c) => () => matmul(g.x, c.x.t())],
    ['linear bias', (g, c) => { const bias = c.v.narrow(0, 0, 2); return () => linear(g.x, g.x, bias); }],
    ['indexSelect', (g, c) => () => indexSelect(g.x, 0, c.ints)],
    ['nllLoss', (g, c) => () => nllLoss(g.x, c.ints)],
  ];
  for (const [name, run] of cases) {
    it(`${name} raises PyTorch's error before dispatch`, () => {
      const call = run(tensorsOn(gpu), tensorsOn('cpu'));
      const dispatches = gpu.gpu.dispatchCount;
      expect(call).toThrow(message);
      expect(gpu.gpu.dispatchCount - dispatches).toBe(0);
    });
  }
});
