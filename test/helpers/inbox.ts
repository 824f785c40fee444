import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { minimalEvent, send } from './collector';

/**
 * What the inbox's browser tests do besides using the page: post votes as widgets would, and
 * change and read them as a teammate would (`kim` unless named), through the collector at
 * `origin()`, signed in by `authorization(user)`. Ids are `prefix-1`, `prefix-2`… and each vote
 * is a second newer than the one before.
 */
export function inboxTeam(
  origin: () => string,
  authorization: (user: string) => string,
  prefix: string,
) {
  let count = 0;
  return {
    /** Posts a vote; resolves with its id. */
    async vote(overrides: Record<string, unknown> = {}): Promise<string> {
      const id = `${prefix}-${++count}`;
      const body = minimalEvent(id, {
        created_at: new Date(Date.now() - 3_600_000 + count * 1000).toISOString(),
        ...overrides,
      });
      const { status } = await send(`${origin()}/api/feedback`, { body });
      expect(status).toBe(201);
      return id;
    },
    /** A change made by a teammate, through the route the inbox uses. */
    async patch(id: string, body: Record<string, unknown>, user = 'kim'): Promise<void> {
      const { status } = await send(`${origin()}/api/feedback/${id}`, {
        method: 'PATCH',
        body,
        headers: { Authorization: authorization(user) },
      });
      expect(status).toBe(200);
    },
    /** The record as the collector holds it. */
    async stored(id: string) {
      const { body } = await send(`${origin()}/api/feedback/${id}`, {
        headers: { Authorization: authorization('kim') },
      });
      return body;
    },
  };
}

/** The inbox's list of votes, its rows and each row's leading line, and the open vote. */
export const votesList = (page: Page) => page.getByRole('list', { name: 'Votes' });
export const rows = (page: Page) => votesList(page).getByRole('listitem');
export const headlines = (page: Page): Promise<string[]> =>
  rows(page).locator('.headline').allTextContents();
export const detail = (page: Page) => page.getByRole('region', { name: 'Vote' });
