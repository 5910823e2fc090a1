import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';

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

const hex = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;

/**
 * Reads a uint8 IDX file (raw, or gzip when its name ends in .gz), streaming it through
 * node:zlib into one preallocated array. Errors name the file and what was expected vs found.
 */
export async function readIdx(file: string, expectedMagic: number): Promise<IdxArray> {
  const gzip = file.endsWith('.gz');
  if (gzip) await checkGzipMagic(file);
  const source = createReadStream(file);
  const stream = gzip ? source.pipe(createGunzip()) : source;
  if (gzip) source.on('error', (error) => stream.destroy(error));
  const reader = new IdxParser(file, expectedMagic);
  try {
    for await (const chunk of stream) reader.push(chunk as Buffer);
  } catch (error) {
    source.destroy();
    if (error instanceof IdxError) throw error;
    const reason = (error as Error).message;
    throw new Error(gzip && (error as { code?: string }).code?.startsWith('Z_') ? `${file}: gzip data is truncated or corrupt (${reason})` : `${file}: ${reason}`);
  }
  return reader.finish();
}

class IdxError extends Error {}

async function checkGzipMagic(file: string): Promise<void> {
  const handle = await open(file, 'r');
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    if (bytesRead < 2 || head[0] !== 0x1f || head[1] !== 0x8b) {
      const found = bytesRead === 0 ? 'an empty file' : Array.from(head.subarray(0, bytesRead), (b) => b.toString(16).padStart(2, '0')).join(' ');
      throw new IdxError(`${file}: not a gzip file: expected the gzip magic bytes 1f 8b, found ${found}`);
    }
  } finally {
    await handle.close();
  }
}

/** Parses the header as the bytes arrive, then copies the data into place. */
class IdxParser {
  private header: Buffer = Buffer.alloc(0);
  private shape: number[] | null = null;
  private data: Uint8Array | null = null;
  private filled = 0;
  private total = 0;

  constructor(
    private readonly file: string,
    private readonly expectedMagic: number,
  ) {}

  private get headerBytes(): number {
    return 4 + 4 * (this.expectedMagic & 0xff);
  }

  push(chunk: Buffer): void {
    this.total += chunk.length;
    if (!this.data) {
      this.header = Buffer.concat([this.header, chunk]);
      if (this.header.length >= 4) this.checkMagic();
      if (this.header.length < this.headerBytes) return;
      this.allocate();
      chunk = this.header.subarray(this.headerBytes);
    }
    const data = this.data!;
    const room = data.length - this.filled;
    data.set(chunk.subarray(0, room), this.filled);
    this.filled += Math.min(room, chunk.length);
  }

  finish(): IdxArray {
    if (!this.data) {
      throw new IdxError(`${this.file}: truncated: expected a ${this.headerBytes}-byte IDX header, found ${this.total} bytes`);
    }
    const expected = this.headerBytes + this.data.length;
    if (this.total !== expected) {
      const what = this.total < expected ? 'truncated' : 'trailing bytes';
      throw new IdxError(`${this.file}: ${what}: expected ${expected} bytes (${this.headerBytes}-byte header + ${this.shape!.join('×')} data), found ${this.total}`);
    }
    return { shape: this.shape!, data: this.data };
  }

  private checkMagic(): void {
    const magic = this.header.readUInt32BE(0);
    if (magic !== this.expectedMagic) {
      throw new IdxError(`${this.file}: wrong magic number: expected ${hex(this.expectedMagic)} (${describe(this.expectedMagic)}), found ${hex(magic)}`);
    }
  }

  private allocate(): void {
    const dims = this.expectedMagic & 0xff;
    this.shape = Array.from({ length: dims }, (_, d) => this.header.readUInt32BE(4 + 4 * d));
    this.data = new Uint8Array(this.shape.reduce((a, b) => a * b, 1));
  }
}

function describe(magic: number): string {
  return magic === IDX_LABELS ? 'uint8 labels, 1 dimension' : magic === IDX_IMAGES ? 'uint8 images, 3 dimensions' : 'IDX';
}
