/**
 * `@mini/nn/node`: what needs Node's file system. Saving and loading state dicts as safetensors
 * files; the bytes alone are `serialize`/`deserialize` of `@mini/nn`, which run anywhere.
 * @module
 */
export { save, load, readSafetensors } from './safetensors-file.ts';
