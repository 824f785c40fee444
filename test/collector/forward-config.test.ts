import { describe, expect, test } from 'vitest';
import { createCollector } from '../../collector/src/collector';
import { messages, startCollector } from '../helpers/collector';
import { forwardFile, secret } from '../helpers/forward';

const VOTE = {
  name: 'bots',
  format: 'vote',
  url: 'https://bots.example.com/c/{conversationId}/{vote}',
};

/**
 * The message the collector refuses to start with, for a FORWARD_FILE holding `content` (and,
 * with `env`, that environment).
 */
async function refusal(
  content: unknown,
  env?: Record<string, string>,
): Promise<{ file: string; message: string }> {
  const file = forwardFile(content);
  let message = 'the collector started';
  try {
    createCollector({ forwardFile: file, ...(env === undefined ? {} : { env }) });
  } catch (problem) {
    message = (problem as Error).message;
  }
  return { file, message };
}

describe('FORWARD_FILE', () => {
  test('a file that is not JSON is refused, naming the file', async () => {
    const { file, message } = await refusal('{ "destinations": [ ');
    expect(message).toContain('`forwardFile`');
    expect(message).toContain(file);
    expect(message).toContain('not valid JSON');
  });

  test.each([
    [
      'a value not quoted',
      '{\n  "destinations": [\n    { "name": "a", "headers": { "X-Api-Key": sk-live-9f8e7d6c } }\n  ]\n}',
      'line 3, column 46',
    ],
    [
      'a trailing comma',
      '{ "destinations": [{ "name": "a", "headers": { "X-Api-Key": "sk-live-9f8e7d6c" } },] }',
      'line 1, column 84',
    ],
    ['an end too early', '{ "destinations": [{ "name": "sk-live-9f8e7d6c"', 'line 1, column 48'],
  ])(
    'a syntax error (%s) is refused naming the file, line and column, never the text',
    async (_, content, where) => {
      const { file, message } = await refusal(content);
      expect(message).toBe(`\`forwardFile\` ${file}: is not valid JSON at ${where}`);
    },
  );

  test('a byte order mark before the JSON is taken', () => {
    const file = forwardFile(`\uFEFF${JSON.stringify({ destinations: [VOTE] })}`);
    expect(() => createCollector({ forwardFile: file })).not.toThrow();
  });

  test('a file that does not exist is refused, naming it', async () => {
    expect(() => createCollector({ forwardFile: '/nonexistent/forward.json' })).toThrow(
      '/nonexistent/forward.json',
    );
  });

  test('an unknown top-level field is refused, naming it', async () => {
    const { message } = await refusal({ destinations: [], retries: 3 });
    expect(message).toContain('unknown field `retries`');
  });

  test('an unknown field in a destination is refused, naming the destination and field', async () => {
    const { message } = await refusal({ destinations: [{ ...VOTE, method: 'PUT' }] });
    expect(message).toContain('destination "bots"');
    expect(message).toContain('`method`');
  });

  test('an unknown format is refused, naming the destination and field', async () => {
    const { message } = await refusal({ destinations: [{ ...VOTE, format: 'stars' }] });
    expect(message).toMatch(/destination "bots": `format` must be one of event, .*langfuse/);
  });

  test('a duplicate name is refused', async () => {
    const { message } = await refusal({ destinations: [VOTE, VOTE] });
    expect(message).toContain('destination "bots": `name` is used by an earlier destination');
  });

  test.each([
    [
      'a destination',
      '{ "destinations": [\n  { "name": "bots", "format": "vote",\n    "url": "https://bots.example.com/{vote}",\n    "url": "https://old.example.com/{vote}" }\n] }',
      '`url` twice in one object (again at line 4, column 5)',
    ],
    [
      'the top level',
      '{ "alerts": [], "destinations": [], "alerts": [] }',
      '`alerts` twice in one object (again at line 1, column 37)',
    ],
    [
      'headers, written with an escape',
      '{ "destinations": [{ "name": "a", "format": "event", "url": "https://a.example.com",\n  "headers": { "X-Key": "a", "X-K\\u0065y": "b" } }] }',
      '`X-Key` twice in one object (again at line 2, column 30)',
    ],
  ])('a field written twice in %s is refused, naming it and where', async (_, content, problem) => {
    const { file, message } = await refusal(content);
    expect(message).toBe(
      `\`forwardFile\` ${file}: has the field ${problem}; JSON keeps only the last`,
    );
  });

  test('the same field in sibling objects and a key-like string value are taken', () => {
    const file = forwardFile(
      '{ "destinations": [\n' +
        '  { "name": "a", "format": "vote", "url": "https://a.example.com/{vote}" },\n' +
        '  { "name": "b", "format": "vote", "url": "https://b.example.com/{vote}?\\"name\\":" }\n] }',
    );
    expect(() => createCollector({ forwardFile: file })).not.toThrow();
  });

  test('a header using a variable that is not set is refused, naming the variable', async () => {
    const headers = { Authorization: `Bearer ${secret('NO_SUCH_FORWARD_KEY')}` };
    const { message } = await refusal({ destinations: [{ ...VOTE, headers }] });
    expect(message).toContain('destination "bots": `headers.Authorization`');
    expect(message).toContain('NO_SUCH_FORWARD_KEY');
  });

  test.each([
    ['empty', 'EMPTY_FORWARD_KEY', '', 'is empty'],
    ['of only spaces', 'BLANK_FORWARD_KEY', '  ', 'holds only spaces'],
  ])('a variable %s is refused like one not set, naming it', async (_, name, value, why) => {
    const headers = { Authorization: `Bearer ${secret(name)}` };
    const { message } = await refusal({ destinations: [{ ...VOTE, headers }] }, { [name]: value });
    expect(message).toContain(
      `destination "bots": \`headers.Authorization\` uses ${secret(name)}, but the variable ${name} ${why}`,
    );
  });

  test('a header a variable fills with a line break is refused, without its value', async () => {
    const headers = { Authorization: `Bearer ${secret('BROKEN_FORWARD_KEY')}` };
    const { message } = await refusal(
      { destinations: [{ ...VOTE, headers }] },
      { BROKEN_FORWARD_KEY: 'key-1\r\nX-Injected: yes' },
    );
    expect(message).toContain('destination "bots": `headers.Authorization` holds a character');
    expect(message).not.toContain('key-1');
  });

  test('a url using a variable that is not set is refused, naming the variable', async () => {
    const url = `https://bots.example.com/${secret('NO_SUCH_TENANT')}/{conversationId}/{vote}`;
    const { message } = await refusal({ destinations: [{ ...VOTE, url }] });
    expect(message).toContain(
      `destination "bots": \`url\` uses ${secret('NO_SUCH_TENANT')}, but no variable NO_SUCH_TENANT is set`,
    );
  });

  test.each([
    [{ url: 'ftp://bots.example.com/' }, '`url`'],
    [{ url: 'https://bots.example.com/{chatId}' }, '{chatId}'],
    [{ name: 'Bots!' }, '`name`'],
    [{ values: { neutral: 0 } }, '`values.neutral`'],
    [{ values: { up: 0 } }, '`values.up`'],
    [{ scale: '0..1' }, '`scale` does not apply to format vote'],
    [{ score_name: 'x' }, '`score_name`'],
    [{ when: { rating: ['sideways'] } }, '`when.rating`'],
  ])('a bad field is refused: %j', async (change, named) => {
    const { message } = await refusal({ destinations: [{ ...VOTE, ...change }] });
    expect(message).toContain(named);
  });

  /** Each kind of refusal: the file's content (none: it does not exist), the problem after it. */
  const PROBLEMS: [string, unknown, string][] = [
    ['a file that does not exist', undefined, ': cannot be read (ENOENT)'],
    ['bad JSON', '{ "destinations": [ ', ': is not valid JSON at line 1, column 21'],
    [
      'a missing field',
      { destinations: [{ name: 'bots', format: 'vote' }] },
      ': destination "bots": `url` must be an http(s) URL',
    ],
    [
      'an unknown destination field',
      { destinations: [{ ...VOTE, method: 'PUT' }] },
      ': destination "bots": `method` is not a field',
    ],
    [
      'a placeholder without its variable',
      { destinations: [{ ...VOTE, url: `https://bots.example.com/${secret('NO_SUCH_TENANT')}` }] },
      `: destination "bots": \`url\` uses ${secret('NO_SUCH_TENANT')}, but no variable NO_SUCH_TENANT is set`,
    ],
  ];
  const fileHolding = (content: unknown) =>
    content === undefined ? '/nonexistent/forward.json' : forwardFile(content);

  test.each(PROBLEMS)(
    'createCollector names %s as the option it was given, `forwardFile`',
    (_, content, problem) => {
      const file = fileHolding(content);
      expect(() => createCollector({ forwardFile: file, env: {} })).toThrow(
        `\`forwardFile\` ${file}${problem}`,
      );
    },
  );

  test.each(PROBLEMS)(
    'the collector process names %s as its variable, `FORWARD_FILE`',
    async (_, content, problem) => {
      const file = fileHolding(content);
      const error = await startCollector({ env: { FORWARD_FILE: file } }).then(
        () => new Error('the collector started'),
        (problem: Error) => problem,
      );
      expect(messages(error.message).slice(1)).toEqual([
        expect.stringContaining(`\`FORWARD_FILE\` ${file}${problem}`),
      ]);
    },
  );

  test('the collector process stops with one line naming the file, destination and field', async () => {
    const file = forwardFile({ destinations: [{ ...VOTE, format: 'stars' }] });
    const started = startCollector({ env: { FORWARD_FILE: file } });
    const error = await started.then(
      () => new Error('the collector started'),
      (problem: Error) => problem,
    );
    const lines = messages(error.message);
    expect(lines[0]).toBe('The collector exited with 1:');
    expect(lines.slice(1)).toEqual([
      expect.stringContaining(`${file}: destination "bots": \`format\``),
    ]);
  });
});
