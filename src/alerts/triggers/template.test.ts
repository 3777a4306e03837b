import { describe, expect, it } from 'vitest';
import { render } from './template.js';

describe('annotation templates', () => {
  it('fills $labels and $value in either spelling', () => {
    const labels = { endpoint: '/pay' };
    expect(render('P99 {{ $value }} ms on {{ $labels.endpoint }}', labels, 812.3456789)).toBe('P99 812.346 ms on /pay');
    expect(render('{{.Labels.endpoint}} {{ .Value }}', labels, 3)).toBe('/pay 3');
    expect(render('{{ $labels.missing }}|{{ $value }}', labels, null)).toBe('|no data');
  });
});
