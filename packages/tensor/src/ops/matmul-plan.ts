import type { WebGPURuntime } from '../device/webgpu.ts';
import type { Tensor } from '../tensor.ts';

/**
 * The matmul kernel families (kernels/matmul*.wgsl), all with the same bindings and params:
 * - 'subgroup': CPU adapters with subgroups (lavapipe: 8 lanes): no workgroup memory, values of A
 *   passed between lanes by subgroupShuffle, vec4 loads where the layout allows (matmul-vec4-k,
 *   matmul-vec4-n, matmul-vec4-mn, else matmul-subgroup); a workgroup is one subgroup of 4, 8,
 *   16, 32 or 64 lanes; 5-10x the tiled kernel on lavapipe.
 * - 'columns': any adapter, no subgroups needed (Dawn's GL backend on llvmpipe).
 * - 'tiled': the textbook kernel, 64x64 tiles in workgroup memory.
 * - 'tiled-vec4': workgroup-memory tiles with vec4 arithmetic, the kernel GPU libraries use.
 */
export type MatmulKernel = 'subgroup' | 'columns' | 'tiled' | 'tiled-vec4';
/** Every matmul kernel family, the values MINI_MATMUL_KERNEL takes. */
export const MATMUL_KERNELS: readonly MatmulKernel[] = ['subgroup', 'columns', 'tiled', 'tiled-vec4'];
/** The workgroup (= subgroup) widths of the subgroup family's kernels. */
export const SUBGROUP_SIZES: readonly number[] = [4, 8, 16, 32, 64];

/** The kernel, its specialization and its grid for one product. */
export interface MatmulPlan {
  family: string;
  template: Record<string, string>;
  constants: Record<string, number>;
  /** [x, y] tiles of one product (then z, the batch, where matmulPlan adds it). */
  workgroups: number[];
}

/** What the choice of a matmul kernel needs to know of an adapter. */
export interface AdapterTraits {
  /** A CPU adapter (lavapipe, llvmpipe, SwiftShader, a fallback adapter). */
  software: boolean;
  /** The subgroup sizes the adapter may use, [min, max]; null without the 'subgroups' feature. */
  subgroups: [number, number] | null;
  maxInvocations: number;
  maxWorkgroupStorage: number;
}

const traitsOf = new WeakMap<WebGPURuntime, AdapterTraits>();

/** The traits of the runtime's adapter (read once). */
export function adapterTraits(gpu: WebGPURuntime): AdapterTraits {
  let traits = traitsOf.get(gpu);
  if (!traits) traitsOf.set(gpu, (traits = readTraits(gpu)));
  return traits;
}

function readTraits(gpu: WebGPURuntime): AdapterTraits {
  const info = gpu.adapterInfo as GPUAdapterInfo & { isFallbackAdapter?: boolean; subgroupMinSize?: number; subgroupMaxSize?: number };
  const names = `${info.architecture} ${info.device} ${info.description}`;
  const min = info.subgroupMinSize ?? 0;
  return {
    software: info.isFallbackAdapter === true || /software|llvmpipe|lavapipe|swiftshader/i.test(names),
    subgroups: gpu.hasFeature('subgroups') && min > 0 ? [min, info.subgroupMaxSize ?? min] : null,
    maxInvocations: gpu.limits.maxComputeInvocationsPerWorkgroup,
    maxWorkgroupStorage: gpu.limits.maxComputeWorkgroupStorageSize,
  };
}

/** What decides which kernels can run a product, and how fast: its sizes and how its operands lie. */
export interface ProductLayout {
  M: number;
  K: number;
  N: number;
  batch: number;
  /** a is contiguous along k with rows on 16-byte boundaries and K % 4 == 0: vec4 loads along k. */
  aK4: boolean;
  /** a is contiguous along m, columns 16-byte aligned, M % 4 == 0: vec4 loads along m. */
  aM4: boolean;
  /** b is contiguous along k, 16-byte aligned (vec4 loads along k; with aK4, K % 4 == 0). */
  bK4: boolean;
  /** b is contiguous along n, rows 16-byte aligned, N % 4 == 0. */
  bN4: boolean;
  /** a's contiguous dim is m (a transposed view), which the scalar kernels read along. */
  aAlongM: boolean;
  /** b's contiguous dim is k (a transposed view, as a Linear's weight). */
  bAlongK: boolean;
  /** Neither of a's strides is 1 (or neither of b's): no fast path fits. */
  strided: boolean;
}

