import { fireEvent } from '@testing-library/preact';
import { h } from 'preact';
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import type { WidgetProps } from '../../widget/ui/widget';
import { container, errorMessages, resetPage, shadow } from '../helpers/dom';
import { type RecordingServer, startRecordingServer } from '../helpers/recording-server';

// A view that renders once, then fails on the re-render a vote causes: the re-render runs
// where the vote's signal is written, inside the click handler.
vi.mock('../../widget/ui/widget', () => ({
  Widget: ({ feedback }: WidgetProps) => {
    if (feedback.vote.value) throw new Error('the view broke');
    return h('button', { type: 'button', onClick: () => feedback.choose('up') }, 'Helpful');
  },
}));

const { mount } = await import('../../widget/api');

let server: RecordingServer;

beforeEach(async () => {
  resetPage();
  server = await startRecordingServer();
});

afterEach(async () => {
  // The vote's answer reaches the widget first: one cut off would be retried after the file.
  await server.quiet();
  await server.close();
});

test('a view that fails to re-render is reported, and nothing reaches the host page', async () => {
  const error = vi.spyOn(console, 'error').mockImplementation(() => {});
  const uncaught = vi.fn();
  window.addEventListener('error', uncaught);
  const host = container();
  mount(host, { endpoint: `${server.origin}/api/feedback`, messageId: 'm-broken', ask: 'never' });

  expect(() =>
    fireEvent.click(shadow(host).getByRole('button', { name: 'Helpful' })),
  ).not.toThrow();

  window.removeEventListener('error', uncaught);
  expect(uncaught).not.toHaveBeenCalled();
  const messages = errorMessages(error);
  expect(messages.length).toBeGreaterThan(0);
  for (const message of messages) expect(message).toMatch(/^feedback-widget: .*the view broke/);
  await server.waitFor(1);
});
