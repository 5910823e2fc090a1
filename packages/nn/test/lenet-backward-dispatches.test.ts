import { expect, it } from 'vitest';
import { Generator, flatten, fromArray, init, manualSeed, type Tensor } from '@mini/tensor';
import { testing } from '@mini/tensor/internal';
import { F, nn } from '@mini/nn';

/** The Uint32 bits of a tensor's values. */
async function bits(t: Tensor): Promise<number[]> {
  return Array.from(new Uint32Array(Float32Array.from(await t.toArray()).buffer));
}

it("LeNet's backward: max_pool2d after each conv's ReLU backpropagates in one kernel, two dispatches fewer, the same gradient bits", async () => {
  const gpu = await init('webgpu');
  manualSeed(14);
  // examples/lenet's network and forward (conv → ReLU → max pool, twice; three linears).
  const conv1 = new nn.Conv2d(1, 6, 5, { padding: 2 }).to(gpu);
  const conv2 = new nn.Conv2d(6, 16, 5).to(gpu);
  const fcs = [new nn.Linear(400, 120), new nn.Linear(120, 84), new nn.Linear(84, 10)].map((fc) => fc.to(gpu));
  const parameters = [conv1, conv2, ...fcs].flatMap((m) => m.parameters());
  const r = new Generator(3);
  const images = fromArray(Float32Array.from({ length: 4 * 28 * 28 }, () => r.uniform() * 2 - 1), [4, 1, 28, 28], { device: gpu });
  const labels = fromArray(Int32Array.from([3, 1, 4, 1]), [4], { dtype: 'int32', device: gpu });

  /** The labels of one backward's dispatches and the parameters' gradients; `observe` hooks each conv's ReLU output (which keeps its backward separate). */
  async function backward(observe: boolean): Promise<{ dispatches: string[]; grads: number[][] }> {
    const convRelu = (y: Tensor) => {
      const out = F.relu(y);
      if (observe) out.registerHook(() => {});
      return out;
    };
    let x = F.maxPool2d(convRelu(conv1.forward(images)), 2);
    x = F.maxPool2d(convRelu(conv2.forward(x)), 2);
    x = flatten(x, 1);
    x = F.relu(fcs[0].forward(x));
    x = F.relu(fcs[1].forward(x));
    const loss = F.crossEntropy(fcs[2].forward(x), labels);
    for (const p of parameters) p.grad = null;
    const dispatches = await testing.dispatchLabels(gpu.gpu, () => loss.backward());
    return { dispatches, grads: await Promise.all(parameters.map((p) => bits(p.grad!))) };
  }

  await backward(false); // the first backward makes what is kept (the implicit gradient 1)
  const separate = await backward(true);
  const fused = await backward(false);
  const count = (labels: string[], label: string) => labels.filter((l) => l === label).length;
  expect([count(separate.dispatches, 'reluBackward'), count(separate.dispatches, 'maxPool2d.backward'), count(separate.dispatches, 'maxPool2d+relu.backward')]).toEqual([2, 2, 0]);
  expect([count(fused.dispatches, 'reluBackward'), count(fused.dispatches, 'maxPool2d.backward'), count(fused.dispatches, 'maxPool2d+relu.backward')]).toEqual([0, 0, 2]);
  expect(fused.dispatches.length).toBe(separate.dispatches.length - 2);
  expect(fused.grads).toEqual(separate.grads);
});