const aligned = (...values: number[]) => values.every((v) => v % 4 === 0);

/** What productLayout reads of an operand. */
export type OperandView = Pick<Tensor, 'shape' | 'strides' | 'offset' | 'ndim'>;

/** The layout of a [M, K] · b [K, N], or of a batch a [B, M, K] · b [B, K, N]. */
export function productLayout(a: OperandView, b: OperandView): ProductLayout {
  const [M, K] = a.shape.slice(-2);
  const N = b.shape[b.ndim - 1];
  const [sa0, sa1] = a.strides.slice(-2);
  const [sb0, sb1] = b.strides.slice(-2);
  const sab = a.ndim === 3 ? a.strides[0] : 0;
  const sbb = b.ndim === 3 ? b.strides[0] : 0;
  return {
    M, K, N,
    batch: a.ndim === 3 ? a.shape[0] : 1,
    aK4: sa1 === 1 && aligned(sa0, a.offset, K, sab),
    aM4: sa0 === 1 && aligned(sa1, a.offset, M, sab),
    bK4: sb0 === 1 && aligned(sb1, b.offset, sbb),
    bN4: sb1 === 1 && aligned(sb0, b.offset, N, sbb),
    aAlongM: Math.abs(sa0) < Math.abs(sa1) || (sa0 === 1 && K === 1),
    bAlongK: Math.abs(sb0) < Math.abs(sb1),
    strided: (sa0 !== 1 && sa1 !== 1 && M > 1 && K > 1) || (sb0 !== 1 && sb1 !== 1 && K > 1 && N > 1),
  };
}

/**
 * The layout of a product of contiguous operands, a stored as [K, M] and read transposed when
 * `ta`, b stored as [N, K] when `tb` (as a Linear's weight is).
 */
export function denseLayout(M: number, K: number, N: number, ta = false, tb = false): ProductLayout {
  const view = (rows: number, cols: number, transposed: boolean): OperandView => ({
    shape: [rows, cols],
    strides: transposed ? [1, rows] : [cols, 1],
    offset: 0,
    ndim: 2,
  });
  return productLayout(view(M, K, ta), view(K, N, tb));
}

/** One specialization of a kernel family, a choice the tuner can time. */
export interface MatmulCandidate {
  /** The kernel file and its specialization, e.g. 'matmul-vec4-k SG=8 TM=32 TN=3'; unique. */
  name: string;
  family: MatmulKernel;
  /** Its file in kernels/, without .wgsl. */
  file: string;
  /** Its `{{NAME}}` values. */
  template: Readonly<Record<string, string>>;
  /** Why this adapter cannot run it, or null when it can. */
  unsupported(traits: AdapterTraits): string | null;
  /** Whether it computes a product of this layout (the vec4 kernels need aligned operands). */
  takes(layout: ProductLayout): boolean;
  plan(layout: ProductLayout): MatmulPlan;
}

const ceil = Math.ceil;

function candidate(
  family: MatmulKernel,
  file: string,
  template: Record<string, number>,
  unsupported: (traits: AdapterTraits) => string | null,
  takes: (l: ProductLayout) => boolean,
  grid: (l: ProductLayout) => [number, number],
  constants: (l: ProductLayout) => Record<string, number> = () => ({}),
): MatmulCandidate {
  const strings = Object.fromEntries(Object.entries(template).map(([k, v]) => [k, String(v)]));
  return {
    name: [file, ...Object.entries(strings).map(([k, v]) => `${k}=${v}`)].join(' '),
    family,
    file,
    template: strings,
    unsupported,
    takes,
    plan: (l) => ({ family: file, template: strings, constants: constants(l), workgroups: grid(l) }),
  };
}

/** Why a workgroup of sg lanes may not be one subgroup on this adapter (null: it is). */
function subgroupUnsupported(sg: number): (t: AdapterTraits) => string | null {
  return (t) => {
    if (!t.subgroups) return `needs the 'subgroups' feature, which this adapter lacks`;
    const [min, max] = t.subgroups;
    if (sg > min) return `needs subgroups of at least ${sg} lanes (its workgroup of ${sg} must be one subgroup); this adapter's are ${min}-${max}`;
    return null;
  };
}

