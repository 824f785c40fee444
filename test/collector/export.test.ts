import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, test } from 'vitest';
import { type Backend, minimalEvent, send, useCollector } from '../helpers/collector';

const NOW = new Date('2026-11-22T12:00:00.000Z');

const COLUMNS = [
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
];

/** Texts a spreadsheet or a naive parser trips on, each kept whole through the export. */
const HOSTILE: Record<string, string> = {
  quotes: 'He said "it\'s ""fine""", then left',
  commas: 'one, two,, three,',
  newlines: 'line one\r\nline two\nline three\rend',
  formula: '=HYPERLINK("https://evil.example","click")',
  // Not a phone number, which redaction (SPEC §13) would store as [phone].
  plus: '+A1*2',
  minus: '-2+3',
  at: '@SUM(A1:A2)',
  tab: '\tindented',
  carriage: '\rstarts with CR',
  rtl: 'مرحبا بالعالم \u202Eevil\u202C שלום',
  emoji: '👍🏽 👨‍👩‍👧 🏳️‍🌈',
  plain: 'Nothing special here',
};

describe.each<Backend>(['pglite', 'postgres'])('export on %s', (backend) => {
  const api = (path: string) => `${collector.url}api/${path}`;
  const download = async (query: string) => {
    const response = await fetch(api(`feedback/export?${query}`));
    return { response, text: await response.text() };
  };
  const csv = async (query: string): Promise<Record<string, string>[]> => {
    const { response, text } = await download(query);
    expect(response.status, text).toBe(200);
    return parse(text, { columns: true, bom: false });
  };

  const collector = useCollector(backend, {
    start: { clock: () => NOW },
    seed: async () => {
      for (const [name, text] of Object.entries(HOSTILE)) {
        const body = minimalEvent(`${backend}-${name}`, {
          rating: 'down',
          sentiment: 'negative',
          value: -1,
          scale: { min: -1, max: 1 },
          conversation_id: `=cmd|' /C calc'!A0`,
          reason: text,
          reason_key: 'hostile',
          comment: text,
          message_content: text,
          metadata: { note: text, nested: { list: [1, text] } },
          created_at: '2026-11-21T10:00:00.000Z',
        });
        expect((await send(api('feedback'), { body })).status).toBe(201);
      }
      await send(api(`feedback/${backend}-formula`), {
        method: 'PATCH',
        body: { status: 'resolved', assignee: '=Eve' },
      });
    },
  });

  test('the CSV is an attachment with a header row of the columns, in order', async () => {
    const { response, text } = await download('q=reason:hostile');
    expect(response.headers.get('content-type')).toMatch(/^text\/csv; charset=utf-8/);
    expect(response.headers.get('content-disposition')).toBe(
      'attachment; filename="feedback-2026-11-22.csv"',
    );
    const [header] = parse(text, { to_line: 1 }) as string[][];
    expect(header).toEqual(COLUMNS);
    expect(text.split('\r\n')[0]).toBe(COLUMNS.join(','));
  });

  test('hostile texts are read back whole by a CSV parser, a formula’s start guarded by a quote', async () => {
    const rows = await csv('q=reason:hostile');
    expect(rows).toHaveLength(Object.keys(HOSTILE).length);
    for (const [name, text] of Object.entries(HOSTILE)) {
      const row = rows.find((candidate) => candidate.id === `${backend}-${name}`);
      const guarded = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
      expect(row, name).toMatchObject({
        reason: guarded,
        comment: guarded,
        message_content: guarded,
        conversation_id: `'=cmd|' /C calc'!A0`,
      });
      expect(JSON.parse(row?.metadata as string)).toEqual({
        note: text,
        nested: { list: [1, text] },
      });
    }
  });

  test('numbers stay numbers, and absent fields are empty cells', async () => {
    const [row] = await csv(
      `q=${encodeURIComponent(`conversation:"=cmd|' /C calc'!A0" -is:resolved -has:trace`)}&rating=down`,
    );
    expect(row).toMatchObject({
      value: '-1',
      scale_min: '-1',
      scale_max: '1',
      score: '0',
      rating: 'down',
      status: 'open',
      assignee: '',
      trace_id: '',
      user_id: '',
      locale: 'en',
      format: 'event',
      created_at: '2026-11-21T10:00:00.000Z',
      received_at: NOW.toISOString(),
    });
  });

  test('the state is exported, guarded like any text', async () => {
    const [row] = await csv('q=is:resolved');
    expect(row).toMatchObject({ id: `${backend}-formula`, status: 'resolved', assignee: "'=Eve" });
  });

  test('JSON Lines: one record per line, as GET /api/feedback/{id} answers it without activity', async () => {
    const { response, text } = await download('q=reason:hostile&format=jsonl');
    expect(response.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    expect(response.headers.get('content-disposition')).toBe(
      'attachment; filename="feedback-2026-11-22.jsonl"',
    );
    const lines = text.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(Object.keys(HOSTILE).length);
    for (const line of lines) {
      const record = JSON.parse(line);
      const { body } = await send(api(`feedback/${encodeURIComponent(record.id)}`));
      const { activity, ...withoutActivity } = body;
      expect(record).toEqual(withoutActivity);
    }
  });

  test('a search that selects nothing exports the header alone', async () => {
    const { text } = await download('q=rating:neutral');
    expect(text).toBe(`${COLUMNS.join(',')}\r\n`);
    expect((await download('q=rating:neutral&format=jsonl')).text).toBe('');
  });

  test.each([
    ['q', 'q=colour:red'],
    ['q', 'q=%22open'],
    ['format', 'format=xlsx'],
    ['rating', 'rating=great'],
  ])('a bad %s answers 400 before anything is sent', async (field, query) => {
    const response = await send(api(`feedback/export?${query}`));
    expect([response.status, response.body.field]).toEqual([400, field]);
  });

  describe('many records', () => {
    const COUNT = 1_100;
    beforeAll(async () => {
      // The same created_at, and posted ten at a time: only the id orders them (SPEC §8).
      const post = async (i: number) => {
        const fields = i % 3 === 0 ? { rating: 'down', sentiment: 'negative', value: 0 } : {};
        const body = minimalEvent(`${backend}-many-${String(i).padStart(4, '0')}`, {
          conversation_id: 'many',
          ...fields,
        });
        expect((await send(api('feedback'), { body })).status).toBe(201);
      };
      for (let i = 0; i < COUNT; i += 10) {
        await Promise.all(Array.from({ length: 10 }, (_, j) => post(i + j)));
      }
    }, 120_000);

    const expectedIds = (keep: (i: number) => boolean) =>
      Array.from({ length: COUNT }, (_, i) => i)
        .filter(keep)
        .map((i) => `${backend}-many-${String(i).padStart(4, '0')}`);

    test('every record comes once, in the order of their ids when as new, across pages', async () => {
      const rows = await csv('conversation_id=many');
      expect(rows.map((row) => row.id)).toEqual(expectedIds(() => true));
    });

    test('a search that selects some records of each page exports exactly those', async () => {
      const { text } = await download('conversation_id=many&q=rating:down&format=jsonl');
      const ids = text
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).id);
      expect(ids).toEqual(expectedIds((i) => i % 3 === 0));
    });

    test('a client that stops reading mid-way leaves the collector answering', async () => {
      const response = await fetch(api('feedback/export?conversation_id=many'));
      const reader = response.body?.getReader();
      await reader?.read();
      await reader?.cancel();
      expect((await send(api('feedback?limit=1'))).status).toBe(200);
    });
  });
});
