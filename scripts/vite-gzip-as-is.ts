/**
 * A Vite plugin that serves `.gz` files under `root` as they are (Content-Type application/gzip,
 * no Content-Encoding), in the dev and preview servers; without `root`, from the public folder
 * (dev) and the build's output folder (preview). Vite's own static server sends them with
 * Content-Encoding: gzip, so fetch() would inflate them before @mini/data could check their MD5.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { join, normalize, resolve, sep } from 'node:path';
import type { Connect, Plugin } from 'vite';

export function gzipAsIs(root?: string): Plugin {
  const serveFrom = (root: string): Connect.NextHandleFunction => (req, res, next) => {
    const path = decodeURIComponent((req.url ?? '').split('?')[0]);
    const file = normalize(join(root, path));
    if (!path.endsWith('.gz') || !file.startsWith(normalize(root) + sep) || !existsSync(file)) return next();
    res.writeHead(200, { 'Content-Type': 'application/gzip', 'Content-Length': statSync(file).size, 'Cache-Control': 'no-cache' });
    createReadStream(file).pipe(res);
  };
  return {
    name: 'mini-gzip-as-is',
    configureServer: (server) => void server.middlewares.use(serveFrom(root ?? server.config.publicDir)),
    configurePreviewServer: (server) => void server.middlewares.use(serveFrom(root ?? resolve(server.config.root, server.config.build.outDir))),
  };
}
