import { describe, expect, test } from 'vitest';
import type { RawOptions } from '../../widget/core/config';
import { type Choice, createEvent, pageUrlOf, subjectOf } from '../../widget/core/event';
import { toRequest } from '../../widget/core/formats';
import { CLICKED_AT, ENDPOINT, eventContext, PAGE, PAGE_URL, resolve } from '../helpers/config';

const CREATED_AT = new Date(CLICKED_AT).toISOString();

/** The request one click sends, for options as a page sets them. */
function request(raw: RawOptions, choice: Choice, context = eventContext()) {
  const config = resolve(raw);
  return toRequest(config, createEvent(config, choice, context));
}

describe('reason keys', () => {
  test('a reason given as key=Label sends the label as reason and the key as reason_key', () => {
    const { body } = request({}, { rating: 'down', reason: 'too_long.v2=Trop = long' });
    expect([body.reason, body.reason_key]).toEqual(['Trop = long', 'too_long.v2']);
  });

  test('a reason without a key sends its label as both reason and reason_key', () => {
    const { body } = request({}, { rating: 'down', reason: 'Not a key=label' });
    expect([body.reason, body.reason_key]).toEqual(['Not a key=label', 'Not a key=label']);
  });
});

describe('format event', () => {
  test('a down vote with every field set posts the whole canonical event', () => {
    const wire = request(
      {
        conversationId: 'conv-123',
        messageId: 'm-42',
        sessionId: 's-9',
        userId: 'u-7',
        traceId: 'trace-5',
        metadata: '{"plan":"pro"}',
        locale: 'de',
      },
      { rating: 'down', reason: 'wrong=Falsch', comment: 'Too vague' },
      eventContext({ replaces: 'evt-0' }),
    );
    expect(wire).toEqual({
      url: ENDPOINT,
      body: {
        id: 'evt-1',
        rating: 'down',
        sentiment: 'negative',
        value: -100,
        scale: { min: -100, max: 100 },
        conversation_id: 'conv-123',
        message_id: 'm-42',
        session_id: 's-9',
        user_id: 'u-7',
        trace_id: 'trace-5',
        reason: 'Falsch',
        reason_key: 'wrong',
        comment: 'Too vague',
        replaces: 'evt-0',
        page_url: PAGE_URL,
        locale: 'de',
        created_at: CREATED_AT,
        metadata: { plan: 'pro' },
      },
    });
  });

  test('an up vote with nothing optional set leaves every optional field out', () => {
    const { body } = request({}, { rating: 'up' });
    expect(body).toEqual({
      id: 'evt-1',
      rating: 'up',
      sentiment: 'positive',
      value: 100,
      scale: { min: -100, max: 100 },
      page_url: PAGE_URL,
      locale: 'en',
      created_at: CREATED_AT,
    });
    expect(Object.keys(body).sort()).toEqual(
      ['created_at', 'id', 'locale', 'page_url', 'rating', 'scale', 'sentiment', 'value'].sort(),
    );
  });

  test('a neutral vote has sentiment neutral and the neutral value', () => {
    const { body } = request({ neutral: 'true' }, { rating: 'neutral' });
    expect([body.rating, body.sentiment, body.value]).toEqual(['neutral', 'neutral', 0]);
  });

  test('custom values and scale travel in the event', () => {
    const { body } = request({ scale: '0..10', upValue: '8' }, { rating: 'up' });
    expect([body.value, body.scale]).toEqual([8, { min: 0, max: 10 }]);
  });

  test('the reason and the comment travel apart', () => {
    const { body } = request({}, { rating: 'down', reason: 'Wrong', comment: 'Too vague' });
    expect([body.reason, body.comment]).toEqual(['Wrong', 'Too vague']);
  });

  test('the comment is trimmed', () => {
    const { body } = request({}, { rating: 'down', comment: '  Too vague \n' });
    expect(body.comment).toBe('Too vague');
  });

  test('a blank comment and an empty reason are left out', () => {
    const { body } = request({}, { rating: 'down', reason: '', comment: ' \n ' });
    expect(['reason' in body, 'comment' in body]).toEqual([false, false]);
  });

  test('the body is the event itself, as the host page sees it in feedback:vote', () => {
    const config = resolve({ conversationId: 'conv-123' });
    const event = createEvent(config, { rating: 'up' }, eventContext());
    expect(toRequest(config, event).body).toStrictEqual({ ...event });
  });
});

