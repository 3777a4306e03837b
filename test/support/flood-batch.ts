// The overload test's flood batches, shared with bench/flood.ts: ~20 fields per event after
// flattening (about 600 bytes of JSON each), built as text to keep the flooding client cheap.

/** Events per batch: a batch is about 300 KB of JSON. */
export const FLOOD_BATCH_EVENTS = 500;

/** A batch of FLOOD_BATCH_EVENTS events whose `seq` runs from `firstSeq`. */
export function batchBody(firstSeq: number): string {
  const items: string[] = [];
  for (let seq = firstSeq; seq < firstSeq + FLOOD_BATCH_EVENTS; seq++) {
    items.push(
      `{"data":{"seq":${seq},"customer_id":"cust-${seq % 9973}","endpoint":"/api/v1/items/${seq % 97}","build_id":"b-${seq % 13}",` +
        `"status_code":${seq % 7 === 0 ? 500 : 200},"duration_ms":${(seq % 1000) / 7},"region":"eu-west-1","host":"web-${seq % 31}",` +
        `"http":{"method":"GET","user_agent":"Mozilla/5.0 (X11; Linux x86_64) flood-test/1.0","route":"/api/v1/items/:id"},` +
        `"db":{"rows":${seq % 50},"statement":"SELECT * FROM items WHERE id = $1 AND tenant = $2 LIMIT 1"},` +
        `"cache_hit":${seq % 2 === 0},"payload":"${'x'.repeat(120)}"}}`,
    );
  }
  return `[${items.join(',')}]`;
}
