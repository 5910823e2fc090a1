/** FetchedMNIST in a web page (`pnpm test:browser`): the fixture IDX files fetched from the test server. */
import { describe } from 'vitest';
import { fetchedMNISTCases } from '../fetched-mnist-cases.ts';

// The folder's URL on the test server, from one of its files' (Vite serves files, not folders).
const folder = new URL('../fixtures/idx/resources.json', import.meta.url).toString().replace(/resources\.json$/, '');

describe('FetchedMNIST in the page (fetch + DecompressionStream)', () => {
  fetchedMNISTCases(() => folder);
});
