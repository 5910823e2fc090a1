import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import type { DeviceLike } from '@mini/tensor';
import { checkEndianness, fail, headerLength, parseHeader, serialize, tensorsOf, type Safetensors } from './safetensors.ts';
import { setStateDictSource, type StateDict } from './state-dict.ts';

/** Safetensors files (Node only): the bytes themselves are serialize()/deserialize() of ./safetensors.ts. */

/** Node reads at most 2 GiB in one call. */
const READ_CHUNK = 1 << 30;

/**
 * Writes a state dict to `path` in the safetensors format, loadable by PyTorch's
 * safetensors.torch.load_file. It writes a temporary file and renames it, so that a crash never
 * leaves a half-written checkpoint at `path`.
 */
export async function save(stateDict: StateDict, path: string, metadata?: Record<string, string>): Promise<void> {
  const bytes = await serialize(stateDict, metadata);
  const temp = `${path}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  try {
    const handle = await open(temp, 'w');
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (e) {
    await rm(temp, { force: true });
    throw e;
  }
}

/**
 * Reads a safetensors file (e.g. written by PyTorch's save_file) into a state dict on `device`
 * (cpu by default, as load_file does). Loading it into a module names the file in any error.
 */
export async function load(path: string, { device = 'cpu' }: { device?: DeviceLike } = {}): Promise<StateDict> {
  const { tensors } = await readSafetensors(path, { device });
  setStateDictSource(tensors, path);
  return tensors;
}

/**
 * Reads a safetensors file header first: the 8-byte length and the header are checked against the
 * file's size before the data section is read, in one read of exactly its length. A file that is
 * not a regular file (a device, a pipe, a directory) is refused.
 */
export async function readSafetensors(path: string, { device = 'cpu' }: { device?: DeviceLike } = {}): Promise<Safetensors> {
  checkEndianness();
  const handle = await open(path, 'r');
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw fail(path, 'not a regular file');
    const read = async (position: number, length: number) => {
      const buffer = new Uint8Array(length);
      for (let at = 0; at < length; ) {
        const { bytesRead } = await handle.read(buffer, at, Math.min(length - at, READ_CHUNK), position + at);
        if (bytesRead === 0) throw fail(path, `file is truncated: expected ${length} bytes at offset ${position}, read ${at} (did it change while read?)`);
        at += bytesRead;
      }
      return buffer;
    };
    const n = headerLength(await read(0, Math.min(8, stats.size)), stats.size, path);
    const dataLength = stats.size - 8 - n;
    const { entries, metadata } = parseHeader(await read(8, n), dataLength, path);
    return { tensors: tensorsOf(entries, await read(8 + n, dataLength), device, path), metadata };
  } finally {
    await handle.close();
  }
}
