import { mkdtempSync, readFileSync, readdirSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromArray, init, setDefaultDevice, tensor, zeros, type Tensor } from '@mini/tensor';
import { deserialize, nn, serialize } from '@mini/nn';
import { load, readSafetensors, save } from '@mini/nn/node';
import { NNModule } from './threenet.ts';

const FIXTURE = new URL('./fixtures/threenet_torch.safetensors', import.meta.url).pathname;
const SAMPLE = JSON.parse(readFileSync(new URL('./fixtures/threenet_torch.json', import.meta.url), 'utf8')) as {
  input: number[][];
  logProbs: number[][];
};
let dir: string;

beforeAll(async () => {
  await init('webgpu');
  setDefaultDevice('cpu');
  dir = mkdtempSync(join(tmpdir(), 'mini-safetensors-'));
});

afterAll(() => {
  // Leave nothing behind but what the tests check for; the OS cleans its temp dir.
  expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
});

function header(bytes: Uint8Array): { length: number; json: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }> } {
  const length = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return { length, json: JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length))) };
}

/** A safetensors file from a header object and a data section. */
function craft(name: string, head: unknown, data: Uint8Array | number = 0, rawHeader?: string): string {
  const text = new TextEncoder().encode(rawHeader ?? JSON.stringify(head));
  const body = typeof data === 'number' ? new Uint8Array(data) : data;
  const bytes = new Uint8Array(8 + text.byteLength + body.byteLength);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(text.byteLength), true);
  bytes.set(text, 8);
  bytes.set(body, 8 + text.byteLength);
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

async function expectLogProbs(model: NNModule, tolerance: number): Promise<void> {
  const x = fromArray(SAMPLE.input.flat(), [SAMPLE.input.length, 784], { device: model.fc1.weight.device });
  const actual = await model.forward(x).toArray();
  const expected = SAMPLE.logProbs.flat();
  let diff = 0;
  let scale = 0;
  expected.forEach((e, i) => {
    diff = Math.max(diff, Math.abs(actual[i] - e));
    scale = Math.max(scale, Math.abs(e));
  });
  expect(diff / scale).toBeLessThanOrEqual(tolerance);
}

describe('safetensors written by PyTorch', () => {
  // Relative error max|ours − torch| / max|torch| over the log-probabilities: 1e-5 on cpu, 1e-4 on webgpu.
  for (const [dev, tolerance] of [
    ['cpu', 1e-5],
    ['webgpu', 1e-4],
  ] as const) {
    it(`load into the ported ThreeNet on ${dev} and predict what PyTorch predicts`, async () => {
      const model = new NNModule().to(dev);
      const sd = await load(FIXTURE, { device: dev });
      expect(Object.keys(sd)).toEqual(['fc1.bias', 'fc1.weight', 'fc2.bias', 'fc2.weight', 'fc3.bias', 'fc3.weight']);
      expect(model.loadStateDict(sd)).toEqual({ missingKeys: [], unexpectedKeys: [] });
      await expectLogProbs(model, tolerance);
    });
  }

  it("load a BatchNorm2d's state, num_batches_tracked as I64, strictly, and give PyTorch's eval output", async () => {
    const path = new URL('./fixtures/batchnorm_torch.safetensors', import.meta.url).pathname;
    const sample = JSON.parse(readFileSync(new URL('./fixtures/batchnorm_torch.json', import.meta.url), 'utf8'));
    expect(header(readFileSync(path)).json.num_batches_tracked.dtype).toBe('I64');
    const bn = new nn.BatchNorm2d(3);
    const state = await load(path);
    bn.loadStateDict(state);
    expect(await bn.numBatchesTracked!.item()).toBe(sample.numBatchesTracked);
    bn.eval();
    const y = await bn.forward(fromArray(sample.input, sample.shape)).toArray();
    const error = Math.max(...sample.output.map((e: number, i: number) => Math.abs(y[i] - e)));
    expect(error).toBeLessThan(1e-5); // float32 on both sides, outputs of order 1
  });

  it('are written back byte for byte as the reference writer wrote them', async () => {
    const original = readFileSync(FIXTURE);
    const { tensors, metadata } = deserialize(original);
    expect(metadata).toEqual({ format: 'pt', writer: 'scripts/fixtures/nn_threenet_safetensors.py' });
    const again = await serialize(tensors, metadata!);
    expect(Buffer.from(again).equals(original)).toBe(true);
  });
});

