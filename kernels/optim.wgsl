// Fused optimizer updates: one dispatch updates one parameter in place, reading its gradient once
// and its state buffers (exp_avg, exp_avg_sq, max_exp_avg_sq; square_avg, grad_avg, momentum
// buffer; sum), with PyTorch's update rules (torch.optim.Adam / AdamW / RMSprop / Adagrad; SGD's,
// three parameters a dispatch, is sgd.wgsl). Per-step scalars (the scheduled learning rate,
// 1 - dampening, bias corrections) are computed on the host and passed in p.
// Unused state slots are bound to a one-element dummy buffer. T is f32, or vec4<f32> when every
// operand's length and offset are multiples of 4: lavapipe loads a vec4 for little more than a
// scalar. numel and the offsets count elements of T.
alias T = {{T}};

struct Params {
  numel: u32, off_param: u32, off_grad: u32, flags: u32,
  lr: f32, weight_decay: f32, momentum: f32, one_minus_dampening: f32,
  beta1: f32, beta2: f32, one_minus_beta1: f32, one_minus_beta2: f32,
  eps: f32, step_size: f32, bias_correction2_sqrt: f32, decay_factor: f32,
  alpha: f32, one_minus_alpha: f32,
}

@group(0) @binding(0) var<storage, read_write> param: array<T>;
@group(0) @binding(1) var<storage, read> grad: array<T>;
@group(0) @binding(2) var<storage, read_write> state_a: array<T>; // exp_avg | square_avg | sum
@group(0) @binding(3) var<storage, read_write> state_b: array<T>; // exp_avg_sq | momentum_buffer (RMSprop)
@group(0) @binding(4) var<storage, read_write> state_c: array<T>; // max_exp_avg_sq (amsgrad) | grad_avg (centered)
@group(0) @binding(5) var<storage, read> p: Params;

// flags: shared with packages/optim/src/fused.ts (nesterov 2 and first step 4 are sgd.wgsl's)
const MAXIMIZE: u32 = 1u;
const AMSGRAD: u32 = 8u;
const CENTERED: u32 = 16u;
const WG: u32 = 256u;

fn has(flag: u32) -> bool {
  return (p.flags & flag) != 0u;
}

fn gradient(i: u32) -> T {
  let g = grad[p.off_grad + i];
  return select(g, -g, has(MAXIMIZE));
}

// Adam adds weight decay to the gradient (L2); AdamW decays the parameter itself (decoupled).
fn adam_update(i: u32, decoupled: bool) {
  var x = param[p.off_param + i];
  var g = gradient(i);
  if (decoupled) {
    x = x * p.decay_factor;
  } else if (p.weight_decay != 0.0) {
    g = g + p.weight_decay * x;
  }
  let m = p.beta1 * state_a[i] + p.one_minus_beta1 * g;
  let v = p.beta2 * state_b[i] + p.one_minus_beta2 * g * g;
  state_a[i] = m;
  state_b[i] = v;
  var v_used = v;
  if (has(AMSGRAD)) {
    v_used = max(state_c[i], v);
    state_c[i] = v_used;
  }
  let denom = sqrt(v_used) / p.bias_correction2_sqrt + p.eps;
  param[p.off_param + i] = x - p.step_size * (m / denom);
}

@compute @workgroup_size(WG)
fn adam(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.numel) { return; }
  adam_update(i, false);
}

@compute @workgroup_size(WG)
fn adamw(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.numel) { return; }
  adam_update(i, true);
}

// RMSprop: square_avg = α·square_avg + (1 − α)·g²; centered subtracts grad_avg² (grad_avg = α·grad_avg + (1 − α)·g).
@compute @workgroup_size(WG)
fn rmsprop(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.numel) { return; }
  let x = param[p.off_param + i];
  var g = gradient(i);
  if (p.weight_decay != 0.0) { g = g + p.weight_decay * x; }
  let sq = p.alpha * state_a[i] + p.one_minus_alpha * g * g;
  state_a[i] = sq;
  var avg_sq = sq;
  if (has(CENTERED)) {
    let ga = p.alpha * state_c[i] + p.one_minus_alpha * g;
    state_c[i] = ga;
    avg_sq = sq - ga * ga;
  }
  let avg = sqrt(avg_sq) + p.eps;
  if (p.momentum > 0.0) {
    let buf = p.momentum * state_b[i] + g / avg;
    state_b[i] = buf;
    param[p.off_param + i] = x - p.lr * buf;
  } else {
    param[p.off_param + i] = x - p.lr * (g / avg);
  }
}

// Adagrad: sum += g²; param −= clr · g / (√sum + eps), with clr (the decayed lr) in p.lr.
@compute @workgroup_size(WG)
fn adagrad(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.numel) { return; }
  let x = param[p.off_param + i];
  var g = gradient(i);
  if (p.weight_decay != 0.0) { g = g + p.weight_decay * x; }
  let total = state_a[i] + g * g;
  state_a[i] = total;
  param[p.off_param + i] = x - p.lr * (g / (sqrt(total) + p.eps));
}
