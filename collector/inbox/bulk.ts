// How a change reaches the collector: one record, ticked ids, or every match of a search. A
// bulk change by `q` acts on whatever matches when it arrives (SPEC §12), votes that came to
// match since the reader selected them all included: the inbox first asks how many match now,
// and changes nothing when that is not what the reader selected.
import { api, type Change } from './api';
import { votes, whole } from './format';
import type { Activity, Scope } from './types';

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

/** What the page has read of the vote a change is for, and who the reader is to the collector. */
export interface Known {
  activity: readonly Activity[] | undefined;
  actor: string | undefined;
}

/**
 * Whether a change to one vote changed it, from the collector's answer: a change is kept as
 * activity, one that finds the vote already in that state is not (SPEC §12). The entries past
 * the `seen` ones the page had read are this change's when they are the reader's own (a
 * teammate's were made meanwhile, behind a list up to a refresh old); a reader whose name is
 * not known yet takes any.
 */
export function changedBy(answer: readonly Activity[], seen: number, actor: string | undefined) {
  return answer
    .slice(seen)
    .some((entry) => entry.action !== 'note' && (actor === undefined || entry.actor === actor));
}

/**
 * Sends `change` for `scope`: resolves with how many records changed. One vote's is judged from
 * what the collector answers, not from the state the page shows, which a teammate may have
 * changed since: the vote is read first when the page has not read it yet.
 */
export async function send(scope: Scope, change: Change, known: Known): Promise<number> {
  if (scope.kind === 'record') {
    const seen = known.activity ?? (await api.record(scope.id)).activity ?? [];
    const answer = await api.change(scope.id, change);
    return changedBy(answer.activity ?? [], seen.length, known.actor) ? 1 : 0;
  }
  if (scope.kind === 'ids') return (await api.bulk({ ids: scope.ids }, change)).updated;
  const { total } = await api.list({ q: scope.q, limit: 1, offset: 0 });
  if (total !== scope.total) throw new SelectionChanged(scope.total, total);
  return (await api.bulk({ q: scope.q }, change)).updated;
}
