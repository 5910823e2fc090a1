/** Argument handling shared by the sliding-window ops (convolution and pooling). */

/** A number or a pair for the two spatial dims, as PyTorch's int-or-tuple arguments. */
export type Pair = number | readonly [number, number];

/** `value` as [h, w], checking that each is an integer (PyTorch's _pair). */
export function pair(op: string, name: string, value: Pair): [number, number] {
  const [h, w] = typeof value === 'number' ? [value, value] : value;
  if (!Number.isInteger(h) || !Number.isInteger(w) || (typeof value !== 'number' && value.length !== 2)) {
    throw new TypeError(`${op}: ${name} must be an integer or a pair of integers, found ${JSON.stringify(value)}`);
  }
  return [h, w];
}

/**
 * The output length of a window of `kernel` taps `dilation` apart, moved by `stride` over
 * `size` elements padded by `padBefore` + `padAfter`. With ceilMode a last partial window counts
 * when it starts inside the input or the leading padding (PyTorch's pooling_output_shape).
 */
export function windowCount(size: number, kernel: number, stride: number, padBefore: number, padAfter: number, dilation: number, ceilMode = false): number {
  const span = size + padBefore + padAfter - dilation * (kernel - 1) - 1;
  let count = Math.floor((span + (ceilMode ? stride - 1 : 0)) / stride) + 1;
  if (ceilMode && (count - 1) * stride >= size + padBefore) count--;
  return count;
}

/** 4-D input, or 3-D unbatched input viewed as a batch of one (PyTorch accepts both). */
export function checkSpatialInput(op: string, shape: readonly number[], unbatched: number): void {
  if (shape.length !== unbatched && shape.length !== unbatched + 1) {
    throw new RangeError(
      `Expected ${unbatched}D (unbatched) or ${unbatched + 1}D (batched) input to ${op}, but got input of size: [${shape.join(', ')}]`,
    );
  }
}