describe('save and load', () => {
  it('round-trip every dtype, empty and 0-d tensors, from webgpu and cpu', async () => {
    const sd: Record<string, Tensor> = {
      'w.gpu': fromArray([1.5, -2, 3.25, 1e-30, -0, 7], [2, 3], { device: 'webgpu' }),
      'd.cpu': fromArray([Math.PI, -1e300], [2], { dtype: 'float64', device: 'cpu' }),
      labels: tensor([[1, -2], [3, 2147483647]], { dtype: 'int32', device: 'webgpu' }),
      pixels: fromArray([0, 128, 255], [3], { dtype: 'uint8', device: 'cpu' }),
      mask: tensor([true, false, true], { device: 'webgpu' }),
      empty: zeros([0, 4], { device: 'cpu' }),
      scalar: tensor(2.5, { device: 'cpu' }),
    };
    const path = join(dir, 'all.safetensors');
    await save(sd, path, { note: 'round trip' });
    const bytes = readFileSync(path);
    const { length, json } = header(bytes);
    expect(length % 8).toBe(0);
    expect(json.__metadata__).toEqual({ note: 'round trip' });
    expect(json['w.gpu']).toEqual({ dtype: 'F32', shape: [2, 3], data_offsets: expect.any(Array) });
    expect(json['d.cpu'].dtype).toBe('F64');
    expect(json.mask.dtype).toBe('BOOL');
    // Widest dtypes first: every tensor starts at a multiple of its item size.
    expect(json['d.cpu'].data_offsets[0]).toBe(0);
    const loaded = await load(path);
    expect(Object.keys(loaded).sort()).toEqual(Object.keys(sd).sort());
    for (const [name, t] of Object.entries(sd)) {
      expect(loaded[name].shape).toEqual(t.shape);
      expect(loaded[name].dtype).toBe(t.dtype);
      expect(loaded[name].device.type).toBe('cpu');
      expect(Array.from(await loaded[name].toArray())).toEqual(Array.from(await t.toArray()));
    }
    const { 'd.cpu': _f64, ...gpuable } = sd;
    const path2 = join(dir, 'gpu.safetensors');
    await save(gpuable, path2);
    const onGpu = await load(path2, { device: 'webgpu' });
    expect(onGpu.labels.device.type).toBe('webgpu');
    expect(Array.from(await onGpu.mask.toArray())).toEqual([1, 0, 1]);
    await expect(load(path, { device: 'webgpu' })).rejects.toThrow(`safetensors file '${path}': tensor 'd.cpu' is F64, and float64 lives on the cpu device only`);
  });

  it('round-trips a ThreeNet between models', async () => {
    const model = new NNModule().to('webgpu');
    const path = join(dir, 'threenet.safetensors');
    await save(model.stateDict(), path);
    const other = new NNModule().to('webgpu');
    other.loadStateDict(await load(path));
    for (const [[, p], [, q]] of model.namedParameters().map((e, i) => [e, other.namedParameters()[i]] as const)) {
      expect(Array.from(await q.toArray())).toEqual(Array.from(await p.toArray()));
    }
  });

  it('replaces a file through a temporary one: a failed save leaves the old file whole', async () => {
    const path = join(dir, 'atomic.safetensors');
    await save({ a: tensor([1, 2, 3], { dtype: 'float32' }) }, path);
    const before = readFileSync(path);
    const gone = tensor([4, 5], { dtype: 'float32' });
    gone.dispose();
    await expect(save({ a: tensor([9], { dtype: 'float32' }), b: gone }, path)).rejects.toThrow('used after dispose()');
    expect(readFileSync(path).equals(before)).toBe(true);
    await expect(save({ a: tensor([1], { dtype: 'float32' }) }, join(dir, 'no-such-dir', 'x.safetensors'))).rejects.toThrow('ENOENT');
    await save({ b: tensor([7], { dtype: 'int32' }) }, path);
    expect(Object.keys(await load(path))).toEqual(['b']);
    expect(readdirSync(dir).filter((f) => f.includes('atomic'))).toEqual(['atomic.safetensors']);
  });
});

