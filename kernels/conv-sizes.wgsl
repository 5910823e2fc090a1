// The sizes both direct convolution kernels (conv-direct.wgsl, conv-grad-weight.wgsl) are
// specialized on: pipeline constants (N, OH, OW, KH: the divisions by them become multiplies,
// the loops over KH unroll) and template constants (KW and the block of OCB output channels size
// register arrays, which WGSL wants as const).
override N: u32;
override OH: u32;
override OW: u32;
override KH: i32;
const KW: i32 = {{KW}};
const OCB: u32 = {{OCB}}u;
