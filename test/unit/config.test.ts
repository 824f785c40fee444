import { describe, expect, test } from 'vitest';
import { resolveConfig } from '../../widget/core/config';
import { ConfigError } from '../../widget/core/config-error';
import { ENDPOINT, PAGE, rejection, resolve } from '../helpers/config';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

describe('defaults', () => {
  test('an endpoint alone gives a default for every option', () => {
    expect(resolveConfig({ endpoint: ENDPOINT }, PAGE)).toStrictEqual({
      endpoint: ENDPOINT,
      format: 'event',
      conversationId: undefined,
      messageId: undefined,
      sessionId: undefined,
      userId: undefined,
      traceId: undefined,
      neutral: false,
      values: { up: 100, down: -100, neutral: 0 },
      scale: { min: -100, max: 100 },
      ask: 'down',
      reasons: undefined,
      reasonsUp: [],
      comment: true,
      commentMax: 5000,
      dedupeMs: DAY,
      allowChange: false,
      metadata: undefined,
      token: undefined,
      credentials: 'omit',
      locale: 'en',
      texts: {},
      variant: 'inline',
      theme: 'auto',
      sentAt: PAGE.now,
      messageContent: undefined,
    });
  });

  test('format score defaults to the scale 0..1 with down 0, neutral 0.5 and up 1', () => {
    const config = resolve({ format: 'score' });
    expect([config.scale, config.values]).toEqual([
      { min: 0, max: 1 },
      { up: 1, down: 0, neutral: 0.5 },
    ]);
  });

  test('format quality defaults to the scale 0..100 with down 0, neutral 50 and up 100', () => {
    const config = resolve({ format: 'quality', messageId: 'm-42' });
    expect([config.scale, config.values]).toEqual([
      { min: 0, max: 100 },
      { up: 100, down: 0, neutral: 50 },
    ]);
  });

  test('format vote defaults to up 100 and down -100', () => {
    const { values } = resolve({ format: 'vote' });
    expect([values.up, values.down]).toEqual([100, -100]);
  });

  test('the subject ids and the user id are trimmed, and blank ones are absent', () => {
    const config = resolve({
      conversationId: ' conv-123 ',
      messageId: '  ',
      sessionId: '\ts-9\n',
      userId: '',
    });
    expect([config.conversationId, config.messageId, config.sessionId, config.userId]).toEqual([
      'conv-123',
      undefined,
      's-9',
      undefined,
    ]);
  });

  test.each(['conversationId', 'messageId', 'sessionId', 'userId', 'traceId'] as const)(
    "%s over the collector's 200 characters is rejected; 200 emoji are 200 characters",
    (key) => {
      expect(resolve({ [key]: '😀'.repeat(200) })[key]).toBe('😀'.repeat(200));
      expect(rejection({ endpoint: ENDPOINT, [key]: 'x'.repeat(201) })).toMatchObject({
        option: key,
        message: `\`${key}\` must be at most 200 characters`,
      });
    },
  );

  test('a lone surrogate in the message content (an emoji cut in two) becomes U+FFFD', () => {
    expect(resolve({ messageContent: 'Try 😀'.slice(0, 5) }).messageContent).toBe('Try \ufffd');
  });

  test('visible texts and the message content are passed through as written', () => {
    const config = resolve({
      prompt: 'Did this answer help?',
      labelUp: 'Yes',
      labelDown: 'No',
      labelNeutral: 'Meh',
      thanks: 'Noted!',
      messageContent: ' The answer ',
    });
    expect([config.texts, config.messageContent]).toEqual([
      { prompt: 'Did this answer help?', up: 'Yes', down: 'No', neutral: 'Meh', thanks: 'Noted!' },
      ' The answer ',
    ]);
  });

  test('a blank visible text (a template whose translation is missing) leaves the built-in one', () => {
    const config = resolve({
      prompt: '',
      labelUp: '  ',
      labelDown: '\n',
      labelNeutral: '',
      thanks: ' ',
      queuedText: '',
      failedText: '\t',
    });
    expect(config.texts).toEqual({});
  });

  test('every valid choice of ask, credentials, variant and theme is accepted', () => {
    const config = resolve({
      ask: 'always',
      credentials: 'include',
      variant: 'compact',
      theme: 'dark',
    });
    expect([config.ask, config.credentials, config.variant, config.theme]).toEqual([
      'always',
      'include',
      'compact',
      'dark',
    ]);
  });
});