describe('format sentiment', () => {
  test('a down vote with every field set posts conversation, sentiment, comment and metadata', () => {
    const wire = request(
      {
        format: 'sentiment',
        conversationId: 'conv-123',
        messageId: 'm-42',
        sessionId: 's-9',
        userId: 'u-7',
        metadata: '{"plan":"pro"}',
      },
      { rating: 'down', reason: 'Wrong', comment: 'Too vague' },
    );
    expect(wire).toEqual({
      url: ENDPOINT,
      body: {
        conversation_id: 'conv-123',
        sentiment: 'negative',
        comment: 'Too vague',
        metadata: { plan: 'pro', reason: 'Wrong', message_id: 'm-42' },
      },
    });
  });

  test('an up vote on a conversation alone posts only conversation and sentiment', () => {
    const { body } = request({ format: 'sentiment', conversationId: 'conv-123' }, { rating: 'up' });
    expect(body).toEqual({ conversation_id: 'conv-123', sentiment: 'positive' });
    expect(Object.keys(body)).toEqual(['conversation_id', 'sentiment']);
  });

  test('a neutral vote has sentiment neutral', () => {
    const { body } = request(
      { format: 'sentiment', conversationId: 'conv-123', neutral: 'true' },
      { rating: 'neutral' },
    );
    expect(body.sentiment).toBe('neutral');
  });

  test.each([
    [
      'the conversation id',
      { conversationId: 'conv-123', messageId: 'm-42', sessionId: 's-9' },
      'conv-123',
    ],
    ['else the message id', { messageId: 'm-42', sessionId: 's-9' }, 'm-42'],
    ['else the session id', { sessionId: 's-9' }, 's-9'],
    ['else the page URL', {}, PAGE_URL],
  ])('the subject is %s', (_, ids, subject) => {
    const { body } = request({ format: 'sentiment', ...ids }, { rating: 'up' });
    expect(body.conversation_id).toBe(subject);
  });

  test('the chosen reason goes in metadata.reason, not beside the comment', () => {
    const { body } = request(
      { format: 'sentiment', conversationId: 'conv-123' },
      { rating: 'down', reason: 'Wrong' },
    );
    expect(body).toEqual({
      conversation_id: 'conv-123',
      sentiment: 'negative',
      metadata: { reason: 'Wrong' },
    });
  });

  test('the message id goes in metadata.message_id', () => {
    const { body } = request(
      { format: 'sentiment', conversationId: 'conv-123', messageId: 'm-42' },
      { rating: 'up' },
    );
    expect(body.metadata).toEqual({ message_id: 'm-42' });
  });

  test('the page metadata alone is posted as the metadata', () => {
    const { body } = request(
      { format: 'sentiment', conversationId: 'conv-123', metadata: '{"plan":"pro"}' },
      { rating: 'up' },
    );
    expect(body.metadata).toEqual({ plan: 'pro' });
  });

  test('a chosen reason wins over a reason key in the page metadata', () => {
    const { body } = request(
      { format: 'sentiment', conversationId: 'conv-123', metadata: '{"reason":"page"}' },
      { rating: 'down', reason: 'Wrong' },
    );
    expect(body.metadata).toEqual({ reason: 'Wrong' });
  });

  test('a reason key in the page metadata is kept when no reason is chosen', () => {
    const { body } = request(
      { format: 'sentiment', conversationId: 'conv-123', metadata: '{"reason":"page"}' },
      { rating: 'up' },
    );
    expect(body.metadata).toEqual({ reason: 'page' });
  });
});

