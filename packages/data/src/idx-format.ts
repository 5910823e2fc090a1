/** IDX magic numbers of the MNIST family: uint8 data (0x08) with 1 or 3 dimensions. */
export const IDX_LABELS = 0x00000801;
/** IDX magic number of uint8 image files (3 dimensions: count, rows, columns). */
export const IDX_IMAGES = 0x00000803;

/** The contents of an IDX file: its dims and its uint8 data. */
export interface IdxArray {
  /** The dims the file's header gives. */
  shape: number[];
  /** The elements, row-major. */
  data: Uint8Array;
}

/** An IDX file that is not what was expected: the message names it and says what was found. */
export class IdxError extends Error {}

const hex = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;

function describe(magic: number): string {
  return magic === IDX_LABELS ? 'uint8 labels, 1 dimension' : magic === IDX_IMAGES ? 'uint8 images, 3 dimensions' : 'IDX';
}

/** Bytes of the header of an IDX file with this magic number: the magic, then one uint32 per dim. */
export function idxHeaderBytes(magic: number): number {
  return 4 + 4 * (magic & 0xff);
}

const view = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** Checks the magic number in the first 4 bytes of an IDX file. */
export function checkIdxMagic(name: string, header: Uint8Array, expectedMagic: number): void {
  const magic = view(header).getUint32(0);
  if (magic !== expectedMagic) {
    throw new IdxError(`${name}: wrong magic number: expected ${hex(expectedMagic)} (${describe(expectedMagic)}), found ${hex(magic)}`);
  }
}

/** The dims in a whole header (idxHeaderBytes(magic) bytes). */
export function idxShape(header: Uint8Array, magic: number): number[] {
  return Array.from({ length: magic & 0xff }, (_, d) => view(header).getUint32(4 + 4 * d));
}

/** Checks that a file of `total` bytes holds exactly the header and the data its shape says (null: the header is incomplete). */
export function checkIdxLength(name: string, total: number, expectedMagic: number, shape: readonly number[] | null): void {
  const headerBytes = idxHeaderBytes(expectedMagic);
  if (!shape) throw new IdxError(`${name}: truncated: expected a ${headerBytes}-byte IDX header, found ${total} bytes`);
  const expected = headerBytes + shape.reduce((a, b) => a * b, 1);
  if (total !== expected) {
    const what = total < expected ? 'truncated' : 'trailing bytes';
    throw new IdxError(`${name}: ${what}: expected ${expected} bytes (${headerBytes}-byte header + ${shape.join('×')} data), found ${total}`);
  }
}

/**
 * Parses the bytes of a whole uint8 IDX file (not gzipped) already in memory, as fetched in a
 * browser; the data is a view into `bytes`, not a copy. Errors name the file (`name`) and say
 * what was expected and what was found, as readIdx's do.
 */
export function parseIdx(bytes: Uint8Array, expectedMagic: number, name = 'IDX data'): IdxArray {
  const headerBytes = idxHeaderBytes(expectedMagic);
  if (bytes.length >= 4) checkIdxMagic(name, bytes, expectedMagic);
  const shape = bytes.length >= headerBytes ? idxShape(bytes, expectedMagic) : null;
  checkIdxLength(name, bytes.length, expectedMagic, shape);
  return { shape: shape!, data: bytes.subarray(headerBytes) };
}
