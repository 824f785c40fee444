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

/**
 * Sends `change` for `scope`: resolves with how many records it changed. One vote's state is
 * changed through the bulk route with its id, whose count the collector judges in the change
 * itself (a vote already in that state is not counted, SPEC §12), not from the state the page
 * shows, which a teammate may have changed since the last refresh. When nothing changed, the
 * vote is read: erased meanwhile, that answers 404. A note is always added.
 */
export async function send(scope: Scope, change: Change): Promise<number> {
  if (scope.kind === 'record') {
    if (change.note !== undefined) {
      await api.change(scope.id, change);
      return 1;
    }
    const { updated } = await api.bulk({ ids: [scope.id] }, change);
    if (updated === 0) await api.record(scope.id);
    return updated;
  }
  if (scope.kind === 'ids') return (await api.bulk({ ids: scope.ids }, change)).updated;
  const { total } = await api.list({ q: scope.q, limit: 1, offset: 0 });
  if (total !== scope.total) throw new SelectionChanged(scope.total, total);
  return (await api.bulk({ q: scope.q }, change)).updated;
}
