// The builder's menus come from the server's own vocabulary module (src/query/vocabulary.ts has
// no imports, so it is bundled as it is): one list of ops, not two.
import type { FilterOp } from '../app/api-types';
export { CALCULATION_OPS, FILTER_OPS, HAVING_OPS, COLUMNLESS_OPS, calculationKey } from '../../../src/query/vocabulary.js';

export const UNARY_FILTERS: readonly FilterOp[] = ['exists', 'does-not-exist'];
export const LIST_FILTERS: readonly FilterOp[] = ['in', 'not-in'];
