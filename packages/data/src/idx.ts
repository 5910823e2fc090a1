import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';

import { checkIdxLength, checkIdxMagic, IdxError, idxHeaderBytes, idxShape, type IdxArray } from './idx-format.ts';

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

  push(chunk: Buffer): void {
    this.total += chunk.length;
    if (!this.data) {
      this.header = Buffer.concat([this.header, chunk]);
      if (this.header.length >= 4) checkIdxMagic(this.file, this.header, this.expectedMagic);
      const headerBytes = idxHeaderBytes(this.expectedMagic);
      if (this.header.length < headerBytes) return;
      this.shape = idxShape(this.header, this.expectedMagic);
      this.data = new Uint8Array(this.shape.reduce((a, b) => a * b, 1));
      chunk = this.header.subarray(headerBytes);
    }
    const data = this.data;
    const room = data.length - this.filled;
    data.set(chunk.subarray(0, room), this.filled);
    this.filled += Math.min(room, chunk.length);
  }

  finish(): IdxArray {
    checkIdxLength(this.file, this.total, this.expectedMagic, this.shape);
    return { shape: this.shape!, data: this.data! };
  }
}