describe('endpoint', () => {
  test('a missing endpoint is rejected as required', () => {
    expect(rejection({})).toMatchObject({
      option: 'endpoint',
      message: '`endpoint` is required',
    });
  });

  test('a blank endpoint is rejected as required', () => {
    expect(rejection({ endpoint: '   ' })).toMatchObject({
      option: 'endpoint',
      message: '`endpoint` is required',
    });
  });

  test('the error is a ConfigError whose option and reason are kept apart', () => {
    const error = rejection({ endpoint: 'ftp://files.example.com/feedback' });
    expect(error).toBeInstanceOf(ConfigError);
    expect([error.name, error.option, error.reason]).toEqual([
      'ConfigError',
      'endpoint',
      'must be an http(s) URL without credentials, got "ftp://files.example.com/feedback"',
    ]);
  });

  test.each([
    'ftp://files.example.com/feedback',
    'javascript:alert(1)',
    'data:text/plain,x',
    'http://',
    // Credentials in the URL make fetch() refuse every request.
    'https://user:secret@api.example.com/feedback',
    'https://user@api.example.com/feedback',
    'https://:secret@api.example.com/feedback',
  ])('the endpoint %s, not an http(s) URL without credentials, is rejected', (endpoint) => {
    expect(rejection({ endpoint })).toMatchObject({
      option: 'endpoint',
      message: `\`endpoint\` must be an http(s) URL without credentials, got "${endpoint}"`,
    });
  });

  test('a relative endpoint is not an http(s) URL without a base', () => {
    expect(
      rejection({ endpoint: '/api/feedback' }, { ...PAGE, baseUrl: 'about:blank' }),
    ).toMatchObject({
      option: 'endpoint',
      message: '`endpoint` must be an http(s) URL without credentials, got "/api/feedback"',
    });
  });

  test('an absolute-path endpoint is resolved against the page URL', () => {
    expect(resolve({ endpoint: '/api/feedback' }).endpoint).toBe(
      'https://help.example.com/api/feedback',
    );
  });

  test('a path-relative endpoint is resolved against the page URL without its query', () => {
    expect(resolve({ endpoint: 'feedback' }).endpoint).toBe(
      'https://help.example.com/articles/feedback',
    );
  });

  test('an http endpoint is accepted as written', () => {
    expect(resolve({ endpoint: 'http://localhost:8787/api/feedback' }).endpoint).toBe(
      'http://localhost:8787/api/feedback',
    );
  });

  test('placeholders stay literal in the resolved endpoint, in the path and in the query', () => {
    const config = resolve({
      endpoint: '/c/{conversationId}/{vote}?m={messageId}&s={sessionId}&r={rating}',
      conversationId: 'conv-123',
      messageId: 'm-42',
      sessionId: 's-9',
    });
    expect(config.endpoint).toBe(
      'https://help.example.com/c/{conversationId}/{vote}?m={messageId}&s={sessionId}&r={rating}',
    );
  });

  test.each(['{conversation}', '{Vote}', '{}'])(
    'the unknown placeholder %s is rejected',
    (name) => {
      expect(rejection({ endpoint: `https://api.example.com/${name}` })).toMatchObject({
        option: 'endpoint',
        message: `\`endpoint\` has an unknown placeholder ${name}`,
      });
    },
  );

  test.each(['{constructor}', '{toString}', '{__proto__}'])(
    'the placeholder %s, named like an Object.prototype member, is rejected as unknown',
    (name) => {
      expect(rejection({ endpoint: `https://api.example.com/${name}` })).toMatchObject({
        option: 'endpoint',
        message: `\`endpoint\` has an unknown placeholder ${name}`,
      });
    },
  );

  test('a kebab-case placeholder such as {conversation-id} is rejected as unknown', () => {
    const error = rejection({
      endpoint: 'https://api.example.com/c/{conversation-id}',
      conversationId: 'conv-123',
    });
    expect(error).toMatchObject({
      option: 'endpoint',
      message: '`endpoint` has an unknown placeholder {conversation-id}',
    });
  });

  test.each([
    ['{conversationId}', 'conversationId'],
    ['{messageId}', 'messageId'],
    ['{sessionId}', 'sessionId'],
  ] as const)(
    'the placeholder %s without its id names the missing id option',
    (placeholder, option) => {
      expect(rejection({ endpoint: `https://api.example.com/x/${placeholder}` })).toMatchObject({
        option,
        message: `\`${option}\` is required by the endpoint's ${placeholder}, and not . or ..`,
      });
    },
  );

  test('a placeholder written percent-encoded is checked as one', () => {
    expect(rejection({ endpoint: 'https://api.example.com/api/%7Bconversation%7D' })).toMatchObject(
      {
        option: 'endpoint',
        message: '`endpoint` has an unknown placeholder {conversation}',
      },
    );
    expect(
      rejection({ endpoint: 'https://api.example.com/c/%7BconversationId%7D/vote' }),
    ).toMatchObject({ option: 'conversationId' });
  });

  test.each(['.', '..', ' .. '])(
    'the id %j is refused for a placeholder, as the URL would drop it as a dot segment',
    (conversationId) => {
      expect(
        rejection({ endpoint: 'https://api.example.com/c/{conversationId}/vote', conversationId }),
      ).toMatchObject({ option: 'conversationId' });
    },
  );

  test('a blank conversation id does not satisfy the {conversationId} placeholder', () => {
    expect(
      rejection({ endpoint: 'https://api.example.com/c/{conversationId}', conversationId: ' ' }),
    ).toMatchObject({ option: 'conversationId' });
  });
});

