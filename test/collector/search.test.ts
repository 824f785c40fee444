import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { type Backend, minimalEvent, send, useCollector } from '../helpers/collector';

/** When the collector receives the votes of formats whose bodies carry no date. */
const NOW = new Date('2026-11-22T10:00:00.000Z');

const down = { rating: 'down', sentiment: 'negative', value: 0 };
const neutral = { rating: 'neutral', sentiment: 'neutral', value: 0.5 };

/** The votes every search below runs over, by name; scores: s1 10, s2 0, s3 5, s4 2.5. */
const EVENTS: Record<string, Record<string, unknown>> = {
  s1: {
    comment: 'SSO login works great',
    message_id: 'm-1',
    conversation_id: 'c-1',
    session_id: 's-1',
    user_id: 'u-1',
    trace_id: 't-1',
    page_url: 'https://help.example.com/billing/invoices',
    created_at: '2026-11-19T08:00:00.000Z',
  },
  s2: {
    ...down,
    reason: 'Incorrect',
    reason_key: 'incorrect',
    comment: 'The single sign-on link is broken',
    message_id: 'm-2',
    conversation_id: 'c-1',
    locale: 'de',
    page_url: 'https://help.example.com/billing/refunds',
    created_at: '2026-11-20T12:00:00.000Z',
  },
  s3: {
    ...neutral,
    message_content: 'To enable SSO, open Settings › Security.',
    message_id: 'm-3',
    conversation_id: 'c-2',
    trace_id: 't-3',
    page_url: 'https://help.example.com/account',
    created_at: '2026-11-21T00:00:00.000Z',
  },
  s4: {
    ...down,
    value: 0.25,
    reason: 'Falsch',
    reason_key: 'incorrect',
    comment: '100% wrong_answer',
    page_url: 'https://help.example.com/a',
    created_at: '2026-11-21T09:00:00.000Z',
  },
};

