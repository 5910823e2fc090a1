import { arange, type Tensor } from '@mini/tensor';

/**
 * One-hot encoding of int32 class indices, like F.one_hot: a new last dim of numClasses holds 1
 * at each index (int32, as mini's indices are; PyTorch's are int64). numClasses = -1 takes the
 * largest index + 1: that reads the values, so it is allowed on cpu tensors only (give numClasses
 * on the GPU). On the GPU, an index out of [0, numClasses) gives a row of zeros rather than
 * PyTorch's error (checking would need a readback).
 */
export function oneHot(tensor: Tensor, numClasses = -1): Tensor {
  if (tensor.dtype !== 'int32') throw new Error(`one_hot is only applicable to index tensor (int32), found ${tensor.dtype}`);
  if (!Number.isInteger(numClasses) || numClasses < -1) throw new Error(`one_hot: num_classes should be -1 or a non-negative integer, found ${numClasses}`);
  if (tensor.device.type === 'cpu') {
    const dense = tensor.contiguous();
    const values = Array.from(dense.storage.array.subarray(dense.offset, dense.offset + dense.numel()) as Int32Array);
    if (values.some((v) => v < 0)) throw new Error('Class values must be non-negative.');
    const largest = values.reduce((a, b) => Math.max(a, b), -1);
    if (numClasses === -1) {
      if (values.length === 0) throw new Error('Can not infer total number of classes from empty tensor.');
      numClasses = largest + 1;
    } else if (largest >= numClasses) {
      throw new Error('Class values must be smaller than num_classes.');
    }
  } else if (numClasses === -1) {
    throw new Error('one_hot: num_classes = -1 reads the largest class from the tensor; on the GPU give num_classes (or call it on a cpu tensor)');
  }
  const classes = arange(numClasses, undefined, 1, { dtype: 'int32', device: tensor.device });
  const hot = tensor.unsqueeze(-1).eq(classes);
  classes.dispose();
  const out = hot.int();
  hot.dispose();
  return out;
}
