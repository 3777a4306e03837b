// Commands that manage a data folder (keys, users) work on it directly while no server runs
// (DuckDB allows one process), and through the API of the server that holds it otherwise (found
// through the server.json it wrote there), or of the server named by --url / TEND_URL.
import { loadConfig } from '../config.js';
import { DuckDatabase } from '../store/index.js';
import { runningServerUrl } from './client.js';

export async function onFolderOrServer(
  opts: { url?: string; data?: string },
  direct: (db: DuckDatabase) => Promise<void>,
  viaApi: (url: string | undefined) => Promise<void>,
): Promise<void> {
  const named = opts.url ?? process.env.TEND_URL;
  if (named) return viaApi(named);
  const dataDir = loadConfig({ data: opts.data }).dataDir;
  let db: DuckDatabase;
  try {
    db = await DuckDatabase.open(dataDir);
  } catch (err) {
    if (!/lock/i.test((err as Error).message)) throw err;
    return viaApi(runningServerUrl(dataDir));
  }
  try {
    await direct(db);
  } finally {
    db.close();
  }
}
