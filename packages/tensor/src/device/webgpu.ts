import { kernelSource } from '@mini/kernels';
import { findAdapter, type AdapterChoice, type Backend } from './adapter.ts';
import { environment } from '../env.ts';
import { BufferPool } from './buffer-pool.ts';
import { bufferLimit } from '#webgpu-binding';
import { deviceCheckMessage, DEVICE_CHECK_BYTES } from './device-checks.ts';
import { idleWait } from './idle-wait.ts';
import { LostResults } from './lost-results.ts';
import { ParamsLayout, type ParamValues } from './params-layout.ts';

/** One compiled kernel specialization. */
export interface Kernel {
  spec: KernelSpec;
  pipeline: GPUComputePipeline;
  layout: GPUBindGroupLayout;
  /** Number of storage bindings before the params binding. */
  bufferCount: number;
  /** Which of those bindings the kernel writes. */
  written: number[];
  /** Whether the kernel takes the device-check buffer as its last storage binding. */
  checked: boolean;
  /** Its `struct Params`, by field name. */
  params: ParamsLayout;
  id: number;
}

export interface KernelSpec {
  /** File in kernels/ without .wgsl */
  family: string;
  entry?: string;
  /** `{{NAME}}` placeholders in the source replaced by these strings. */
  template?: Record<string, string>;
  /** WGSL `override` constants. */
  constants?: Record<string, number>;
}

/** A dispatch as the peephole substitutes it for two: its kernel, buffers (the check buffer added by the runtime), params and grid. */
export interface FusedDispatch {
  label: string;
  kernel: Kernel;
  buffers: GPUBuffer[];
  params: ParamValues;
  workgroups: readonly number[];
}

/**
 * What a dispatch offers the peepholes that run at each submit (see fuseReluEpilogues and
 * fuseLogSoftmaxNll): a product whose output could take the ReLU in its epilogue, or a ReLU over
 * the whole of such an output; a log_softmax over rows, or a loss that reads its output.
 */
export interface DispatchFusion {
  /** This product writes `elements` floats from the start of `out` (binding `outBinding`); `withRelu`: its params with the ReLU flag set. */
  reluEpilogue?: { out: GPUBuffer; outBinding: number; elements: number; withRelu: ParamValues };
  /** This ReLU reads `elements` floats from the start of `input` and writes them to `output`. */
  reluOf?: { input: GPUBuffer; output: GPUBuffer; elements: number };
  /** This log_softmax reads rows×cols contiguous floats of `input` from float `inputOffset` and writes their log_softmax, row by row, from the start of `output`. */
  logSoftmaxRows?: { input: GPUBuffer; inputOffset: number; output: GPUBuffer; rows: number; cols: number };
  /**
   * This loss reads rows×cols log-probabilities from the start of `logp`; `withLogSoftmax(input,
   * inputOffset)` is the one dispatch that computes them from the logits (writing `logp` too) and the loss.
   */
  afterLogSoftmax?: { logp: GPUBuffer; rows: number; cols: number; withLogSoftmax: (input: GPUBuffer, inputOffset: number) => FusedDispatch };
}

/** A dispatch or a copy recorded since the last submit: commands are encoded when submitted. */
type Command =
  | { label: string; kernel: Kernel; buffers: GPUBuffer[]; offset: number; workgroups: readonly number[]; fusion?: DispatchFusion }
  | { label: 'copy'; src: GPUBuffer; srcOffset: number; dst: GPUBuffer; dstOffset: number; size: number };

/** The buffers a recorded command reads or writes (the peepholes ask what else touches a buffer). */
const commandBuffers = (c: Command): readonly GPUBuffer[] => ('kernel' in c ? c.buffers : [c.src, c.dst]);
const touches = (c: Command, b: GPUBuffer): boolean => commandBuffers(c).includes(b);
const writes = (c: Command, b: GPUBuffer): boolean => ('kernel' in c ? c.kernel.written.some((i) => c.buffers[i] === b) : c.dst === b);

