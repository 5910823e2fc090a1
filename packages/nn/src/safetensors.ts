import { device as resolveDevice, itemSize, upload, type DeviceLike, type DType, type TypedArray } from '@mini/tensor';
import type { StateDict } from './state-dict.ts';

/**
 * The safetensors format (https://github.com/huggingface/safetensors): an 8-byte little-endian
 * header length N, N bytes of JSON header {name: {dtype, shape, data_offsets: [begin, end]},
 * "__metadata__"?: {string: string}}, then the raw little-endian data, every byte of it indexed.
 */

const CODES: Record<string, DType> = { F32: 'float32', F64: 'float64', I32: 'int32', U8: 'uint8', BOOL: 'bool' };
const CODE_OF = Object.fromEntries(Object.entries(CODES).map(([code, dtype]) => [dtype, code])) as Record<DType, string>;
/**
 * I64, PyTorch's integer type (indices, BatchNorm's num_batches_tracked), is read into int32, the
 * widest integer mini has, when every value fits; a value that does not is an error.
 */
const READ_AS: Record<string, DType> = { ...CODES, I64: 'int32' };
const fileItemSize = (code: string) => (code === 'I64' ? 8 : itemSize(CODES[code]));
/** Every dtype the format defines; the ones outside CODES are valid but not read here. */
const KNOWN = ['BOOL', 'U8', 'I8', 'F8_E5M2', 'F8_E4M3', 'I16', 'U16', 'F16', 'BF16', 'I32', 'U32', 'F32', 'F64', 'I64', 'U64'];
/** The reference implementation's limit on the header size. */
const MAX_HEADER = 100_000_000;

/** The contents of safetensors bytes: the tensors by name, and the optional string metadata. */
export interface Safetensors {
  /** The tensors, by name, in file order. */
  tensors: StateDict;
  /** The `__metadata__` strings, or null when there are none. */
  metadata: Record<string, string> | null;
}

/** Refuses a big-endian host: the format is little-endian and the typed arrays view it in place. */
export function checkEndianness(): void {
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) throw new Error('safetensors: only little-endian hosts are supported');
}

/** An error naming the file. */
export function fail(file: string, message: string): Error {
  return new Error(`safetensors file '${file}': ${message}`);
}

/** The bytes of a state dict in the safetensors format; reads webgpu tensors back. */
export async function serialize(stateDict: StateDict, metadata?: Record<string, string>): Promise<Uint8Array> {
  checkEndianness();
  // Wider dtypes first, as the reference writer does, so that every tensor is aligned to its item size.
  const entries = Object.entries(stateDict).sort(([, a], [, b]) => itemSize(b.dtype) - itemSize(a.dtype));
  const header: Record<string, unknown> = Object.create(null);
  if (metadata) header.__metadata__ = metadata;
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of entries) {
    const data = await t.toArray();
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    header[name] = { dtype: CODE_OF[t.dtype], shape: [...t.shape], data_offsets: [offset, offset + bytes.byteLength] };
    chunks.push(bytes);
    offset += bytes.byteLength;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padding = (8 - (json.byteLength % 8)) % 8;
  if (padding) json = new TextEncoder().encode(JSON.stringify(header) + ' '.repeat(padding));
  const out = new Uint8Array(8 + json.byteLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.byteLength), true);
  out.set(json, 8);
  let at = 8 + json.byteLength;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}

interface Entry {
  name: string;
  /** The dtype as the file names it (F32, I64, ...), and the one it is read into. */
  code: string;
  dtype: DType;
  shape: number[];
  begin: number;
  end: number;
}

/** The JSON header's length, read from the first 8 bytes and checked against the file's size. */
export function headerLength(prefix: Uint8Array, fileSize: number, file: string): number {
  if (fileSize < 8) throw fail(file, `file is truncated: it holds ${fileSize} bytes, fewer than the 8-byte header length`);
  const n = new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER)) throw fail(file, `header length ${n} exceeds the ${MAX_HEADER}-byte limit (not a safetensors file?)`);
  const length = Number(n);
  if (8 + length > fileSize) throw fail(file, `file is truncated: the header should hold ${length} bytes of JSON, found ${fileSize - 8}`);
  return length;
}

/** Parses and checks the JSON header against the length of the data section that follows it. */
export function parseHeader(json: Uint8Array, dataLength: number, file: string): { entries: Entry[]; metadata: Record<string, string> | null } {
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(json));
  } catch (e) {
    throw fail(file, `header is not valid JSON (${(e as Error).message})`);
  }
  if (!header || typeof header !== 'object' || Array.isArray(header)) {
    throw fail(file, `header must be a JSON object, found ${Array.isArray(header) ? 'an array' : JSON.stringify(header)}`);
  }
  let metadata: Record<string, string> | null = null;
  const entries: Entry[] = [];
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = parseMetadata(info, file);
      continue;
    }
    entries.push(parseEntry(name, info, dataLength, file));
  }
  checkCoverage(entries, dataLength, file);
  return { entries, metadata };
}

function parseMetadata(info: unknown, file: string): Record<string, string> {
  if (!info || typeof info !== 'object' || Array.isArray(info) || Object.values(info).some((v) => typeof v !== 'string')) {
    throw fail(file, `__metadata__ must map strings to strings, found ${JSON.stringify(info)}`);
  }
  return Object.assign(Object.create(null) as Record<string, string>, info);
}

