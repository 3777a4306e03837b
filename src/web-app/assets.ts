// The built web app (web/, built by `npm run build` into dist/web): its index.html and hashed
// assets, read once at start. Vite names every asset after a hash of its content, so an asset
// may be cached for a year and never revalidated; index.html names the current ones and is
// never cached, so a new build reaches browsers on their next navigation.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

/** <repository or package>/dist/web, whether this file runs from src/ (tsx) or dist/. */
export const DEFAULT_WEB_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/web');

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.map': 'application/json',
};

export interface Asset {
  body: Buffer;
  /** The body gzipped once at start (text types), for clients that accept it. */
  gzip?: Buffer;
  type: string;
}

const COMPRESSIBLE = /javascript|css|svg|json/;

export interface WebBuild {
  /** index.html, or undefined when the app was not built (the API still works). */
  index: string | undefined;
  asset(name: string): Asset | undefined;
}

export function loadWebBuild(dir: string = DEFAULT_WEB_DIR): WebBuild {
  const indexFile = path.join(dir, 'index.html');
  const index = fs.existsSync(indexFile) ? fs.readFileSync(indexFile, 'utf8') : undefined;
  const assetsDir = path.join(dir, 'assets');
  const assets = new Map<string, Asset>();
  if (fs.existsSync(assetsDir)) {
    for (const name of fs.readdirSync(assetsDir)) {
      const type = TYPES[path.extname(name)];
      if (!type) continue;
      const body = fs.readFileSync(path.join(assetsDir, name));
      assets.set(name, { body, type, gzip: COMPRESSIBLE.test(type) ? zlib.gzipSync(body, { level: 9 }) : undefined });
    }
  }
  return { index, asset: (name) => assets.get(name) };
}
