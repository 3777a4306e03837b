// Several nodes on one metadata store keep some of it in memory (checks, triggers, silences...).
// A change made through one node is written to the store, then announced on a channel
// (PostgreSQL's NOTIFY); every other node reads the store again when it hears it, within a
// second. On the embedded store there is no other node, and nothing is sent.
import type { MetaStore } from './meta-store.js';

/**
 * Listens on `channel` and calls `reload` when another node announces a change, with what the
 * announcement named (a check's id...), or with nothing when the listening connection was lost
 * and re-made (something may have been missed: read everything). Returns the function that
 * announces a change made here; call it once the change is stored.
 */
export async function shareChanges(
  meta: MetaStore, channel: string, node: string, reload: (what?: string) => Promise<void>, log: { error(obj: object, msg: string): void },
): Promise<(what?: string) => void> {
  await meta.listen?.(channel, (payload) => {
    // "<node>" or "<node> <what>"; node ids hold no spaces.
    const at = payload.indexOf(' ');
    const from = at < 0 ? payload : payload.slice(0, at);
    if (from !== node) void reload(at < 0 ? undefined : payload.slice(at + 1)).catch((err) => log.error({ err, channel }, 'could not read again what another node changed'));
  });
  return (what) => void meta.notify?.(channel, what === undefined ? node : `${node} ${what}`).catch((err) => log.error({ err, channel }, 'could not tell the other nodes of a change'));
}
