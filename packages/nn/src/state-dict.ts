import type { Tensor } from '@mini/tensor';

/** Parameters and persistent buffers by dotted name (fc1.weight, ...), in registration order. */
export type StateDict = Record<string, Tensor>;

/** Where a state dict was read from, so that loading errors can name the file. */
const sources = new WeakMap<StateDict, string>();

export function setStateDictSource(sd: StateDict, file: string): void {
  sources.set(sd, file);
}

export function stateDictSource(sd: StateDict): string | undefined {
  return sources.get(sd);
}

/** What loadStateDict found, as PyTorch's named tuple: keys the module has and the dict lacks, and the reverse. */
export interface LoadResult {
  /** Keys of the module that the state dict did not have. */
  missingKeys: string[];
  /** Keys of the state dict that the module does not have. */
  unexpectedKeys: string[];
}

/** The shape as PyTorch prints it in loading errors, e.g. [200, 784]. */
function shapeText(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/**
 * Checks `sd` against the module's own entries (name -> tensor) and returns what to copy, or
 * throws PyTorch's "Error(s) in loading state_dict" message (naming the file the dict came from).
 */
export function matchStateDict(
  moduleName: string,
  own: ReadonlyMap<string, Tensor>,
  sd: StateDict,
  strict: boolean,
): { pairs: [Tensor, Tensor][]; result: LoadResult } {
  const pairs: [Tensor, Tensor][] = [];
  const missingKeys: string[] = [];
  const sizeErrors: string[] = [];
  for (const [key, target] of own) {
    const source = Object.hasOwn(sd, key) ? sd[key] : undefined;
    if (!source) {
      missingKeys.push(key);
    } else if (source.ndim !== target.ndim || source.shape.some((d, i) => d !== target.shape[i])) {
      sizeErrors.push(
        `size mismatch for ${key}: copying a param with shape ${shapeText(source.shape)} from checkpoint, the shape in current model is ${shapeText(target.shape)}.`,
      );
    } else {
      pairs.push([target, source]);
    }
  }
  const unexpectedKeys = Object.keys(sd).filter((k) => !own.has(k));
  const errors: string[] = [];
  const quoted = (keys: string[]) => keys.map((k) => `"${k}"`).join(', ');
  if (strict && missingKeys.length) errors.push(`Missing key(s) in state_dict: ${quoted(missingKeys)}. `);
  if (strict && unexpectedKeys.length) errors.push(`Unexpected key(s) in state_dict: ${quoted(unexpectedKeys)}. `);
  errors.push(...sizeErrors);
  if (errors.length) {
    const file = stateDictSource(sd);
    const from = file ? ` from '${file}'` : '';
    throw new Error(`Error(s) in loading state_dict for ${moduleName}${from}:\n\t${errors.join('\n\t')}`);
  }
  return { pairs, result: { missingKeys, unexpectedKeys } };
}