describe('format', () => {
  test('an unknown format is rejected, listing the known ones', () => {
    expect(rejection({ endpoint: ENDPOINT, format: 'xml' })).toMatchObject({
      option: 'format',
      message: '`format` must be one of event, sentiment, vote, score, quality, got "xml"',
    });
  });

  test('format quality without a message id is rejected', () => {
    expect(rejection({ endpoint: ENDPOINT, format: 'quality' })).toMatchObject({
      option: 'messageId',
      message: '`messageId` is required by format quality',
    });
  });
});

describe('flags', () => {
  test.each(['neutral', 'comment', 'allowChange'] as const)(
    'a non-boolean %s is rejected',
    (option) => {
      expect(rejection({ endpoint: ENDPOINT, [option]: 'yes' })).toMatchObject({
        option,
        message: `\`${option}\` must be true or false, got "yes"`,
      });
    },
  );

  test('flags are case-sensitive: TRUE is not true', () => {
    expect(rejection({ endpoint: ENDPOINT, neutral: 'TRUE' })).toMatchObject({ option: 'neutral' });
  });

  test('true, false and a bare attribute ("") set flags', () => {
    const on = resolve({ neutral: 'true', comment: 'false', allowChange: '' });
    expect([on.neutral, on.comment, on.allowChange]).toEqual([true, false, true]);
  });
});

