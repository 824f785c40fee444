import { ValidationError } from '../errors';
import { asObject, type Fields, id, invalid, oneOf, text } from '../intake/validate';
import { STATUSES, type Status } from '../read/search';

/** What the team changes on a record (SPEC §12): each part optional, at least one present. */
export interface Change {
  status?: Status;
  /** A name, or null to leave the record unassigned. */
  assignee?: string | null;
}

/** The records a bulk change applies to: listed by id, or every one a search selects. */
export type Targets = { ids: string[] } | { q: string };

const NAME_LENGTH = 64;
const NOTE_LENGTH = 2000;
const BULK_IDS = 1000;
// biome-ignore lint/suspicious/noControlCharactersInRegex: a name is one line of text.
const CONTROL = /[\u0000-\u001f\u007f]/;

function only(fields: Fields, allowed: string[]): void {
  for (const key of Object.keys(fields)) {
    if (!allowed.includes(key)) {
      throw invalid(key, `is not a field here (fields: ${allowed.join(', ')})`);
    }
  }
}

function assignee(value: unknown): string | null {
  if (value === null) return null;
  const name = text(value, 'assignee', NAME_LENGTH);
  if (name.trim() === '')
    throw invalid('assignee', 'must be a name of 1 to 64 characters, or null');
  if (CONTROL.test(name)) throw invalid('assignee', 'must not contain control characters');
  return name;
}

function change(fields: Fields): Change {
  const parsed: Change = {};
  if (fields.status !== undefined) parsed.status = oneOf(fields.status, 'status', STATUSES);
  if (fields.assignee !== undefined) parsed.assignee = assignee(fields.assignee);
  return parsed;
}

/** `PATCH /api/feedback/{id}`'s body: a change, a note, or both. */
export function parsePatch(body: unknown): { change: Change; note?: string } {
  const fields = asObject(body);
  only(fields, ['status', 'assignee', 'note']);
  const parsed = change(fields);
  let note: string | undefined;
  if (fields.note !== undefined) {
    note = text(fields.note, 'note', NOTE_LENGTH);
    if (note.trim() === '') throw invalid('note', 'must be a text of 1 to 2,000 characters');
  }
  if (Object.keys(parsed).length === 0 && note === undefined) {
    throw new ValidationError('body', 'The `body` must set `status`, `assignee` or `note`.');
  }
  return note === undefined ? { change: parsed } : { change: parsed, note };
}

/** `POST /api/feedback/bulk`'s body: the records, by `ids` or `q`, and the change. */
export function parseBulk(body: unknown): { targets: Targets; change: Change } {
  const fields = asObject(body);
  only(fields, ['ids', 'q', 'status', 'assignee']);
  if ((fields.ids === undefined) === (fields.q === undefined)) {
    throw new ValidationError(
      'body',
      'The `body` must name its records by `ids` or by `q`, one of the two.',
    );
  }
  let targets: Targets;
  if (fields.ids !== undefined) {
    const { ids } = fields;
    if (!Array.isArray(ids) || ids.length === 0 || ids.length > BULK_IDS) {
      throw invalid('ids', `must be a list of 1 to ${BULK_IDS.toLocaleString('en')} ids`);
    }
    targets = { ids: [...new Set(ids.map((item) => id(item, 'ids')))] };
  } else {
    const q = text(fields.q, 'q', 2000);
    if (q.trim() === '') throw invalid('q', 'must not be empty: name the records by a search');
    targets = { q };
  }
  const parsed = change(fields);
  if (Object.keys(parsed).length === 0) {
    throw new ValidationError('body', 'The `body` must set `status`, `assignee` or both.');
  }
  return { targets, change: parsed };
}