function parseEntry(name: string, info: unknown, dataLength: number, file: string): Entry {
  const where = `tensor '${name}'`;
  if (!info || typeof info !== 'object') throw fail(file, `${where}: expected {dtype, shape, data_offsets}, found ${JSON.stringify(info)}`);
  const { dtype: code, shape, data_offsets: offsets } = info as Record<string, unknown>;
  if (typeof code !== 'string' || !KNOWN.includes(code)) {
    throw fail(file, `${where}: unknown dtype ${JSON.stringify(code)} (expected one of ${KNOWN.join(', ')})`);
  }
  const dtype = READ_AS[code];
  if (!dtype) throw fail(file, `${where}: dtype ${code} is not supported (expected one of ${Object.keys(READ_AS).join(', ')})`);
  if (!Array.isArray(shape) || shape.some((d) => !Number.isSafeInteger(d) || d < 0)) {
    throw fail(file, `${where}: shape must be a list of non-negative integers, found ${JSON.stringify(shape)}`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || offsets.some((o) => !Number.isSafeInteger(o) || o < 0) || offsets[0] > offsets[1]) {
    throw fail(file, `${where}: data_offsets must be [begin, end] with 0 <= begin <= end, found ${JSON.stringify(offsets)}`);
  }
  const [begin, end] = offsets as number[];
  if (end > dataLength) {
    throw fail(file, `${where}: data_offsets [${begin}, ${end}] are out of range: the data section holds ${dataLength} bytes (truncated file?)`);
  }
  const needed = shape.reduce((a: number, b: number) => a * b, 1) * fileItemSize(code);
  if (end - begin !== needed) {
    throw fail(file, `${where}: shape [${shape.join(', ')}] of dtype ${code} needs ${needed} bytes, but data_offsets [${begin}, ${end}] span ${end - begin}`);
  }
  return { name, code, dtype, shape: shape as number[], begin, end };
}

/** The data section must be indexed entirely, without holes or overlaps, as the format requires. */
function checkCoverage(entries: Entry[], dataLength: number, file: string): void {
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  let previous: Entry | null = null;
  for (const e of sorted) {
    if (e.begin < at) throw fail(file, `tensors '${previous!.name}' and '${e.name}' overlap (data_offsets ${previous!.end} > ${e.begin})`);
    if (e.begin > at) throw fail(file, `bytes [${at}, ${e.begin}) of the data section belong to no tensor`);
    at = e.end;
    previous = e;
  }
  if (at !== dataLength) throw fail(file, `bytes [${at}, ${dataLength}) of the data section belong to no tensor`);
}

/** I64 data as int32, refusing a value outside int32's range. */
function int64ToInt32(own: Uint8Array, e: Entry, file: string): Int32Array {
  const wide = new BigInt64Array(own.buffer);
  const out = new Int32Array(wide.length);
  for (let i = 0; i < wide.length; i++) {
    if (wide[i] < -0x80000000n || wide[i] > 0x7fffffffn) {
      throw fail(file, `tensor '${e.name}': I64 value ${wide[i]} at index ${i} does not fit in int32, the widest integer dtype here`);
    }
    out[i] = Number(wide[i]);
  }
  return out;
}

function hostArray(e: Entry, bytes: Uint8Array, file: string): TypedArray {
  const own = new Uint8Array(bytes); // a copy in a fresh buffer, aligned (Buffer.slice would share the file's)
  if (e.code === 'I64') return int64ToInt32(own, e, file);
  switch (e.dtype) {
    case 'float32':
      return new Float32Array(own.buffer);
    case 'float64':
      return new Float64Array(own.buffer);
    case 'int32':
      return new Int32Array(own.buffer);
    case 'uint8':
    case 'bool':
      return own;
  }
}

/** The tensors of a checked header, from its data section, in file order. */
export function tensorsOf(entries: Entry[], data: Uint8Array, device: DeviceLike, file: string): StateDict {
  const target = resolveDevice(device);
  // Keys come from the file: a tensor named __proto__ must stay a key, never become a prototype.
  const tensors: StateDict = Object.create(null);
  for (const e of [...entries].sort((a, b) => a.begin - b.begin)) {
    if (e.dtype === 'float64' && target.type !== 'cpu') {
      throw fail(file, `tensor '${e.name}' is F64, and float64 lives on the cpu device only: load it with device 'cpu'`);
    }
    const host = hostArray(e, data.subarray(e.begin, e.end), file);
    if (e.dtype === 'bool' && host.some((v) => v > 1)) throw fail(file, `tensor '${e.name}': BOOL data holds bytes other than 0 and 1`);
    tensors[e.name] = upload(host, e.shape, e.dtype, target);
  }
  return tensors;
}

/** Parses safetensors bytes into tensors on `device` (in file order); `file` names the source in errors. */
export function deserialize(bytes: Uint8Array, { file = '<bytes>', device = 'cpu' }: { file?: string; device?: DeviceLike } = {}): Safetensors {
  checkEndianness();
  const n = headerLength(bytes, bytes.byteLength, file);
  const { entries, metadata } = parseHeader(bytes.subarray(8, 8 + n), bytes.byteLength - 8 - n, file);
  return { tensors: tensorsOf(entries, bytes.subarray(8 + n), device, file), metadata };
}
