// torch.optim.SGD's update (packages/optim/src/sgd.ts) of up to three parameters in one dispatch,
// in place: the threads run over the slots' elements end to end, and slot k binds parameter k, its
// gradient and its momentum buffer (a one-element buffer, not written, without momentum); an
// unused slot binds one-element buffers and has numel 0. T is f32, or vec4<f32> when every slot's
// length and offsets are multiples of 4; numel and the offsets count elements of T. The per-step
// scalars come from the host; a slot's flags as optim.wgsl's (its first step starts its buffer).
// MOMENTUM is whether momentum is not 0: without it the momentum buffers are neither read nor
// written, and llvmpipe compiles the kernel in about a third less time (bench/findings.md).
alias T = {{T}};
const MOMENTUM: bool = {{MOMENTUM}};

struct Params {
  numel: array<u32, 3>,
  off_param: array<u32, 3>,
  off_grad: array<u32, 3>,
  flags: array<u32, 3>,
  lr: f32, weight_decay: f32, momentum: f32, one_minus_dampening: f32,
}

@group(0) @binding(0) var<storage, read_write> param0: array<T>;
@group(0) @binding(1) var<storage, read> grad0: array<T>;
@group(0) @binding(2) var<storage, read_write> buf0: array<T>;
@group(0) @binding(3) var<storage, read_write> param1: array<T>;
@group(0) @binding(4) var<storage, read> grad1: array<T>;
@group(0) @binding(5) var<storage, read_write> buf1: array<T>;
@group(0) @binding(6) var<storage, read_write> param2: array<T>;
@group(0) @binding(7) var<storage, read> grad2: array<T>;
@group(0) @binding(8) var<storage, read_write> buf2: array<T>;
@group(0) @binding(9) var<storage, read> p: Params;

// flags: shared with packages/optim/src/fused.ts
const MAXIMIZE: u32 = 1u;
const NESTEROV: u32 = 2u;
const FIRST_STEP: u32 = 4u;
const WG: u32 = 256u;

struct Updated { param: T, buf: T }

// One element of slot k: the parameter x, its gradient g and momentum buffer value buf.
fn update(k: u32, x: T, g: T, buf: T) -> Updated {
  let flags = p.flags[k];
  var d = select(g, -g, (flags & MAXIMIZE) != 0u);
  if (p.weight_decay != 0.0) { d = d + p.weight_decay * x; }
  var b = buf;
  if (MOMENTUM) {
    // the first step starts the buffer at d_p, undamped
    b = select(p.momentum * buf + p.one_minus_dampening * d, d, (flags & FIRST_STEP) != 0u);
    d = select(b, d + p.momentum * b, (flags & NESTEROV) != 0u);
  }
  return Updated(x - p.lr * d, b);
}

// Element i of the slots' elements end to end.
fn element(index: u32) {
  var i = index;
  if (i < p.numel[0]) {
    var b = T();
    if (MOMENTUM) { b = buf0[i]; }
    let u = update(0u, param0[p.off_param[0] + i], grad0[p.off_grad[0] + i], b);
    param0[p.off_param[0] + i] = u.param;
    if (MOMENTUM) { buf0[i] = u.buf; }
    return;
  }
  i -= p.numel[0];
  if (i < p.numel[1]) {
    var b = T();
    if (MOMENTUM) { b = buf1[i]; }
    let u = update(1u, param1[p.off_param[1] + i], grad1[p.off_grad[1] + i], b);
    param1[p.off_param[1] + i] = u.param;
    if (MOMENTUM) { buf1[i] = u.buf; }
    return;
  }
  i -= p.numel[1];
  if (i < p.numel[2]) {
    var b = T();
    if (MOMENTUM) { b = buf2[i]; }
    let u = update(2u, param2[p.off_param[2] + i], grad2[p.off_grad[2] + i], b);
    param2[p.off_param[2] + i] = u.param;
    if (MOMENTUM) { buf2[i] = u.buf; }
  }
}

// The grid strides over the elements (the host dispatches fewer threads than elements).
@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let total = p.numel[0] + p.numel[1] + p.numel[2];
  for (var i = gid.x + gid.y * nwg.x * WG; i < total; i += nwg.x * nwg.y * WG) { element(i); }
}
