import type { GradFn, GradHook } from './autograd-hooks.ts';
import { backward } from './autograd/engine.ts';
import type { Device, DeviceLike } from './device/device.ts';
import { isFloating, type DType, type TypedArray } from './dtype.ts';
import { setTensorCheck, trackInScope } from './memory.ts';
import { contiguousStrides, normalizeDim, numel, type Shape } from './shape.ts';
import { countTensor, type Storage } from './storage.ts';
import * as ew from './ops/elementwise.ts';
import type { CloseOptions, Operand } from './ops/elementwise.ts';
import * as red from './ops/reduce.ts';
import type { Dims, ValuesIndices } from './ops/reduce.ts';
import * as stats from './ops/reduce-stats.ts';
import type { VarArgs } from './ops/reduce-stats.ts';
import { norm, type NormOrder } from './ops/reduce-norm.ts';
import { cumsum } from './ops/cumsum.ts';
import * as sorting from './ops/sort.ts';
import type { SortArgs, TopkArgs } from './ops/sort.ts';
import * as views from './ops/views.ts';
import { bmm, dot, matmul, mm } from './ops/matmul.ts';
import { gather, scatter, scatterAdd, type ScatterOptions } from './ops/gather-scatter.ts';
import { flip, repeat } from './ops/rearrange.ts';
import { maskedFill, maskedSelect, tril, triu } from './ops/masks.ts';
import { logSoftmax, softmax } from './ops/softmax.ts';
import { indexSelect } from './ops/index-select.ts';
import { formatTensor } from './format.ts';
import { readArray } from './readback.ts';


/** What a tensor holds: its storage, and the graph node that made it (which frees its saved tensors when no tensor reaches it). */
interface Holds {
  storage: Storage;
  gradFn: GradFn | null;
}

/** Frees what tensors that were garbage-collected without dispose() held. */
const finalizer = new FinalizationRegistry<Holds>((holds) => {
  countTensor(-1);
  holds.storage.release();
  holds.gradFn?.drop();
});

/**
 * An n-dimensional array on a device, with PyTorch's methods. Shape, strides and offset describe
 * a view into a shared Storage; most kernels read strided inputs and write contiguous outputs.
 */
export class Tensor {
  /** Whether autograd records the ops on this tensor (a leaf's flag, set by requiresGrad_()). */
  requiresGrad = false;
  /** Accumulated gradient (leaf tensors), as in PyTorch. */
  grad: Tensor | null = null;
  /** Internal: the tensor this one is a view of, and the base's gradFn when the view was taken. */
  viewOrigin: {
    /** The tensor whose storage this view reads. */
    base: Tensor;
    /** The base's gradFn when the view was taken. */
    baseGradFn: GradFn | null;
  } | null = null;
  /** Internal: the hooks registerHook() put on a leaf (a non-leaf's are on its gradFn). */
  readonly leafHooks: GradHook[] = [];
  private disposed = false;
  private readonly holds: Holds;

  /**
   * Internal: use tensor(), zeros(), ... to create tensors.
   * @param shape The size of each dim.
   * @param dtype The element type.
   * @param strides Elements to step in storage per index of each dim.
   * @param offset Where the view starts in its storage, in elements.
   */
  constructor(
    private _storage: Storage,
    readonly shape: readonly number[],
    readonly dtype: DType,
    readonly strides: readonly number[] = contiguousStrides(shape),
    readonly offset = 0,
  ) {
    countTensor(1);
    this.holds = { storage: _storage, gradFn: null };
    finalizer.register(this, this.holds, this);
    trackInScope(this);
  }

  /** The op that produced this tensor, when it was recorded for autograd (kept after dispose(): backward may walk through it). */
  get gradFn(): GradFn | null {
    return this.holds.gradFn;
  }

  /** Internal: sets the op that produced this tensor, holding the new one and dropping the old. */
  set gradFn(fn: GradFn | null) {
    if (fn === this.holds.gradFn) return;
    if (!this.disposed) fn?.hold();
    const previous = this.holds.gradFn;
    this.holds.gradFn = fn;
    if (!this.disposed) previous?.drop();
  }

  /** The shared buffer behind this view; throws once the tensor is disposed. */
  get storage(): Storage {
    if (this.disposed) throw new Error(`Tensor of shape [${this.shape.join(', ')}] was used after dispose()`);
    return this._storage;
  }

  /** The device that holds the data, like torch's `t.device`. */
  get device(): Device {
    return this._storage.device;
  }