function limitsUnsupported(invocations: number, bytes: number): (t: AdapterTraits) => string | null {
  return (t) => {
    if (invocations > t.maxInvocations) return `needs ${invocations} invocations per workgroup; this adapter allows ${t.maxInvocations}`;
    if (bytes > t.maxWorkgroupStorage) return `needs ${bytes} bytes of workgroup memory; this adapter has ${t.maxWorkgroupStorage}`;
    return null;
  };
}

const always = () => true;
const runsAnywhere = () => null;

/** matmul-vec4-k: a and b both along k (x·Wᵀ). */
export function vec4K(SG: number, TM: number, TN: number): MatmulCandidate {
  return candidate('subgroup', 'matmul-vec4-k', { SG, TM, TN }, subgroupUnsupported(SG), (l) => l.aK4 && l.bK4, (l) => [ceil(l.N / (SG * TN)), ceil(l.M / TM)]);
}

/** matmul-vec4-n: a along k, b along n (a plain product; gzᵀ·x). */
export function vec4N(SG: number, TM: number, TN: number): MatmulCandidate {
  return candidate('subgroup', 'matmul-vec4-n', { SG, TM, TN }, subgroupUnsupported(SG), (l) => l.aK4 && l.bN4, (l) => [ceil(l.N / (4 * SG * TN)), ceil(l.M / TM)]);
}

/** matmul-vec4-mn: a along m (a transposed view: gz·W), b along n. */
export function vec4MN(SG: number, TM: number, TN: number): MatmulCandidate {
  return candidate('subgroup', 'matmul-vec4-mn', { SG, TM, TN }, subgroupUnsupported(SG), (l) => l.aM4 && l.bN4, (l) => [ceil(l.N / (4 * SG * TN)), ceil(l.M / TM)]);
}

/** matmul-subgroup: any layout, scalar loads, a read along k or along m as it lies. */
export function subgroupScalar(SG: number, TM: number, TN: number): MatmulCandidate {
  return candidate('subgroup', 'matmul-subgroup', { SG, TM, TN }, subgroupUnsupported(SG), always, (l) => [ceil(l.N / (SG * TN)), ceil(l.M / TM)], (l) => ({
    A_ALONG_M: l.aAlongM ? 1 : 0,
  }));
}

/** matmul-columns: any layout, any adapter. */
export function columns(TM: number, TN: number, WG: number): MatmulCandidate {
  return candidate('columns', 'matmul-columns', { TM, TN, WG }, runsAnywhere, always, (l) => [ceil(l.N / (WG * TN)), ceil(l.M / TM)]);
}

/** matmul (the textbook tiled kernel): any layout. */
export const TEXTBOOK_TILED = candidate('tiled', 'matmul', {}, limitsUnsupported(256, 8192), always, (l) => [ceil(l.N / 64), ceil(l.M / 64)]);

/** matmul-tiled-vec4: a WX×WY workgroup computing (WY·RPT)×(4·WX) tiles, TK deep. */
export function tiledVec4(WX: number, WY: number, RPT: number, TK: number): MatmulCandidate {
  const bytes = 16 * ((WY * RPT * TK) / 4 + TK * WX);
  return candidate('tiled-vec4', 'matmul-tiled-vec4', { WX, WY, RPT, TK }, limitsUnsupported(WX * WY, bytes), always, (l) => [ceil(l.N / (4 * WX)), ceil(l.M / (WY * RPT))], (l) => ({
    A_ALONG_M: l.aAlongM ? 1 : 0,
    B_ALONG_K: l.bAlongK ? 1 : 0,
  }));
}

/** Every specialization the tuner may time, per family (the heuristic's own come first in candidatesFor). */
export function allCandidates(): MatmulCandidate[] {
  const list: MatmulCandidate[] = [];
  for (const sg of SUBGROUP_SIZES) {
    for (const [TM, TN] of [[16, 3], [32, 3], [32, 2], [16, 4]]) list.push(vec4K(sg, TM, TN));
    for (const [TM, TN] of [[16, 1], [8, 2], [24, 1], [32, 1], [16, 2]]) list.push(vec4N(sg, TM, TN));
    for (const [TM, TN] of [[24, 1], [16, 1], [32, 1]]) list.push(vec4MN(sg, TM, TN));
    for (const [TM, TN] of [[32, 3], [24, 2], [16, 2], [8, 2]]) list.push(subgroupScalar(sg, TM, TN));
  }
  for (const [TM, TN, WG] of [[16, 4, 8], [8, 2, 8], [8, 4, 8], [16, 2, 16]]) list.push(columns(TM, TN, WG));
  list.push(TEXTBOOK_TILED);
  for (const [WX, WY, RPT, TK] of [[8, 8, 4, 32], [16, 16, 4, 32], [8, 8, 8, 32]]) list.push(tiledVec4(WX, WY, RPT, TK));
  return list;
}

