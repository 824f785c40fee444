import { invalid } from '../intake/validate';
import type { Database } from '../storage/database';
import { NEWEST_FIRST, selection } from './feedback';
import { withState } from './state';

/** The CSV's columns, in the order of SPEC §12. */
export const CSV_COLUMNS = [
  'id',
  'received_at',
  'created_at',
  'rating',
  'score',
  'value',
  'scale_min',
  'scale_max',
  'conversation_id',
  'message_id',
  'session_id',
  'user_id',
  'trace_id',
  'reason',
  'reason_key',
  'comment',
  'message_content',
  'page_url',
  'locale',
  'format',
  'status',
  'assignee',
  'metadata',
] as const;

interface ExportRow {
  record: string;
  status: string;
  assignee: string | null;
  created_key: string;
  id: string;
  /** False for a row read past but not selected (PGlite reads a bounded run of rows per page). */
  selected: boolean;
}

/** A spreadsheet runs a cell that begins with one of these as a formula. */
const FORMULA = /^[=+\-@\t\r]/;

/** One CSV cell (RFC 4180): text that could start a formula gets a leading `'`. */
function cell(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'number') return String(value);
  let text = typeof value === 'string' ? value : JSON.stringify(value);
  if (FORMULA.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function csvLine(row: ExportRow): string {
  const record = JSON.parse(row.record) as Record<string, unknown> & {
    scale?: { min: number; max: number };
    metadata?: Record<string, unknown>;
  };
  const values: Record<(typeof CSV_COLUMNS)[number], unknown> = {
    id: record.id,
    received_at: record.received_at,
    created_at: record.created_at,
    rating: record.rating,
    score: record.score,
    value: record.value,
    scale_min: record.scale?.min,
    scale_max: record.scale?.max,
    conversation_id: record.conversation_id,
    message_id: record.message_id,
    session_id: record.session_id,
    user_id: record.user_id,
    trace_id: record.trace_id,
    reason: record.reason,
    reason_key: record.reason_key,
    comment: record.comment,
    // What a `quality` intake kept of the rated message is its rated text too.
    message_content: record.message_content ?? record.metadata?.sent_message_content,
    page_url: record.page_url,
    locale: record.locale,
    format: record.format,
    status: row.status,
    assignee: row.assignee,
    metadata: record.metadata,
  };
  return `${CSV_COLUMNS.map((column) => cell(values[column])).join(',')}\r\n`;
}

export interface ExportOptions {
  /**
   * PostgreSQL: pages of `pageSize` selected records. PGlite runs one query at a time, so each
   * query reads at most `pageSize` records, selected or not: however rare the matches, intake
   * never waits on the export for long.
   */
  shared: boolean;
  pageSize: number;
  now: Date;
  onError: (error: unknown) => void;
}

/**
 * `GET /api/feedback/export` (SPEC §12): every record the search selects, newest first, as CSV
 * or JSON Lines, streamed page by page. Each page continues after the last row of the one before
 * (keyset), and the next is read only when the client has taken the last: memory stays the same
 * however many records match. The search is checked before anything is sent.
 */
export function exportFeedback(
  db: Database,
  query: URLSearchParams,
  actor: string,
  options: ExportOptions,
): Response {
  const format = query.get('format') ?? 'csv';
  if (format !== 'csv' && format !== 'jsonl') throw invalid('format', 'must be csv or jsonl');
  const selected = selection(query, actor);
  const where = selected.conditions.length ? selected.conditions.join(' AND ') : 'true';
  const n = selected.params.length;
  const limit = `$${n + 1}`;
  // After the last row in NEWEST_FIRST: older, or as old with a later id. The first condition
  // alone is the index's range; the second is checked on the rows it yields.
  const [at, id] = [`$${n + 2}::timestamptz`, `$${n + 3}::text COLLATE "C"`];
  const after = `created_at <= ${at} AND (created_at < ${at} OR id COLLATE "C" > ${id})`;
  const columns = 'record, status, assignee, created_at::text AS created_key, id';
  const page = (first: boolean) =>
    options.shared
      ? `SELECT ${columns}, true AS selected FROM feedback
         WHERE ${where} ${first ? '' : `AND ${after}`}
         ORDER BY ${NEWEST_FIRST} LIMIT ${limit}`
      : `SELECT ${columns}, ${where} AS selected FROM feedback
         ${first ? '' : `WHERE ${after}`}
         ORDER BY ${NEWEST_FIRST} LIMIT ${limit}`;
  const line =
    format === 'csv'
      ? csvLine
      : (row: ExportRow) => `${withState(row.record, row.status, row.assignee)}\n`;
  const encoder = new TextEncoder();
  let last: ExportRow | undefined;
  let done = false;
  const stream = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        if (format === 'csv') controller.enqueue(encoder.encode(`${CSV_COLUMNS.join(',')}\r\n`));
      },
      async pull(controller) {
        try {
          // Reads until a page yields something (PGlite's may select none) or the end.
          while (!done) {
            // PGlite runs its queries in this thread: before each page, the requests waiting for
            // I/O go first (a vote then waits for one page's query at most).
            if (!options.shared) await new Promise((resolve) => setImmediate(resolve));
            const params = [...selected.params, options.pageSize];
            if (last) params.push(last.created_key, last.id);
            const rows = await db.query<ExportRow>(page(last === undefined), params);
            done = rows.length < options.pageSize;
            last = rows[rows.length - 1] ?? last;
            const text = rows
              .filter((row) => row.selected)
              .map(line)
              .join('');
            if (text) {
              controller.enqueue(encoder.encode(text));
              break;
            }
          }
          if (done) controller.close();
        } catch (error) {
          options.onError(error);
          controller.error(error);
        }
      },
      cancel() {
        done = true;
      },
    },
    { highWaterMark: 1 },
  );
  const day = options.now.toISOString().slice(0, 10);
  return new Response(stream, {
    headers: {
      'Content-Type':
        format === 'csv'
          ? 'text/csv; charset=utf-8; header=present'
          : 'application/x-ndjson; charset=utf-8',
      'Content-Disposition': `attachment; filename="feedback-${day}.${format}"`,
      'Cache-Control': 'no-store',
    },
  });
}
