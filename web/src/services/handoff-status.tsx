// A service's handoff status as a coloured word, with what is missing on hover (the list page)
// or listed (the service page).
import type { ServiceView } from './services-api';
import { statusWords } from './services-api';

export function HandoffStatus({ handoff }: { handoff: ServiceView['handoff'] }) {
  return (
    <span className={`handoff handoff-${handoff.status}`} title={handoff.missing.join('; ') || undefined}>
      {statusWords(handoff.status)}
    </span>
  );
}