describe('bad files raise errors naming the file, the key, and expected vs found', () => {
  const f32 = (name: string, shape: number[], offsets: [number, number]) => ({ [name]: { dtype: 'F32', shape, data_offsets: offsets } });

  it('truncated files', async () => {
    const whole = readFileSync(FIXTURE);
    const cut = join(dir, 'cut.safetensors');
    writeFileSync(cut, whole.subarray(0, whole.byteLength - 100));
    await expect(load(cut)).rejects.toThrow(
      `safetensors file '${cut}': tensor 'fc3.weight': data_offsets [676280, 678680] are out of range: the data section holds 678580 bytes (truncated file?)`,
    );
    const tiny = join(dir, 'tiny.safetensors');
    writeFileSync(tiny, whole.subarray(0, 5));
    await expect(load(tiny)).rejects.toThrow(`safetensors file '${tiny}': file is truncated: it holds 5 bytes, fewer than the 8-byte header length`);
    const headerCut = join(dir, 'header-cut.safetensors');
    writeFileSync(headerCut, whole.subarray(0, 50));
    await expect(load(headerCut)).rejects.toThrow(
      `safetensors file '${headerCut}': file is truncated: the header should hold ${header(whole).length} bytes of JSON, found 42`,
    );
  });

  it('a header that is not JSON, or not an object', async () => {
    const path = craft('not-json.safetensors', null, 0, '{"a": {"dtype": "F32",');
    await expect(load(path)).rejects.toThrow(`safetensors file '${path}': header is not valid JSON`);
    const list = craft('list.safetensors', [1, 2]);
    await expect(load(list)).rejects.toThrow(`safetensors file '${list}': header must be a JSON object, found an array`);
    const pickle = join(dir, 'model.pt');
    writeFileSync(pickle, Buffer.from('PK\u0003\u0004 a zip archive, as torch.save writes'));
    await expect(load(pickle)).rejects.toThrow(`safetensors file '${pickle}': header length`);
  });

  it('unknown and unsupported dtypes', async () => {
    const unknown = craft('unknown.safetensors', { x: { dtype: 'F17', shape: [1], data_offsets: [0, 4] } }, 4);
    await expect(load(unknown)).rejects.toThrow(`safetensors file '${unknown}': tensor 'x': unknown dtype "F17" (expected one of BOOL, U8, I8`);
    const half = craft('half.safetensors', { x: { dtype: 'F16', shape: [2], data_offsets: [0, 4] } }, 4);
    await expect(load(half)).rejects.toThrow(`safetensors file '${half}': tensor 'x': dtype F16 is not supported (expected one of F32, F64, I32, U8, BOOL, I64)`);
  });

  it("I64 (PyTorch's indices, BatchNorm's num_batches_tracked) is read into int32; a value past int32 is an error", async () => {
    const values = [0n, -1n, 7n, 2147483647n, -2147483648n, 123456789n];
    const path = craft('int64.safetensors', { num_batches_tracked: { dtype: 'I64', shape: [2, 3], data_offsets: [0, 48] } }, new Uint8Array(new BigInt64Array(values).buffer));
    const { num_batches_tracked: t } = await load(path);
    expect(t.dtype).toBe('int32');
    expect(t.shape).toEqual([2, 3]);
    expect(Array.from(await t.toArray())).toEqual(values.map(Number));
    const big = craft('int64-big.safetensors', { x: { dtype: 'I64', shape: [2], data_offsets: [0, 16] } }, new Uint8Array(new BigInt64Array([1n, 2147483648n]).buffer));
    await expect(load(big)).rejects.toThrow(`safetensors file '${big}': tensor 'x': I64 value 2147483648 at index 1 does not fit in int32`);
    const short = craft('int64-short.safetensors', { x: { dtype: 'I64', shape: [2], data_offsets: [0, 8] } }, 8);
    await expect(load(short)).rejects.toThrow('shape [2] of dtype I64 needs 16 bytes, but data_offsets [0, 8] span 8');
  });

  it('data offsets out of range, disagreeing with the shape, overlapping or leaving holes', async () => {
    const outside = craft('outside.safetensors', f32('w', [2], [0, 12]), 8);
    await expect(load(outside)).rejects.toThrow(`tensor 'w': data_offsets [0, 12] are out of range: the data section holds 8 bytes`);
    const size = craft('size.safetensors', f32('w', [3], [0, 8]), 8);
    await expect(load(size)).rejects.toThrow(`safetensors file '${size}': tensor 'w': shape [3] of dtype F32 needs 12 bytes, but data_offsets [0, 8] span 8`);
    const reversed = craft('reversed.safetensors', f32('w', [0], [8, 4]), 8);
    await expect(load(reversed)).rejects.toThrow(`tensor 'w': data_offsets must be [begin, end] with 0 <= begin <= end, found [8,4]`);
    const overlap = craft('overlap.safetensors', { ...f32('a', [2], [0, 8]), ...f32('b', [1], [4, 8]) }, 8);
    await expect(load(overlap)).rejects.toThrow(`safetensors file '${overlap}': tensors 'a' and 'b' overlap`);
    const hole = craft('hole.safetensors', { ...f32('a', [1], [0, 4]), ...f32('b', [1], [8, 12]) }, 12);
    await expect(load(hole)).rejects.toThrow(`safetensors file '${hole}': bytes [4, 8) of the data section belong to no tensor`);
    const trailing = craft('trailing.safetensors', f32('a', [1], [0, 4]), 6);
    await expect(load(trailing)).rejects.toThrow('bytes [4, 6) of the data section belong to no tensor');
    const badShape = craft('bad-shape.safetensors', f32('a', [-1], [0, 4]), 4);
    await expect(load(badShape)).rejects.toThrow(`tensor 'a': shape must be a list of non-negative integers, found [-1]`);
  });

  it('shapes that disagree with the model, and missing or unexpected keys under strict', async () => {
    const sd = await load(FIXTURE);
    const small = join(dir, 'small.safetensors');
    await save({ ...sd, 'fc1.weight': zeros([10, 784]), extra: zeros([1]) }, small);
    const { 'fc2.bias': _dropped, ...partial } = sd;
    const missing = join(dir, 'missing.safetensors');
    await save(partial, missing);
    const model = new NNModule();
    await expect(load(small).then((s) => model.loadStateDict(s))).rejects.toThrow(
      `Error(s) in loading state_dict for NNModule from '${small}':\n\tUnexpected key(s) in state_dict: "extra". \n\tsize mismatch for fc1.weight: copying a param with shape [10, 784] from checkpoint, the shape in current model is [200, 784].`,
    );
    await expect(load(missing).then((s) => model.loadStateDict(s))).rejects.toThrow(
      `Error(s) in loading state_dict for NNModule from '${missing}':\n\tMissing key(s) in state_dict: "fc2.bias". `,
    );
    expect(model.loadStateDict(await load(missing), { strict: false }).missingKeys).toEqual(['fc2.bias']);
  });
});

