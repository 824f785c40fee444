import { signal } from '@preact/signals';
import { describe, expect, it } from 'vitest';
import { readAddress, writeAddress } from '../../collector/inbox/address';
import { ago, describeChange, safeHref, traceHref, waited } from '../../collector/inbox/format';
import { resource } from '../../collector/inbox/resource';
import {
  fieldTerm,
  listQuery,
  namesStatus,
  shownStatus,
  withStatus,
} from '../../collector/inbox/search';

describe('the search as the inbox reads it', () => {
  it.each([
    ['', 'is:open', 'open'],
    ['sso rating:down', 'is:open sso rating:down', 'open'],
    ['  sso   rating:down ', 'is:open sso rating:down', 'open'],
    ['is:resolved sso', 'is:resolved sso', 'resolved'],
    ['IS:spam', 'IS:spam', 'spam'],
    ['-is:spam', '-is:spam', undefined],
    ['is:open is:resolved', 'is:open is:resolved', undefined],
    ['"is:spam" in a phrase', 'is:open "is:spam" in a phrase', 'open'],
    ['is:great', 'is:great', undefined],
  ])('%j lists %j and shows the status %j', (q, listed, status) => {
    expect(listQuery(q)).toBe(listed);
    expect(shownStatus(q)).toBe(status);
  });

  it('knows a status term even in a search the collector will refuse', () => {
    expect(namesStatus('is:spam rating:great')).toBe(true);
    expect(namesStatus('rating:great')).toBe(false);
  });

  it.each([
    ['', 'resolved', 'is:resolved'],
    ['sso -is:spam rating:down', 'open', 'is:open sso rating:down'],
    ['"a phrase" is:resolved', 'spam', 'is:spam "a phrase"'],
  ] as const)('%j with the status %s is %j', (q, status, expected) => {
    expect(withStatus(q, status)).toBe(expected);
  });

  it.each([
    ['message', 'm-42', 'message:m-42'],
    ['conversation', 'conv 1', 'conversation:"conv 1"'],
    ['user', 'say "hi"', 'user:"say \\"hi\\""'],
    ['page', 'https://help.example.com/a', 'page:https://help.example.com/a'],
  ])('the term for %s %j is %j', (field, value, term) => {
    expect(fieldTerm(field, value)).toBe(term);
  });
});

describe('the address', () => {
  it.each([
    ['', { view: 'inbox', q: '' }],
    ['?q=rating%3Adown&id=v%201', { view: 'inbox', q: 'rating:down', id: 'v 1' }],
    ['?view=attention', { view: 'attention', q: '' }],
    ['?view=unknown&q=x', { view: 'inbox', q: 'x' }],
    ['?q=x&page=3&id=v1', { view: 'inbox', q: 'x', id: 'v1', page: 3 }],
    ['?page=1', { view: 'inbox', q: '' }],
    ['?page=abc', { view: 'inbox', q: '' }],
    ['?page=-2', { view: 'inbox', q: '' }],
    ['?page=', { view: 'inbox', q: '' }],
    ['?page=4.9', { view: 'inbox', q: '', page: 4 }],
    ['?page=1e400', { view: 'inbox', q: '', page: Number.MAX_SAFE_INTEGER }],
  ])('%j is %j, and written back the same', (search, address) => {
    expect(readAddress(search)).toEqual(address);
    expect(readAddress(writeAddress(readAddress(search)))).toEqual(address);
  });

  it('writes nothing for the plain inbox, on its first page', () => {
    expect(writeAddress({ view: 'inbox', q: '' })).toBe('');
    expect(writeAddress({ view: 'inbox', q: '', page: 1 })).toBe('');
  });
});

describe('the words of a change', () => {
  const one = { kind: 'record', id: 'v1' } as const;
  const three = { kind: 'ids', ids: ['a', 'b', 'c'] } as const;
  const search = { kind: 'search', q: 'is:open', total: 53 } as const;
  it.each([
    [one, { status: 'resolved' }, undefined, 'Resolved the vote.'],
    [one, { status: 'open' }, undefined, 'Reopened the vote.'],
    [one, { status: 'spam' }, undefined, 'Marked the vote as spam.'],
    [one, { assignee: 'dana' }, undefined, 'Assigned the vote to dana.'],
    [one, { assignee: null }, undefined, 'Unassigned the vote.'],
    [one, { note: 'x' }, undefined, 'Added a note to the vote.'],
    [three, { status: 'resolved' }, 3, 'Resolved 3 votes.'],
    [three, { status: 'resolved' }, 2, 'Resolved 2 votes (1 already was).'],
    [three, { status: 'spam' }, 1, 'Marked 1 vote as spam (2 already were).'],
    [search, { status: 'resolved' }, 53, 'Resolved 53 votes.'],
    [one, { status: 'resolved' }, 0, 'The vote already was resolved: nothing changed.'],
    [one, { status: 'spam' }, 0, 'The vote already was marked as spam: nothing changed.'],
    [one, { assignee: 'kim' }, 0, 'The vote already was assigned to kim: nothing changed.'],
    [one, { assignee: null }, 0, 'The vote already was unassigned: nothing changed.'],
  ] as const)('%j %j (%s changed) reads %j', (scope, change, updated, words) => {
    expect(describeChange(scope, change, updated)).toBe(words);
  });
});

