export { MNISTSample, type MNISTSampleOptions } from './mnist-sample.ts';