describe('values', () => {
  test.each([
    ['event', 'upValue', '150', '`upValue` must be a number from -100 to 100, got "150"'],
    ['event', 'downValue', '-101', '`downValue` must be a number from -100 to 100, got "-101"'],
    ['event', 'neutralValue', 'abc', '`neutralValue` must be a number from -100 to 100, got "abc"'],
    ['event', 'upValue', '', '`upValue` must be a number from -100 to 100, got ""'],
    ['event', 'upValue', ' ', '`upValue` must be a number from -100 to 100, got " "'],
    ['score', 'upValue', '1.5', '`upValue` must be a number from 0 to 1, got "1.5"'],
    ['score', 'downValue', '-0.1', '`downValue` must be a number from 0 to 1, got "-0.1"'],
    ['quality', 'upValue', '101', '`upValue` must be a number from 0 to 100, got "101"'],
    ['quality', 'neutralValue', 'NaN', '`neutralValue` must be a number from 0 to 100, got "NaN"'],
    ['vote', 'upValue', '0', '`upValue` must be a whole number from 1 to 100, got "0"'],
    ['vote', 'upValue', '101', '`upValue` must be a whole number from 1 to 100, got "101"'],
    ['vote', 'upValue', '50.5', '`upValue` must be a whole number from 1 to 100, got "50.5"'],
    ['vote', 'downValue', '-1.5', '`downValue` must be a whole number from -100 to -1, got "-1.5"'],
    ['vote', 'downValue', '0', '`downValue` must be a whole number from -100 to -1, got "0"'],
    ['vote', 'downValue', '1', '`downValue` must be a whole number from -100 to -1, got "1"'],
    ['vote', 'downValue', '-101', '`downValue` must be a whole number from -100 to -1, got "-101"'],
  ] as const)('format %s rejects %s="%s"', (format, option, value, message) => {
    const raw = { endpoint: ENDPOINT, format, messageId: 'm-42', [option]: value };
    expect(rejection(raw)).toMatchObject({ option, message });
  });

  test.each([
    ['event', { upValue: '100', downValue: '-100', neutralValue: '0' }],
    ['score', { upValue: '1', downValue: '0', neutralValue: '0.25' }],
    ['quality', { upValue: '90', downValue: '10', neutralValue: '50' }],
    ['vote', { upValue: '1', downValue: '-1' }],
  ] as const)('format %s accepts values at and within its bounds', (format, raw) => {
    const { values } = resolve({ format, messageId: 'm-42', ...raw });
    expect(values).toMatchObject({
      up: Number(raw.upValue),
      down: Number(raw.downValue),
    });
  });

  test.each(['upValue', 'downValue', 'neutralValue'] as const)(
    'format sentiment rejects %s',
    (option) => {
      expect(rejection({ endpoint: ENDPOINT, format: 'sentiment', [option]: '1' })).toMatchObject({
        option,
        message: `\`${option}\` does not apply to format sentiment`,
      });
    },
  );

  test('values are checked against a custom scale', () => {
    expect(
      rejection({ endpoint: ENDPOINT, format: 'score', scale: '0..10', upValue: '11' }),
    ).toMatchObject({
      option: 'upValue',
      message: '`upValue` must be a number from 0 to 10, got "11"',
    });
  });

  test.each([
    ['score', '0..10', { up: 10, down: 0, neutral: 5 }],
    ['quality', '1..5', { up: 5, down: 1, neutral: 3 }],
    ['event', '0..10', { up: 10, down: 0, neutral: 5 }],
  ] as const)('format %s with scale %s changes the default values', (format, scale, values) => {
    const config = resolve({ format, scale, messageId: 'm-42' });
    expect([config.scale, config.values]).toEqual([
      { min: Number(scale.split('..')[0]), max: Number(scale.split('..')[1]) },
      values,
    ]);
  });

  test('a value set explicitly is kept next to the custom scale defaults', () => {
    expect(resolve({ format: 'score', scale: '0..10', upValue: '8' }).values).toEqual({
      up: 8,
      down: 0,
      neutral: 5,
    });
  });
});

describe('scale', () => {
  test.each(['1..', '5..1', 'a..b', '3..3', '', '0-10'])(
    'the malformed scale "%s" is rejected',
    (scale) => {
      expect(rejection({ endpoint: ENDPOINT, scale })).toMatchObject({
        option: 'scale',
        message: `\`scale\` must be MIN..MAX with MIN below MAX, both within -1e15..1e15, got "${scale}"`,
      });
    },
  );

  test('a scale with a third bound is rejected, not cut to its first two', () => {
    expect(rejection({ endpoint: ENDPOINT, scale: '0..10..20' })).toMatchObject({
      option: 'scale',
    });
  });

  test('a scale with an infinite bound is rejected', () => {
    expect(rejection({ endpoint: ENDPOINT, format: 'score', scale: '0..Infinity' })).toMatchObject({
      option: 'scale',
    });
  });

  test.each(['0..1e16', '-1.5e15..0'])(
    'a scale "%s" past the collector\'s ±1e15 is rejected',
    (scale) => {
      expect(rejection({ endpoint: ENDPOINT, format: 'score', scale })).toMatchObject({
        option: 'scale',
        message: `\`scale\` must be MIN..MAX with MIN below MAX, both within -1e15..1e15, got "${scale}"`,
      });
    },
  );

  test('a scale of -1e15..1e15 is accepted', () => {
    expect(resolve({ scale: '-1e15..1e15' }).scale).toEqual({ min: -1e15, max: 1e15 });
  });

  test('spaces around the bounds are allowed', () => {
    expect(resolve({ scale: ' -5 .. 5 ' }).scale).toEqual({ min: -5, max: 5 });
  });

  test.each(['vote', 'sentiment'])('format %s rejects a scale', (format) => {
    expect(rejection({ endpoint: ENDPOINT, format, scale: '0..10' })).toMatchObject({
      option: 'scale',
      message: `\`scale\` does not apply to format ${format}`,
    });
  });
});

