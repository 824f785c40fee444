import { rmSync } from 'node:fs';
import { afterAll, describe, expect, test } from 'vitest';
import { type CreateCollectorOptions, createCollector } from '../../collector/src/collector';
import { CollectorConfigError } from '../../collector/src/config';
import {
  listenCollector,
  minimalEvent,
  pgliteDataDir,
  send,
  startCollector,
} from '../helpers/collector';

const silent = { write() {} };

/** What `createCollector(options)` throws; the collectors it takes are closed again. */
async function refusalOf(options: unknown): Promise<unknown> {
  try {
    await createCollector(options as CreateCollectorOptions).close();
  } catch (error) {
    return error;
  }
}

describe('createCollector’s options', () => {
  test('an option it does not know is refused, naming it and the option spelled alike', async () => {
    expect(await refusalOf({ databaseURL: 'postgres://db.example/votes' })).toEqual(
      new CollectorConfigError('databaseURL', 'is not an option: did you mean `databaseUrl`?'),
    );
    expect(await refusalOf({ BASE_PATH: '/feedback' })).toEqual(
      new CollectorConfigError('BASE_PATH', 'is not an option: did you mean `basePath`?'),
    );
    expect(await refusalOf({ colour: 'blue' })).toEqual(
      new CollectorConfigError(
        'colour',
        'is not an option: the options are the variables of `npx feedback-collector --help` in camelCase, such as databaseUrl.',
      ),
    );
  });

  test.each<[string, unknown, string, string]>([
    ['host', 123, 'a string', 'a number'],
    ['dataDir', 5, 'a string', 'a number'],
    ['databaseUrl', 5, 'a string', 'a number'],
    ['adminToken', 1234567890123456, 'a string', 'a number'],
    ['retention', 30, 'a string', 'a number'],
    ['port', '8080', 'a number', 'a string'],
    ['shutdownGraceMs', 'x', 'a number', 'a string'],
    ['trustProxy', true, 'a number', 'a boolean'],
    ['feedbackSecret', 123, 'a comma-separated string or a list of strings', 'a number'],
    ['allowedOrigins', 5, 'a comma-separated string or a list of strings', 'a number'],
    ['redact', 5, 'a comma-separated string or a list of strings', 'a number'],
    ['voteWindow', true, 'a string such as 24h, or a number of ms', 'a boolean'],
    ['logDestination', {}, 'an object with a write(line) method', 'an object'],
  ])(
    '%s given as %o is refused, naming the option, never its value',
    async (option, value, expected, given) => {
      expect(await refusalOf({ logDestination: silent, [option]: value })).toEqual(
        new CollectorConfigError(option, `must be ${expected}: got ${given}.`),
      );
    },
  );

  test.each([
    ['voteWindow', '740000d'],
    ['voteWindow', 36_501 * 86_400_000],
    ['forwardMaxAge', '99999999d'],
  ])('a %s past 100 years is refused, naming the largest taken: %s', async (option, value) => {
    expect(await refusalOf({ logDestination: silent, [option]: value })).toEqual(
      new CollectorConfigError(
        option,
        `must be at most 36500d (100 years), or forever: "${value}"`,
      ),
    );
  });

  test.each(['feedbackSecret', 'adminToken'])(
    '%s of whitespace only is refused, not taken for unset',
    async (option) => {
      const refusal = await refusalOf({ logDestination: silent, [option]: ' \t ' });
      expect(refusal).toBeInstanceOf(CollectorConfigError);
      expect((refusal as Error).message).toMatch(new RegExp(`^\`${option}\` must be`));
    },
  );

  test.each([
    ['host=127.0.0.1 password=s3cret dbname=votes', 'got one without a scheme'],
    ['db.example:5432/votes?password=s3cret', '"db.example:…"'],
    ['mysql://feedback:s3cret@db.example/votes', '"mysql://…"'],
  ])(
    'a databaseUrl that is not a postgres:// URL is refused, never quoting it: %s',
    async (url, given) => {
      expect(await refusalOf({ logDestination: silent, databaseUrl: url })).toEqual(
        new CollectorConfigError(
          'databaseUrl',
          `must be a PostgreSQL connection string, postgres://…: ${given}`,
        ),
      );
    },
  );

  test.each(['/a/../b', '/feedback/.', '/./feedback'])(
    'a basePath with . or .. segments is refused: %s',
    async (path) => {
      expect(await refusalOf({ logDestination: silent, basePath: path })).toEqual(
        new CollectorConfigError('basePath', `must not hold . or .. segments: "${path}"`),
      );
    },
  );

  test('an allowedOrigins entry with a port above 65535 is refused, naming it', async () => {
    expect(
      await refusalOf({ logDestination: silent, allowedOrigins: 'https://a.example.com:99999' }),
    ).toEqual(
      new CollectorConfigError(
        'allowedOrigins',
        'has a port above 65535, which no page is served from: "https://a.example.com:99999"',
      ),
    );
  });

  test('a redact of off with spaces around it is off: an email is kept', async () => {
    const collector = await listenCollector({ dataDir: pgliteDataDir(), redact: ' off ' });
    try {
      const comment = 'write to ana@example.com';
      const posted = await send(`${collector.url}api/feedback`, {
        body: minimalEvent('redact-off', { comment, conversation_id: 'conv-redact-off' }),
      });
      expect(posted.status).toBe(201);
      const { body } = await send(`${collector.url}api/feedback?conversation_id=conv-redact-off`);
      expect(body.items[0].comment).toBe(comment);
    } finally {
      await collector.close();
    }
  }, 60_000);

  test('a list holding something other than text is refused, saying what it holds', async () => {
    expect(((await refusalOf({ feedbackSecret: ['s'.repeat(32), 123] })) as Error).message).toBe(
      '`feedbackSecret` must be a comma-separated string or a list of strings: got a list holding a number.',
    );
  });

  test.each([null, 'postgres://db.example/votes', ['/feedback']])(
    'options that are not an object (%o) are refused',
    async (options) => {
      expect(((await refusalOf(options)) as Error).message).toMatch(
        /^`options` must be an object of settings, such as \{ databaseUrl: process\.env\.DATABASE_URL \}: got /,
      );
    },
  );

  test('a bad value is named as the option, as the caller wrote it', async () => {
    expect(((await refusalOf({ port: 70_000 })) as Error).message).toBe(
      '`port` must be a whole number from 0 to 65535: "70000"',
    );
    expect(((await refusalOf({ basePath: 'feedback' })) as Error).message).toBe(
      '`basePath` must be a path such as /feedback: "feedback"',
    );
    expect(((await refusalOf({ shutdownGraceMs: -5 })) as Error).message).toBe(
      '`shutdownGraceMs` must be a whole number from 0 to 3600000: "-5"',
    );
  });

  test('numbers are taken where the environment takes their text, and undefined is unset', async () => {
    const options = {
      port: 8080,
      rateLimit: 10,
      readRateLimit: 20,
      requestTimeout: 30,
      trustProxy: 1,
      maxConnections: 100,
      voteWindow: 60_000,
      forwardMaxAge: 'off',
      databaseUrl: undefined,
      adminToken: undefined,
      logDestination: silent,
    };
    expect(await refusalOf(options)).toBeUndefined();
  });

  test('an empty allowedOrigins is unset: localhost pages may vote', async () => {
    const dataDir = pgliteDataDir();
    const collector = createCollector({ allowedOrigins: '', dataDir, logDestination: silent });
    try {
      const preflight = await collector.fetch(
        new Request('http://collector.test/api/feedback', {
          method: 'OPTIONS',
          headers: { Origin: 'http://localhost:5173', 'Access-Control-Request-Method': 'POST' },
        }),
      );
      expect(preflight.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    } finally {
      await collector.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('the environment’s variables', () => {
  const started: { stop(): Promise<number | null> }[] = [];
  afterAll(async () => {
    for (const collector of started) await collector.stop();
  });

  test('an empty ALLOWED_ORIGINS is unset, as every empty variable is: localhost pages may vote', async () => {
    const collector = await startCollector({ env: { ALLOWED_ORIGINS: '', RETENTION: '' } });
    started.push(collector);
    const vote = await send(`${collector.origin}/api/sentiment`, {
      body: { conversation_id: 'c-empty-origins', sentiment: 'positive' },
      headers: { Origin: 'http://localhost:5173' },
    });
    expect(vote.status).toBe(201);
  }, 60_000);
});
