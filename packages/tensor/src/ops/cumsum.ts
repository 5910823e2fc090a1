import { record } from '../autograd-hooks.ts';
import { noGrad } from '../autograd/grad-mode.ts';
import { empty } from '../alloc.ts';
import { isFloating, type DType } from '../dtype.ts';
import { normalizeDim } from '../shape.ts';
import type { Tensor } from '../tensor.ts';
import { add, sub } from './elementwise.ts';
import { grid, launch, wgslType } from './gpu.ts';
import { checkOptions } from '../options.ts';
import { aroundDim, sum } from './reduce.ts';
import { contiguous } from './views.ts';

function scan(x: Tensor, d: number, dtype: DType): Tensor {
  const { outer, size: r, inner } = aroundDim(x, d);
  const out = empty(x.shape, dtype, x.device);
  const src = contiguous(x);
  if (x.device.type === 'cpu') {
    const [a, dst] = [src.storage.array, out.storage.array];
    const integral = !isFloating(dtype);
    for (let line = 0; line < outer * inner; line++) {
      const start = Math.floor(line / inner) * r * inner + (line % inner);
      let acc = 0;
      for (let k = 0; k < r; k++) {
        acc = integral ? (acc + a[src.offset + start + k * inner]) | 0 : acc + a[src.offset + start + k * inner];
        dst[start + k * inner] = acc;
      }
    }
  } else if (out.numel() > 0) {
    const T = isFloating(dtype) ? 'f32' : 'i32';
    const params = { lines: outer * inner, reduce: r, inner, offset: src.offset };
    launch('cumsum', { family: 'cumsum', template: { A: wgslType(src.dtype), OUT: wgslType(dtype), T } }, [src, out], params, grid(outer * inner, 64));
  }
  if (src !== x) src.dispose();
  return out;
}

/**
 * Cumulative sums along dim, like torch.cumsum(input, dim, *, dtype=None); integers (and bool)
 * sum in int32, where PyTorch uses int64.
 */
export function cumsum(x: Tensor, dim: number, options: { dtype?: DType } = {}): Tensor {
  checkOptions('cumsum', options, ['dtype']);
  const d = normalizeDim(dim, x.ndim);
  const dtype = options.dtype ?? (isFloating(x.dtype) ? x.dtype : 'int32');
  const out = noGrad(() => scan(x, d, dtype));
  // The gradient is the reversed cumulative sum of g: sum(g) - cumsum(g) + g.
  return record('Cumsum', [x], out, [], (g) => {
    const reversed = add(sub(sum(g, d, true), scan(g, d, g.dtype)), g);
    return [reversed.dtype === x.dtype ? reversed : reversed.to(x.dtype)];
  });
}