describe.each<Backend>(['pglite', 'postgres'])('the search language on %s', (backend) => {
  /** Stored id → name (s1…s7), so expectations read as names. */
  const names = new Map<string, string>();
  const api = (path: string) => `${collector.url}api/${path}`;

  const collector = useCollector(backend, {
    start: { clock: () => NOW },
    seed: async () => {
      for (const [name, fields] of Object.entries(EVENTS)) {
        const id = `${backend}-${name}`;
        expect((await send(api('feedback'), { body: minimalEvent(id, fields) })).status).toBe(201);
        names.set(id, name);
      }
      const others: [string, string, unknown][] = [
        [
          's5',
          'sentiment',
          { conversation_id: 'c-3', sentiment: 'positive', comment: 'Thanks, "great" answer' },
        ],
        [
          's6',
          'messages/feedback',
          {
            original_message_id: 'm-6',
            quality_score: 100,
            sent_message_content: 'Reset your password in Settings.',
          },
        ],
        ['s7', 'conversations/c%204/downvote', { reason: 'Too long' }],
      ];
      for (const [name, path, body] of others) {
        const response = await send(api(path), { body });
        expect(response.status).toBeLessThan(300);
        const format = { s5: 'sentiment', s6: 'quality', s7: 'vote' }[name];
        const { body: list } = await send(api(`feedback?q=format:${format}`));
        names.set(list.items[0].id, name);
      }
      const patch = (name: string, body: unknown) =>
        send(api(`feedback/${backend}-${name}`), { method: 'PATCH', body });
      await patch('s2', { status: 'resolved', assignee: 'maria' });
      await patch('s3', { status: 'spam' });
      await patch('s4', { assignee: 'local' });
    },
  });

  /** The names of the records `GET /api/feedback` answers for `query`, in its order. */
  async function found(query: string): Promise<string[]> {
    const response = await send(api(`feedback?limit=100&${query}`));
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body.total).toBe(response.body.items.length);
    return response.body.items.map((item: { id: string }) => names.get(item.id)).sort();
  }
  const search = (q: string) => found(new URLSearchParams({ q }).toString());
  const all = ['s1', 's2', 's3', 's4', 's5', 's6', 's7'];
  const except = (...left: string[]) => all.filter((name) => !left.includes(name));

  test.each<[string, string[]]>([
    ['sso', ['s1', 's3']],
    ['SsO', ['s1', 's3']],
    ['-sso', except('s1', 's3')],
    ['"single sign-on"', ['s2']],
    ['single sign-on', ['s2']],
    ['"sign-on link"', ['s2']],
    ['security.', ['s3']],
    ['password', ['s6']],
    ['incorrect', ['s2']],
    ['"too long"', ['s7']],
    ['100%', ['s4']],
    ['"0% w"', ['s4']],
    ['wrong_answer', ['s4']],
    ['100_', []],
    ['1%w', []],
    ['"\\"great\\""', ['s5']],
    ['rating:down', ['s2', 's4', 's7']],
    ['RATING:UP', ['s1', 's5', 's6']],
    ['rating:neutral', ['s3']],
    ['-rating:down', ['s1', 's3', 's5', 's6']],
    ['is:open', except('s2', 's3')],
    ['is:resolved', ['s2']],
    ['is:spam', ['s3']],
    ['-is:spam', except('s3')],
    ['assigned:maria', ['s2']],
    ['assigned:Maria', []],
    ['assigned:"maria"', ['s2']],
    ['assigned:none', except('s2', 's4')],
    ['-assigned:none', ['s2', 's4']],
    ['assigned:me', ['s4']],
    ['reason:incorrect', ['s2', 's4']],
    ['reason:INCORRECT', ['s2', 's4']],
    ['reason:"Too long"', ['s7']],
    ['-reason:incorrect', except('s2', 's4')],
    ['has:comment', ['s1', 's2', 's4', 's5']],
    ['-has:comment', ['s3', 's6', 's7']],
    ['has:reason', ['s2', 's4', 's7']],
    ['has:trace', ['s1', 's3']],
    ['has:message', ['s3', 's6']],
    ['page:https://help.example.com/billing/*', ['s1', 's2']],
    ['page:*/billing/*', ['s1', 's2']],
    ['page:https://help.example.com/a', ['s4']],
    ['page:*account', ['s3']],
    ['page:*example*', ['s1', 's2', 's3', 's4']],
    ['page:https://help.example.com/%', []],
    ['-page:*/billing/*', except('s1', 's2')],
    ['message:m-2', ['s2']],
    ['message:m-6', ['s6']],
    ['-message:m-2', except('s2')],
    ['conversation:c-1', ['s1', 's2']],
    ['conversation:"c 4"', ['s7']],
    ['session:s-1', ['s1']],
    ['user:u-1', ['s1']],
    ['trace:t-3', ['s3']],
    ['locale:de', ['s2']],
    ['locale:DE', ['s2']],
    ['format:sentiment', ['s5']],
    ['format:VOTE', ['s7']],
    ['format:quality', ['s6']],
    ['score:<5', ['s2', 's4', 's7']],
    ['score:<=5', ['s2', 's3', 's4', 's7']],
    ['score:>5', ['s1', 's5', 's6']],
    ['score:>=10', ['s1', 's5', 's6']],
    ['score:2..5', ['s3', 's4']],
    ['score:2.5..2.5', ['s4']],
    ['-score:<5', ['s1', 's3', 's5', 's6']],
    ['after:2026-11-21', ['s3', 's4', 's5', 's6', 's7']],
    ['after:2026-11-23', []],
    ['before:2026-11-20', ['s1']],
    ['before:2026-11-21', ['s1', 's2']],
    ['after:2026-11-20 before:2026-11-21', ['s2']],
    ['sso rating:up', ['s1']],
    ['rating:down -reason:incorrect', ['s7']],
    ['"sign-on" is:resolved assigned:maria', ['s2']],
    ['  rating:down   has:comment  ', ['s2', 's4']],
    ['', all],
  ])('%s', async (q, expected) => {
    expect(await search(q)).toEqual(expected);
  });

  test('q combines with the list’s other filters', async () => {
    expect(await found(`q=rating:down&conversation_id=c-1`)).toEqual(['s2']);
    expect(await found(`q=has:comment&min_score=5`)).toEqual(['s1', 's5']);
  });

  test.each([
    ['colour:red', '`colour:`'],
    ['http://example.com', '`http:`'],
    ['rating:great', '`rating:great`'],
    ['is:closed', '`is:closed`'],
    ['has:pictures', '`has:pictures`'],
    ['format:xml', '`format:xml`'],
    ['score:11', '`score:11`'],
    ['score:five', '`score:five`'],
    ['score:5', '`score:5`'],
    ['score:7..3', '`score:7..3`'],
    ['score:<', '`score:<`'],
    ['score:-1..2', '`score:-1..2`'],
    ['after:2026-13-01', '`after:2026-13-01`'],
    ['before:yesterday', '`before:yesterday`'],
    ['after:0000-01-01', '`after:0000-01-01`'],
    ['"unclosed phrase', '`"unclosed phrase`'],
    ['rating:', '`rating:`'],
    ['-', '`-`'],
    ['""', '`""`'],
    [`assigned:${'x'.repeat(65)}`, '64 characters'],
    ['x'.repeat(2001), '2000 characters'],
    [Array.from({ length: 51 }, (_, i) => `w${i}`).join(' '), '50 terms'],
    ['a\u0000b', 'NUL'],
  ])('%s answers 400 naming q and the term', async (q, named) => {
    const response = await send(api(`feedback?${new URLSearchParams({ q })}`));
    expect([response.status, response.body.field]).toEqual([400, 'q']);
    expect(response.body.error).toContain(named);
  });
});

