import { describe, expect, it } from 'vitest';
import { insertStatements } from './meta-store.js';

describe('insertStatements', () => {
  it('upserts on the key, updating every other column', () => {
    const [statement] = insertStatements('alerts', ['fingerprint', 'state'], [['a', 'firing'], ['b', 'resolved']], ['fingerprint']);
    expect(statement.sql).toBe(
      'INSERT INTO "alerts" ("fingerprint", "state") VALUES ($1, $2), ($3, $4) ON CONFLICT ("fingerprint") DO UPDATE SET "state" = excluded."state"',
    );
    expect(statement.params).toEqual(['a', 'firing', 'b', 'resolved']);
  });

  it('leaves a stored row alone when every column is part of the key', () => {
    const [statement] = insertStatements('team_members', ['team', 'user'], [['ops', 'ann']], ['team', 'user']);
    expect(statement.sql).toMatch(/ON CONFLICT \("team", "user"\) DO NOTHING$/);
  });

  it('inserts plainly without a key, quoting names', () => {
    const [statement] = insertStatements('we"ird', ['a"b'], [[1]]);
    expect(statement.sql).toBe('INSERT INTO "we""ird" ("a""b") VALUES ($1)');
  });

  it('keeps every statement within 1,000 rows and 65,535 parameters', () => {
    const wide = Array.from({ length: 100 }, (_, i) => `c${i}`);
    const rows = Array.from({ length: 1500 }, (_, r) => wide.map((_, c) => r * 100 + c));
    const statements = insertStatements('wide', wide, rows);
    expect(statements.map((s) => s.params.length / 100)).toEqual([655, 655, 190]);
    expect(statements.flatMap((s) => s.params)).toEqual(rows.flat());
    const narrow = insertStatements('narrow', ['a'], Array.from({ length: 2500 }, (_, i) => [i]));
    expect(narrow.map((s) => s.params.length)).toEqual([1000, 1000, 500]);
  });
});