describe('format vote', () => {
  const endpoint = 'https://api.example.com/conversations/{conversationId}/{vote}';

  test('an up vote posts value 100 to the upvote URL', () => {
    const wire = request(
      { format: 'vote', endpoint, conversationId: 'conv-123' },
      { rating: 'up' },
    );
    expect(wire).toEqual({
      url: 'https://api.example.com/conversations/conv-123/upvote',
      body: { value: 100 },
    });
  });

  test('a down vote posts value -100 to the downvote URL', () => {
    const wire = request(
      { format: 'vote', endpoint, conversationId: 'conv-123' },
      { rating: 'down' },
    );
    expect(wire).toEqual({
      url: 'https://api.example.com/conversations/conv-123/downvote',
      body: { value: -100 },
    });
  });

  test('the reason and the comment are joined by ": "', () => {
    const { body } = request(
      { format: 'vote', endpoint, conversationId: 'conv-123' },
      { rating: 'down', reason: 'Wrong', comment: ' Too vague ' },
    );
    expect(body).toEqual({ value: -100, reason: 'Wrong: Too vague' });
  });

  test('a reason alone is sent as the reason', () => {
    const { body } = request(
      { format: 'vote', endpoint, conversationId: 'conv-123' },
      { rating: 'down', reason: 'Wrong' },
    );
    expect(body).toEqual({ value: -100, reason: 'Wrong' });
  });

  test('a comment alone is sent as the reason', () => {
    const { body } = request(
      { format: 'vote', endpoint, conversationId: 'conv-123' },
      { rating: 'down', comment: 'Too vague' },
    );
    expect(body).toEqual({ value: -100, reason: 'Too vague' });
  });

  test('custom up and down values are sent', () => {
    const raw = { format: 'vote', endpoint, conversationId: 'c', upValue: '5', downValue: '-3' };
    expect([request(raw, { rating: 'up' }).body, request(raw, { rating: 'down' }).body]).toEqual([
      { value: 5 },
      { value: -3 },
    ]);
  });
});

describe('format score', () => {
  const endpoint = 'https://api.example.com/Assistants/asst_1/Feedbacks';

  test('an up vote posts score 1 for the session', () => {
    const wire = request({ format: 'score', endpoint, sessionId: 's-9' }, { rating: 'up' });
    expect(wire).toEqual({ url: endpoint, body: { session_id: 's-9', score: 1 } });
  });

  test('a down vote posts score 0 with the reason and the comment joined as text', () => {
    const { body } = request(
      { format: 'score', endpoint, sessionId: 's-9' },
      { rating: 'down', reason: 'Wrong', comment: 'Too vague' },
    );
    expect(body).toEqual({ session_id: 's-9', score: 0, text: 'Wrong: Too vague' });
  });

  test('a neutral vote posts score 0.5', () => {
    const { body } = request(
      { format: 'score', endpoint, sessionId: 's-9', neutral: 'true' },
      { rating: 'neutral' },
    );
    expect(body).toEqual({ session_id: 's-9', score: 0.5 });
  });

  test('the score is on the custom scale', () => {
    const { body } = request(
      { format: 'score', endpoint, sessionId: 's-9', scale: '0..10' },
      { rating: 'up' },
    );
    expect(body.score).toBe(10);
  });

  test.each([
    ['the session id', { conversationId: 'conv-123', messageId: 'm-42', sessionId: 's-9' }, 's-9'],
    ['else the conversation id', { conversationId: 'conv-123', messageId: 'm-42' }, 'conv-123'],
    ['else the message id', { messageId: 'm-42' }, 'm-42'],
    ['else the page URL', {}, PAGE_URL],
  ])('the subject is %s', (_, ids, subject) => {
    const { body } = request({ format: 'score', endpoint, ...ids }, { rating: 'up' });
    expect(body.session_id).toBe(subject);
  });
});

