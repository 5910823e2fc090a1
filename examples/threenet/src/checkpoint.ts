import { readFile } from 'node:fs/promises';
import { deserialize, type Module, type StateDict } from '@mini/nn';
import { load, save } from '@mini/nn/node';
import type { Optimizer } from '@mini/optim';
import { isTensor, type Tensor } from '@mini/tensor';

/** Where a run stands: enough to continue it exactly. */
export interface Progress {
  /** The epoch to run next (0-based), and how many of its batches are already done. */
  epoch: number;
  step: number;
  /** The shuffling generator's state at the start of that epoch, so its order is drawn again. */
  loaderState: number[];
  lossList: number[];
  accuracyList: number[];
  bestA: number;
  seconds: number;
}

const FORMAT = 'mini-threenet-checkpoint-1';

/** Frees the handles of a state dict (stateDict() handles share the model's memory: nothing it uses is freed). */
export function disposeAll(sd: StateDict): void {
  for (const t of Object.values(sd)) t.dispose();
}

/** Copies the weights of a safetensors file (PyTorch's names) into model. */
export async function loadWeights(model: Module, path: string): Promise<void> {
  const weights = await load(path);
  try {
    model.loadStateDict(weights);
  } finally {
    disposeAll(weights);
  }
}

/** Writes model's weights with PyTorch's names, loadable by safetensors.torch.load_file. */
export async function saveWeights(model: Module, path: string): Promise<void> {
  const weights = model.stateDict();
  try {
    await save(weights, path, { format: 'pt' });
  } finally {
    disposeAll(weights);
  }
}

/**
 * Writes model weights (model.fc1.weight, ...), the optimizer's state tensors
 * (optimizer.<param index>.<name>) and, as metadata, the optimizer's numbers and the run's
 * progress into one safetensors file (written to a temp name, then renamed).
 */
export async function saveCheckpoint(path: string, model: Module, optimizer: Optimizer, progress: Progress): Promise<void> {
  const tensors: StateDict = {};
  for (const [name, t] of Object.entries(model.stateDict())) tensors[`model.${name}`] = t;
  const { state, paramGroups } = optimizer.stateDict();
  const numbers: Record<string, Record<string, number>> = {};
  for (const [index, paramState] of Object.entries(state)) {
    for (const [key, value] of Object.entries(paramState)) {
      if (isTensor(value)) tensors[`optimizer.${index}.${key}`] = value as Tensor;
      else (numbers[index] ??= {})[key] = value as number;
    }
  }
  try {
    await save(tensors, path, {
      format: FORMAT,
      optimizer: JSON.stringify({ paramGroups, numbers }),
      progress: JSON.stringify(progress),
    });
  } finally {
    disposeAll(tensors);
  }
}

/** Loads a checkpoint written by saveCheckpoint into the model and optimizer; returns the progress. */
export async function loadCheckpoint(path: string, model: Module, optimizer: Optimizer): Promise<Progress> {
  const bytes = await readFile(path).catch(() => {
    throw new Error(`cannot read checkpoint '${path}'`);
  });
  const { tensors, metadata } = deserialize(bytes, { file: path, device: model.parameters()[0].device });
  if (metadata?.format !== FORMAT) {
    throw new Error(`'${path}' is not a ThreeNet checkpoint (expected metadata format ${FORMAT}, found ${metadata?.format ?? 'none'})`);
  }
  const weights: StateDict = {};
  const state: Record<number, Record<string, Tensor | number>> = {};
  for (const [key, t] of Object.entries(tensors)) {
    const [kind, ...rest] = key.split('.');
    if (kind === 'model') weights[rest.join('.')] = t;
    else if (kind === 'optimizer') (state[Number(rest[0])] ??= {})[rest.slice(1).join('.')] = t;
  }
  model.loadStateDict(weights);
  const { paramGroups, numbers } = JSON.parse(metadata.optimizer) as { paramGroups: never[]; numbers: Record<string, Record<string, number>> };
  for (const [index, values] of Object.entries(numbers)) Object.assign((state[Number(index)] ??= {}), values);
  optimizer.loadStateDict({ state, paramGroups });
  disposeAll(tensors);
  return JSON.parse(metadata.progress) as Progress;
}