/** Pieces a person (or an attacker) might put together into a search. */
const FRAGMENTS = [
  'rating:up',
  'rating:',
  'is:spam',
  'assigned:me',
  'assigned:"',
  'page:*',
  'page:*/%_*',
  'score:<',
  'score:1..',
  'score:..2',
  'score:>=10',
  'after:2026-02-29',
  'before:9999-12-31',
  'reason:',
  '-',
  '--',
  '"',
  '\\',
  '\\"',
  ':',
  "'; DROP TABLE feedback; --",
  '$1',
  '%',
  '_',
  '\u0000',
  '\ud800',
  '😀',
  'مرحبا',
  '\t',
  '\n',
];

const searchText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc
    .tuple(
      fc.array(fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ maxLength: 8 })), {
        maxLength: 8,
      }),
      fc.constantFrom(' ', '', '"'),
    )
    .map(([parts, separator]) => parts.join(separator)),
);

describe.each<Backend>(['pglite', 'postgres'])('any search on %s', (backend) => {
  const collector = useCollector(backend, {
    seed: async (url) => {
      await send(`${url}api/feedback`, {
        body: minimalEvent(`${backend}-fuzz`, { comment: 'a comment', reason: 'r' }),
      });
    },
  });

  /** 200, or 400 naming q: never a 5xx, never another field. */
  const answered = (response: { status: number; body: { field?: string } }) => {
    expect(
      response.status === 200 || (response.status === 400 && response.body.field === 'q'),
      JSON.stringify(response.body),
    ).toBe(true);
  };

  test('any string as q on the list answers 200 or 400 naming q', async () => {
    await fc.assert(
      fc.asyncProperty(searchText, async (q) => {
        answered(await send(`${collector.url}api/feedback?${new URLSearchParams({ q })}`));
      }),
      { numRuns: 200 },
    );
  });

  test('any string as q of a bulk change answers 200 or 400 naming q', async () => {
    await fc.assert(
      fc.asyncProperty(searchText, async (q) => {
        // Assigning to the name already held changes nothing, whatever the search selects.
        const response = await send(`${collector.url}api/feedback/bulk`, {
          body: { q: q.trim() === '' ? `${q}x` : q, assignee: null },
        });
        answered(response);
      }),
      { numRuns: 100 },
    );
  });
});
