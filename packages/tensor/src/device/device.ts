import { envVar } from '../env.ts';
import { prepareTuneStore } from '#tune-store';
import { WebGPURuntime } from './webgpu.ts';

/** The kinds of device: the WebGPU device and the plain TypeScript cpu device. */
export type DeviceType = 'cpu' | 'webgpu';

/** Where a tensor lives, like torch.device. */
export class Device {
  private constructor(
    /** 'cpu' or 'webgpu', like torch.device's type. */
    readonly type: DeviceType,
    private runtime: WebGPURuntime | null,
  ) {}

  /** The cpu device (plain TypeScript; every op has it, and the tests use it as the reference). */
  static cpu = new Device('cpu', null);

  /** Internal: the webgpu device over a runtime (use init() or initWebGPU()). */
  static webgpu(runtime: WebGPURuntime): Device {
    return new Device('webgpu', runtime);
  }

  /** The WebGPU runtime behind this device (only on webgpu). */
  get gpu(): WebGPURuntime {
    if (!this.runtime) throw new Error('internal: the cpu device has no GPU runtime');
    return this.runtime;
  }

  /** `'cpu'` or `'webgpu'`, as torch prints a device type. */
  toString(): string {
    return this.type;
  }
}

/** A device, or its type's name. */
export type DeviceLike = Device | DeviceType;

let webgpuDevice: Device | null = null;
let webgpuInit: Promise<Device> | null = null;
let defaultDevice: Device = Device.cpu;

/** Creates (once) the WebGPU device: the platform's adapter, then Vulkan, then GL. */
export function initWebGPU(): Promise<Device> {
  if (webgpuDevice?.gpu.isLost) {
    if (defaultDevice === webgpuDevice) defaultDevice = Device.cpu;
    webgpuDevice = null;
    webgpuInit = null;
  }
  // the tuning cache is read alongside (a page's IndexedDB is asynchronous; kernels are chosen synchronously)
  webgpuInit ??= Promise.all([WebGPURuntime.create(), prepareTuneStore()]).then(
    ([runtime]) => (webgpuDevice = Device.webgpu(runtime)),
    (error) => {
      webgpuInit = null;
      throw error;
    },
  );
  return webgpuInit;
}

/**
 * Readies the device named by MINI_DEVICE (or the argument), webgpu by default, and makes it the
 * default for new tensors. Call once at start-up: `await init()`.
 */
export async function init(spec: DeviceType | undefined = envVar('MINI_DEVICE') as DeviceType | undefined): Promise<Device> {
  const wanted = spec ?? 'webgpu';
  if (wanted !== 'cpu' && wanted !== 'webgpu') {
    throw new Error(`unknown device '${wanted}'; expected 'webgpu' or 'cpu' (MINI_DEVICE)`);
  }
  defaultDevice = wanted === 'cpu' ? Device.cpu : await initWebGPU();
  return defaultDevice;
}

/** Resolves 'cpu' / 'webgpu' / a Device synchronously; webgpu must have been initialized. */
export function device(spec?: DeviceLike): Device {
  if (spec === undefined) return defaultDevice;
  if (spec instanceof Device) return spec;
  if (spec === 'cpu') return Device.cpu;
  if (spec === 'webgpu') {
    if (!webgpuDevice) throw new Error("the webgpu device is not ready: call `await init()` (or `await initWebGPU()`) first");
    return webgpuDevice;
  }
  throw new Error(`unknown device '${String(spec)}'; expected 'webgpu' or 'cpu'`);
}

/** The webgpu device if it has been created, else null. */
export function webgpuIfReady(): Device | null {
  return webgpuDevice;
}

/** The device new tensors go to when no `device` is given, like torch.get_default_device. */
export function getDefaultDevice(): Device {
  return defaultDevice;
}

/** Makes `spec` the device new tensors go to, like torch.set_default_device. */
export function setDefaultDevice(spec: DeviceLike): void {
  defaultDevice = device(spec);
}

/** Submits every recorded GPU command now. */
export function flush(): void {
  webgpuDevice?.gpu.flush();
}

/**
 * Waits while too much work is queued ahead of the GPU (see WebGPURuntime.throttle); returns at
 * once on cpu. DataLoader calls it per batch; a hand-written loop that never reads back should too.
 */
export async function throttle(): Promise<void> {
  await webgpuDevice?.gpu.throttle();
}

/** Destroys the WebGPU device so that Node can exit; tensors on it become unusable. */
export function shutdown(): void {
  if (defaultDevice === webgpuDevice) defaultDevice = Device.cpu;
  webgpuDevice?.gpu.destroy();
  webgpuDevice = null;
  webgpuInit = null;
}
