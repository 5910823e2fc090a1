import { describe, expect, it } from 'vitest';
import * as torch from '@mini/tensor';
import { gradcheck } from '@mini/autograd';
import { nn, F } from '@mini/nn';

const x = () => torch.fromArray([-30, -2.5, -0.5, 0, 0.25, 1.5, 25], [7], { device: 'cpu', dtype: 'float64', requiresGrad: true });

describe('activation modules and F. forms', () => {
  // Each module, its F. form and the tensor op of the elementwise table (tested there against PyTorch).
  const cases: [nn.Module, (t: torch.Tensor) => torch.Tensor, (t: torch.Tensor) => torch.Tensor, string][] = [
    [new nn.Sigmoid(), F.sigmoid, torch.sigmoid, 'Sigmoid()'],
    [new nn.Tanh(), F.tanh, torch.tanh, 'Tanh()'],
    [new nn.GELU(), (t) => F.gelu(t), (t) => torch.gelu(t), "GELU(approximate='none')"],
    [new nn.GELU('tanh'), (t) => F.gelu(t, { approximate: 'tanh' }), (t) => torch.gelu(t, { approximate: 'tanh' }), "GELU(approximate='tanh')"],
    [new nn.LeakyReLU(0.2), (t) => F.leakyRelu(t, 0.2), (t) => torch.leakyRelu(t, 0.2), 'LeakyReLU(negative_slope=0.2)'],
    [new nn.SiLU(), F.silu, torch.silu, 'SiLU()'],
    [new nn.ELU(0.5), (t) => F.elu(t, 0.5), (t) => torch.elu(t, 0.5), 'ELU(alpha=0.5)'],
    [new nn.Softplus(2, 10), (t) => F.softplus(t, 2, 10), (t) => torch.softplus(t, 2, 10), 'Softplus(beta=2, threshold=10)'],
  ];
  for (const [module, functional, op, repr] of cases) {
    it(`${repr} equals its F. form and the tensor op, with their gradients`, async () => {
      expect(String(module)).toBe(repr);
      const expected = Array.from(await op(x()).toArray());
      expect(Array.from(await (module.call(x()) as torch.Tensor).toArray())).toEqual(expected);
      expect(Array.from(await functional(x()).toArray())).toEqual(expected);
      const input = torch.fromArray([-1.3, -0.4, 0.3, 0.9, 2.2], [5], { device: 'cpu', dtype: 'float64', requiresGrad: true });
      expect(await gradcheck((t) => module.call(t) as torch.Tensor, [input])).toBe(true);
    });
  }

  it("rejects inplace and an unknown approximation", () => {
    expect(() => new nn.LeakyReLU(0.1, true)).toThrow('LeakyReLU: inplace=True is not supported by mini');
    expect(() => new nn.SiLU(true)).toThrow('SiLU: inplace=True is not supported by mini');
    expect(() => new nn.GELU('erf' as never)).toThrow('approximate argument must be either none or tanh, found erf');
  });
});
