import { describe, expect, it } from 'vitest';
import { fromArray, init, type DeviceLike } from '@mini/tensor';
import { optim } from '@mini/optim';

// An optimizer step writes its parameters in place (as PyTorch's does, under no_grad): it is no
// in-place op on a leaf that requires grad, and it bumps the version that backward checks.
describe('optimizer steps and the version counter', () => {
  for (const device of ['cpu', 'webgpu'] as DeviceLike[]) {
    for (const name of ['SGD', 'Adam'] as const) {
      it(`${name} on ${device}: a retained graph that saved the parameter is refused after the step`, async () => {
        if (device === 'webgpu') await init('webgpu');
        const w = fromArray([1, 2], [2], { device, requiresGrad: true });
        const optimizer = name === 'SGD' ? new optim.SGD([w], { lr: 0.5 }) : new optim.Adam([w], { lr: 0.5 });
        const loss = w.mul(w).sum();
        loss.backward(undefined, { retainGraph: true });
        optimizer.step();
        // SGD: w - 0.5·2w = 0; Adam's first step moves each element by lr against the gradient's sign.
        const expected = name === 'SGD' ? [0, 0] : [0.5, 1.5];
        Array.from(await w.toArray()).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 5));
        expect(() => loss.backward()).toThrow(
          'one of the variables needed for gradient computation has been modified by an inplace operation: [float32 [2]] is at version 1; expected version 0 instead.',
        );
        // A new forward saves the new version.
        optimizer.zeroGrad();
        w.mul(w).sum().backward();
        Array.from(await w.grad!.toArray()).forEach((v, i) => expect(v).toBeCloseTo(2 * expected[i], 5));
      });
    }
  }
});