  /** Whether dispose() was called (directly or by tidy()). */
  get isDisposed(): boolean {
    return this.disposed;
  }

  /** The number of dimensions. */
  get ndim(): number {
    return this.shape.length;
  }

  /** Whether no recorded op produced this tensor (autograd accumulates `grad` only on leaves). */
  get isLeaf(): boolean {
    return this.gradFn === null;
  }

  /** The number of dimensions, like torch's dim(). */
  dim(): number {
    return this.shape.length;
  }

  /** The number of elements, like torch's numel(). */
  numel(): number {
    return numel(this.shape);
  }

  /** The shape, or the size of one dim, like torch's size(). */
  size(): number[];
  size(dim: number): number;
  size(dim?: number): number[] | number {
    return dim === undefined ? [...this.shape] : this.shape[normalizeDim(dim, this.ndim)];
  }

  /** Whether the elements are laid out row-major without gaps, like torch's is_contiguous(). */
  isContiguous(): boolean {
    const expected = contiguousStrides(this.shape);
    return this.shape.every((d, i) => d === 1 || this.strides[i] === expected[i]);
  }

  /** Frees this tensor's hold on its storage now (other views keep theirs). Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    finalizer.unregister(this);
    countTensor(-1);
    this._storage.release();
    this.holds.gradFn?.drop();
  }

  // ---- autograd ----
  /** Sets requiresGrad in place on a floating-point leaf, like torch's requires_grad_(). */
  requiresGrad_(requiresGrad = true): this {
    if (!this.isLeaf) throw new Error('you can only change requires_grad flags of leaf variables.');
    if (requiresGrad && !isFloating(this.dtype)) {
      throw new Error(`only Tensors of floating point dtype can require gradients (found ${this.dtype})`);
    }
    this.requiresGrad = requiresGrad;
    return this;
  }

  /** Computes gradients of this tensor with respect to graph leaves, like torch.Tensor.backward. */
  backward(gradient?: Tensor, options: { retainGraph?: boolean } = {}): void {
    backward(this, gradient, options);
  }

  /** Whether backward stores this non-leaf's gradient in .grad (see retainGrad()). */
  get retainsGrad(): boolean {
    return this.gradFn !== null && this.gradFn.retainsGradOf === this;
  }

  /** Makes backward store (and accumulate) this non-leaf tensor's gradient in .grad, like torch's retain_grad. */
  retainGrad(): void {
    if (!this.requiresGrad) throw new Error("can't retain_grad on Tensor that has requires_grad=False");
    if (this.gradFn) this.gradFn.retainsGradOf = this;
  }

  /**
   * Registers a hook called with this tensor's gradient each time it is computed, like torch's
   * register_hook; a hook that returns a tensor replaces the gradient. The gradient lives until
   * backward ends: keep() it to hold on to it. Returns a handle whose remove() unregisters it.
   */
  registerHook(hook: GradHook): {
    /** Unregisters the hook. */
    remove(): void;
  } {
    if (!this.requiresGrad) throw new Error("cannot register a hook on a tensor that doesn't require gradient");
    const hooks = this.gradFn ? this.gradFn.hooks : this.leafHooks;
    hooks.push(hook);
    return {
      remove: () => {
        const i = hooks.indexOf(hook);
        if (i >= 0) hooks.splice(i, 1);
      },
    };
  }

  // ---- in place (recorded for autograd through autograd/inplace.ts) ----
  /** this += alpha·other in place, like torch's add_. */
  add_(other: Operand, alpha?: number): this {
    ew.add_(this, other, alpha);
    return this;
  }

  /** this *= other in place, like torch's mul_. */
  mul_(other: Operand): this {
    ew.mul_(this, other);
    return this;
  }

  /** A tensor sharing this one's data, cut off from the graph, with its own hold on the storage. */
  detach(): Tensor {
    return new Tensor(this.storage.retain(), this.shape, this.dtype, this.strides, this.offset);
  }

  // ---- readback ----
  /** The elements in row-major order, as a typed array (bool and uint8 as Uint8Array). */
  toArray(): Promise<TypedArray> {
    return readArray(this);
  }

  /** The one element of a one-element tensor, as a number. */
  async item(): Promise<number> {
    if (this.numel() !== 1) {
      throw new Error(`a Tensor with ${this.numel()} elements cannot be converted to Scalar`);
    }
    return (await this.toArray())[0];
  }