describe('links and times', () => {
  it.each([
    ['https://help.example.com/a?b#c', 'https://help.example.com/a?b#c'],
    ['javascript:alert(1)', undefined],
    ['data:text/html,<b>x</b>', undefined],
    ['not a url', undefined],
  ])('%j links to %j', (url, href) => {
    expect(safeHref(url)).toBe(href);
  });

  it('fills TRACE_URL with the trace id, URL-encoded, and links only http(s)', () => {
    expect(traceHref('https://t.example/traces/{trace_id}?x=1', 'run/1 2')).toBe(
      'https://t.example/traces/run%2F1%202?x=1',
    );
    expect(traceHref('javascript:{trace_id}', 'x')).toBeUndefined();
  });

  it.each([
    [0, 'now'],
    [59_000, 'now'],
    [5 * 60_000, '5 min. ago'],
    [3 * 3_600_000, '3 hr. ago'],
    [26 * 3_600_000, 'yesterday'],
    [-60_000, 'now'],
  ])('%d ms ago reads %j', (before, text) => {
    const now = Date.parse('2026-11-21T10:00:00Z');
    expect(ago(new Date(now - before).toISOString(), now)).toBe(text);
  });

  it.each([
    [0, '0 s'],
    [59, '59 s'],
    [1_453, '24 min'],
    [3 * 3_600 + 59 * 60, '3 hr'],
    [86_400, '1 day'],
    [3 * 86_400 + 5, '3 days'],
  ])('a delivery pending for %d s has waited %j', (seconds, text) => {
    expect(waited(seconds)).toBe(text);
  });
});

describe('what the inbox fetches', () => {
  /** A resource whose fetches the test answers by hand, with what became of each. */
  function manual(key: () => string) {
    const tick = signal(0);
    const changes = signal(0);
    const fetches: { key: string; answer: (data: string) => void; aborted: () => boolean }[] = [];
    const loaded = resource(
      key,
      (fetched, abort) =>
        new Promise<string>((answer) => {
          fetches.push({ key: fetched, answer, aborted: () => abort.aborted });
        }),
      { tick, changes },
    );
    return { tick, changes, fetches, loaded };
  }
  const settled = () => new Promise((resolve) => setTimeout(resolve));

  it('a refresh while a slow fetch runs lets it finish, shows it, then fetches once more', async () => {
    const { tick, fetches, loaded } = manual(() => 'open');
    tick.value++;
    tick.value++;
    expect(fetches).toHaveLength(1);
    fetches[0]?.answer('before the change');
    await settled();
    // Shown, but still loading: an action waiting for the answer after its change waits on.
    expect(loaded.value).toEqual({ data: 'before the change', loading: true });
    expect(fetches).toHaveLength(2);
    fetches[1]?.answer('after the change');
    await settled();
    expect(loaded.value).toEqual({ data: 'after the change', loading: false });
    expect(fetches.map((fetch) => fetch.aborted())).toEqual([false, false]);
  });

  it('a change while a fetch runs: its answer, maybe read before the change, is never shown; the key is fetched again', async () => {
    const { tick, changes, fetches, loaded } = manual(() => 'open');
    fetches[0]?.answer('shown');
    await settled();
    tick.value++;
    changes.value++;
    tick.value++;
    expect(fetches).toHaveLength(2);
    fetches[1]?.answer('read before the change');
    await settled();
    expect(loaded.value).toEqual({ data: 'shown', loading: true });
    expect(fetches).toHaveLength(3);
    fetches[2]?.answer('after the change');
    await settled();
    expect(loaded.value).toEqual({ data: 'after the change', loading: false });
  });

  it('a change alone fetches nothing: the tick says when', async () => {
    const { changes, fetches, loaded } = manual(() => 'open');
    fetches[0]?.answer('shown');
    await settled();
    changes.value++;
    expect(fetches).toHaveLength(1);
    expect(loaded.value).toEqual({ data: 'shown', loading: false });
  });

  it('a new key cuts off the fetch of the old one, whose late answer never shows', async () => {
    const key = signal('first');
    const { fetches, loaded } = manual(() => key.value);
    key.value = 'second';
    expect(fetches.map((fetch) => [fetch.key, fetch.aborted()])).toEqual([
      ['first', true],
      ['second', false],
    ]);
    fetches[0]?.answer('late');
    fetches[1]?.answer('current');
    await settled();
    expect(loaded.value).toEqual({ data: 'current', loading: false });
  });
});
