import { describe, expect, test } from 'vitest';
import { createEvent } from '../../widget/core/event';
import { toRequest } from '../../widget/core/formats';
import { eventContext, resolve } from '../helpers/config';

/** The `event` body one up vote sends for a message whose text is `messageContent`. */
function eventBody(messageContent: string | undefined) {
  const config = resolve(
    messageContent === undefined ? { messageId: 'm-42' } : { messageId: 'm-42', messageContent },
  );
  return toRequest(config, createEvent(config, { rating: 'up' }, eventContext())).body;
}

describe('message_content', () => {
  test('the rated message’s text travels in the event as message_content', () => {
    expect(eventBody('Open Settings, then Security.').message_content).toBe(
      'Open Settings, then Security.',
    );
  });

  test('without data-message-content, or with an empty one, the field is left out', () => {
    expect(eventBody(undefined)).not.toHaveProperty('message_content');
    expect(eventBody('')).not.toHaveProperty('message_content');
  });

  test('a text of 20,000 characters is sent whole', () => {
    const text = 'a'.repeat(20_000);
    expect(eventBody(text).message_content).toBe(text);
  });

  test('a longer text is cut to its first 20,000 characters', () => {
    expect(eventBody(`${'a'.repeat(20_000)}bcd`).message_content).toBe('a'.repeat(20_000));
  });

  test('characters beyond the basic plane count once and are never cut in half', () => {
    const text = '😀'.repeat(20_001);
    const sent = eventBody(text).message_content as string;
    expect([...sent]).toHaveLength(20_000);
    expect(sent).toBe('😀'.repeat(20_000));
    expect(sent).not.toMatch(/\p{Cs}/u);
  });

  test('the quality format keeps sending the text as sent_message_content, not message_content', () => {
    const config = resolve({ format: 'quality', messageId: 'm-42', messageContent: 'Hi.' });
    const { body } = toRequest(config, createEvent(config, { rating: 'up' }, eventContext()));
    expect(body).toMatchObject({ sent_message_content: 'Hi.' });
    expect(body).not.toHaveProperty('message_content');
  });

  test('the quality format sends the first 20,000 characters too, which the collector accepts', () => {
    const config = resolve({
      format: 'quality',
      messageId: 'm-42',
      messageContent: `${'😀'.repeat(20_000)}and more`,
    });
    const { body } = toRequest(config, createEvent(config, { rating: 'up' }, eventContext()));
    expect(body.sent_message_content).toBe('😀'.repeat(20_000));
  });
});

describe('comment', () => {
  test('a comment cut inside an emoji (a paste stopped by maxLength) is sent with U+FFFD in place', () => {
    const config = resolve();
    const comment = ` Works 😀 `.slice(0, 8);
    const event = createEvent(config, { rating: 'down', comment }, eventContext());
    expect(event.comment).toBe('Works \ufffd');
  });
});
