// test/customers-fast-paths.test.ts with events in ClickHouse: the same reads through ClickHouse's SQL, the same answers.
import { onClickHouse } from '../support/event-stores.js';

await onClickHouse(() => import('../customers-fast-paths.test.js'));
