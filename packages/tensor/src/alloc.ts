import type { Device } from './device/device.ts';
import type { DType } from './dtype.ts';
import { numel } from './shape.ts';
import { Storage } from './storage.ts';
import { Tensor } from './tensor.ts';

/** A new contiguous tensor with uninitialized contents, like torch.empty. */
export function empty(shape: readonly number[], dtype: DType, device: Device): Tensor {
  return new Tensor(Storage.alloc(device, dtype, numel(shape)), [...shape], dtype);
}
