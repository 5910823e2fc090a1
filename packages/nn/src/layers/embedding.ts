import { checkOptions, defaultGenerator, type Generator, type Tensor } from '@mini/tensor';
import * as F from '../functional.ts';
import { normal_, zeros_ } from '../init.ts';
import { Module } from '../module.ts';
import type { Parameter } from '../parameter.ts';
import { FACTORY_OPTIONS, newParameter, type FactoryOptions } from './factory.ts';

/** The keyword arguments of nn.Embedding after the sizes (maxNorm, scaleGradByFreq and sparse only at their defaults). */
export interface EmbeddingLayerOptions extends FactoryOptions {
  /** The row whose gradient stays zero and which starts at zero (negative counts from the end). */
  paddingIdx?: number | null;
  /** PyTorch's max_norm: only null (the default, no renormalization) is supported. */
  maxNorm?: null;
  /** PyTorch's scale_grad_by_freq: only false (the default) is supported. */
  scaleGradByFreq?: false;
  /** PyTorch's sparse: only false (the default, a dense gradient) is supported. */
  sparse?: false;
}

/** A lookup table of numEmbeddings rows of embeddingDim, initialized N(0, 1), like nn.Embedding. */
export class Embedding extends Module {
  /** The learnable table, of shape [numEmbeddings, embeddingDim]. */
  weight: Parameter;
  /** The padding row (made non-negative), or null for none. */
  readonly paddingIdx: number | null;

  constructor(
    /** The number of rows in the table. */
    readonly numEmbeddings: number,
    /** The size of each embedding vector. */
    readonly embeddingDim: number,
    options: EmbeddingLayerOptions = {},
  ) {
    super();
    const { paddingIdx = null, maxNorm = null, scaleGradByFreq = false, sparse = false } = checkOptions('Embedding', options, [
      'paddingIdx', 'maxNorm', 'scaleGradByFreq', 'sparse', ...FACTORY_OPTIONS,
    ]);
    if (maxNorm !== null) throw new RangeError('Embedding: maxNorm is not supported');
    if (scaleGradByFreq !== false) throw new RangeError('Embedding: scaleGradByFreq is not supported');
    if (sparse !== false) throw new RangeError('Embedding: sparse gradients are not supported');
    if (paddingIdx !== null && (!Number.isInteger(paddingIdx) || paddingIdx >= numEmbeddings || paddingIdx < -numEmbeddings)) {
      throw new RangeError('Padding_idx must be within num_embeddings');
    }
    this.paddingIdx = paddingIdx === null || paddingIdx >= 0 ? paddingIdx : paddingIdx + numEmbeddings;
    this.weight = newParameter([numEmbeddings, embeddingDim], options);
    this.resetParameters(options.generator);
  }

  /** N(0, 1) for every row, then zeros in the padding row, as reset_parameters. */
  resetParameters(generator: Generator = defaultGenerator): void {
    normal_(this.weight, 0, 1, generator);
    if (this.paddingIdx === null) return;
    const row = this.weight.detach().narrow(0, this.paddingIdx, 1);
    zeros_(row);
    row.dispose();
  }

  forward(input: Tensor): Tensor {
    return F.embedding(input, this.weight, { paddingIdx: this.paddingIdx });
  }

  extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}${this.paddingIdx === null ? '' : `, padding_idx=${this.paddingIdx}`}`;
  }
}