  /** Nested arrays, like torch's tolist() (bool elements as booleans). */
  async tolist(): Promise<unknown> {
    const raw = await this.toArray();
    const data: (number | boolean)[] = this.dtype === 'bool' ? Array.from(raw, Boolean) : Array.from(raw);
    const build = (dim: number, start: number): unknown => {
      if (dim === this.ndim) return data[start];
      const step = this.shape.slice(dim + 1).reduce((a, b) => a * b, 1);
      return Array.from({ length: this.shape[dim] }, (_, i) => build(dim + 1, start + i * step));
    };
    return build(0, 0);
  }

  /** The printed form, like PyTorch's: `tensor([[1., 2.]], device='webgpu')`. */
  async format(): Promise<string> {
    return formatTensor(this, await this.toArray());
  }

  /** A short description: shape, dtype and device (the values need `await format()`). */
  toString(): string {
    return `Tensor(shape=[${this.shape.join(', ')}], dtype=${this.dtype}, device='${this.device}'${this.requiresGrad ? ', requiresGrad' : ''})`;
  }

  // ---- elementwise (ops/elementwise.ts; a number or boolean stands for a 0-d tensor) ----
  /** `this + alpha * other`, broadcasting, like torch.add. */
  add(other: Operand, alpha?: number): Tensor {
    return ew.add(this, other, alpha);
  }
  /** `this - alpha * other`, broadcasting, like torch.sub. */
  sub(other: Operand, alpha?: number): Tensor {
    return ew.sub(this, other, alpha);
  }
  /** Elementwise product, broadcasting, like torch.mul. */
  mul(other: Operand): Tensor {
    return ew.mul(this, other);
  }
  /** Elementwise quotient, broadcasting, like torch.div. */
  div(other: Operand): Tensor {
    return ew.div(this, other);
  }
  /** Elementwise power, like torch.pow. */
  pow(exponent: Operand): Tensor {
    return ew.pow(this, exponent);
  }
  /** Elementwise maximum of two tensors, like torch.maximum. */
  maximum(other: Tensor): Tensor {
    return ew.maximum(this, other);
  }
  /** Elementwise minimum of two tensors, like torch.minimum. */
  minimum(other: Tensor): Tensor {
    return ew.minimum(this, other);
  }
  /** Clamped to [min, max]; either bound a tensor, a number or null. */
  clamp(min: Operand | null = null, max: Operand | null = null): Tensor {
    return ew.clamp(this, min, max);
  }
  /** Elementwise `==`, a bool tensor, like torch.eq. */
  eq(other: Operand): Tensor {
    return ew.eq(this, other);
  }
  /** Elementwise `!=`, a bool tensor, like torch.ne. */
  ne(other: Operand): Tensor {
    return ew.ne(this, other);
  }
  /** Elementwise `>`, a bool tensor, like torch.gt. */
  gt(other: Operand): Tensor {
    return ew.gt(this, other);
  }
  /** Elementwise `<`, a bool tensor, like torch.lt. */
  lt(other: Operand): Tensor {
    return ew.lt(this, other);
  }
  /** Elementwise `>=`, a bool tensor, like torch.ge. */
  ge(other: Operand): Tensor {
    return ew.ge(this, other);
  }
  /** Elementwise `<=`, a bool tensor, like torch.le. */
  le(other: Operand): Tensor {
    return ew.le(this, other);
  }
  /** Where the elements are NaN, a bool tensor, like torch.isnan. */
  isnan(): Tensor {
    return ew.isnan(this);
  }
  /** Where the elements are ±infinity, a bool tensor, like torch.isinf. */
  isinf(): Tensor {
    return ew.isinf(this);
  }
  /** Where |this − other| ≤ atol + rtol·|other|, a bool tensor, like torch.isclose. */
  isclose(other: Operand, options?: CloseOptions): Tensor {
    return ew.isclose(this, other, options);
  }
  /** Whether every element is close to other's (reads back). */
  allclose(other: Operand, options?: CloseOptions): Promise<boolean> {
    return ew.allclose(this, other, options);
  }
  /** Whether other has this shape and these elements (reads back). */
  equal(other: Tensor): Promise<boolean> {
    return ew.equal(this, other);
  }
  /** Elementwise negation, like torch.neg. */
  neg(): Tensor {
    return ew.neg(this);
  }
  /** Elementwise absolute value, like torch.abs. */
  abs(): Tensor {
    return ew.abs(this);
  }
  /** Elementwise sign (-1, 0 or 1), like torch.sign. */
  sign(): Tensor {
    return ew.sign(this);
  }
  /** Elementwise e^x, like torch.exp. */
  exp(): Tensor {
    return ew.exp(this);
  }
  /** Elementwise natural logarithm, like torch.log. */
  log(): Tensor {
    return ew.log(this);
  }
  /** Elementwise square root, like torch.sqrt. */
  sqrt(): Tensor {
    return ew.sqrt(this);
  }
  /** Elementwise 1 / sqrt(x), like torch.rsqrt. */
  rsqrt(): Tensor {
    return ew.rsqrt(this);
  }
  /** Elementwise sine, like torch.sin. */
  sin(): Tensor {
    return ew.sin(this);
  }
  /** Elementwise cosine, like torch.cos. */
  cos(): Tensor {
    return ew.cos(this);
  }
  /** Elementwise floor, like torch.floor. */
  floor(): Tensor {
    return ew.floor(this);
  }
  /** Elementwise ceiling, like torch.ceil. */
  ceil(): Tensor {
    return ew.ceil(this);
  }
  /** Rounded half to even, like torch.round. */
  round(): Tensor {
    return ew.round(this);
  }
  /** max(x, 0) elementwise, like torch.relu. */
  relu(): Tensor {
    return ew.relu(this);
  }
  /** Elementwise 1 / (1 + e^-x), like torch.sigmoid. */
  sigmoid(): Tensor {
    return ew.sigmoid(this);
  }
  /** Elementwise hyperbolic tangent, like torch.tanh. */
  tanh(): Tensor {
    return ew.tanh(this);
  }

