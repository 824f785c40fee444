import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, vi } from 'vitest';
import { minimalEvent, send, temporaryDir } from './collector';

/** `${NAME}` as a destination file writes it, for the collector to fill from the environment. */
export function secret(name: string): string {
  return ['${', name, '}'].join('');
}

/** The six destinations of the README, each pointing at the fake vendor, names suffixed. */
export function vendorDestinations(origin: string, suffix: string) {
  return [
    {
      name: `assistants${suffix}`,
      format: 'score',
      scale: '0..1',
      url: `${origin}/v1/Assistants/asst_1/Feedbacks`,
      headers: { Authorization: `Basic ${secret('ASSISTANTS_BASIC_AUTH')}` },
    },
    {
      name: `bot-votes${suffix}`,
      format: 'vote',
      url: `${origin}/v1/conversation/{conversationId}/{vote}`,
      headers: { Authorization: `Bearer ${secret('BOTS_API_KEY')}` },
    },
    {
      name: `sight${suffix}`,
      format: 'sentiment',
      url: `${origin}/v1/feedback`,
      headers: { Authorization: `Bearer ${secret('SIGHT_API_KEY')}` },
    },
    {
      name: `apala${suffix}`,
      format: 'quality',
      url: `${origin}/v1/messages/feedback`,
      headers: { Authorization: `Bearer ${secret('APALA_API_KEY')}` },
    },
    {
      name: `langfuse${suffix}`,
      format: 'langfuse',
      url: `${origin}/api/public/scores`,
      headers: { Authorization: `Basic ${secret('LANGFUSE_BASIC_AUTH')}` },
    },
    {
      name: `events${suffix}`,
      format: 'event',
      url: `${origin}/api/feedback`,
      headers: { Authorization: `Bearer ${secret('EVENT_API_KEY')}` },
    },
  ];
}

/** Writes a FORWARD_FILE into a fresh temporary directory and returns its path. */
export function forwardFile(content: unknown): string {
  const file = join(temporaryDir(), 'forward.json');
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

/**
 * The README's `down_rate` alert `bad-answers`: half or more of a message's votes in an hour
 * down, 10 votes at least; it posts JSON to `url`.
 */
export function badAnswersAlert(url = 'https://ops.example.com/hook') {
  return {
    name: 'bad-answers',
    when: 'down_rate',
    by: 'message',
    window: '1h',
    min_votes: 10,
    threshold: 0.5,
    format: 'json',
    url,
  };
}

/** A complete `event` body; `overrides` replace or add fields. */
export function eventBody(id: string, overrides: Record<string, unknown> = {}) {
  return minimalEvent(id, {
    value: 100,
    scale: { min: -100, max: 100 },
    conversation_id: `conv-${id}`,
    created_at: '2026-03-01T12:00:00.000Z',
    ...overrides,
  });
}

export interface DestinationCounts {
  destination: string;
  pending: number;
  delivered: number;
  failed: number;
}

/** Waits until `/api/deliveries/stats` shows `expected` for each destination named in it. */
export async function waitForCounts(
  collectorUrl: string,
  expected: Partial<DestinationCounts>[],
  timeout = 60_000,
): Promise<void> {
  await vi.waitFor(
    async () => {
      const { body } = await send(`${collectorUrl}api/deliveries/stats`);
      const byName = new Map<string, DestinationCounts>(
        body.destinations.map((entry: DestinationCounts) => [entry.destination, entry]),
      );
      for (const counts of expected) {
        expect(byName.get(counts.destination as string)).toMatchObject(counts);
      }
    },
    { timeout, interval: 50 },
  );
}
