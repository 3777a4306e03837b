// The dataset and window of the customer pages, kept in the URL (?dataset=&window=).
import { navigate, useLocation } from '../app/router';
import { useDatasetNames, WINDOWS } from './customers-api';

export function useWindowParams() {
  const { pathname, search } = useLocation();
  const set = (key: string, value: string) => {
    const next = new URLSearchParams(search);
    next.set(key, value);
    navigate(`${pathname}?${next}`, { replace: true });
  };
  return { dataset: search.get('dataset') ?? '', window: search.get('window') ?? '1h', search, set };
}

export function WindowPicker() {
  const { dataset, window, set } = useWindowParams();
  const datasets = useDatasetNames();
  const names = (datasets.data ?? []).map((d) => d.name).filter((n) => !n.startsWith('tend.'));
  return (
    <div className="row">
      <label>
        Dataset{' '}
        <select value={dataset} onChange={(e) => set('dataset', e.target.value)}>
          <option value="">choose…</option>
          {names.map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
      </label>
      <label>
        Window{' '}
        <select value={window} onChange={(e) => set('window', e.target.value)}>
          {WINDOWS.map((w) => (
            <option key={w} value={w}>
              last {w}
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}
