import { beforeAll, describe, expect, it } from 'vitest';
import { Generator, empty, device, init as initDevice, manualSeed } from '@mini/tensor';
import { nn, init } from '@mini/nn';

beforeAll(async () => {
  await initDevice('webgpu');
});

function stats(values: ArrayLike<number>) {
  const n = values.length;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    sum += values[i];
    min = Math.min(min, values[i]);
    max = Math.max(max, values[i]);
  }
  const mean = sum / n;
  let sq = 0;
  for (let i = 0; i < n; i++) sq += (values[i] - mean) ** 2;
  return { mean, std: Math.sqrt(sq / n), min, max };
}

describe('Linear initialization, as PyTorch does it', () => {
  // For n uniform draws on [-b, b): mean within 5 standard errors of 0, std within 2% of b/√3,
  // and the extremes within [-b, b] and closer to them than 1% of b.
  for (const [fanIn, fanOut] of [
    [784, 200],
    [200, 60],
    [60, 10],
  ]) {
    it(`Linear(${fanIn}, ${fanOut}): weight and bias ~ U(-1/sqrt(${fanIn}), 1/sqrt(${fanIn}))`, async () => {
      manualSeed(0);
      const linear = new nn.Linear(fanIn, fanOut, true, { device: 'webgpu' });
      const bound = 1 / Math.sqrt(fanIn);
      const w = stats(await linear.weight.toArray());
      const n = fanIn * fanOut;
      expect(Math.abs(w.mean)).toBeLessThan((5 * bound) / Math.sqrt(3 * n));
      expect(Math.abs(w.std / (bound / Math.sqrt(3)) - 1)).toBeLessThan(0.02);
      expect(w.min).toBeGreaterThanOrEqual(-bound);
      expect(w.max).toBeLessThanOrEqual(bound);
      expect(w.min).toBeLessThan(-0.99 * bound);
      expect(w.max).toBeGreaterThan(0.99 * bound);
      const b = stats(await linear.bias!.toArray());
      expect(b.min).toBeGreaterThanOrEqual(-bound);
      expect(b.max).toBeLessThanOrEqual(bound);
      expect(b.max - b.min).toBeGreaterThan(bound);
    });
  }

  it('is reproducible from the seeded generator, and differs across seeds', async () => {
    manualSeed(42);
    const a = await new nn.Linear(50, 20, true, { device: 'cpu' }).weight.toArray();
    manualSeed(42);
    const b = await new nn.Linear(50, 20, true, { device: 'webgpu' }).weight.toArray();
    expect(Array.from(b)).toEqual(Array.from(a));
    const c = await new nn.Linear(50, 20, true, { device: 'cpu', generator: new Generator(7) }).weight.toArray();
    expect(Array.from(c)).not.toEqual(Array.from(a));
    const d = await new nn.Linear(50, 20, true, { device: 'cpu', generator: new Generator(7) }).weight.toArray();
    expect(Array.from(d)).toEqual(Array.from(c));
  });

  it('lives on the default device unless told otherwise', () => {
    expect(new nn.Linear(2, 2).weight.device).toBe(device('webgpu'));
    expect(new nn.Linear(2, 2, true, { device: 'cpu', dtype: 'float64' }).weight.dtype).toBe('float64');
  });
});

describe('nn.init', () => {
  const tensor = (shape: number[]) => empty(shape, { dtype: 'float32', device: device('webgpu') });

  it("calculateGain and fans follow PyTorch's table", () => {
    expect(init.calculateGain('linear')).toBe(1);
    expect(init.calculateGain('sigmoid')).toBe(1);
    expect(init.calculateGain('tanh')).toBeCloseTo(5 / 3, 15);
    expect(init.calculateGain('relu')).toBeCloseTo(Math.SQRT2, 15);
    expect(init.calculateGain('leaky_relu')).toBeCloseTo(Math.sqrt(2 / (1 + 0.01 ** 2)), 15);
    expect(init.calculateGain('leaky_relu', Math.sqrt(5))).toBeCloseTo(Math.sqrt(1 / 3), 15);
    expect(init.calculateGain('selu')).toBe(0.75);
    expect(() => init.calculateGain('gelu' as never)).toThrow('Unsupported nonlinearity gelu');
    expect(init.calculateFanInAndFanOut(tensor([200, 784]))).toEqual({ fanIn: 784, fanOut: 200 });
    expect(init.calculateFanInAndFanOut(tensor([8, 3, 5, 5]))).toEqual({ fanIn: 75, fanOut: 200 });
    expect(() => init.calculateFanInAndFanOut(tensor([5]))).toThrow(
      'Fan in and fan out can not be computed for tensor with fewer than 2 dimensions',
    );
    expect(() => init.kaimingUniform_(tensor([3, 3]), 0, 'fan_avg' as never)).toThrow('Mode fan_avg not supported, please use one of fan_in, fan_out');
  });

  // Each initializer on a 300×400 tensor: mean and std within 3% (of the std) of the intended ones.
  const fanIn = 400;
  const fanOut = 300;
  const cases: [string, (t: ReturnType<typeof tensor>) => unknown, number, number][] = [
    ['uniform_(-2, 4)', (t) => init.uniform_(t, -2, 4), 1, 6 / Math.sqrt(12)],
    ['normal_(1, 0.5)', (t) => init.normal_(t, 1, 0.5), 1, 0.5],
    ['xavierUniform_(gain 2)', (t) => init.xavierUniform_(t, 2), 0, 2 * Math.sqrt(2 / (fanIn + fanOut))],
    ['xavierNormal_', (t) => init.xavierNormal_(t), 0, Math.sqrt(2 / (fanIn + fanOut))],
    ['kaimingUniform_ (relu)', (t) => init.kaimingUniform_(t, 0, 'fan_in', 'relu'), 0, Math.SQRT2 / Math.sqrt(fanIn)],
    ['kaimingNormal_ (fan_out, relu)', (t) => init.kaimingNormal_(t, 0, 'fan_out', 'relu'), 0, Math.SQRT2 / Math.sqrt(fanOut)],
  ];
  for (const [name, fill, mean, std] of cases) {
    it(`${name} has mean ${mean.toPrecision(3)} and std ${std.toPrecision(3)}`, async () => {
      manualSeed(3);
      const t = tensor([fanOut, fanIn]);
      expect(fill(t)).toBe(t);
      const s = stats(await t.toArray());
      expect(Math.abs(s.mean - mean)).toBeLessThan(0.03 * std);
      expect(Math.abs(s.std / std - 1)).toBeLessThan(0.03);
    });
  }

  it('constant_, zeros_ and ones_ fill, strided views included', async () => {
    const t = tensor([3, 4]);
    init.ones_(t);
    init.zeros_(t.t().narrow(0, 1, 2));
    expect(Array.from(await t.toArray())).toEqual([1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1]);
    init.constant_(t, 2.5);
    expect(Array.from(await t.toArray())).toEqual(Array(12).fill(2.5));
  });
});
