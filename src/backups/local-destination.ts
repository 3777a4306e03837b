// A backup destination on a mounted filesystem. Files arrive in a staging folder inside DEST
// and are renamed into place, so a reader never sees a half-written file under its real name.
import fs from 'node:fs';
import path from 'node:path';
import type { Destination } from './destination.js';

export class LocalDestination implements Destination {
  readonly root: string;
  /** Made on first use; a promise, since several writers may ask at once. */
  private stagingDir: Promise<string> | undefined;

  constructor(dest: string) {
    this.root = path.resolve(dest);
  }

  get label(): string {
    return this.root;
  }

  staging(): Promise<string> {
    this.stagingDir ??= fs.promises.mkdir(this.root, { recursive: true }).then(() => fs.promises.mkdtemp(path.join(this.root, '.staging-')));
    return this.stagingDir;
  }

  async commit(localFile: string, rel: string): Promise<void> {
    const target = this.abs(rel);
    await fs.promises.mkdir(path.dirname(target), { recursive: true });
    await fs.promises.rename(localFile, target);
  }

  async fetch(rel: string): Promise<string> {
    return this.abs(rel);
  }

  async list(prefix: string): Promise<{ path: string; bytes: number }[]> {
    const base = this.abs(prefix);
    const entries = await fs.promises.readdir(base, { recursive: true, withFileTypes: true }).catch(() => []);
    const files = entries.filter((e) => e.isFile());
    return Promise.all(
      files.map(async (e) => {
        const abs = path.join(e.parentPath, e.name);
        return { path: path.relative(this.root, abs).split(path.sep).join('/'), bytes: (await fs.promises.stat(abs)).size };
      }),
    );
  }

  async readText(rel: string): Promise<string | undefined> {
    try {
      return await fs.promises.readFile(this.abs(rel), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async writeText(rel: string, text: string): Promise<void> {
    const tmp = path.join(await this.staging(), `text-${process.pid}-${Date.now()}`);
    await fs.promises.writeFile(tmp, text);
    await this.commit(tmp, rel);
  }

  /** Removes the files, then the folders they leave empty (S3 has no folders to leave behind). */
  async remove(rels: string[]): Promise<void> {
    for (const rel of rels) {
      await fs.promises.rm(this.abs(rel), { force: true });
      for (let dir = path.dirname(this.abs(rel)); dir !== this.root; dir = path.dirname(dir)) {
        if ((await fs.promises.readdir(dir).catch(() => ['?'])).length > 0) break;
        await fs.promises.rmdir(dir);
      }
    }
  }

  async close(): Promise<void> {
    if (this.stagingDir) await fs.promises.rm(await this.stagingDir, { recursive: true, force: true });
    this.stagingDir = undefined;
  }

  private abs(rel: string): string {
    const abs = path.resolve(this.root, rel);
    if (abs !== this.root && !abs.startsWith(this.root + path.sep)) throw new Error(`${rel}: outside the backup folder`);
    return abs;
  }
}