  // ---- dtype conversions (float(), double() and int() are with the moves below) ----
  /**
   * As torch's long(), but int32: WebGPU has no 64-bit integers (WGSL has no i64), so mini's
   * integer type is int32 on every device; values beyond ±2^31 do not fit.
   */
  long(): Tensor {
    return views.to(this, 'int32');
  }
  /** Nonzero elements as true, like torch's bool(). */
  bool(): Tensor {
    return views.to(this, 'bool');
  }

  // ---- reductions (ops/reduce*.ts, ops/cumsum.ts, ops/sort.ts) ----
  /** The sum over dim (a dim, several, or all), like torch.sum. */
  sum(dim?: Dims, keepdim = false): Tensor {
    return red.sum(this, dim, keepdim);
  }
  /** The mean over dim (a dim, several, or all), like torch.mean. */
  mean(dim?: Dims, keepdim = false): Tensor {
    return red.mean(this, dim, keepdim);
  }
  /** The largest element; with a dim, PyTorch's (values, indices) along it. */
  max(): Tensor;
  max(dim: number, keepdim?: boolean): ValuesIndices;
  max(dim?: number, keepdim = false): Tensor | ValuesIndices {
    return dim === undefined ? red.max(this) : red.max(this, dim, keepdim);
  }
  /** The smallest element; with a dim, PyTorch's (values, indices) along it. */
  min(): Tensor;
  min(dim: number, keepdim?: boolean): ValuesIndices;
  min(dim?: number, keepdim = false): Tensor | ValuesIndices {
    return dim === undefined ? red.min(this) : red.min(this, dim, keepdim);
  }
  /** The maximum over dim (a dim, several, or all), like torch.amax. */
  amax(dim?: Dims, keepdim = false): Tensor {
    return red.amax(this, dim, keepdim);
  }
  /** The minimum over dim (a dim, several, or all), like torch.amin. */
  amin(dim?: Dims, keepdim = false): Tensor {
    return red.amin(this, dim, keepdim);
  }
  /** The index of the largest element (of the flattened tensor, or along `dim`), like torch.argmax. */
  argmax(dim?: number, keepdim = false): Tensor {
    return red.argmax(this, dim, keepdim);
  }
  /** The index of the smallest element (of the flattened tensor, or along `dim`), like torch.argmin. */
  argmin(dim?: number, keepdim = false): Tensor {
    return red.argmin(this, dim, keepdim);
  }
  /** The product over dim (or all), like torch.prod. */
  prod(dim?: number, keepdim = false): Tensor {
    return red.prod(this, dim, keepdim);
  }
  /** Whether every element over dim (or all) is nonzero (bool). */
  all(dim?: number, keepdim = false): Tensor {
    return red.all(this, dim, keepdim);
  }
  /** Whether any element over dim (or all) is nonzero (bool). */
  any(dim?: number, keepdim = false): Tensor {
    return red.any(this, dim, keepdim);
  }
  /** The variance, like torch.var: (), (unbiased), (dim, unbiased, keepdim), options `{ correction, unbiased, keepdim }`. */
  var(...args: VarArgs): Tensor {
    return stats.variance(this, ...args);
  }
  /** The standard deviation, with var's arguments. */
  std(...args: VarArgs): Tensor {
    return stats.std(this, ...args);
  }
  /** log(sum(exp(x))) over dim, computed stably. */
  logsumexp(dim: Dims, keepdim = false): Tensor {
    return stats.logsumexp(this, dim, keepdim);
  }
  /** The p-norm over dim (default: Frobenius over all), like torch.norm. */
  norm(p: NormOrder = 'fro', dim?: Dims, keepdim = false): Tensor {
    return norm(this, p, dim, keepdim);
  }
  /** Cumulative sums along dim. */
  cumsum(dim: number, options?: { dtype?: DType }): Tensor {
    return cumsum(this, dim, options);
  }
  /** Sorted along dim (default -1), as PyTorch's (values, indices); `{ descending, stable }`. */
  sort(...args: SortArgs): ValuesIndices {
    return sorting.sort(this, ...args);
  }
  /** The indices that sort this tensor along dim. */
  argsort(...args: SortArgs): Tensor {
    return sorting.argsort(this, ...args);
  }
  /** The k largest (or smallest) along dim, sorted, as (values, indices). */
  topk(k: number, ...args: TopkArgs): ValuesIndices {
    return sorting.topk(this, k, ...args);
  }

