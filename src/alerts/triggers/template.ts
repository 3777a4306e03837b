// Annotation templates in Prometheus' spelling: `{{ $labels.endpoint }}`, `{{ $value }}`
// (also `{{ .Labels.endpoint }}` and `{{ .Value }}`, as Alertmanager templates write them).
import type { Labels } from '../labels.js';

const PLACE = /\{\{\s*(?:\$labels\.|\.Labels\.)([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}|\{\{\s*(?:\$value|\.Value)\s*\}\}/g;

export function formatValue(v: number | null | undefined): string {
  if (v === null || v === undefined) return 'no data';
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6)));
}

export function render(template: string, labels: Labels, value: number | null | undefined): string {
  return template.replace(PLACE, (_, name: string | undefined) => (name !== undefined ? (labels[name] ?? '') : formatValue(value)));
}

export function renderAll(templates: Labels, labels: Labels, value: number | null | undefined): Labels {
  return Object.fromEntries(Object.entries(templates).map(([k, t]) => [k, render(t, labels, value)]));
}
