/**
 * TensorFlow.js's ThreeNet step in the page, the bench's peer for mini's (mini.ts): the same
 * model (784-200-60-10, ReLU, PyTorch's default init), softmax cross-entropy (log_softmax + NLL),
 * SGD, batch 256, on the same sample images (normalized to [-1, 1], one tensor on the device),
 * batches gathered by a shuffled index as bench/peer-tfjs.ts does in Node; each step's loss is
 * read, as mini's page does. ?backend=webgpu|cpu.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { runPage, settings } from './settings.ts';

const pageStart = performance.now();

/** The bytes of a gzip IDX file of the sample, past its header of `header` bytes. */
async function idx(name: string, header: number): Promise<Uint8Array> {
  const response = await fetch(`sample/${name}`);
  if (!response.ok || !response.body) throw new Error(`fetching sample/${name}: HTTP ${response.status}`);
  const bytes = new Uint8Array(await new Response(response.body.pipeThrough(new DecompressionStream('gzip'))).arrayBuffer());
  return bytes.subarray(header);
}

runPage('TensorFlow.js', async () => {
  const backend = new URLSearchParams(location.search).get('backend') ?? 'webgpu';
  if (!(await tf.setBackend(backend))) throw new Error(`TensorFlow.js backend ${backend} is not available`);
  await tf.ready();
  let adapter = '';
  if (backend === 'webgpu') {
    const info = (tf.backend() as unknown as { adapterInfo?: { vendor?: string; architecture?: string } }).adapterInfo;
    adapter = `: ${[info?.vendor, info?.architecture].filter(Boolean).join(' / ')}`;
  }
  const [images, labels] = await Promise.all([idx('train-images-idx3-ubyte.gz', 16), idx('train-labels-idx1-ubyte.gz', 8)]);
  const count = labels.length;
  const x = tf.tidy(() => tf.tensor2d(images, [count, 784], 'int32').toFloat().div(255).sub(0.5).div(0.5));
  const y = tf.tensor1d(labels, 'int32');

  const param = (shape: number[], fanIn: number) => tf.variable(tf.randomUniform(shape, -1 / Math.sqrt(fanIn), 1 / Math.sqrt(fanIn), 'float32', 0));
  const dense = (inF: number, outF: number) => [param([inF, outF], inF), param([outF], inF)] as const;
  const [[w1, b1], [w2, b2], [w3, b3]] = [dense(784, 200), dense(200, 60), dense(60, 10)];
  const logits = (xb: tf.Tensor2D) => {
    const h1 = tf.relu(tf.add(tf.matMul(xb, w1 as tf.Tensor2D), b1)) as tf.Tensor2D;
    const h2 = tf.relu(tf.add(tf.matMul(h1, w2 as tf.Tensor2D), b2)) as tf.Tensor2D;
    return tf.add(tf.matMul(h2, w3 as tf.Tensor2D), b3) as tf.Tensor2D;
  };
  const optimizer = tf.train.sgd(settings.lr);
  const order = tf.util.createShuffledIndices(count);

  const firstStepStart = performance.now();
  let last = firstStepStart;
  const stepSeconds: number[] = [];
  const losses: number[] = [];
  for (let s = 0; s < settings.steps; s++) {
    const from = (s * settings.batchSize) % count;
    const index = Int32Array.from(order.subarray(from, Math.min(count, from + settings.batchSize)));
    const loss = tf.tidy(() => {
      const idx = tf.tensor1d(index, 'int32');
      const xb = tf.gather(x, idx) as tf.Tensor2D;
      const yb = tf.oneHot(tf.gather(y, idx), 10);
      return optimizer.minimize(() => tf.losses.softmaxCrossEntropy(yb, logits(xb)) as tf.Scalar, true) as tf.Scalar;
    });
    losses.push((await loss.data())[0]);
    loss.dispose();
    const now = performance.now();
    stepSeconds.push((now - last) / 1000);
    last = now;
  }
  return { library: `TensorFlow.js ${tf.version.tfjs}`, backend: `${tf.getBackend()}${adapter}`, stepSeconds, losses, setupSeconds: (firstStepStart - pageStart) / 1000 };
});
