import { h } from 'preact';
import { useEffect } from 'preact/hooks';
import { focusView } from '../actions';
import type { View } from '../address';
import { writeAddress } from '../address';
import {
  actor,
  announcement,
  detailOpen,
  keysOpen,
  offset,
  pageAt,
  problem,
  search,
  view,
} from '../state';
import { AttentionView } from './Attention';
import { ViewLink } from './bits';
import { AssignDialog, KeysDialog } from './Dialogs';
import { FiguresView } from './Figures';
import { InboxView } from './Inbox';

const NAMES: Record<View, string> = { inbox: 'Inbox', attention: 'Attention', figures: 'Figures' };

/** The whole page: the bar with the views, the view shown, the dialogs and the live regions. */
export function App() {
  const shown = view.value;
  useEffect(() => {
    document.title = `${NAMES[shown]} — feedback-widget`;
  }, [shown]);
  return (
    <div class={`app view-${shown}${detailOpen.value ? ' detail-open' : ''}`}>
      <header class="bar">
        <span class="brand">feedback-widget</span>
        <nav aria-label="Views">
          <ul class="pills">
            {(Object.keys(NAMES) as View[]).map((name) => (
              <li key={name}>
                <ViewLink
                  href={
                    writeAddress(
                      name === 'inbox'
                        ? { view: name, q: search.value, page: pageAt(offset.value) }
                        : { view: name, q: '' },
                    ) || '?'
                  }
                  go={() => {
                    view.value = name;
                    if (name !== 'inbox') focusView(name);
                  }}
                  current={shown === name}
                >
                  {NAMES[name]}
                </ViewLink>
              </li>
            ))}
          </ul>
        </nav>
        {actor.value !== undefined && (
          <span class="muted who" title="Your name in the activity of what you change">
            {actor.value}
          </span>
        )}
        <button
          type="button"
          class="quiet keys-button"
          aria-keyshortcuts="?"
          onClick={() => {
            keysOpen.value = true;
          }}
        >
          Keyboard shortcuts
        </button>
      </header>
      <p class="problem" role="alert">
        {problem.value}
      </p>
      <main>
        {shown === 'inbox' && <InboxView />}
        {shown === 'attention' && <AttentionView />}
        {shown === 'figures' && <FiguresView />}
      </main>
      <p class="toast" role="status">
        {announcement.value && <span>{announcement.value}</span>}
      </p>
      <KeysDialog />
      <AssignDialog />
    </div>
  );
}
