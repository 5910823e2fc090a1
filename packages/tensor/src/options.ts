/**
 * Checks an options object (PyTorch's keyword arguments) against the names `fn` takes: an
 * unknown option is an error naming it, as PyTorch's "got an unexpected keyword argument".
 */
export function checkOptions<T extends object>(fn: string, options: T, known: readonly (keyof T & string)[]): T {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(`${fn}(): expected an options object as the last argument, found ${options === null ? 'null' : Array.isArray(options) ? 'an array' : typeof options}`);
  }
  for (const key of Object.keys(options)) {
    if (!(known as readonly string[]).includes(key)) {
      throw new TypeError(`${fn}() got an unexpected keyword argument '${key}' (it takes ${known.map((k) => `'${k}'`).join(', ') || 'no options'})`);
    }
  }
  return options;
}