  // ---- shape, indexing and the matmul family (see ops/views.ts, rearrange.ts, masks.ts, gather-scatter.ts, matmul.ts) ----
  /** x[start:end:step] along dim (a view), like aten::slice; bounds as in Python. */
  slice(dim = 0, start?: number, end?: number, step = 1): Tensor {
    return views.slice(this, dim, start, end, step);
  }
  /** x[index] along dim, that dim removed (a view), like torch.select. */
  select(dim: number, index: number): Tensor {
    return views.select(this, dim, index);
  }
  /** The diagonal of the (dim1, dim2) planes as a last dim (a view), like torch.diagonal. */
  diagonal(offset = 0, dim1 = 0, dim2 = 1): Tensor {
    return views.diagonal(this, offset, dim1, dim2);
  }
  /** Views along dim of `splitSize` elements each, or of the given sizes, like torch.split. */
  split(splitSize: number | readonly number[], dim = 0): Tensor[] {
    return views.split(this, splitSize, dim);
  }
  /** `chunks` views of (nearly) equal size along dim, like torch.chunk. */
  chunk(chunks: number, dim = 0): Tensor[] {
    return views.chunk(this, chunks, dim);
  }
  /** Tiled copies along each dim, like torch.Tensor.repeat. */
  repeat(...repeats: number[] | [readonly number[]]): Tensor {
    return repeat(this, flatShape(repeats));
  }
  /** A copy reversed along dims, like torch.flip. */
  flip(...dims: number[] | [readonly number[]]): Tensor {
    return flip(this, flatShape(dims));
  }
  /** Lower triangle (batched), like torch.tril. */
  tril(diagonal = 0): Tensor {
    return tril(this, diagonal);
  }
  /** Upper triangle (batched), like torch.triu. */
  triu(diagonal = 0): Tensor {
    return triu(this, diagonal);
  }
  /** Elements picked along dim by an int32 index of this tensor's rank, like torch.gather. */
  gather(dim: number, index: Tensor): Tensor {
    return gather(this, dim, index);
  }
  /** A copy with src (or a number) written at index along dim, like torch.scatter. */
  scatter(dim: number, index: Tensor, src: Tensor | number, options?: ScatterOptions): Tensor {
    return scatter(this, dim, index, src, options);
  }
  /** A copy with src added at index along dim, like torch.scatter_add. */
  scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor {
    return scatterAdd(this, dim, index, src);
  }
  /** value where mask is true, like torch.masked_fill. */
  maskedFill(mask: Tensor, value: number | boolean | Tensor): Tensor {
    return maskedFill(this, mask, value);
  }
  /** The elements where mask is true, 1-D, like torch.masked_select / x[mask]; asynchronous (it reads the mask). */
  maskedSelect(mask: Tensor): Promise<Tensor> {
    return maskedSelect(this, mask);
  }
  /** Matrix product with torch.matmul's rules (1-D, 2-D and broadcast batches). */
  matmul(other: Tensor): Tensor {
    return matmul(this, other);
  }
  /** Product of 2-D tensors, like torch.mm. */
  mm(other: Tensor): Tensor {
    return mm(this, other);
  }
  /** Batched product of 3-D tensors, like torch.bmm. */
  bmm(other: Tensor): Tensor {
    return bmm(this, other);
  }
  /** Inner product of 1-D tensors, like torch.dot. */
  dot(other: Tensor): Tensor {
    return dot(this, other);
  }

