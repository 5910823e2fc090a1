/**
 * Element types. `bool` is what comparisons return, as in PyTorch. float64 lives on the cpu
 * device only (WGSL has no f64): gradcheck and reference computations use it.
 */
export type DType = 'float32' | 'float64' | 'int32' | 'uint8' | 'bool';

/** The host arrays that hold tensor data: float32, float64, int32, and uint8 (for uint8 and bool). */
export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;

/** Every dtype mini has. */
export const DTYPES: readonly DType[] = ['float32', 'float64', 'int32', 'uint8', 'bool'];

/** Bytes per element in host memory (and in a cpu tensor). */
export function itemSize(dtype: DType): number {
  return dtype === 'float64' ? 8 : dtype === 'float32' || dtype === 'int32' ? 4 : 1;
}

export function allocArray(dtype: DType, length: number): TypedArray {
  switch (dtype) {
    case 'float32':
      return new Float32Array(length);
    case 'float64':
      return new Float64Array(length);
    case 'int32':
      return new Int32Array(length);
    case 'uint8':
    case 'bool':
      return new Uint8Array(length);
  }
}

/** Whether `dtype` is a floating-point type (float32, float64), like torch's is_floating_point. */
export function isFloating(dtype: DType): boolean {
  return dtype === 'float32' || dtype === 'float64';
}

/** The floating type a result takes: float64 if any operand is, else float32. */
export function floatType(...dtypes: DType[]): DType {
  return dtypes.includes('float64') ? 'float64' : 'float32';
}

export function checkDType(dtype: unknown): DType {
  if (typeof dtype === 'string' && (DTYPES as readonly string[]).includes(dtype)) return dtype as DType;
  throw new TypeError(`unknown dtype ${JSON.stringify(dtype)}; expected one of ${DTYPES.join(', ')}`);
}

/** The dtype two operands promote to, as torch.result_type does for these types. */
export function promoteTypes(a: DType, b: DType): DType {
  if (a === b) return a;
  if (a === 'float64' || b === 'float64') return 'float64';
  if (a === 'float32' || b === 'float32') return 'float32';
  if (a === 'int32' || b === 'int32') return 'int32';
  return 'uint8';
}
