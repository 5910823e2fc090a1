import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { IdxError, type IdxArray } from './idx-format.ts';
import { checkGzipMagic, IdxParser } from './idx-parser.ts';

/**
 * Reads a uint8 IDX file (raw, or gzip when its name ends in .gz), streaming it through
 * node:zlib into one preallocated array. Errors name the file and what was expected vs found.
 */
export async function readIdx(file: string, expectedMagic: number): Promise<IdxArray> {
  const gzip = file.endsWith('.gz');
  if (gzip) await readGzipMagic(file);
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

async function readGzipMagic(file: string): Promise<void> {
  const handle = await open(file, 'r');
  try {
    const head = new Uint8Array(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    checkGzipMagic(file, head.subarray(0, bytesRead));
  } finally {
    await handle.close();
  }
}
