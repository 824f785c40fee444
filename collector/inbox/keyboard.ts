// Keyboard triage (SPEC §12): j/k move, x selects, e resolves, ! marks spam, a assigns,
// / searches, ? lists the keys, Escape steps back. Keys typed into a field stay text.
import { announce, change, clearSelection, closeDetail, move, toggle } from './actions';
import {
  activeId,
  assigning,
  checked,
  detailOpen,
  everyMatch,
  keysOpen,
  selection,
  view,
} from './state';

const TYPING = 'input:not([type=checkbox]):not([type=radio]), textarea, select, [contenteditable]';

const NOTHING = 'No vote chosen: j moves to the next one.';

function act(status: 'resolved' | 'spam'): void {
  const scope = selection.value;
  if (scope === undefined) announce(NOTHING);
  else void change(scope, { status }, true);
}

const KEYS: Record<string, () => void> = {
  j: () => move(1),
  k: () => move(-1),
  x: () => {
    if (activeId.value === undefined) announce(NOTHING);
    else toggle(activeId.value);
  },
  e: () => act('resolved'),
  '!': () => act('spam'),
  a: () => {
    const scope = selection.value;
    if (scope === undefined) announce(NOTHING);
    else assigning.value = scope;
  },
  Escape: () => {
    if (checked.value.size > 0 || everyMatch.value !== false) clearSelection();
    else if (detailOpen.value) closeDetail();
  },
};

/** The page's one keydown listener. */
export function onKey(event: KeyboardEvent): void {
  if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
  const target = event.target as Element;
  if (target.closest(TYPING)) return;
  // While a dialog is open, wherever the focus is (it can fall to <body>), its keys are its
  // own: Escape closes it, and the page behind it is left as it is.
  if (document.querySelector('dialog[open]') !== null) return;
  if (event.key === '?') {
    event.preventDefault();
    keysOpen.value = true;
    return;
  }
  if (event.key === '/') {
    event.preventDefault();
    view.value = 'inbox';
    // On a narrow screen a record covers the search box: back to the list first.
    detailOpen.value = false;
    requestAnimationFrame(() => document.getElementById('search')?.focus());
    return;
  }
  // Arrows move through the list only from inside it: elsewhere they scroll the page.
  const inList = target.closest('[data-rows]') !== null;
  const key =
    inList && event.key === 'ArrowDown' ? 'j' : inList && event.key === 'ArrowUp' ? 'k' : event.key;
  const run = view.value === 'inbox' ? KEYS[key] : undefined;
  if (run === undefined) return;
  event.preventDefault();
  run();
}