describe('neutral', () => {
  test('neutral is rejected with format vote', () => {
    expect(rejection({ endpoint: ENDPOINT, format: 'vote', neutral: 'true' })).toMatchObject({
      option: 'neutral',
      message: '`neutral` cannot be used with upvote/downvote endpoints',
    });
  });

  test('neutral is rejected with an endpoint holding {vote}', () => {
    const raw = {
      endpoint: 'https://api.example.com/c/{conversationId}/{vote}',
      conversationId: 'conv-123',
      neutral: 'true',
    };
    expect(rejection(raw)).toMatchObject({
      option: 'neutral',
      message: '`neutral` cannot be used with upvote/downvote endpoints',
    });
  });

  test('neutral is accepted with an endpoint holding {rating}', () => {
    const config = resolve({ endpoint: 'https://api.example.com/r/{rating}', neutral: 'true' });
    expect(config.neutral).toBe(true);
  });
});

describe('choices', () => {
  test.each([
    ['ask', 'sometimes', 'down, always, never'],
    ['credentials', 'all', 'omit, same-origin, include'],
    ['variant', 'big', 'inline, compact'],
    ['theme', 'blue', 'auto, light, dark'],
  ] as const)(
    'the bad %s "%s" is rejected, listing the allowed values',
    (option, value, allowed) => {
      expect(rejection({ endpoint: ENDPOINT, [option]: value })).toMatchObject({
        option,
        message: `\`${option}\` must be one of ${allowed}, got "${value}"`,
      });
    },
  );
});

describe('dedupe', () => {
  test.each([
    ['30m', 30 * MINUTE],
    ['24h', DAY],
    ['7d', 7 * DAY],
    ['90m', 90 * MINUTE],
    ['forever', Number.POSITIVE_INFINITY],
    ['off', 0],
  ])('dedupe %s is %d ms', (dedupe, ms) => {
    expect(resolve({ dedupe }).dedupeMs).toBe(ms);
  });

  test.each(['0m', '00m', '10x', '1w', '24', 'h', '1.5h', ' 24h', 'Forever'])(
    'the bad dedupe "%s" is rejected',
    (dedupe) => {
      expect(rejection({ endpoint: ENDPOINT, dedupe })).toMatchObject({
        option: 'dedupe',
        message: `\`dedupe\` must be like 30m, 24h, 7d, forever or off, got "${dedupe}"`,
      });
    },
  );
});

describe('metadata', () => {
  test('a JSON object is parsed', () => {
    expect(resolve({ metadata: '{"plan":"pro","seats":3}' }).metadata).toEqual({
      plan: 'pro',
      seats: 3,
    });
  });

  test.each(['[1,2]', 'null', '"x"', '42', 'x', '{"plan":', ''])(
    'metadata %s is rejected as not a JSON object',
    (metadata) => {
      expect(rejection({ endpoint: ENDPOINT, metadata })).toMatchObject({
        option: 'metadata',
        message: `\`metadata\` must be a JSON object, got ${metadata}`,
      });
    },
  );

  test('a lone surrogate in a string (an emoji cut in two) becomes U+FFFD', () => {
    const metadata = JSON.stringify({ title: 'Résumé 😀'.slice(0, 8), tags: ['😀'.slice(1)] });
    expect(resolve({ metadata }).metadata).toEqual({ title: 'Résumé \ufffd', tags: ['\ufffd'] });
  });

  test('the error quotes at most 80 characters of the metadata', () => {
    const metadata = `[${'1,'.repeat(100)}1]`;
    expect(rejection({ endpoint: ENDPOINT, metadata }).message).toBe(
      `\`metadata\` must be a JSON object, got ${metadata.slice(0, 80)}`,
    );
  });
});

describe('token', () => {
  test('a token is trimmed', () => {
    expect(resolve({ token: '  pk_live_123  ' }).token).toBe('pk_live_123');
  });

  test.each(['', '   '])('an empty token %j means none', (token) => {
    expect(resolve({ token }).token).toBeUndefined();
  });

  test.each([
    ['a space', 'pk live'],
    ['a tab', 'pk\tlive'],
    ['a newline', 'pk\nlive'],
    ['a control character', 'pk\u0001live'],
    ['DEL', 'pk\u007flive'],
    ['a non-ASCII letter', 'pk_lïve'],
  ])('a token with %s is rejected', (_, token) => {
    expect(rejection({ endpoint: ENDPOINT, token })).toMatchObject({
      option: 'token',
      message: '`token` must be printable ASCII with no spaces',
    });
  });
});

