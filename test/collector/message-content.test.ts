import { describe, expect, test } from 'vitest';
import { type Backend, minimalEvent, send, useCollector } from '../helpers/collector';

describe.each<Backend>(['pglite', 'postgres'])('the rated message’s text on %s', (backend) => {
  const collector = useCollector(backend);
  const post = (id: string, message_content: unknown) =>
    send(`${collector.url}api/feedback`, { body: minimalEvent(id, { message_content }) });

  test('an event’s message_content is stored and answered with the record', async () => {
    const id = `${backend}-content`;
    expect((await post(id, 'Open Settings, then Security.')).status).toBe(201);
    const { body } = await send(`${collector.url}api/feedback/${id}`);
    expect(body.message_content).toBe('Open Settings, then Security.');
  });

  test('20,000 characters are taken, counted by code point', async () => {
    expect((await post(`${backend}-20k`, '😀'.repeat(20_000))).status).toBe(201);
  });

  test.each([
    ['a text over 20,000 characters', 'x'.repeat(20_001)],
    ['a number', 42],
    ['a NUL character', 'a\u0000b'],
  ])('%s answers 400 naming message_content', async (_, value) => {
    const response = await post(`${backend}-bad-content`, value);
    expect([response.status, response.body.field]).toEqual([400, 'message_content']);
    expect(response.body.error).toContain('message_content');
  });
});
