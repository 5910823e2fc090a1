// ThreeNet or LeNet in TensorFlow.js (Node, no tfjs-node): run in a fresh process by peers.ts as
// `peer-tfjs.ts <threenet|lenet> <backend> <steps>`, backend 'wasm' or 'cpu'. The same model,
// loss, optimizer and batch as ours, on Fashion-MNIST preloaded as one normalized float tensor,
// batches gathered by a shuffled index. After a warm-up of a few steps, `steps` steps are timed
// and scaled to an epoch. Prints one JSON line.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { fashionMnistTrain } from './fashion.ts';

const [model = 'threenet', backend = 'wasm', stepsArg = '30'] = process.argv.slice(2);
if (model !== 'threenet' && model !== 'lenet') throw new Error(`expected threenet or lenet, found ${model}`);
if (!(await tf.setBackend(backend))) throw new Error(`TensorFlow.js backend ${backend} is not available`);
await tf.ready();

const BATCH = model === 'lenet' ? 64 : 256;
const data = await fashionMnistTrain();
const IMAGES = data.count;
const STEPS_PER_EPOCH = Math.ceil(IMAGES / BATCH);
const steps = Math.min(Number(stepsArg) || STEPS_PER_EPOCH, STEPS_PER_EPOCH);
const shape: [number, number] | [number, number, number, number] = model === 'lenet' ? [IMAGES, 28, 28, 1] : [IMAGES, 784];
const x = tf.tidy(() => tf.tensor(data.images, shape, 'int32').toFloat().div(255).sub(0.5).div(0.5));
const y = tf.tensor1d(data.labels, 'int32');

/** PyTorch's default init for Linear and Conv2d: U(±1/√fan_in) for weight and bias. */
const param = (shape: number[], fanIn: number) => tf.variable(tf.randomUniform(shape, -1 / Math.sqrt(fanIn), 1 / Math.sqrt(fanIn)));
const dense = (inF: number, outF: number) => [param([inF, outF], inF), param([outF], inF)];
const conv = (k: number, inC: number, outC: number) => [param([k, k, inC, outC], inC * k * k), param([outC], inC * k * k)];

let logits: (xb: tf.Tensor) => tf.Tensor2D;
let optimizer: tf.Optimizer;
if (model === 'threenet') {
  const [[w1, b1], [w2, b2], [w3, b3]] = [dense(784, 200), dense(200, 60), dense(60, 10)];
  logits = (xb) => {
    const h1 = tf.relu(tf.add(tf.matMul(xb as tf.Tensor2D, w1 as tf.Tensor2D), b1));
    const h2 = tf.relu(tf.add(tf.matMul(h1, w2 as tf.Tensor2D), b2));
    return tf.add(tf.matMul(h2, w3 as tf.Tensor2D), b3);
  };
  optimizer = tf.train.sgd(1e-2);
} else {
  const [[c1, cb1], [c2, cb2]] = [conv(5, 1, 6), conv(5, 6, 16)];
  const [[w1, b1], [w2, b2], [w3, b3]] = [dense(400, 120), dense(120, 84), dense(84, 10)];
  logits = (xb) => {
    const block = (input: tf.Tensor4D, w: tf.Tensor, b: tf.Tensor, pad: number) =>
      tf.maxPool(tf.relu(tf.add(tf.conv2d(input, w as tf.Tensor4D, 1, pad), b)) as tf.Tensor4D, 2, 2, 0);
    const h = block(block(xb as tf.Tensor4D, c1, cb1, 2), c2, cb2, 0);
    // NHWC flattened; the order differs from PyTorch's NCHW flatten, which changes no cost.
    let f = tf.relu(tf.add(tf.matMul(tf.reshape(h, [h.shape[0], 400]) as tf.Tensor2D, w1 as tf.Tensor2D), b1)) as tf.Tensor2D;
    f = tf.relu(tf.add(tf.matMul(f, w2 as tf.Tensor2D), b2)) as tf.Tensor2D;
    return tf.add(tf.matMul(f, w3 as tf.Tensor2D), b3) as tf.Tensor2D;
  };
  optimizer = tf.train.momentum(1e-2, 0.9);
}

function step(index: Int32Array): tf.Scalar {
  return tf.tidy(() => {
    const idx = tf.tensor1d(index, 'int32');
    const xb = tf.gather(x, idx);
    const yb = tf.oneHot(tf.gather(y, idx), 10);
    return optimizer.minimize(() => tf.losses.softmaxCrossEntropy(yb, logits(xb)) as tf.Scalar, true) as tf.Scalar;
  });
}

function permutation(): Int32Array {
  const p = Int32Array.from({ length: IMAGES }, (_, i) => i);
  for (let i = IMAGES - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
}

async function run(count: number): Promise<number> {
  const perm = permutation();
  const start = performance.now();
  let loss: tf.Scalar | null = null;
  for (let s = 0; s < count; s++) {
    loss?.dispose();
    loss = step(perm.subarray(s * BATCH, Math.min(IMAGES, (s + 1) * BATCH)));
  }
  await loss!.data();
  loss!.dispose();
  return (performance.now() - start) / 1000;
}

await run(Math.min(3, steps));
const seconds = (await run(steps)) * (STEPS_PER_EPOCH / steps);
console.log(JSON.stringify({ backend: tf.getBackend(), version: tf.version.tfjs, seconds, stepsTimed: steps, stepsPerEpoch: STEPS_PER_EPOCH }));
process.exit(0);