describe('locale', () => {
  test('the locale is canonicalised', () => {
    expect(resolve({ locale: 'pt-br' }).locale).toBe('pt-BR');
  });

  test('without a locale option the locale is <html lang>', () => {
    expect(resolve({}, { ...PAGE, lang: 'de-de' }).locale).toBe('de-DE');
  });

  test('the locale option wins over <html lang>', () => {
    expect(resolve({ locale: 'fr' }, { ...PAGE, lang: 'de' }).locale).toBe('fr');
  });

  test('without a locale option or <html lang> the locale is en', () => {
    expect(resolve({}, { ...PAGE, lang: '' }).locale).toBe('en');
  });

  test('a bad locale option is rejected', () => {
    expect(rejection({ endpoint: ENDPOINT, locale: 'en_US' })).toMatchObject({
      option: 'locale',
      message: '`locale` must be a BCP 47 language tag of at most 35 characters, got "en_US"',
    });
  });

  test("a locale longer than the collector's 35 characters is rejected", () => {
    const locale = 'de-DE-u-co-phonebk-ca-gregory-nu-latn-hc';
    expect(rejection({ endpoint: ENDPOINT, locale })).toMatchObject({
      option: 'locale',
      message: `\`locale\` must be a BCP 47 language tag of at most 35 characters, got "${locale}"`,
    });
  });

  test('an <html lang> longer than 35 characters falls back to en without an error', () => {
    expect(resolve({}, { ...PAGE, lang: 'de-DE-u-co-phonebk-ca-gregory-nu-latn-hc' }).locale).toBe(
      'en',
    );
  });

  test('a bad <html lang> falls back to en without an error', () => {
    expect(resolve({}, { ...PAGE, lang: 'en_US' }).locale).toBe('en');
  });
});

describe('sent-at', () => {
  test('an ISO date-time is read as epoch ms', () => {
    expect(resolve({ sentAt: '2025-03-01T11:59:30Z' }).sentAt).toBe(
      Date.parse('2025-03-01T11:59:30Z'),
    );
  });

  test.each(['yesterday', '', '2025-13-45T00:00:00Z'])('sentAt "%s" is rejected', (sentAt) => {
    expect(rejection({ endpoint: ENDPOINT, sentAt })).toMatchObject({
      option: 'sentAt',
      message: `\`sentAt\` must be an ISO date-time, got "${sentAt}"`,
    });
  });
});

describe('comment-max', () => {
  test('a whole number is accepted', () => {
    expect(resolve({ commentMax: '200' }).commentMax).toBe(200);
  });

  test.each(['0', '1.5', '-3', 'many', '100001'])('commentMax "%s" is rejected', (commentMax) => {
    expect(rejection({ endpoint: ENDPOINT, commentMax })).toMatchObject({
      option: 'commentMax',
      message: `\`commentMax\` must be a whole number from 1 to 100000, got "${commentMax}"`,
    });
  });
});

describe('reasons', () => {
  test('reasons are split on | and trimmed, and empty entries are removed', () => {
    expect(resolve({ reasons: ' Wrong | Too long||  | Off topic |' }).reasons).toEqual([
      'Wrong',
      'Too long',
      'Off topic',
    ]);
  });

  test('a key= reason whose label is blank (a missing translation) is labelled by its key', () => {
    expect(resolve({ reasons: 'wrong=|slow= |long=Too long' }).reasons).toEqual([
      'wrong',
      'slow',
      'long=Too long',
    ]);
    expect(resolve({ reasonsUp: 'clear=' }).reasonsUp).toEqual(['clear']);
  });

  test('up reasons are split the same way', () => {
    expect(resolve({ reasonsUp: 'Clear|  Fast ' }).reasonsUp).toEqual(['Clear', 'Fast']);
  });

  test('an empty reasons attribute turns the down reasons off', () => {
    expect(resolve({ reasons: '' }).reasons).toEqual([]);
  });

  test('an empty up reasons attribute leaves no up reasons', () => {
    expect(resolve({ reasonsUp: '' }).reasonsUp).toEqual([]);
  });
});
