// test/customers-everyone.test.ts with events in ClickHouse: the same reads through ClickHouse's SQL, the same answers.
import { onClickHouse } from '../support/event-stores.js';

await onClickHouse(() => import('../customers-everyone.test.js'));