describe('format quality', () => {
  const endpoint = 'https://api.example.com/messages/feedback';

  test('an up vote posts the message, its content, score 100 and the time to respond', () => {
    const wire = request(
      { format: 'quality', endpoint, messageId: 'm-42', messageContent: 'Restart the router.' },
      { rating: 'up' },
    );
    expect(wire).toEqual({
      url: endpoint,
      body: {
        original_message_id: 'm-42',
        sent_message_content: 'Restart the router.',
        customer_responded: true,
        quality_score: 100,
        time_to_respond_ms: 30_000,
      },
    });
  });

  test('a down vote without message content leaves the content out, and the reason too', () => {
    const { body } = request(
      { format: 'quality', endpoint, messageId: 'm-42' },
      { rating: 'down', reason: 'Wrong', comment: 'Too vague' },
    );
    expect(body).toEqual({
      original_message_id: 'm-42',
      customer_responded: true,
      quality_score: 0,
      time_to_respond_ms: 30_000,
    });
    expect('sent_message_content' in body).toBe(false);
  });

  test('a neutral vote posts quality score 50', () => {
    const { body } = request(
      { format: 'quality', endpoint, messageId: 'm-42', neutral: 'true' },
      { rating: 'neutral' },
    );
    expect(body.quality_score).toBe(50);
  });

  test('the time to respond runs from data-sent-at to the click', () => {
    const sentAt = new Date(PAGE.now - 120_000).toISOString();
    const { body } = request(
      { format: 'quality', endpoint, messageId: 'm-42', sentAt },
      { rating: 'up' },
    );
    expect(body.time_to_respond_ms).toBe(150_000);
  });

  test('the time to respond is never negative', () => {
    const sentAt = new Date(CLICKED_AT + 5_000).toISOString();
    const { body } = request(
      { format: 'quality', endpoint, messageId: 'm-42', sentAt },
      { rating: 'up' },
    );
    expect(body.time_to_respond_ms).toBe(0);
  });
});

describe('placeholders', () => {
  test('the conversation id is URL-encoded: spaces, slashes and unicode', () => {
    const { url } = request(
      {
        endpoint: 'https://api.example.com/c/{conversationId}/feedback',
        conversationId: 'conv 1/ü?#',
      },
      { rating: 'up' },
    );
    expect(url).toBe('https://api.example.com/c/conv%201%2F%C3%BC%3F%23/feedback');
  });

  test('the message and session ids are URL-encoded in the query', () => {
    const { url } = request(
      {
        endpoint: 'https://api.example.com/f?m={messageId}&s={sessionId}',
        messageId: 'a&b=c',
        sessionId: '日本',
      },
      { rating: 'up' },
    );
    expect(url).toBe('https://api.example.com/f?m=a%26b%3Dc&s=%E6%97%A5%E6%9C%AC');
  });

  test.each([
    ['up', 'up'],
    ['down', 'down'],
    ['neutral', 'neutral'],
  ] as const)('{rating} is filled with %s', (rating, filled) => {
    const { url } = request(
      { endpoint: 'https://api.example.com/ratings/{rating}', neutral: 'true' },
      { rating },
    );
    expect(url).toBe(`https://api.example.com/ratings/${filled}`);
  });

  test('a relative endpoint with placeholders is filled on the page origin', () => {
    const { url } = request(
      { endpoint: '/api/conversations/{conversationId}/{vote}', conversationId: 'conv-123' },
      { rating: 'down' },
    );
    expect(url).toBe('https://help.example.com/api/conversations/conv-123/downvote');
  });
});

describe('page URL and subject', () => {
  test.each([
    ['https://help.example.com/a/b?q=1#top', 'https://help.example.com/a/b'],
    ['https://help.example.com/a/b#top?q=1', 'https://help.example.com/a/b'],
    ['https://help.example.com/a/b?', 'https://help.example.com/a/b'],
    ['https://help.example.com/a/b', 'https://help.example.com/a/b'],
  ])('pageUrlOf(%s) is %s', (href, url) => {
    expect(pageUrlOf(href)).toBe(url);
  });

  test.each([
    ['the message id', { conversationId: 'conv-123', messageId: 'm-42', sessionId: 's-9' }, 'm-42'],
    ['else the conversation id', { conversationId: 'conv-123', sessionId: 's-9' }, 'conv-123'],
    ['else the session id', { sessionId: 's-9' }, 's-9'],
    ['else the page URL', {}, PAGE_URL],
  ])('the dedupe subject is %s', (_, ids, subject) => {
    expect(subjectOf(resolve(ids), PAGE_URL)).toBe(subject);
  });
});
