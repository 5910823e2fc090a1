/** What the page leaves in `window.tuneResult` for tune-cache.test.ts. */
export interface TuneResult {
  where: string;
  /** Shape classes this page load tuned. */
  tuned: string[];
  /** Its cached choices afterwards, by shape class. */
  kernels: Record<string, { kernel: string; tunedAt: string }>;
  productError: number;
  error?: string;
}
