import { describe, expect, it } from 'vitest';
import { actionOf } from './hook.js';
import { auditEvent, redact } from './audit-log.js';

describe('audit entries', () => {
  it('name the action <object>.<verb> from the route', () => {
    expect(actionOf('POST', '/api/v1/checks').action).toBe('check.create');
    expect(actionOf('PUT', '/api/v1/checks/:name')).toEqual({ action: 'check.update', targetKind: 'check', param: 'name' });
    expect(actionOf('POST', '/api/v1/checks/:name/run').action).toBe('check.run');
    expect(actionOf('POST', '/api/v1/checks/apply').action).toBe('check.apply');
    expect(actionOf('POST', '/api/v1/ping-key').action).toBe('ping_key.create');
    expect(actionOf('DELETE', '/1/markers/:dataset/:id')).toEqual({ action: 'marker.delete', targetKind: 'marker', param: 'id' });
    expect(actionOf('POST', '/api/v1/status-pages/:slug/notices/:id/resolve').action).toBe('notice.resolve');
  });

  it('remove secrets from what they record, at any depth', () => {
    expect(redact({ name: 'ci', key: 'tki_x', ping_key: 'p', nested: [{ password: 'pw', client_secret: 's', ok: 1 }], csrf_token: 't' })).toEqual({
      name: 'ci', key: '[removed]', ping_key: '[removed]', nested: [{ password: '[removed]', client_secret: '[removed]', ok: 1 }], csrf_token: '[removed]',
    });
  });

  it('become events with ids that sort by time', () => {
    const base = { env: { id: 'e', name: 'p', slug: 'p' }, actor: { kind: 'user' as const, id: 'u' }, action: 'a.b', outcome: 'success' as const, status: 200 };
    const a = auditEvent({ ...base, after: { password: 'x' } });
    const b = auditEvent(base);
    expect(b.time).toBeGreaterThan(a.time);
    expect(String(b.fields['audit.id']) > String(a.fields['audit.id'])).toBe(true);
    expect(a.fields['change.after']).toBe('{"password":"[removed]"}');
    expect(b.fields).not.toHaveProperty('change.after');
  });
});
