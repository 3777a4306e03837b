// tend.yaml holds a section per capability, and each capability reads its own; this is how
// every one of them gets the file's text.
import fs from 'node:fs';

/**
 * The text of the configuration file, or undefined when it does not exist and `optional` (the
 * default tend.yaml, not named by --config or TEND_CONFIG: no file means nothing declared).
 * Throws naming the file for any other failure, and for a named file that is missing.
 */
export function readConfigText(file: string, optional: boolean): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && optional) return undefined;
    throw new Error(`${file}: ${(err as Error).message}`);
  }
}

/** A capability's part of tend.yaml at a reload: read (and check) its section, then apply it. */
export interface ConfigPart<T> {
  name: string;
  /**
   * True for a part that writes rows every node shares (checks, triggers, SLOs): the node asked
   * to reload applies it, and the others hear of the rows changing (LISTEN/NOTIFY) rather than
   * write them again, each from its own copy of the file. Other parts (receivers and routes,
   * the catalog's file sections) live in each node's memory and every node applies them.
   */
  shared?: boolean;
  /** Throws, naming the file and field, when the section is wrong: nothing is applied then. */
  read(): T | Promise<T>;
  apply(read: T): Promise<void>;
}

/**
 * The one path a reload (SIGHUP, POST /api/v1/config/reload, another node's reload) takes to
 * re-apply everything tend.yaml declares: every capability registers its part at start. Every
 * part is read before any is applied, so a file that does not read leaves the node as it was;
 * parts apply in the order they registered (alerts' receivers before ownership's policies).
 */
export class ConfigReload {
  private readonly parts: ConfigPart<unknown>[] = [];

  register<T>(part: ConfigPart<T>): void {
    this.parts.push(part as ConfigPart<unknown>);
  }

  /**
   * Reads every part, then applies them; returns the names applied. `local`: only the parts each
   * node keeps in memory (this node heard of another's reload).
   */
  async apply(scope: 'all' | 'local' = 'all'): Promise<string[]> {
    const parts = this.parts.filter((p) => scope === 'all' || !p.shared);
    const read: unknown[] = [];
    for (const p of parts) read.push(await p.read());
    for (const [i, p] of parts.entries()) await p.apply(read[i]);
    return parts.map((p) => p.name);
  }
}