/** Slot per dispatch in the params arena (a multiple of minStorageBufferOffsetAlignment). */
const PARAM_SLOT = 256;
/** Readback buffers up to this size are kept for reuse; larger ones are freed after the read. */
const STAGING_KEEP_BYTES = 64 * 1024;
/** Dispatches recorded before an automatic submit. */
const FLUSH_EVERY = 256;
/** Submits the GPU may have queued before throttle() waits (a ThreeNet step is one submit). */
const MAX_IN_FLIGHT = 8;
/**
 * How long throttle() sleeps between polls: it waits for the oldest of more than MAX_IN_FLIGHT
 * queued submits, and the others keep the GPU busy, so noticing its end late costs nothing while
 * each poll takes CPU time from a CPU adapter.
 */
const THROTTLE_NAP_MS = 2;
/** Bind groups cached before the cache starts over (each holds a memory mapping on lavapipe). */
const MAX_BIND_GROUPS = 8192;

const BINDING_RE = /@group\(0\)\s*@binding\((\d+)\)\s*var<storage,\s*(read|read_write)>\s*(\w+)/g;

/**
 * The WebGPU runtime: one device, a pipeline cache, a buffer pool, and one open command encoder
 * into which every op records its dispatch. Work is submitted on readback, on flush(), or every
 * FLUSH_EVERY dispatches.
 */
export class WebGPURuntime {
  /** Dispatches recorded before an automatic submit. */
  static readonly flushEvery = FLUSH_EVERY;
  /** Submits allowed to queue ahead of the GPU before throttle() waits. */
  static readonly maxInFlight = MAX_IN_FLIGHT;
  /** The buffers of released tensors, kept by size for reuse. */
  readonly pool: BufferPool;
  private lostResults: LostResults;
  private pipelines = new Map<string, Kernel>();
  private bindGroups = new Map<string, GPUBindGroup>();
  /** Readback buffers by size, reused: a training loop that logs its loss creates none. */
  private stagingFree = new Map<number, GPUBuffer[]>();
  private bufferIds = new WeakMap<GPUBuffer, number>();
  private nextId = 1;
  /** What was recorded since the last submit, encoded at the submit (after the peephole). */
  private commands: Command[] = [];
  private params: GPUBuffer;
  private paramData = new ArrayBuffer(PARAM_SLOT * FLUSH_EVERY);
  private paramView = new DataView(this.paramData);
  private paramCount = 0;
  private batchOps: string[] = [];
  private pendingErrors: Promise<unknown>[] = [];
  /** One promise per submit the GPU has not finished, oldest first (submits finish in order). */
  private inFlight: Promise<void>[] = [];
  /** Set while alone() runs its work: throttle() waits for it. */
  private hold: Promise<void> | null = null;
  private failure: Error | null = null;
  private lost: string | null = null;
  /** Whether the device was lost (its tensors are gone; the next init() makes a new device). */
  get isLost(): boolean {
    return this.lost !== null;
  }

  /** Set by destroy(): the device's loss is then expected, not an error. */
  private shuttingDown = false;
  /** Whether destroy() was called. */
  get isDestroyed(): boolean {
    return this.shuttingDown;
  }

  /** Device-side checks (e.g. an nllLoss target out of range) write here; read with every readback. */
  readonly checkBuffer: GPUBuffer;
  /** Dispatches submitted or recorded since the runtime started, less those fused away (for benchmarks and tests). */
  dispatchCount = 0;
  /** When set, each submit appends the labels of the dispatches it encodes (tests name the kernels a step runs). */
  labelTap: string[] | null = null;
  /** Submits since the runtime started. */
  submitCount = 0;
  /** Pipelines compiled since start-up: one per kernel specialization, never one per op. */
  pipelinesCompiled = 0;
  /** Bind groups created since start-up: a loop that repeats its steps stops creating them. */
  bindGroupsCreated = 0;

