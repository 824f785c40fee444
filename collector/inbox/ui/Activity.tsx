import { h } from 'preact';
import { useState } from 'preact/hooks';
import { addNote } from '../actions';
import { STATUS_LABELS } from '../format';
import { busy } from '../state';
import type { Activity, FeedbackRecord } from '../types';
import { Ago } from './bits';

function describeActivity(entry: Activity): string {
  if (entry.action === 'note') return 'added a note';
  if (entry.action === 'assignee') {
    return entry.to === undefined
      ? `unassigned ${entry.from ?? ''}`.trim()
      : `assigned it to ${entry.to}`;
  }
  const to = entry.to as keyof typeof STATUS_LABELS | undefined;
  return `set it ${to === 'open' ? 'open again' : to ? STATUS_LABELS[to].toLowerCase() : ''}`.trim();
}

/** Who changed what, oldest first, and a note to add. */
export function ActivityLog({ vote }: { vote: FeedbackRecord }) {
  const [note, setNote] = useState('');
  const [error, setError] = useState('');
  const entries = vote.activity ?? [];
  return (
    <section aria-labelledby="activity-title">
      <h3 id="activity-title">Activity</h3>
      <ol class="activity">
        <li>
          <span>Received</span> <Ago at={vote.received_at} />
        </li>
        {entries.map((entry, index) => (
          <li key={`${entry.at}-${index}`}>
            <span>
              <strong>{entry.actor}</strong> {describeActivity(entry)}
            </span>{' '}
            <Ago at={entry.at} />
            {entry.note !== undefined && <blockquote dir="auto">{entry.note}</blockquote>}
          </li>
        ))}
      </ol>
      <form
        class="note"
        onSubmit={async (event) => {
          event.preventDefault();
          if (note.trim() === '') {
            setError('Write the note first.');
            // Where the reader writes it, which reads the error out (aria-describedby).
            event.currentTarget.querySelector('textarea')?.focus();
            return;
          }
          if (await addNote(vote.id, note.trim())) {
            setNote('');
            setError('');
          }
        }}
      >
        <label for="note">Note</label>
        <textarea
          id="note"
          rows={2}
          maxLength={2000}
          value={note}
          aria-invalid={error ? 'true' : undefined}
          aria-describedby={error ? 'note-error' : undefined}
          onInput={(event) => setNote(event.currentTarget.value)}
        />
        {error && (
          <p id="note-error" class="field-error">
            {error}
          </p>
        )}
        {/* Inert while a change is sent, never disabled: that would drop the focus to <body>. */}
        <button type="submit" class="secondary" aria-disabled={busy.value ? 'true' : undefined}>
          Add note
        </button>
      </form>
    </section>
  );
}
