// @vitest-environment node
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signFeedbackToken } from '../../collector/src/token';
import { recordEvents, recordedEvents, widgetControls } from '../helpers/browser';
import { useBrowser } from '../helpers/browser-suite';
import { type CollectorProcess, send, startCollector } from '../helpers/collector';

const SECRET = 'demo-secret-'.padEnd(40, 'x');
const POLL = { timeout: 10_000 };

let collector: CollectorProcess;
let t: Parameters<Parameters<typeof useBrowser>[0]>[0];
beforeAll(async () => {
  collector = await startCollector({ demo: true, env: { FEEDBACK_SECRET: SECRET } });
});
afterAll(async () => {
  await collector?.stop();
});
useBrowser((context) => {
  t = context;
});

async function stored(conversation: string) {
  const { body } = await send(`${collector.origin}/api/feedback?conversation_id=${conversation}`);
  return body.items as { message_id?: string; rating: string }[];
}

async function openChat(): Promise<{ page: Page; conversation: string }> {
  const page = await t.newPage();
  await page.goto(`${collector.origin}/chat`);
  const conversation = (await page.locator('#conversation-id').textContent()) as string;
  return { page, conversation };
}

describe('with FEEDBACK_SECRET', () => {
  it('the chat page’s answers carry tokens the demo server minted, and their votes are stored', async () => {
    const { page, conversation } = await openChat();
    await recordEvents(page, 'feedback:sent');
    await page.getByRole('button', { name: 'Can I export my data as CSV?' }).click();
    const slot = page.locator('.message.assistant [data-feedback]').last();
    await slot.waitFor();
    const token = await slot.getAttribute('data-token');
    expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    await widgetControls(slot).up.click();
    await expect
      .poll(() => recordedEvents(page, 'feedback:sent').then((e) => e.length), POLL)
      .toBe(1);
    const [vote] = await stored(conversation);
    expect(vote).toMatchObject({
      rating: 'up',
      message_id: await slot.getAttribute('data-message-id'),
    });
    expect(t.problems.pageErrors).toEqual([]);
  });

  it('a vote with a forged token ends in feedback:error, is not retried, and nothing is stored', async () => {
    const { page, conversation } = await openChat();
    await recordEvents(page, 'feedback:error');
    const forged = await signFeedbackToken({ conversation_id: conversation }, 'f'.repeat(40));
    let posts = 0;
    page.on('request', (request) => {
      if (request.method() === 'POST' && request.url().endsWith('/api/feedback')) posts++;
    });
    await page.evaluate(
      ({ conversation, forged }) => {
        const slot = document.createElement('div');
        slot.id = 'forged';
        slot.dataset.feedback = '';
        slot.dataset.conversationId = conversation;
        slot.dataset.messageId = 'm-forged';
        slot.dataset.token = forged;
        document.getElementById('transcript')?.append(slot);
      },
      { conversation, forged },
    );
    await page.clock.install();
    await widgetControls(page.locator('#forged')).up.click();
    await expect
      .poll(() => recordedEvents(page, 'feedback:error').then((e) => e.length), POLL)
      .toBe(1);
    const [error] = await recordedEvents<{ willRetry: boolean }>(page, 'feedback:error');
    expect(error?.willRetry).toBe(false);
    await page.clock.runFor(120_000);
    expect(posts).toBe(1);
    expect(await stored(conversation)).toEqual([]);
  });
});