  private constructor(
    private choice: AdapterChoice,
    /** The WebGPU device itself. */
    readonly device: GPUDevice,
  ) {
    this.pool = new BufferPool(device);
    this.lostResults = new LostResults(this.pool);
    this.params = device.createBuffer({
      size: this.paramData.byteLength,
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST,
      label: 'params-arena',
    });
    this.checkBuffer = device.createBuffer({
      size: DEVICE_CHECK_BYTES,
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
      label: 'device-checks',
    });
    device.lost.then((info) => {
      if (!this.shuttingDown) this.lost = `WebGPU device was lost (${info.reason})${info.message ? `: ${info.message}` : ''}; tensors on it are gone, and the next init() creates a new device`;
    });
    device.addEventListener('uncapturederror', (event) => {
      const error = (event as GPUUncapturedErrorEvent).error;
      this.failure ??= new Error(`WebGPU error: ${error.message}`);
    });
  }

  /** Opens a WebGPU device on the first adapter that works (see findAdapter); init() calls it once. */
  static async create(env: Record<string, string | undefined> = environment()): Promise<WebGPURuntime> {
    const choice = await findAdapter(env);
    const { adapter } = choice;
    const wanted: GPUFeatureName[] = ['subgroups', 'shader-f16', 'timestamp-query'];
    const requiredFeatures = wanted.filter((f) => adapter.features.has(f));
    const l = adapter.limits;
    const requiredLimits: Record<string, number> = {
      maxBufferSize: l.maxBufferSize,
      maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
      maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
      maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
      maxComputeWorkgroupSizeX: l.maxComputeWorkgroupSizeX,
      maxComputeWorkgroupSizeY: l.maxComputeWorkgroupSizeY,
      maxStorageBuffersPerShaderStage: l.maxStorageBuffersPerShaderStage,
      maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
    };
    const device = await adapter.requestDevice({ requiredFeatures, requiredLimits });
    const runtime = new WebGPURuntime(choice, device);
    const limit = env.MINI_MAX_GPU_BUFFERS ? { max: positiveInteger('MINI_MAX_GPU_BUFFERS', env.MINI_MAX_GPU_BUFFERS), reason: 'MINI_MAX_GPU_BUFFERS' } : bufferLimit(adapter.info);
    if (limit) runtime.pool.limit = limit;
    return runtime;
  }

  /** The Dawn backend the adapter came from ('default' in a browser). */
  get backend(): Backend {
    return this.choice.backend;
  }

  /** The adapter's vendor, architecture, device and description. */
  get adapterInfo(): GPUAdapterInfo {
    return this.choice.adapter.info;
  }

  /** The limits the device was created with (the adapter's own). */
  get limits(): GPUSupportedLimits {
    return this.device.limits;
  }

  /** The device's WebGPU features, sorted. */
  get features(): string[] {
    return [...this.device.features].sort();
  }

  /** Whether the device was created with this WebGPU feature (e.g. 'subgroups'). */
  hasFeature(name: string): boolean {
    return this.device.features.has(name);
  }

