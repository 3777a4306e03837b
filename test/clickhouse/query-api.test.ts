// test/query-api.test.ts with events in ClickHouse: the same requests, the same answers.
import { onClickHouse } from '../support/event-stores.js';

await onClickHouse(() => import('../query-api.test.js'));
