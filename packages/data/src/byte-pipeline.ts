import type { Augment } from './augment.ts';
import { transformSpec, type Transform, type TransformSpec } from './transforms.ts';

/** A uint8 → float32 mapping (byte·scale − mean) / std: what normalizeBytes computes in one kernel. */
export interface ByteNormalization {
  /** Multiplies each byte first (1/255 after ToTensor). */
  scale: number;
  /** Subtracted after scaling. */
  mean: number;
  /** Divides last. */
  std: number;
}

/** A recognised pipeline: random augmentations of the uint8 image, then its normalization. */
export interface BytePipeline {
  /** Applied in order, each as one kernel over the normalized batch (fills converted to its units). */
  augments: Augment[];
  /** The byte → float32 mapping applied first, folded from ToTensor and the Normalize steps. */
  normalization: ByteNormalization;
}

function flatten(transform: Transform): Transform[] {
  const spec = transformSpec(transform);
  return spec?.kind === 'compose' ? spec.transforms.flatMap(flatten) : [transform];
}

/**
 * What a transform amounts to on a single-channel uint8 image, when it is a recognised pipeline:
 * Grayscale(1)*, random augmentations (RandomCrop, RandomHorizontalFlip, RandomRotation,
 * RandomAffine)*, ToTensor, then single-valued Normalize steps (folded into one normalization).
 * Anything else (Lambda, a plain function, per-channel values, augmentations after ToTensor) gives null.
 */
export function bytePipeline(transform: Transform | undefined): BytePipeline | null {
  if (!transform) return null;
  const steps = flatten(transform).map(transformSpec);
  const isGray1 = (s: TransformSpec | undefined) => s?.kind === 'grayscale' && s.numOutputChannels === 1;
  let i = 0;
  while (isGray1(steps[i])) i++;
  const augments: Augment[] = [];
  for (let s = steps[i]; s?.kind === 'augment'; s = steps[++i]) augments.push(s.augment);
  if (steps[i]?.kind !== 'toTensor') return null;
  const result: ByteNormalization = { scale: 1 / 255, mean: 0, std: 1 };
  for (const step of steps.slice(i + 1)) {
    if (step?.kind !== 'normalize' || step.mean.length !== 1 || step.std.length !== 1) return null;
    // (y − m)/s with y = (b·scale − mean)/std is (b·scale − (mean + m·std)) / (std·s).
    result.mean += step.mean[0] * result.std;
    result.std *= step.std[0];
  }
  return { augments, normalization: result };
}