  /** Compiles (once) and returns the pipeline for one kernel specialization; `op` names it in errors. */
  kernel(spec: KernelSpec, op = spec.family): Kernel {
    const key = JSON.stringify([spec.family, spec.entry ?? 'main', spec.template ?? {}, spec.constants ?? {}]);
    let kernel = this.pipelines.get(key);
    if (kernel) return kernel;
    let code = kernelSource(spec.family);
    for (const [name, value] of Object.entries(spec.template ?? {})) code = code.replaceAll(`{{${name}}}`, value);
    const bindings = [...code.matchAll(BINDING_RE)].map((m) => ({ index: Number(m[1]), access: m[2], name: m[3] }));
    bindings.sort((a, b) => a.index - b.index);
    if (bindings.at(-1)?.name !== 'p') throw new Error(`kernel ${spec.family}: the last binding must be the params 'p'`);
    const params = new ParamsLayout(spec.entry ? `${spec.family}.${spec.entry}` : spec.family, code);
    if (params.byteLength > PARAM_SLOT) throw new Error(`kernel ${params.kernel}: its params take ${params.byteLength} bytes, over ${PARAM_SLOT}`);
    const layout = this.device.createBindGroupLayout({
      label: spec.family,
      entries: bindings.map((b) => ({
        binding: b.index,
        visibility: GPUShaderStage.COMPUTE,
        buffer: {
          type: b.access === 'read' ? 'read-only-storage' : 'storage',
        },
      })),
    });
    this.device.pushErrorScope('validation');
    const module = this.device.createShaderModule({ code, label: spec.family });
    const pipeline = this.device.createComputePipeline({
      label: `${spec.family}${spec.entry ? '.' + spec.entry : ''}`,
      layout: this.device.createPipelineLayout({ bindGroupLayouts: [layout] }),
      compute: { module, entryPoint: spec.entry ?? 'main', constants: spec.constants },
    });
    this.watch(this.device.popErrorScope(), (error) => `WebGPU ${errorKind(error)} compiling kernel ${key} for op ${op}: ${error.message}`);
    this.pipelinesCompiled++;
    kernel = {
      spec,
      pipeline,
      layout,
      bufferCount: bindings.length - 1,
      written: bindings.flatMap((b, i) => (b.access === 'read_write' ? [i] : [])),
      checked: bindings.some((b) => b.name === 'checks'),
      params,
      id: this.nextId++,
    };
    this.pipelines.set(key, kernel);
    return kernel;
  }

  /** The specializations compiled so far, in order (bench/compile-child.ts times each alone). */
  kernelSpecs(): KernelSpec[] {
    return [...this.pipelines.values()].map((k) => k.spec);
  }

  private idOf(buffer: GPUBuffer): number {
    let id = this.bufferIds.get(buffer);
    if (id === undefined) this.bufferIds.set(buffer, (id = this.nextId++));
    return id;
  }

  /**
   * The bind group of a dispatch: its buffers and its slot of the params arena. The slot is bound
   * at a fixed offset, not a dynamic one: lavapipe copies a descriptor set into a new memory
   * mapping for every dynamic-offset bind (bench/findings.md), while a training loop repeats the
   * same dispatches in the same slots step after step and finds its bind groups here.
   */
  private bindGroup(kernel: Kernel, buffers: GPUBuffer[], paramOffset: number): GPUBindGroup {
    const key = `${kernel.id}:${paramOffset}:${buffers.map((b) => this.idOf(b)).join(',')}`;
    let group = this.bindGroups.get(key);
    if (!group) {
      if (this.bindGroups.size > MAX_BIND_GROUPS) this.bindGroups.clear();
      const entries: GPUBindGroupEntry[] = buffers.map((buffer, binding) => ({ binding, resource: { buffer } }));
      entries.push({ binding: buffers.length, resource: { buffer: this.params, offset: paramOffset, size: PARAM_SLOT } });
      group = this.device.createBindGroup({ layout: kernel.layout, entries });
      this.bindGroupsCreated++;
      this.bindGroups.set(key, group);
    }
    return group;
  }

  private throwIfFailed(): void {
    if (this.lost) throw new Error(this.lost);
    if (this.failure) {
      const failure = this.failure;
      this.failure = null;
      throw failure;
    }
  }

  /** Records one dispatch, with the kernel's params given by field name; it is encoded at the next submit. */
  dispatch(label: string, kernel: Kernel, buffers: GPUBuffer[], params: ParamValues, workgroups: readonly number[], fusion?: DispatchFusion): void {
    this.throwIfFailed();
    if (kernel.checked) buffers = [...buffers, this.checkBuffer];
    if (buffers.length !== kernel.bufferCount) {
      throw new Error(`internal: kernel for ${label} takes ${kernel.bufferCount} buffers, given ${buffers.length}`);
    }
    const written = kernel.written.map((i) => buffers[i]);
    for (const w of written) {
      if (buffers.indexOf(w) !== buffers.lastIndexOf(w)) {
        throw new Error(`${label}: one buffer is bound both for writing and as another binding of the same dispatch, which WebGPU forbids`);
      }
    }
    if (this.paramCount === FLUSH_EVERY) this.flush();
    const offset = this.paramCount * PARAM_SLOT;
    kernel.params.write(params, this.paramView, offset, label);
    this.paramCount++;
    this.commands.push({ label, kernel, buffers, offset, workgroups, fusion });
    this.batchOps.push(label);
    this.lostResults.dispatched(buffers, written);
    this.dispatchCount++;
  }

