// The ThreeNet epoch in TensorFlow.js (Node, no tfjs-node): run in a fresh process by peers.ts as
// `peer-tfjs.ts <backend> <runs> <steps>`, backend 'wasm' or 'cpu'. The same model, loss, SGD and
// batch as ours, with the data preloaded as one normalized float tensor and batches gathered by a
// shuffled index. A run is `steps` steps scaled to an epoch. Prints one JSON line.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { BATCH, IMAGES, PIXELS, STEPS_PER_EPOCH, syntheticMnist } from './synthetic.ts';

const [backend = 'wasm', runsArg = '5', stepsArg = '30'] = process.argv.slice(2);
const runs = Number(runsArg);
const steps = Math.min(Number(stepsArg) || STEPS_PER_EPOCH, STEPS_PER_EPOCH);
if (!(await tf.setBackend(backend))) throw new Error(`TensorFlow.js backend ${backend} is not available`);
await tf.ready();

const data = syntheticMnist();
const x = tf.tidy(() => tf.tensor2d(data.images, [IMAGES, PIXELS], 'int32').toFloat().div(255).sub(0.5).div(0.5));
const y = tf.tensor1d(data.labels, 'int32');
const layer = (inF: number, outF: number) => {
  const bound = 1 / Math.sqrt(inF);
  return [tf.variable(tf.randomUniform([inF, outF], -bound, bound)), tf.variable(tf.randomUniform([outF], -bound, bound))];
};
const [w1, b1] = layer(784, 200);
const [w2, b2] = layer(200, 60);
const [w3, b3] = layer(60, 10);
const optimizer = tf.train.sgd(1e-2);

function step(index: Int32Array): tf.Scalar {
  return tf.tidy(() => {
    const idx = tf.tensor1d(index, 'int32');
    const xb = tf.gather(x, idx);
    const yb = tf.oneHot(tf.gather(y, idx), 10);
    return optimizer.minimize(() => {
      const h1 = tf.relu(tf.add(tf.matMul(xb, w1), b1));
      const h2 = tf.relu(tf.add(tf.matMul(h1, w2), b2));
      const logp = tf.logSoftmax(tf.add(tf.matMul(h2, w3), b3));
      return tf.neg(tf.mean(tf.sum(tf.mul(yb, logp), 1))) as tf.Scalar;
    }, true) as tf.Scalar;
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

async function run(): Promise<number> {
  const perm = permutation();
  const start = performance.now();
  let loss: tf.Scalar | null = null;
  for (let s = 0; s < steps; s++) {
    loss?.dispose();
    loss = step(perm.subarray(s * BATCH, Math.min(IMAGES, (s + 1) * BATCH)));
  }
  await loss!.data();
  loss!.dispose();
  return ((performance.now() - start) / 1000) * (STEPS_PER_EPOCH / steps);
}

await run();
const seconds: number[] = [];
for (let i = 0; i < runs; i++) seconds.push(await run());
console.log(JSON.stringify({ backend: tf.getBackend(), version: tf.version.tfjs, seconds, stepsTimed: steps, extrapolated: steps !== STEPS_PER_EPOCH }));
process.exit(0);