/**
 * Multiply-adds below which a product costs little more than its dispatch: on CPU adapters such
 * products, unless a vec4 kernel takes their layout, take the columns kernel with a small tile,
 * which compiles in a quarter of the time of the scalar subgroup kernel (0.07 against 0.27 s).
 */
const SMALL_PRODUCT = 256 * 64 * 64;

/** The subgroup widths of the CPU adapters the subgroup family was measured on: SwiftShader's 4, lavapipe's 8. */
const MEASURED_SOFTWARE_SUBGROUPS: readonly number[] = [4, 8];

/**
 * The family matmuls run on without tuning: `forced`, else 'subgroup' on CPU adapters whose
 * subgroups are all 8 wide (lavapipe) or all 4 wide (SwiftShader, in Chromium), where it was
 * measured (2x 'columns' on both), 'columns' on other CPU adapters, 'tiled' on GPUs. A forced
 * 'subgroup' needs the subgroups feature and a size it has a kernel for.
 */
export function heuristicFamily(traits: AdapterTraits, forced: MatmulKernel | null): MatmulKernel {
  if (forced === 'subgroup') {
    const size = traits.subgroups?.[0];
    if (size === undefined || !SUBGROUP_SIZES.includes(size)) {
      throw new Error(`the 'subgroup' matmul kernel needs subgroups of ${SUBGROUP_SIZES.join(', ')} lanes, which this adapter lacks`);
    }
    return forced;
  }
  if (forced) return forced;
  if (!traits.software) return 'tiled';
  const [min, max] = traits.subgroups ?? [0, 0];
  return min === max && MEASURED_SOFTWARE_SUBGROUPS.includes(min) ? 'subgroup' : 'columns';
}

/**
 * The kernel a product takes without tuning (tiles measured on lavapipe, bench/RESULTS.md):
 * bigger tiles spill or stop being unrolled by the shader compiler (and collapse to a few
 * GFLOP/s), smaller ones load more per multiply-add. On the subgroup family, operands whose rows
 * are 16-byte aligned and K (and N or M) multiples of 4 take the vec4 kernels, the rest the
 * scalar one.
 */
export function heuristicCandidate(traits: AdapterTraits, family: MatmulKernel, l: ProductLayout): MatmulCandidate {
  const { M, N, K } = l;
  if (family === 'tiled') return TEXTBOOK_TILED;
  if (family === 'tiled-vec4') return tiledVec4(8, 8, 4, 32);
  const small = M * N * K <= SMALL_PRODUCT;
  const columnsFor = () => (small ? columns(8, 2, 8) : columns(M <= 8 ? 8 : 16, 4, 8));
  if (family === 'columns') return columnsFor();
  const sg = traits.subgroups![0];
  // The vec4 kernels serve small products too: a Linear's training step compiles all three anyway
  // (forward, input and weight gradients), and they run small products twice as fast as columns.
  if (l.aK4 && l.bK4) return vec4K(sg, M <= 16 ? 16 : 32, 3);
  if (l.aK4 && l.bN4) return vec4N(sg, 16, 1);
  // on 4 lanes (SwiftShader) the scalar kernel's 32x3 tiles beat vec4-mn for a transposed a (0.22 against 0.12 GFLOP/s)
  if (l.aM4 && l.bN4) return sg >= 8 ? vec4MN(sg, 24, 1) : subgroupScalar(sg, 32, 3);
  if (small) return columnsFor();
  const TM = M <= 8 ? 8 : M <= 16 ? 16 : l.aAlongM ? 24 : 32;
  return subgroupScalar(sg, TM, l.aAlongM || M <= 16 ? 2 : 3);
}

/**
 * The candidates for a product of this layout on this adapter, `first` (the heuristic's choice)
 * first: only those the adapter can run and that take the layout.
 */
export function candidatesFor(traits: AdapterTraits, l: ProductLayout, first: MatmulCandidate | null): MatmulCandidate[] {
  const list = first ? [first, ...allCandidates().filter((c) => c.name !== first.name)] : allCandidates();
  return list.filter((c) => c.unsupported(traits) === null && c.takes(l));
}
