export { MNISTSample, type MNISTSampleFiles, type MNISTSampleOptions } from './mnist-sample.ts';