  /** Records a buffer-to-buffer copy. */
  copy(src: GPUBuffer, srcOffset: number, dst: GPUBuffer, dstOffset: number, size: number): void {
    this.throwIfFailed();
    this.commands.push({ label: 'copy', src, srcOffset, dst, dstOffset, size });
    this.batchOps.push('copy');
    this.lostResults.dispatched([src], [dst]);
  }

  /**
   * The peephole: a ReLU over the whole output of the product recorded before it, when that output
   * is released (no tensor can read it any more) and nothing else in the batch touches it, becomes
   * the product's epilogue: the product writes the ReLU's output and the ReLU's dispatch is dropped.
   * The values are the same (the epilogue's ReLU is the elementwise one), one dispatch fewer.
   */
  private fuseReluEpilogues(): void {
    const uses = new Map<GPUBuffer, number>();
    const use = (b: GPUBuffer) => uses.set(b, (uses.get(b) ?? 0) + 1);
    for (const c of this.commands) new Set(commandBuffers(c)).forEach(use);
    const producers = new Map<GPUBuffer, number>();
    const dropped = new Set<number>();
    this.commands.forEach((c, j) => {
      if (!('kernel' in c)) return;
      const epilogue = c.fusion?.reluEpilogue;
      if (epilogue) producers.set(epilogue.out, j);
      const relu = c.fusion?.reluOf;
      const i = relu && producers.get(relu.input);
      if (!relu || i === undefined || uses.get(relu.input) !== 2 || !this.pool.isReleased(relu.input)) return;
      if ((this.commands[i] as Extract<Command, { kernel: Kernel }>).fusion!.reluEpilogue!.elements !== relu.elements) return;
      // The product moves nothing: it writes the ReLU's output where it stood, which nothing between uses.
      if (this.commands.slice(i + 1, j).some((k) => touches(k, relu.output))) return;
      const product = this.commands[i] as Extract<Command, { kernel: Kernel }>;
      const { outBinding, withRelu } = product.fusion!.reluEpilogue!;
      product.buffers = product.buffers.map((b, k) => (k === outBinding ? relu.output : b));
      product.kernel.params.write(withRelu, this.paramView, product.offset, product.label);
      product.label = `${product.label}+relu`;
      dropped.add(j);
      this.dispatchCount--;
    });
    if (dropped.size) this.commands = this.commands.filter((_, j) => !dropped.has(j));
  }

  /**
   * The peephole for a loss over log-probabilities (nllLoss after logSoftmax(x, 1)): when the
   * loss reads the whole output of a log_softmax recorded before it in this batch, and no command
   * in between touches that output or writes the logits, the loss's dispatch becomes the fused
   * one (log-softmax-nll.wgsl), which writes the log-probabilities as well, to the bit, and the
   * log_softmax's dispatch is dropped. Anything that reads them later reads the same values.
   */
  private fuseLogSoftmaxNll(): void {
    const producers = new Map<GPUBuffer, number>();
    const dropped = new Set<number>();
    this.commands.forEach((c, j) => {
      if (!('kernel' in c)) return;
      const rows = c.fusion?.logSoftmaxRows;
      if (rows) producers.set(rows.output, j);
      const loss = c.fusion?.afterLogSoftmax;
      const i = loss && producers.get(loss.logp);
      if (!loss || i === undefined) return;
      const softmax = (this.commands[i] as Extract<Command, { kernel: Kernel }>).fusion!.logSoftmaxRows!;
      if (softmax.rows !== loss.rows || softmax.cols !== loss.cols) return;
      const between = this.commands.slice(i + 1, j);
      if (between.some((k) => touches(k, loss.logp) || writes(k, softmax.input))) return;
      const fused = loss.withLogSoftmax(softmax.input, softmax.inputOffset);
      fused.kernel.params.write(fused.params, this.paramView, c.offset, fused.label);
      Object.assign(c, { label: fused.label, kernel: fused.kernel, workgroups: fused.workgroups, fusion: undefined });
      c.buffers = fused.kernel.checked ? [...fused.buffers, this.checkBuffer] : fused.buffers;
      producers.delete(loss.logp);
      dropped.add(i);
      this.dispatchCount--;
    });
    if (dropped.size) this.commands = this.commands.filter((_, j) => !dropped.has(j));
  }