describe('files are read safely', () => {
  it('checks the length and the header against the file size before reading the data', async () => {
    // 3 GiB, sparse: a reader that loads the whole file first needs 3 GiB of memory (or fails on
    // Node's 2 GiB limit) before it sees that the header indexes 4 bytes of it.
    const head = { w: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } };
    const path = craft('huge.safetensors', head, 4);
    const size = 3 * 2 ** 30;
    truncateSync(path, size);
    const dataLength = size - 8 - JSON.stringify(head).length;
    const before = process.memoryUsage().rss;
    await expect(load(path)).rejects.toThrow(`safetensors file '${path}': bytes [4, ${dataLength}) of the data section belong to no tensor`);
    expect(process.memoryUsage().rss - before).toBeLessThan(256 * 2 ** 20);
  });

  it('refuses what is not a regular file, such as /dev/zero, without reading it', async () => {
    await expect(load('/dev/zero')).rejects.toThrow(`safetensors file '/dev/zero': not a regular file`);
  });

  it('keeps a tensor or a metadata key named __proto__ a plain key: nothing from a file touches a prototype', async () => {
    // Written as JSON text: in a JS object literal, __proto__ would set the prototype.
    const raw =
      '{"__metadata__":{"__proto__":"x","format":"pt"},' +
      '"__proto__":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}';
    const path = craft('proto.safetensors', null, new Uint8Array(new Float32Array([1, 2]).buffer), raw);
    const { tensors, metadata } = await readSafetensors(path);
    expect(Object.keys(tensors).sort()).toEqual(['__proto__', 'a']);
    expect(Object.getPrototypeOf(tensors)).toBe(null);
    expect(Array.from(await tensors['__proto__'].toArray())).toEqual([1]);
    expect(Object.keys(metadata!).sort()).toEqual(['__proto__', 'format']);
    expect(Object.getPrototypeOf(metadata)).toBe(null);
    const fromBytes = deserialize(readFileSync(path));
    expect(Object.keys(fromBytes.tensors).sort()).toEqual(['__proto__', 'a']);
    const model = new NNModule();
    expect(model.loadStateDict(await load(path), { strict: false }).unexpectedKeys.sort()).toEqual(['__proto__', 'a']);
    // Written back, the key survives.
    expect(Object.keys(deserialize(await serialize(tensors)).tensors).sort()).toEqual(['__proto__', 'a']);
  });
});
