import { randomBytes } from 'node:crypto';
import { open, readFile, rename, rm } from 'node:fs/promises';
import type { DeviceLike } from '@mini/tensor';
import { deserialize, serialize } from './safetensors.ts';
import { setStateDictSource, type StateDict } from './state-dict.ts';

/** Safetensors files (Node only): the bytes themselves are serialize()/deserialize() of ./safetensors.ts. */

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
  const { tensors } = deserialize(await readFile(path), { file: path, device });
  setStateDictSource(tensors, path);
  return tensors;
}