  /**
   * Encodes the recorded commands into one command buffer, in order; with `timing`, timestamps at
   * the start of the first compute pass and at the end of the last (the copies between them count).
   */
  private encode(timing?: PassTiming): GPUCommandBuffer {
    const encoder = this.device.createCommandEncoder();
    let pass: GPUComputePassEncoder | null = null;
    const [firstKernel, lastPassStart] = timing ? passEdges(this.commands) : [-1, Infinity];
    for (const [i, c] of this.commands.entries()) {
      if ('kernel' in c) {
        if (!pass) {
          const [begins, ends] = [i === firstKernel, i >= lastPassStart];
          const timestampWrites = timing && (begins || ends) ? { querySet: timing.querySet, beginningOfPassWriteIndex: begins ? 0 : undefined, endOfPassWriteIndex: ends ? 1 : undefined } : undefined;
          pass = encoder.beginComputePass({ timestampWrites });
        }
        pass.setPipeline(c.kernel.pipeline);
        pass.setBindGroup(0, this.bindGroup(c.kernel, c.buffers, c.offset));
        pass.dispatchWorkgroups(c.workgroups[0], c.workgroups[1] ?? 1, c.workgroups[2] ?? 1);
        this.labelTap?.push(c.label);
      } else {
        pass?.end();
        pass = null;
        encoder.copyBufferToBuffer(c.src, c.srcOffset, c.dst, c.dstOffset, c.size);
      }
    }
    pass?.end();
    if (timing) {
      encoder.resolveQuerySet(timing.querySet, 0, 2, timing.resolved, 0);
      encoder.copyBufferToBuffer(timing.resolved, 0, timing.readBack, 0, 16);
    }
    return encoder.finish();
  }

  /** Submits everything recorded so far (with `timing`, gpuSeconds' batch). */
  flush(timing?: PassTiming): void {
    this.throwIfFailed();
    if (this.commands.length === 0) {
      // Nothing is recorded that could still read the released buffers: they can be reused.
      this.pool.afterSubmit();
      return;
    }
    this.fuseReluEpilogues();
    this.fuseLogSoftmaxNll();
    this.device.pushErrorScope('out-of-memory');
    this.device.pushErrorScope('validation');
    const commands = this.encode(timing);
    this.commands = [];
    if (this.paramCount > 0) this.device.queue.writeBuffer(this.params, 0, this.paramData, 0, this.paramCount * PARAM_SLOT);
    this.device.queue.submit([commands]);
    this.paramCount = 0;
    this.submitCount++;
    const ops = [...new Set(this.batchOps)].join(', ');
    this.batchOps = [];
    const settleLost = this.lostResults.submitted();
    const describe = (error: GPUError) => `WebGPU ${errorKind(error)} in a submit of ops [${ops}]: ${error.message}`;
    const scopes = [this.watch(this.device.popErrorScope(), describe), this.watch(this.device.popErrorScope(), describe)];
    this.pendingErrors.push(Promise.all(scopes).then((messages) => settleLost(messages.find((m) => m !== null) ?? null)));
    const done = () => void this.inFlight.shift();
    this.inFlight.push(this.device.queue.onSubmittedWorkDone().then(done, done));
    this.pool.afterSubmit();
  }

  /** Submits the GPU has not finished yet. */
  get inFlightSubmits(): number {
    return this.inFlight.length;
  }