  // ---- activations, indexing ----
  /** log(softmax(x)) along `dim`, computed stably, like torch.log_softmax. */
  logSoftmax(dim: number): Tensor {
    return logSoftmax(this, dim);
  }
  /** exp(x) / sum(exp(x)) along `dim`, like torch.softmax. */
  softmax(dim: number): Tensor {
    return softmax(this, dim);
  }
  /** The entries along `dim` picked by an int32 `index`, like torch.index_select. */
  indexSelect(dim: number, index: Tensor): Tensor {
    return indexSelect(this, dim, index);
  }

  // ---- views and moves ----
  /** The same elements in a new shape (one dim may be -1), a view when possible, like torch.reshape. */
  reshape(...shape: number[] | [readonly number[]]): Tensor {
    return views.reshape(this, flatShape(shape));
  }
  /** A view with a new shape over the same storage (contiguous tensors only), like torch.Tensor.view. */
  view(...shape: number[] | [readonly number[]]): Tensor {
    return views.view(this, flatShape(shape));
  }
  /** Dims startDim..endDim merged into one, like torch.flatten. */
  flatten(startDim = 0, endDim = -1): Tensor {
    return views.flatten(this, startDim, endDim);
  }
  /** Dims of size 1 removed (all, or only `dim`), like torch.squeeze. */
  squeeze(dim?: number): Tensor {
    return views.squeeze(this, dim);
  }
  /** A dim of size 1 inserted at `dim`, like torch.unsqueeze. */
  unsqueeze(dim: number): Tensor {
    return views.unsqueeze(this, dim);
  }
  /** A view with `dim0` and `dim1` swapped, like torch.transpose. */
  transpose(dim0: number, dim1: number): Tensor {
    return views.transpose(this, dim0, dim1);
  }
  /** Transpose of a 2-D tensor (a view). */
  t(): Tensor {
    return views.transpose(this, 0, 1);
  }
  /** The dims in reverse order (a view), like torch's `.T`. */
  get T(): Tensor {
    return views.permute(this, this.shape.map((_, i) => this.ndim - 1 - i));
  }
  /** A view broadcast to `shape` (-1 keeps a dim), like torch's expand. */
  expand(...shape: number[] | [readonly number[]]): Tensor {
    return views.expand(this, flatShape(shape));
  }
  /** A view with the dims reordered, like torch.permute. */
  permute(...dims: number[] | [readonly number[]]): Tensor {
    return views.permute(this, flatShape(dims));
  }
  /** Rows start..end-1 along `dim` (a view), like torch's narrow / x[start:end]. */
  narrow(dim: number, start: number, length: number): Tensor {
    return views.narrow(this, dim, start, length);
  }
  /** This tensor if already contiguous, else a row-major copy, like torch's contiguous(). */
  contiguous(): Tensor {
    return views.contiguous(this);
  }
  /** A copy with its own storage (recorded for autograd), like torch.clone. */
  clone(): Tensor {
    return views.clone(this);
  }
  /** A copy on another device or in another dtype (this tensor when already there), like torch's to(). */
  to(target: DeviceLike | DType): Tensor {
    return views.to(this, target);
  }
  /** A copy on the cpu device (waits for the GPU), like torch's .cpu(). */
  cpu(): Promise<Tensor> {
    return views.toCpu(this);
  }
  /** This tensor as float32, like torch's float(). */
  float(): Tensor {
    return views.to(this, 'float32');
  }
  /** This tensor as float64 (cpu device only), like torch's double(). */
  double(): Tensor {
    return views.to(this, 'float64');
  }
  /** This tensor as int32, like torch's int(). */
  int(): Tensor {
    return views.to(this, 'int32');
  }
}

function flatShape(args: number[] | [readonly number[]]): number[] {
  return Array.isArray(args[0]) ? [...(args[0] as readonly number[])] : (args as number[]);
}

/** Whether `value` is a Tensor. */
export function isTensor(value: unknown): value is Tensor {
  return value instanceof Tensor;
}
setTensorCheck(isTensor);

export type { Shape };
