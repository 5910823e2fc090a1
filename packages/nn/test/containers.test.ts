import { describe, expect, it } from 'vitest';
import { fromArray, type Tensor } from '@mini/tensor';
import { nn } from '@mini/nn';

const linear = (i: number, o: number) => new nn.Linear(i, o, true, { device: 'cpu' });

describe('ModuleList', () => {
  it("registers its modules as children 0, 1, ...: their parameters are the owner's", () => {
    class Net extends nn.Module {
      layers = new nn.ModuleList([linear(3, 4), linear(4, 2)]);
      forward(x: Tensor): Tensor {
        for (const layer of this.layers) x = layer.call(x) as Tensor;
        return x;
      }
    }
    const net = new Net();
    expect(Object.keys(net.stateDict())).toEqual(['layers.0.weight', 'layers.0.bias', 'layers.1.weight', 'layers.1.bias']);
    expect(net.parameters()).toHaveLength(4);
    expect(net.call(fromArray([1, 2, 3], [1, 3], { device: 'cpu' })).shape).toEqual([1, 2]);
  });

  it('appends, extends, inserts, replaces and deletes, renumbering like a Python list', () => {
    const [a, b, c, d] = [linear(1, 1), linear(1, 2), linear(1, 3), linear(1, 4)];
    const list = new nn.ModuleList([a]).append(b).extend([c]);
    expect([...list]).toEqual([a, b, c]);
    list.insert(1, d);
    expect([...list]).toEqual([a, d, b, c]);
    expect(list.at(-1)).toBe(c);
    expect(list.delete(0)).toBe(a);
    expect([...list]).toEqual([d, b, c]);
    expect(list.namedChildren().map(([n]) => n)).toEqual(['0', '1', '2']);
    list.set(2, a);
    expect(list.at(2)).toBe(a);
    list.insert(99, c);
    expect(list.length).toBe(4);
    expect(() => list.at(4)).toThrow('index 4 is out of range');
    expect(() => list.forward()).toThrow('Module [ModuleList] is missing the required "forward" function');
  });
});

describe('ModuleDict', () => {
  it('registers modules by key in insertion order', () => {
    const [a, b] = [linear(2, 2), linear(2, 1)];
    const dict = new nn.ModuleDict({ encoder: a }).set('head', b);
    expect(dict.keys()).toEqual(['encoder', 'head']);
    expect(dict.get('head')).toBe(b);
    expect(Object.keys(dict.stateDict())).toEqual(['encoder.weight', 'encoder.bias', 'head.weight', 'head.bias']);
    expect(dict.has('encoder')).toBe(true);
    expect(dict.pop('encoder')).toBe(a);
    expect(dict.items()).toEqual([['head', b]]);
    expect(Object.keys(dict.stateDict())).toEqual(['head.weight', 'head.bias']);
    dict.update([['x', a]]);
    expect([...dict]).toEqual(['head', 'x']);
    expect(() => dict.get('missing')).toThrow("KeyError: 'missing'");
    dict.clear();
    expect(dict.length).toBe(0);
    expect(dict.parameters()).toHaveLength(0);
  });
});

describe('Identity and Unflatten', () => {
  it('Identity returns its input, ignoring constructor arguments', () => {
    const x = fromArray([1, 2], [2], { device: 'cpu' });
    expect(new nn.Identity(54, { unused: true }).call(x)).toBe(x);
  });

  it('Unflatten splits a dim (with -1 inferred) and undoes Flatten', async () => {
    const x = fromArray(Array.from({ length: 24 }, (_, i) => i), [2, 12], { device: 'cpu' });
    const u = new nn.Unflatten(1, [3, -1]);
    const y = u.call(x);
    expect(y.shape).toEqual([2, 3, 4]);
    expect(Array.from(await new nn.Flatten().call(y).toArray())).toEqual(Array.from(await x.toArray()));
    expect(new nn.Unflatten(-1, [2, 2, 3]).call(x).shape).toEqual([2, 2, 2, 3]);
    expect(String(u)).toBe('Unflatten(dim=1, unflattened_size=(3, -1))');
    expect(() => new nn.Unflatten(1, [5, 2]).call(x)).toThrow("unflatten: Provided sizes [5, 2] don't multiply up to the size of dim 1 (12) in the input tensor");
    expect(() => new nn.Unflatten(2, [1]).call(x)).toThrow('Dimension out of range (expected to be in range of [-2, 1], but got 2)');
  });
});
