// A search is answered in words too: a screen reader hears how many votes it matches once the
// list has answered it, and not again on each refresh.
import { effect } from '@preact/signals';
import { announce } from './actions';
import { matching } from './format';
import { list, query, refusesSearch, search, searched } from './state';

/** Says how many votes match each search applied, and the one a `?q=` link opened on. */
export function sayMatches(): void {
  let owed = search.peek() !== '';
  let seen = { q: query.peek(), searched: searched.peek() };
  effect(() => {
    const { data, error, loading } = list.value;
    const changed = query.value !== seen.q;
    if (changed || searched.value !== seen.searched) owed = true;
    seen = { q: query.value, searched: searched.value };
    // A new search's list is asked for in this same batch: its answer is still to come.
    if (changed || !owed || loading) return;
    if (data !== undefined) {
      owed = false;
      announce(matching(data.total));
    } else if (error !== undefined && refusesSearch(error)) {
      // The refusal is said in an alert under the search box.
      owed = false;
    }
  });
}
