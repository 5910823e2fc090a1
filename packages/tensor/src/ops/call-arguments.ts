import { checkOptions } from '../options.ts';

function isOptions(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype;
}

/**
 * Splits PyTorch's keyword arguments, given as a plain object after the positional arguments
 * (`sort(x, 0, { stable: true })`, `sort(x, { descending: true })`), off a call's arguments, and
 * merges them with the positional ones named `names`. A value given both ways is an error.
 */
export function callArguments<O extends object>(fn: string, args: readonly unknown[], names: readonly string[], keys: readonly string[]): Partial<O> {
  const positional = [...args];
  const options = isOptions(positional.at(-1)) ? (positional.pop() as Record<string, unknown>) : {};
  checkOptions(fn, options, keys);
  if (positional.length > names.length) throw new TypeError(`${fn}() takes at most ${names.length} positional arguments after the tensor (${positional.length} given)`);
  const merged: Record<string, unknown> = { ...options };
  positional.forEach((value, i) => {
    if (value === undefined) return;
    if (names[i] in options) throw new TypeError(`${fn}() got multiple values for argument '${names[i]}'`);
    merged[names[i]] = value;
  });
  return merged as Partial<O>;
}
