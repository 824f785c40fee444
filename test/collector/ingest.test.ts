import { describe, expect, test } from 'vitest';
import { type Backend, send, useCollector } from '../helpers/collector';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
let counter = 0;
/** A name no other test uses, so tests sharing a database never see each other's records. */
const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${++counter}`;

/** The body the widget's `event` format posts for a down vote with every field set. */
function eventBody(overrides: Record<string, unknown> = {}) {
  return {
    id: unique('evt'),
    rating: 'down',
    sentiment: 'negative',
    value: -100,
    scale: { min: -100, max: 100 },
    conversation_id: 'conv-123',
    message_id: 'm-42',
    session_id: 's-9',
    user_id: 'u-7',
    reason: 'Wrong',
    comment: 'Too vague',
    replaces: 'evt-0',
    page_url: 'https://help.example.com/articles/42',
    locale: 'de',
    created_at: '2026-11-21T10:00:00.000Z',
    metadata: { plan: 'pro' },
    ...overrides,
  };
}

describe.each<Backend>(['pglite', 'postgres'])('posting votes on %s', (backend) => {
  const collector = useCollector(backend);
  const api = (path: string) => `${collector.url}api/${path}`;
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    send(api(path), { body, headers });
  // The records as stored, without the triage state every answer adds (triage.test.ts's).
  const withoutState = ({ status, assignee, activity, ...record }: Record<string, unknown>) =>
    record;
  const stored = async (id: string) =>
    withoutState((await send(api(`feedback/${encodeURIComponent(id)}`))).body);
  const storedFor = async (conversation: string) => {
    const { body } = await send(
      api(`feedback?conversation_id=${encodeURIComponent(conversation)}`),
    );
    return { ...body, items: body.items.map(withoutState) };
  };

  describe('each format stores the canonical record', () => {
    test('an event answers 201 with its id and is stored with its fields and score 0', async () => {
      const body = eventBody();
      const response = await post('feedback', body);
      expect([response.status, response.body]).toEqual([201, { id: body.id }]);
      const record = await stored(body.id);
      expect(record).toEqual({
        ...body,
        score: 0,
        format: 'event',
        received_at: expect.stringMatching(ISO),
      });
      expect(Object.keys(record)).toEqual([...Object.keys(body), 'score', 'format', 'received_at']);
    });

    test('an event’s page_url is stored without its query and fragment, as the widget sends it', async () => {
      const body = eventBody({
        page_url: 'https://help.example.com/reset?token=abc123&email=jane%40example.com#step-2',
      });
      expect((await post('feedback', body)).status).toBe(201);
      expect((await stored(body.id)).page_url).toBe('https://help.example.com/reset');
    });

    test('an event with nothing optional is stored without the optional fields', async () => {
      const body = {
        id: unique('evt'),
        rating: 'up',
        sentiment: 'positive',
        value: 100,
        scale: { min: -100, max: 100 },
        page_url: 'https://help.example.com/articles/42',
        locale: 'en',
        created_at: '2026-11-21T10:00:00.000Z',
      };
      expect((await post('feedback', body)).status).toBe(201);
      expect(await stored(body.id)).toEqual({
        ...body,
        score: 10,
        format: 'event',
        received_at: expect.stringMatching(ISO),
      });
    });

    test('an event on a custom scale is normalised onto 0 to 10', async () => {
      const body = eventBody({
        rating: 'up',
        sentiment: 'positive',
        value: 8,
        scale: { min: 0, max: 10 },
      });
      await post('feedback', body);
      expect((await stored(body.id)).score).toBe(8);
    });

    test('a page without ids is named by its URL, which may be longer than an id', async () => {
      // What the widget sends for the sentiment and score formats when no id is set (SPEC §5).
      const page = `https://help.example.com/${'section/'.repeat(180)}article`;
      const sentiment = await post('sentiment', { conversation_id: page, sentiment: 'negative' });
      const scored = await post('assistants/a-1/feedbacks', { session_id: page, score: 1 });
      expect([sentiment.status, scored.status]).toEqual([201, 201]);
      expect((await stored(sentiment.body.id)).conversation_id).toBe(page);
      expect((await stored(scored.body.id)).session_id).toBe(page);
      const long = await post('sentiment', {
        conversation_id: 'c'.repeat(201),
        sentiment: 'negative',
      });
      expect([long.status, long.body.field]).toEqual([400, 'conversation_id']);
    });

    test('a sentiment answers 201 with a new id and splits the reason and message id out of metadata', async () => {
      const conversation = unique('conv');
      const response = await post('sentiment', {
        conversation_id: conversation,
        sentiment: 'negative',
        comment: 'Too vague',
        metadata: { plan: 'pro', reason: 'Wrong', message_id: 'm-42' },
      });
      expect(response.status).toBe(201);
      expect(response.body).toEqual({ id: expect.stringMatching(UUID) });
      expect(await stored(response.body.id)).toEqual({
        id: response.body.id,
        rating: 'down',
        sentiment: 'negative',
        value: -100,
        scale: { min: -100, max: 100 },
        conversation_id: conversation,
        message_id: 'm-42',
        reason: 'Wrong',
        comment: 'Too vague',
        created_at: expect.stringMatching(ISO),
        metadata: { plan: 'pro' },
        score: 0,
        format: 'sentiment',
        received_at: expect.stringMatching(ISO),
      });
    });

    test('a neutral sentiment is stored with score 5', async () => {
      const response = await post('sentiment', {
        conversation_id: unique('conv'),
        sentiment: 'neutral',
      });
      expect(await stored(response.body.id)).toMatchObject({
        rating: 'neutral',
        value: 0,
        score: 5,
      });
    });

    test('an upvote answers 200 with the conversation and value and is stored with score 10', async () => {
      const conversation = unique('conv');
      const response = await post(`conversations/${conversation}/upvote`, { value: 100 });
      expect([response.status, response.body]).toEqual([
        200,
        { conversation_id: conversation, value: 100 },
      ]);
      const { items } = await storedFor(conversation);
      expect(items).toEqual([
        {
          id: expect.stringMatching(UUID),
          rating: 'up',
          sentiment: 'positive',
          value: 100,
          scale: { min: -100, max: 100 },
          conversation_id: conversation,
          created_at: expect.stringMatching(ISO),
          score: 10,
          format: 'vote',
          received_at: expect.stringMatching(ISO),
        },
      ]);
    });

    test('a downvote without a value counts as -100 and keeps the joined reason', async () => {
      const conversation = unique('conv');
      const response = await post(`conversations/${conversation}/downvote`, {
        reason: 'Wrong: Too vague',
      });
      expect(response.body).toEqual({ conversation_id: conversation, value: -100 });
      const { items } = await storedFor(conversation);
      expect(items[0]).toMatchObject({
        rating: 'down',
        value: -100,
        score: 0,
        reason: 'Wrong: Too vague',
      });
    });

    test('a conversation id with reserved characters is taken from the path decoded', async () => {
      const conversation = `${unique('conv')} 1/ü?#`;
      const response = await post(`conversations/${encodeURIComponent(conversation)}/upvote`, {});
      expect(response.body).toEqual({ conversation_id: conversation, value: 100 });
      expect((await storedFor(conversation)).total).toBe(1);
    });

    test('a score answers 201 with the record and is stored on 0 to 10 for its assistant', async () => {
      const session = unique('s');
      const response = await post('assistants/demo-assistant/feedbacks', {
        session_id: session,
        score: 1,
        text: 'Wrong: Too vague',
      });
      expect(response.status).toBe(201);
      expect(response.body).toEqual({
        id: expect.stringMatching(UUID),
        assistant_id: 'demo-assistant',
        session_id: session,
        score: 1,
        text: 'Wrong: Too vague',
        created_at: expect.stringMatching(ISO),
      });
      expect(Object.keys(response.body)).toEqual([
        'id',
        'assistant_id',
        'session_id',
        'score',
        'text',
        'created_at',
      ]);
      expect(await stored(response.body.id)).toEqual({
        id: response.body.id,
        rating: 'up',
        sentiment: 'positive',
        value: 1,
        scale: { min: 0, max: 1 },
        session_id: session,
        comment: 'Wrong: Too vague',
        created_at: response.body.created_at,
        score: 10,
        format: 'score',
        received_at: expect.stringMatching(ISO),
        assistant_id: 'demo-assistant',
      });
    });

    test('a score on the scale of ?scale= is normalised, and its middle is neutral', async () => {
      const response = await post('assistants/demo-assistant/feedbacks?scale=0..10', {
        session_id: unique('s'),
        score: 5,
      });
      expect('text' in response.body).toBe(false);
      expect(await stored(response.body.id)).toMatchObject({ rating: 'neutral', score: 5 });
    });

    test('a quality answers 201 with a feedback id and keeps the message details in metadata', async () => {
      const response = await post('messages/feedback', {
        original_message_id: 'm-42',
        sent_message_content: 'Restart the router.',
        customer_responded: true,
        quality_score: 0,
        time_to_respond_ms: 30_000,
      });
      expect(response.status).toBe(201);
      expect(response.body).toEqual({ feedback_id: expect.stringMatching(UUID) });
      expect(await stored(response.body.feedback_id)).toEqual({
        id: response.body.feedback_id,
        rating: 'down',
        sentiment: 'negative',
        value: 0,
        scale: { min: 0, max: 100 },
        message_id: 'm-42',
        created_at: expect.stringMatching(ISO),
        metadata: {
          sent_message_content: 'Restart the router.',
          customer_responded: true,
          time_to_respond_ms: 30_000,
        },
        score: 0,
        format: 'quality',
        received_at: expect.stringMatching(ISO),
      });
    });

    test('a vote from a page keeps the page URL without its query and the language', async () => {
      const response = await post(
        'sentiment',
        { conversation_id: unique('conv'), sentiment: 'positive' },
        {
          Referer: 'https://help.example.com/articles/42?token=secret#answer',
          'Accept-Language': 'pt-BR,pt;q=0.9',
        },
      );
      expect(await stored(response.body.id)).toMatchObject({
        page_url: 'https://help.example.com/articles/42',
        locale: 'pt-BR',
      });
    });
  });

  describe('hostile strings', () => {
    const hostile = {
      markup: '<script>alert("x")</script><img src=x onerror=alert(1)>',
      quotes: `'"\`; \\ %s %d`,
      sql: "'; DROP TABLE feedback; --",
      emoji: '👍🏽 👨‍👩‍👧 🇺🇦',
      scripts: 'مرحبا שלום 日本語 \u202Eevil',
    };

    test.each(Object.entries(hostile))('%s is stored and returned exactly', async (_, text) => {
      const body = eventBody({
        id: `${unique('evt')}${text.replace(/[\\]/g, '')}`.slice(0, 200),
        conversation_id: text,
        reason: text,
        comment: text,
        metadata: { [text]: text, nested: [text] },
      });
      expect((await post('feedback', body)).status).toBe(201);
      expect(await stored(body.id)).toMatchObject(body);
      expect((await storedFor(text)).items.map((item: { id: string }) => item.id)).toContain(
        body.id,
      );
    });

    test.each([
      ['comment', { comment: 'a\u0000b' }],
      ['reason', { reason: '\u0000' }],
      ['conversation_id', { conversation_id: 'c\u0000' }],
      ['metadata', { metadata: { deep: { list: ['ok', 'x\u0000'] } } }],
      ['metadata', { metadata: { 'key\u0000': 1 } }],
    ])('a NUL character in %s answers 400 naming it', async (field, overrides) => {
      const response = await post('feedback', eventBody(overrides));
      expect([response.status, response.body.field]).toEqual([400, field]);
    });

    test('a lone surrogate answers 400 naming the field', async () => {
      const raw = JSON.stringify(eventBody()).replace('"Too vague"', '"\\ud800"');
      const response = await post('feedback', raw);
      expect(response.body).toEqual({
        error: '`comment` must be valid Unicode.',
        field: 'comment',
      });
    });
  });
});
