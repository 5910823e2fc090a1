import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { builtEntry, staleReason } from '../run-example.mjs';

const LAUNCHER = new URL('../run-example.mjs', import.meta.url).pathname;
const REPO = new URL('../..', import.meta.url).pathname;

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'run-example-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** Writes a file under the fixture root with a modification time of `age` seconds ago. */
function file(path: string, text: string, age: number): string {
  const full = join(root, path);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, text);
  const t = Date.now() / 1000 - age;
  utimesSync(full, t, t);
  return full;
}

const config = (include: string[], references: string[] = []) =>
  JSON.stringify({ extends: '../base.json', compilerOptions: { tsBuildInfoFile: 'dist/.tsbuildinfo' }, include, references: references.map((path) => ({ path })) });

/** An example `app` (app.ts) referencing a package `lib` (lib/src), every file 100 s old and both built 50 s ago. */
function project(): string {
  file('base.json', '{ "compilerOptions": {} }', 100);
  file('lib/tsconfig.build.json', config(['src']), 100);
  file('lib/src/index.ts', 'export const x = 1;', 100);
  file('lib/src/deep/more.ts', 'export const y = 2;', 100);
  file('lib/dist/.tsbuildinfo', '{}', 50);
  file('app/tsconfig.build.json', config(['app.ts'], ['../lib/tsconfig.build.json']), 100);
  file('app/app.ts', 'console.log(1);', 100);
  file('app/dist/.tsbuildinfo', '{}', 50);
  return join(root, 'app/tsconfig.build.json');
}

describe('staleReason: whether the build of an example and of what it references is current', () => {
  it('is null when no input is newer than its project\'s build', () => {
    expect(staleReason(project())).toBeNull();
  });

  it('names a source of a referenced project edited after its build, however deep', () => {
    const app = project();
    file('lib/src/deep/more.ts', 'export const y = 3;', 10);
    expect(staleReason(app)).toMatch(/lib\/src\/deep\/more\.ts is newer than its build$/);
  });

  it("names the example's own source, and a build configuration it extends", () => {
    const app = project();
    file('app/app.ts', 'console.log(2);', 10);
    expect(staleReason(app)).toMatch(/app\/app\.ts is newer than its build$/);
    file('app/app.ts', 'console.log(2);', 100);
    file('base.json', '{ "compilerOptions": { "strict": true } }', 10);
    expect(staleReason(app)).toMatch(/base\.json is newer than its build$/);
  });

  it('says so when a project was never built', () => {
    const app = project();
    rmSync(join(root, 'lib/dist'), { recursive: true });
    expect(staleReason(app)).toMatch(/lib is not built$/);
  });

  it('refuses an include glob it would not expand', () => {
    file('base.json', '{}', 100);
    const glob = file('g/tsconfig.build.json', config(['src/**/*.ts']), 100);
    file('g/dist/.tsbuildinfo', '{}', 50);
    expect(() => staleReason(glob)).toThrow(/include has a glob/);
  });
});

describe('the launcher', () => {
  it('puts an entry examples/NAME/NAME.ts at examples/NAME/dist/NAME.js', () => {
    expect(builtEntry('examples/threenet/threenet.ts')).toBe(join('examples/threenet/dist/threenet.js'));
  });

  /** An example that prints which file ran and its flags, built (dist/hello.js) or not. */
  function hello(built: boolean): string {
    file('base.json', '{}', 100);
    file('hello/tsconfig.build.json', config(['hello.ts']), 100);
    const entry = file('hello/hello.ts', "const flags: string[] = process.argv.slice(2);\nconsole.log('ts', flags.join(' '));\n", 100);
    if (built) {
      file('hello/dist/hello.js', "console.log('js', process.argv.slice(2).join(' '));\n", 50);
      file('hello/dist/.tsbuildinfo', '{}', 50);
    }
    return entry;
  }
  const launch = (entry: string) =>
    execFileSync(process.execPath, ['--conditions=mini-built', LAUNCHER, entry, '--max-steps', '1'], { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

  it('runs the built JavaScript when the build is current, with the same flags', () => {
    expect(launch(hello(true))).toBe('js --max-steps 1\n');
  });

  it('runs the TypeScript sources with tsx when the build is stale or missing', () => {
    const entry = hello(false);
    expect(launch(entry)).toBe('ts --max-steps 1\n');
    file('hello/dist/hello.js', "console.log('stale js');\n", 50);
    file('hello/dist/.tsbuildinfo', '{}', 50);
    file('hello/hello.ts', "console.log('ts', 'edited');\n", 10);
    expect(launch(entry)).toBe('ts edited\n');
  });

  it('passes on the exit status of the sources it runs', () => {
    const entry = hello(false);
    file('hello/hello.ts', 'process.exitCode = 3;\n', 10);
    expect(() => launch(entry)).toThrow(expect.objectContaining({ status: 3 }));
  });
});
