// Checks an SLI or derived column when it is declared, so a typo is a 400 naming the field
// rather than an SLO that never evaluates. Columns are unknown until events arrive, so only
// the grammar and, where it shows, the result type are checked.
import { badRequest } from '../http/index.js';
import { parseCalculatedField, type Expr } from '../query/index.js';

const UNKNOWN: Expr = { kind: 'literal', value: null, type: 'null' };

/** Throws 400 naming `field` for a malformed expression or one that cannot be true/false/null. */
export function checkExpression(expression: string, field: string, mustBeVerdict: boolean): void {
  const e = parseCalculatedField(expression, () => UNKNOWN, field);
  if (mustBeVerdict && e.type !== 'boolean' && e.type !== 'null') {
    throw badRequest(`${field}: evaluates to ${e.type} values; an SLI must evaluate to true (good), false (bad) or null (not counted)`);
  }
}
