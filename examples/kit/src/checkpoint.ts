import { type Module, type StateDict } from '@mini/nn';
import { load, readSafetensors, save } from '@mini/nn/node';
import type { Optimizer } from '@mini/optim';
import { isTensor, type Tensor } from '@mini/tensor';
import { packMetrics, parseProgress, type Progress, type TrainingFlags } from './progress.ts';

/** The metadata format of an example's checkpoints: mini-<example name>-checkpoint-<version>. */
export function checkpointFormat(example: string): string {
  return `mini-${example}-checkpoint-3`;
}

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

/** The model's NaN and infinite weights, as "29931 non-finite values (fc1.weight: 156800, ...)", or null if none. */
export async function nonFiniteWeights(model: Module): Promise<string | null> {
  const weights = model.stateDict();
  const counts: string[] = [];
  let total = 0;
  try {
    for (const [name, t] of Object.entries(weights)) {
      let n = 0;
      for (const v of await t.toArray()) if (!Number.isFinite(v)) n++;
      if (n) counts.push(`${name}: ${n}`);
      total += n;
    }
  } finally {
    disposeAll(weights);
  }
  return total ? `${total} non-finite values (${counts.join(', ')})` : null;
}

/** A hint when a file passed as plain weights (--init) is a checkpoint of this program (`format`). */
export async function checkpointHint(path: string, format: string): Promise<string> {
  const metadata = await readSafetensors(path).then(
    (file) => {
      disposeAll(file.tensors);
      return file.metadata;
    },
    () => null,
  );
  return metadata?.format === format
    ? `\n'${path}' is a checkpoint of this program (weights, optimizer state and progress): continue it with --resume, or start from its best.safetensors with --init`
    : '';
}

/**
 * Writes model weights (model.fc1.weight, ...), the optimizer's state tensors
 * (optimizer.<param index>.<name>) and, as metadata, the optimizer's numbers and the run's
 * progress into one safetensors file (written to a temp name, then renamed).
 */
export async function saveCheckpoint(path: string, format: string, model: Module, optimizer: Optimizer, progress: Progress): Promise<void> {
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
      format,
      optimizer: JSON.stringify({ paramGroups, numbers }),
      progress: JSON.stringify({ ...progress, metrics: packMetrics(progress.metrics) }),
    });
  } finally {
    disposeAll(tensors);
  }
}

/**
 * Loads a checkpoint written by saveCheckpoint into the model and optimizer; returns its progress,
 * checked field by field, and trained with `expected.flags` (see parseProgress). `kind` names
 * the checkpoint ('ThreeNet') when it is not of `format`.
 */
export async function loadCheckpoint(
  path: string,
  { format, kind }: { format: string; kind: string },
  model: Module,
  optimizer: Optimizer,
  expected: { flags: TrainingFlags; stepsPerEpoch: number },
): Promise<Progress> {
  const { tensors, metadata } = await readSafetensors(path, { device: model.parameters()[0].device });
  try {
    if (metadata?.format !== format) {
      throw new Error(`'${path}' is not a ${kind} checkpoint (expected metadata format ${format}, found ${metadata?.format ?? 'none'})`);
    }
    const progress = parseProgress(metadata.progress, expected);
    const weights: StateDict = Object.create(null);
    const state: Record<number, Record<string, Tensor | number>> = Object.create(null);
    for (const [key, t] of Object.entries(tensors)) {
      const [kind, ...rest] = key.split('.');
      if (kind === 'model') weights[rest.join('.')] = t;
      else if (kind === 'optimizer') (state[Number(rest[0])] ??= Object.create(null))[rest.slice(1).join('.')] = t;
    }
    model.loadStateDict(weights);
    const { paramGroups, numbers } = JSON.parse(metadata.optimizer) as { paramGroups: never[]; numbers: Record<string, Record<string, number>> };
    for (const [index, values] of Object.entries(numbers)) Object.assign((state[Number(index)] ??= Object.create(null)), values);
    optimizer.loadStateDict({ state, paramGroups });
    return progress;
  } finally {
    disposeAll(tensors);
  }
}
