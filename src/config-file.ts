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
