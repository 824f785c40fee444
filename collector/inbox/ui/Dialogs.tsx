import { batch } from '@preact/signals';
import { h } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { change, keepFocus } from '../actions';
import { subjectOf } from '../format';
import { actor, assigning, busy, keysOpen, problem, rows } from '../state';

/** A modal `<dialog>` shown while `open`; Escape and Close set it back. */
function Modal(props: {
  open: boolean;
  onClose: () => void;
  labelledBy: string;
  class?: string;
  children: preact.ComponentChildren;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (props.open && !dialog.open) dialog.showModal();
    if (!props.open && dialog.open) dialog.close();
  }, [props.open]);
  return (
    <dialog
      ref={ref}
      class={props.class}
      aria-labelledby={props.labelledBy}
      onClose={props.onClose}
    >
      {props.open && props.children}
    </dialog>
  );
}

const KEYS: [string[], string][] = [
  [['j', '↓'], 'Next vote'],
  [['k', '↑'], 'Previous vote'],
  [['x'], 'Select or deselect the vote'],
  [['e'], 'Resolve the selected votes, or the vote'],
  [['!'], 'Mark the selected votes, or the vote, as spam'],
  [['a'], 'Assign the selected votes, or the vote'],
  [['/'], 'Search'],
  [['Esc'], 'Clear the selection, or go back from the open vote to the list; leave the search box'],
  [['?'], 'This list'],
];

const SYNTAX: [string, string][] = [
  ['sso, "single sign-on"', 'in the comment, reason or rated message'],
  ['rating:down', 'up, down or neutral'],
  ['is:resolved', 'open, resolved or spam (open unless the search says)'],
  ['assigned:dana, assigned:me, assigned:none', 'who it is assigned to'],
  ['reason:incorrect', 'the reason’s key'],
  ['has:comment', 'comment, reason, trace or message'],
  ['page:*/billing/*', 'the page; * matches anything'],
  ['message:m-42', 'also conversation:, session:, user:, trace:, locale:, format:'],
  ['score:<5, score:2..8', 'the 0–10 score'],
  ['after:2026-11-01, before:2026-12-01', 'the day voted (UTC)'],
  ['-rating:up', 'a - before a term negates it'],
];

/** `?`: every key, and the search syntax. */
export function KeysDialog() {
  return (
    <Modal
      open={keysOpen.value}
      onClose={() => {
        keysOpen.value = false;
      }}
      labelledBy="keys-title"
      class="keys"
    >
      <h2 id="keys-title">Keyboard shortcuts</h2>
      <table>
        <caption class="visually-hidden">Keys</caption>
        <tbody>
          {KEYS.map(([keys, does]) => (
            <tr key={does}>
              <th scope="row">
                {keys.map((key) => (
                  <kbd key={key}>{key}</kbd>
                ))}
              </th>
              <td>{does}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>Search</h3>
      <table>
        <caption class="visually-hidden">Search terms</caption>
        <tbody>
          {SYNTAX.map(([term, matches]) => (
            <tr key={term}>
              <th scope="row">
                <code>{term}</code>
              </th>
              <td>{matches}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <form method="dialog">
        <button type="submit">Close</button>
      </form>
    </Modal>
  );
}

/** Assigns the selection (or one record) to a name, or unassigns it. */
export function AssignDialog() {
  const scope = assigning.value;
  const [name, setName] = useState('');
  // What went wrong before the dialog opened is not this assignment's.
  useEffect(() => {
    if (scope !== undefined) problem.value = '';
  }, [scope]);
  // Nor is what went wrong in it the page's, once it is closed.
  const close = () => {
    batch(() => {
      assigning.value = undefined;
      problem.value = '';
    });
    setName('');
    // The bulk Assign that opened it leaves with the selection it changed.
    keepFocus();
  };
  const me = actor.value;
  const inert = busy.value ? 'true' : undefined;
  const known = [
    ...new Set(rows.value.map((row) => row.assignee).filter((who) => who !== undefined)),
  ];
  return (
    <Modal open={scope !== undefined} onClose={close} labelledBy="assign-title" class="assign">
      {scope && (
        <form
          onSubmit={async (event) => {
            event.preventDefault();
            const assignee = name.trim();
            // Said in the reader's words: the collector's would name a field and `null`.
            if (assignee === '') problem.value = 'Write a name to assign, or choose Unassign.';
            else if (!busy.value && (await change(scope, { assignee }))) close();
          }}
        >
          <h2 id="assign-title">Assign {subjectOf(scope)}</h2>
          <label for="assignee">Assignee</label>
          <input
            id="assignee"
            name="assignee"
            required
            maxLength={64}
            autocomplete="off"
            list="assignees"
            value={name}
            onInput={(event) => setName(event.currentTarget.value)}
          />
          {/* Said here, in the dialog, which hides the page's own alert region. */}
          {problem.value && (
            <p class="field-error" role="alert">
              {problem.value}
            </p>
          )}
          <datalist id="assignees">
            {known.map((who) => (
              <option key={who} value={who} />
            ))}
          </datalist>
          <div class="actions">
            {/* Inert while a change is sent, never disabled: a disabled button would drop the
                focus of the reader who pressed it out of the dialog. */}
            <button type="submit" aria-disabled={inert}>
              Assign
            </button>
            {me !== undefined && (
              <button
                type="button"
                class="secondary"
                aria-disabled={inert}
                onClick={async () => {
                  if (!busy.value && (await change(scope, { assignee: me }))) close();
                }}
              >
                Assign to me
              </button>
            )}
            <button
              type="button"
              class="secondary"
              aria-disabled={inert}
              onClick={async () => {
                if (!busy.value && (await change(scope, { assignee: null }))) close();
              }}
            >
              Unassign
            </button>
            <button type="button" class="secondary" onClick={close}>
              Cancel
            </button>
          </div>
        </form>
      )}
    </Modal>
  );
}
