// How a change reaches the collector: one record, ticked ids, or every match of a search. A
// bulk change by `q` acts on whatever matches when it arrives (SPEC §12), votes that came to
// match since the reader selected them all included: the inbox first asks how many match now,
// and changes nothing when that is not what the reader selected.
import { api, type Change } from './api';
import { votes, whole } from './format';
import type { Scope } from './types';

/** The search matches another number of votes than the reader selected: nothing was changed. */
export class SelectionChanged extends Error {
  constructor(
    readonly selected: number,
    readonly matching: number,
  ) {
    super(
      `The search now matches ${votes(matching)}, not the ${whole(selected)} selected: nothing was changed. Select all again to act on them.`,
    );
    this.name = 'SelectionChanged';
  }
}

/** Sends `change` for `scope`: resolves with how many records changed, for a bulk change. */
export async function send(scope: Scope, change: Change): Promise<number | undefined> {
  if (scope.kind === 'record') {
    await api.change(scope.id, change);
    return undefined;
  }
  if (scope.kind === 'ids') return (await api.bulk({ ids: scope.ids }, change)).updated;
  const { total } = await api.list({ q: scope.q, limit: 1, offset: 0 });
  if (total !== scope.total) throw new SelectionChanged(scope.total, total);
  return (await api.bulk({ q: scope.q }, change)).updated;
}
