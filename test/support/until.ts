// Waits for something other processes or timers do (a check run, a delivery, another node
// hearing of a change): polls `fn` until it answers a value other than `undefined` or `false`,
// and fails naming `what` (and what `explain` says of the state then) when `ms` pass first.
type Awaitable<T> = T | Promise<T>;

export async function until<T>(what: string, fn: () => Awaitable<T | undefined | false>, ms = 20_000, explain?: () => Awaitable<unknown>): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) {
      const state = explain ? `; ${JSON.stringify(await explain())}` : '';
      throw new Error(`timed out after ${ms} ms waiting for ${what}${state}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