  /** Resolves when the work submitted so far has run; work submitted later is not waited for. */
  async submittedWorkDone(): Promise<void> {
    const last = this.inFlight.at(-1);
    if (last) await idleWait(last);
  }

  /**
   * Records a batch with `record`, submits it with timestamps at the start and end of its compute
   * pass, and resolves to the seconds the GPU spent on it. A clock around the submit also counts
   * how late the main thread sees the end, which in a training program's background (the tuner's
   * batches) is the program's own JavaScript in between. Needs the 'timestamp-query' feature, and a
   * batch that fits one submit (copies before its first dispatch or after its last are not timed).
   */
  async gpuSeconds(record: () => void): Promise<number> {
    this.flush();
    const submits = this.submitCount;
    record();
    if (this.submitCount !== submits || !this.commands.some((c) => 'kernel' in c)) {
      throw new Error('internal: a timed batch must hold dispatches, within one submit');
    }
    const timing: PassTiming = {
      querySet: this.device.createQuerySet({ type: 'timestamp', count: 2 }),
      resolved: this.device.createBuffer({ size: 16, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC }),
      readBack: this.device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST }),
    };
    try {
      this.flush(timing);
      await idleWait(timing.readBack.mapAsync(GPUMapMode.READ)).catch((e: Error) => this.readFailure(e));
      await this.settle();
      const [start, end] = new BigUint64Array(timing.readBack.getMappedRange());
      if (!(end > start)) throw new Error(`the GPU's timestamps did not advance over the batch (${start} to ${end} ns)`);
      return Number(end - start) / 1e9;
    } finally {
      timing.querySet.destroy();
      timing.resolved.destroy();
      timing.readBack.destroy();
    }
  }

  /**
   * Runs `work` with the queue to itself, for a measurement (the tuner's timed batches in the
   * background of a training run): what was recorded or queued before has run when it starts, and
   * throttle() (which a DataLoader calls per batch) holds the program back until it ends.
   */
  async alone<T>(work: () => Promise<T>): Promise<T> {
    while (this.hold) await this.hold;
    let release!: () => void;
    this.hold = new Promise((resolve) => (release = resolve));
    try {
      this.flush();
      while (this.inFlight.length > 0) await this.submittedWorkDone();
      return await work();
    } finally {
      this.hold = null;
      release();
    }
  }

  /**
   * Backpressure: waits while more than MAX_IN_FLIGHT submits are queued ahead of the GPU, and
   * returns at once otherwise (no readback, no wait in a loop the GPU keeps up with). A loop that
   * calls it (DataLoader does, per batch) runs at the GPU's pace in bounded memory, and lets the
   * event loop in (signals, garbage collection callbacks) while it waits.
   */
  async throttle(): Promise<void> {
    for (;;) {
      if (this.hold) await this.hold;
      else if (this.inFlight.length > MAX_IN_FLIGHT) await idleWait(this.inFlight[0], THROTTLE_NAP_MS);
      else break;
    }
    this.throwIfFailed();
  }

  /** Turns an error scope's outcome into the runtime's pending failure (raised at the next call). */
  private watch(scope: Promise<GPUError | null>, describe: (error: GPUError) => string): Promise<string | null> {
    const message = scope.then((error) => (error ? describe(error) : null));
    this.pendingErrors.push(
      message.then((m) => {
        if (m) this.failure ??= new Error(m);
      }),
    );
    return message;
  }

  /** Uploads host bytes into a pooled buffer. */
  upload(bytes: Uint8Array): GPUBuffer {
    this.throwIfFailed();
    const buffer = this.pool.acquire(bytes.byteLength);
    const padded = bytes.byteLength % 4 === 0 ? bytes : padTo4(bytes);
    if (padded.byteLength > 0) this.device.queue.writeBuffer(buffer, 0, padded.buffer, padded.byteOffset, padded.byteLength);
    return buffer;
  }

  /** Reads bytes back (awaits all recorded work), and raises any error or failed device check. */
  async read(buffer: GPUBuffer, byteOffset: number, byteLength: number): Promise<Uint8Array> {
    const start = byteOffset & ~3;
    const size = Math.max(4, Math.ceil((byteOffset + byteLength - start) / 4) * 4);
    const stagingSize = size + DEVICE_CHECK_BYTES;
    const staging =
      this.stagingFree.get(stagingSize)?.pop() ?? this.device.createBuffer({ size: stagingSize, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    let mappedOk = false;
    try {
      this.copy(buffer, start, staging, 0, size);
      this.copy(this.checkBuffer, 0, staging, size, DEVICE_CHECK_BYTES);
      this.flush();
      await this.settle();
      await idleWait(staging.mapAsync(GPUMapMode.READ)).catch((e: Error) => this.readFailure(e));
      mappedOk = true;
      this.throwIfFailed();
      const mapped = new Uint8Array(staging.getMappedRange());
      const check = deviceCheckMessage(new Int32Array(mapped.buffer, size, DEVICE_CHECK_BYTES / 4));
      if (check) {
        this.device.queue.writeBuffer(this.checkBuffer, 0, new Uint8Array(DEVICE_CHECK_BYTES));
        throw new Error(check);
      }
      const lost = this.lostResults.messageOf(buffer);
      if (lost) throw new Error(`this tensor's values were never computed: ${lost}`);
      return mapped.slice(byteOffset - start, byteOffset - start + byteLength);
    } finally {
      this.releaseStaging(staging, mappedOk);
    }
  }

  /** A failed mapAsync says little (nothing at all when the device is gone): say what is known. */
  private async readFailure(error: Error): Promise<never> {
    await Promise.race([this.device.lost, new Promise((resolve) => setTimeout(resolve, 50))]);
    throw new Error(this.lost ?? `WebGPU readback failed: ${error.message || 'no reason given (was the device destroyed?)'}`);
  }

  /** Keeps a small readback buffer (a loss, a few values) for the next readback of that size. */
  private releaseStaging(staging: GPUBuffer, mapped: boolean): void {
    const list = this.stagingFree.get(staging.size) ?? [];
    if (!mapped || staging.size > STAGING_KEEP_BYTES || list.length >= 4) {
      staging.destroy();
      return;
    }
    staging.unmap();
    list.push(staging);
    this.stagingFree.set(staging.size, list);
  }

  /** Waits for the error scopes of every submit so far, and throws the first error. */
  async settle(): Promise<void> {
    const pending = this.pendingErrors;
    this.pendingErrors = [];
    await idleWait(Promise.all(pending));
    await idleWait(this.device.queue.onSubmittedWorkDone());
    this.throwIfFailed();
  }

  /** Frees pooled buffers that nothing uses. */
  trim(): void {
    this.flush();
    this.bindGroups.clear();
    this.pool.trim();
    for (const list of this.stagingFree.values()) for (const b of list) b.destroy();
    this.stagingFree.clear();
  }

  /** Destroys the device so that Node can exit; its tensors become unusable. */
  destroy(): void {
    this.shuttingDown = true;
    this.bindGroups.clear();
    this.pipelines.clear();
    this.device.destroy();
  }
}

/** The index of the first dispatch, and where the last compute pass begins: after the last copy before the last dispatch. */
function passEdges(commands: readonly Command[]): [number, number] {
  let [first, lastPassStart, afterCopy] = [-1, 0, 0];
  commands.forEach((c, i) => {
    if (!('kernel' in c)) {
      afterCopy = i + 1;
      return;
    }
    if (first < 0) first = i;
    lastPassStart = afterCopy;
  });
  return [first, lastPassStart];
}

/** Where a timed flush writes its compute pass's two timestamps, and reads them back (gpuSeconds). */
interface PassTiming {
  querySet: GPUQuerySet;
  resolved: GPUBuffer;
  readBack: GPUBuffer;
}

function positiveInteger(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name}=${value} is not a positive integer`);
  return n;
}

function errorKind(error: GPUError): string {
  return error.constructor?.name?.replace(/^GPU/, '') || 'error';
}

function padTo4(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(bytes.byteLength / 4) * 4);
  out.set(bytes);
  return out;
}
