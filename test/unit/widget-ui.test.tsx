import { fireEvent } from '@testing-library/preact';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test, vi } from 'vitest';
import type { FeedbackHandle, FeedbackOptions } from '../../widget/api';
import { container, resetPage, shadow, widgetRoot } from '../helpers/dom';
import { countVotes } from '../helpers/page-events';
import { type RecordingServer, startRecordingServer } from '../helpers/recording-server';

let server: RecordingServer;
let votes: ReturnType<typeof countVotes>;
let subjects = 0;
const mounted: FeedbackHandle[] = [];

beforeAll(async () => {
  server = await startRecordingServer();
  votes = countVotes();
});

afterAll(() => {
  votes.stop();
  return server.close();
});

beforeEach(() => {
  resetPage();
  // A fresh runtime per test: no vote memory or page theme carried over.
  vi.resetModules();
});

// Open follow-ups are sent now, and every vote reaches the server before the next test.
afterEach(async () => {
  for (const handle of mounted.splice(0)) handle.unmount();
  await votes.settle(server);
});

/** Mounts a widget through the public ESM `mount` into a fresh container. */
async function renderWidget(options: FeedbackOptions = {}) {
  const { mount } = await import('../../widget/api');
  const host = container();
  subjects += 1;
  const handle = mount(host, {
    endpoint: `${server.origin}/api/feedback`,
    messageId: `m-${subjects}`,
    ...options,
  });
  mounted.push(handle);
  return { host, handle, ui: shadow(host) };
}

function activeIn(host: Element): Element | null {
  return host.shadowRoot?.activeElement ?? null;
}

describe('the choice', () => {
  test('shows a group labelled "Was this helpful?"', async () => {
    const { ui } = await renderWidget();

    expect(ui.getByRole('group', { name: 'Was this helpful?' })).toBeTruthy();
  });

  test('offers "Helpful" and "Not helpful" toggle buttons, neither pressed', async () => {
    const { ui } = await renderWidget();
    const group = ui.getByRole('group', { name: 'Was this helpful?' });

    expect(group.contains(ui.getByRole('button', { name: 'Helpful', pressed: false }))).toBe(true);
    expect(group.contains(ui.getByRole('button', { name: 'Not helpful', pressed: false }))).toBe(
      true,
    );
    expect(ui.queryByRole('button', { name: 'Neutral' })).toBeNull();
  });

  test('adds a "Neutral" toggle between up and down with neutral: true', async () => {
    const { ui } = await renderWidget({ neutral: true });
    const group = ui.getByRole('group', { name: 'Was this helpful?' });
    const names = [...group.querySelectorAll('button')].map((button) => button.textContent);

    expect(names).toEqual(['Helpful', 'Neutral', 'Not helpful']);
    expect(ui.getByRole('button', { name: 'Neutral' }).getAttribute('aria-pressed')).toBe('false');
  });

  test('marks the chosen button pressed at once', async () => {
    const { ui } = await renderWidget();

    fireEvent.click(ui.getByRole('button', { name: 'Helpful' }));

    expect(ui.getByRole('button', { name: 'Helpful' }).getAttribute('aria-pressed')).toBe('true');
    expect(ui.getByRole('button', { name: 'Not helpful' }).getAttribute('aria-pressed')).toBe(
      'false',
    );
  });
});

describe('the follow-up', () => {
  test('opens after a down vote by default', async () => {
    const { ui } = await renderWidget();

    fireEvent.click(ui.getByRole('button', { name: 'Not helpful' }));

    expect(ui.getByRole('textbox', { name: 'Tell us more (optional)' })).toBeTruthy();
    expect(ui.getByRole('button', { name: 'Send' })).toBeTruthy();
    expect(ui.getByRole('button', { name: 'Skip' })).toBeTruthy();
  });

  test('does not open after an up vote by default', async () => {
    const { ui } = await renderWidget();

    fireEvent.click(ui.getByRole('button', { name: 'Helpful' }));

    expect(ui.queryByRole('textbox')).toBeNull();
    expect(ui.queryByRole('button', { name: 'Send' })).toBeNull();
  });

  test('opens after an up vote with ask "always"', async () => {
    const { ui } = await renderWidget({ ask: 'always' });

    fireEvent.click(ui.getByRole('button', { name: 'Helpful' }));

    expect(ui.getByRole('textbox', { name: 'Tell us more (optional)' })).toBeTruthy();
  });

  test('does not open after a down vote with ask "never"', async () => {
    const { ui } = await renderWidget({ ask: 'never' });

    fireEvent.click(ui.getByRole('button', { name: 'Not helpful' }));

    expect(ui.queryByRole('textbox')).toBeNull();
    expect(ui.queryByRole('button', { name: 'Send' })).toBeNull();
  });

  test('offers the default English reasons as unpressed toggle buttons', async () => {
    const { ui } = await renderWidget();

    fireEvent.click(ui.getByRole('button', { name: 'Not helpful' }));

    for (const reason of ['Incorrect', 'Not relevant', 'Unclear', 'Incomplete']) {
      expect(ui.getByRole('button', { name: reason, pressed: false })).toBeTruthy();
    }
  });

  test('marks one chosen reason pressed at a time', async () => {
    const { ui } = await renderWidget();
    fireEvent.click(ui.getByRole('button', { name: 'Not helpful' }));

    fireEvent.click(ui.getByRole('button', { name: 'Unclear' }));
    fireEvent.click(ui.getByRole('button', { name: 'Incorrect' }));

    expect(ui.getByRole('button', { name: 'Incorrect' }).getAttribute('aria-pressed')).toBe('true');
    expect(ui.getByRole('button', { name: 'Unclear' }).getAttribute('aria-pressed')).toBe('false');
  });

  test('offers the reasons given in `reasons` instead of the default ones', async () => {
    const { ui } = await renderWidget({ reasons: ['Too long', 'Wrong language'] });

    fireEvent.click(ui.getByRole('button', { name: 'Not helpful' }));

    expect(ui.getByRole('button', { name: 'Too long', pressed: false })).toBeTruthy();
    expect(ui.getByRole('button', { name: 'Wrong language', pressed: false })).toBeTruthy();
    expect(ui.queryByRole('button', { name: 'Incorrect' })).toBeNull();
  });

  test('offers the reasons given in `reasonsUp` after an up vote', async () => {
    const { ui } = await renderWidget({ ask: 'always', reasonsUp: 'Clear|Fast' });

    fireEvent.click(ui.getByRole('button', { name: 'Helpful' }));

    expect(ui.getByRole('button', { name: 'Clear', pressed: false })).toBeTruthy();
    expect(ui.getByRole('button', { name: 'Fast', pressed: false })).toBeTruthy();
    expect(ui.queryByRole('button', { name: 'Incorrect' })).toBeNull();
  });

  test('offers no reasons after an up vote by default', async () => {
    const { ui } = await renderWidget({ ask: 'always' });

    fireEvent.click(ui.getByRole('button', { name: 'Helpful' }));

    expect(ui.getByRole('textbox')).toBeTruthy();
    expect(ui.queryByRole('button', { name: 'Incorrect' })).toBeNull();
  });

  test('offers no reasons when `reasons` is empty', async () => {
    const { ui } = await renderWidget({ reasons: '' });

    fireEvent.click(ui.getByRole('button', { name: 'Not helpful' }));

    const names = ui.getAllByRole('button').map((button) => button.textContent);
    expect(names).toEqual(['Helpful', 'Not helpful', 'Send', 'Skip']);
  });

  test('does not open when there is neither a comment box nor a reason to offer', async () => {
    const { ui } = await renderWidget({ comment: false, reasons: '' });

    fireEvent.click(ui.getByRole('button', { name: 'Not helpful' }));

    expect(ui.queryByRole('button', { name: 'Send' })).toBeNull();
  });

  test('limits the comment to `commentMax` characters, 5000 by default', async () => {
    const first = await renderWidget();
    const second = await renderWidget({ commentMax: 200 });

    fireEvent.click(first.ui.getByRole('button', { name: 'Not helpful' }));
    fireEvent.click(second.ui.getByRole('button', { name: 'Not helpful' }));

    expect((first.ui.getByRole('textbox') as HTMLTextAreaElement).maxLength).toBe(5000);
    expect((second.ui.getByRole('textbox') as HTMLTextAreaElement).maxLength).toBe(200);
  });

  test('shows no character count below 80% of the limit', async () => {
    const { ui } = await renderWidget({ commentMax: 100 });
    fireEvent.click(ui.getByRole('button', { name: 'Not helpful' }));

    fireEvent.input(ui.getByRole('textbox'), { target: { value: 'x'.repeat(79) } });

    expect(ui.queryByText(/\d+\/100/)).toBeNull();
  });

  test('shows the count "n/max" from 80% of the limit on', async () => {
    const { ui } = await renderWidget({ commentMax: 100 });
    fireEvent.click(ui.getByRole('button', { name: 'Not helpful' }));

    fireEvent.input(ui.getByRole('textbox'), { target: { value: 'x'.repeat(80) } });

    expect(ui.getByText('80/100')).toBeTruthy();
  });

  test('says "max/max" once, in the status region, when the comment reaches the limit; the count itself is not live', async () => {
    const { ui } = await renderWidget({ commentMax: 100 });
    fireEvent.click(ui.getByRole('button', { name: 'Not helpful' }));
    const box = ui.getByRole('textbox');

    fireEvent.input(box, { target: { value: 'x'.repeat(99) } });
    expect(ui.getByText('99/100').closest('[aria-live],[role="status"]')).toBeNull();
    expect(ui.getByRole('status').textContent).toBe('');

    // A paste cut short by maxLength ends here too.
    fireEvent.input(box, { target: { value: 'x'.repeat(100) } });
    expect(ui.getByRole('status').textContent).toBe('100/100');

    fireEvent.input(box, { target: { value: 'x'.repeat(98) } });
    expect(ui.getByRole('status').textContent).toBe('');
  });

  test('keeps the textbox named "Tell us more (optional)" while the count shows', async () => {
    const { ui } = await renderWidget({ commentMax: 100 });
    fireEvent.click(ui.getByRole('button', { name: 'Not helpful' }));

    fireEvent.input(ui.getByRole('textbox'), { target: { value: 'x'.repeat(90) } });

    expect(ui.getByRole('textbox', { name: 'Tell us more (optional)' })).toBeTruthy();
  });

  test('moves focus into the follow-up when it opens', async () => {
    const { host, ui } = await renderWidget();

    fireEvent.click(ui.getByRole('button', { name: 'Not helpful' }));

    const followUp = ui.getByRole('button', { name: 'Send' }).closest('form');
    const focused = activeIn(host);
    expect(focused).not.toBeNull();
    expect(followUp?.contains(focused)).toBe(true);
  });

  test('Send closes the follow-up and returns focus to the pressed button', async () => {
    const { host, ui } = await renderWidget();
    fireEvent.click(ui.getByRole('button', { name: 'Not helpful' }));

    fireEvent.click(ui.getByRole('button', { name: 'Send' }));

    expect(ui.queryByRole('textbox')).toBeNull();
    expect(activeIn(host)).toBe(ui.getByRole('button', { name: 'Not helpful', pressed: true }));
  });

  test('Skip closes the follow-up and returns focus to the pressed button', async () => {
    const { host, ui } = await renderWidget();
    fireEvent.click(ui.getByRole('button', { name: 'Not helpful' }));

    fireEvent.click(ui.getByRole('button', { name: 'Skip' }));

    expect(ui.queryByRole('textbox')).toBeNull();
    expect(activeIn(host)).toBe(ui.getByRole('button', { name: 'Not helpful', pressed: true }));
  });

  test('Escape closes the follow-up and returns focus to the pressed button', async () => {
    const { host, ui } = await renderWidget();
    fireEvent.click(ui.getByRole('button', { name: 'Not helpful' }));

    fireEvent.keyDown(ui.getByRole('textbox'), { key: 'Escape' });

    expect(ui.queryByRole('textbox')).toBeNull();
    expect(activeIn(host)).toBe(ui.getByRole('button', { name: 'Not helpful', pressed: true }));
  });

  test('Escape on the pressed choice closes the follow-up too, and leaves focus there', async () => {
    const { host, ui } = await renderWidget();
    fireEvent.click(ui.getByRole('button', { name: 'Not helpful' }));
    const pressed = ui.getByRole('button', { name: 'Not helpful', pressed: true });
    pressed.focus();

    fireEvent.keyDown(pressed, { key: 'Escape' });

    expect(ui.queryByRole('textbox')).toBeNull();
    expect(activeIn(host)).toBe(pressed);
  });

  test('Escape with no follow-up open is left to the page', async () => {
    const { ui } = await renderWidget();
    const event = new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, cancelable: true });

    ui.getByRole('button', { name: 'Helpful' }).dispatchEvent(event);

    expect(event.defaultPrevented).toBe(false);
  });

  test('returns focus to the vote, not to a pressed reason, after Send', async () => {
    const { host, ui } = await renderWidget();
    fireEvent.click(ui.getByRole('button', { name: 'Not helpful' }));
    fireEvent.click(ui.getByRole('button', { name: 'Unclear' }));

    fireEvent.click(ui.getByRole('button', { name: 'Send' }));

    expect(activeIn(host)).toBe(ui.getByRole('button', { name: 'Not helpful', pressed: true }));
  });
});

describe('the thanks', () => {
  test('says nothing in the status region before a vote', async () => {
    const { ui } = await renderWidget();

    expect(ui.getByRole('status').textContent).toBe('');
  });

  test('says nothing when an up vote is made, before the endpoint answers', async () => {
    const { ui } = await renderWidget();

    fireEvent.click(ui.getByRole('button', { name: 'Helpful' }));

    expect(ui.getByRole('status').textContent).toBe('');
  });

  test('says "Thanks for your feedback!" in a status region once the endpoint accepted the vote', async () => {
    const { ui } = await renderWidget();

    fireEvent.click(ui.getByRole('button', { name: 'Helpful' }));

    await vi.waitFor(() =>
      expect(ui.getByRole('status').textContent).toBe('Thanks for your feedback!'),
    );
  });

  test('waits for the follow-up to close before thanking', async () => {
    const { ui } = await renderWidget();
    fireEvent.click(ui.getByRole('button', { name: 'Not helpful' }));
    const before = ui.getByRole('status').textContent;

    fireEvent.click(ui.getByRole('button', { name: 'Send' }));

    expect(before).toBe('');
    await vi.waitFor(() =>
      expect(ui.getByRole('status').textContent).toBe('Thanks for your feedback!'),
    );
  });
});

describe('texts', () => {
  test('custom prompt, labels and thanks replace the defaults', async () => {
    const { ui } = await renderWidget({
      neutral: true,
      prompt: 'Did this answer your question?',
      labelUp: 'Yes',
      labelDown: 'No',
      labelNeutral: 'Partly',
      thanks: 'Noted, thank you.',
    });

    fireEvent.click(ui.getByRole('button', { name: 'Yes' }));

    expect(ui.getByRole('group', { name: 'Did this answer your question?' })).toBeTruthy();
    expect(ui.getByRole('button', { name: 'No' })).toBeTruthy();
    expect(ui.getByRole('button', { name: 'Partly' })).toBeTruthy();
    await vi.waitFor(() => expect(ui.getByRole('status').textContent).toBe('Noted, thank you.'));
  });

  test.each([
    {
      locale: 'es',
      prompt: '¿Te resultó útil?',
      up: 'Útil',
      down: 'No útil',
      more: 'Cuéntanos más (opcional)',
    },
    {
      locale: 'fr',
      prompt: 'Cela vous a-t-il aidé\u00a0?',
      up: 'Utile',
      down: 'Pas utile',
      more: 'Dites-nous en plus (facultatif)',
    },
    {
      locale: 'de',
      prompt: 'War das hilfreich?',
      up: 'Hilfreich',
      down: 'Nicht hilfreich',
      more: 'Erzählen Sie uns mehr (optional)',
    },
    {
      locale: 'pt',
      prompt: 'Isto foi útil?',
      up: 'Útil',
      down: 'Não foi útil',
      more: 'Conte-nos mais (opcional)',
    },
    {
      locale: 'ja',
      prompt: '役に立ちましたか？',
      up: '役に立った',
      down: '役に立たなかった',
      more: '詳しく教えてください（任意）',
    },
    {
      locale: 'ar',
      prompt: 'هل كان هذا مفيدًا؟',
      up: 'مفيد',
      down: 'غير مفيد',
      more: 'أخبرنا بالمزيد (اختياري)',
    },
  ])('speaks the language of locale $locale', async ({ locale, prompt, up, down, more }) => {
    const { ui } = await renderWidget({ locale });

    fireEvent.click(ui.getByRole('button', { name: down }));

    expect(ui.getByRole('group', { name: prompt })).toBeTruthy();
    expect(ui.getByRole('button', { name: up })).toBeTruthy();
    expect(ui.getByRole('textbox', { name: more })).toBeTruthy();
  });

  test('takes the language from <html lang>, pt-BR speaking Portuguese', async () => {
    document.documentElement.lang = 'pt-BR';

    const { ui } = await renderWidget();

    expect(ui.getByRole('group', { name: 'Isto foi útil?' })).toBeTruthy();
    expect(ui.getByRole('button', { name: 'Não foi útil' })).toBeTruthy();
  });

  test('prefers the `locale` option over <html lang>', async () => {
    document.documentElement.lang = 'de';

    const { ui } = await renderWidget({ locale: 'fr-CA' });

    expect(ui.getByRole('group', { name: 'Cela vous a-t-il aidé\u00a0?' })).toBeTruthy();
  });

  test('falls back to English for a locale it has no texts for', async () => {
    const { ui } = await renderWidget({ locale: 'sw-KE' });

    expect(ui.getByRole('group', { name: 'Was this helpful?' })).toBeTruthy();
    expect(ui.getByRole('button', { name: 'Not helpful' })).toBeTruthy();
  });

  test('marks its texts with their language, so screen readers pick the right voice', async () => {
    const { host } = await renderWidget({ locale: 'ar' });

    expect(widgetRoot(host)?.getAttribute('lang')).toBe('ar');
  });

  test('marks English fallback texts as English, not as the page language', async () => {
    const { host } = await renderWidget({ locale: 'it' });

    expect(widgetRoot(host)?.getAttribute('lang')).toBe('en');
  });

  test('lays Arabic out right to left', async () => {
    const { host } = await renderWidget({ locale: 'ar' });

    expect(widgetRoot(host)?.getAttribute('dir')).toBe('rtl');
  });

  test('lays the English fallback texts of a right-to-left locale without texts left to right', async () => {
    const { host } = await renderWidget({ locale: 'he' });

    expect(widgetRoot(host)?.getAttribute('lang')).toBe('en');
    expect(widgetRoot(host)?.getAttribute('dir')).toBe('ltr');
  });

  test('lays English out left to right, even on a right-to-left page', async () => {
    document.documentElement.dir = 'rtl';
    try {
      const { host } = await renderWidget({ locale: 'en' });

      expect(widgetRoot(host)?.getAttribute('dir')).toBe('ltr');
    } finally {
      document.documentElement.removeAttribute('dir');
    }
  });

  test('keeps the prompt and button names accessible in the compact variant', async () => {
    const { host, ui } = await renderWidget({ variant: 'compact' });

    expect(widgetRoot(host)?.dataset.variant).toBe('compact');
    expect(ui.getByRole('group', { name: 'Was this helpful?' })).toBeTruthy();
    expect(ui.getByRole('button', { name: 'Helpful' })).toBeTruthy();
    expect(ui.getByRole('button', { name: 'Not helpful' })).toBeTruthy();
  });
});

describe('theme', () => {
  test('theme "dark" marks the widget dark', async () => {
    const { host } = await renderWidget({ theme: 'dark' });

    expect(widgetRoot(host)?.dataset.theme).toBe('dark');
  });

  test('theme "light" stays light on a dark page', async () => {
    document.documentElement.classList.add('dark');

    const { host } = await renderWidget({ theme: 'light' });

    expect(widgetRoot(host)?.dataset.theme).toBe('light');
  });

  test('theme "auto" is light on a page with no dark mode', async () => {
    const { host } = await renderWidget({ theme: 'auto' });

    expect(widgetRoot(host)?.dataset.theme).toBe('light');
  });

  test('theme "auto" is dark on a page whose <html> has the class dark', async () => {
    document.documentElement.classList.add('dark');

    const { host } = await renderWidget();

    expect(widgetRoot(host)?.dataset.theme).toBe('dark');
  });

  test('theme "auto" follows <html> switching to dark and back', async () => {
    const { host } = await renderWidget({ theme: 'auto' });

    document.documentElement.classList.add('dark');
    await vi.waitFor(() => expect(widgetRoot(host)?.dataset.theme).toBe('dark'));
    document.documentElement.classList.remove('dark');
    await vi.waitFor(() => expect(widgetRoot(host)?.dataset.theme).toBe('light'));
  });
});

describe('hostile strings', () => {
  const hostile = [
    { kind: 'markup', text: '<img src=x onerror=alert(1)>' },
    { kind: 'a script tag', text: '<script>alert(1)</script>' },
    { kind: 'a very long text', text: `Long${'o'.repeat(10_000)}ng` },
    { kind: 'emoji', text: '👍🏽 Great 🎉 answer' },
    { kind: 'bidi control characters', text: '\u202Eevil\u202C \u200Fmark\u200E' },
  ];

  test.each(hostile)('renders $kind in the prompt as text', async ({ text }) => {
    const { host, ui } = await renderWidget({ prompt: text });

    expect(ui.getByRole('group', { name: text, normalizer: (name) => name }).textContent).toContain(
      text,
    );
    expect(host.shadowRoot?.querySelector('img, script, iframe')).toBeNull();
  });

  test.each(hostile)('renders $kind in labels and thanks as text', async ({ text }) => {
    const { host, ui } = await renderWidget({ labelUp: text, thanks: text });

    fireEvent.click(ui.getByRole('button', { name: text, normalizer: (name) => name }));

    await vi.waitFor(() => expect(ui.getByRole('status').textContent).toBe(text));
    expect(host.shadowRoot?.querySelector('img, script, iframe')).toBeNull();
  });

  test.each(hostile)('renders $kind in a reason as text', async ({ text }) => {
    const { host, ui } = await renderWidget({ reasons: [text, 'Other'] });

    fireEvent.click(ui.getByRole('button', { name: 'Not helpful' }));

    expect(ui.getByRole('button', { name: text, normalizer: (name) => name })).toBeTruthy();
    expect(host.shadowRoot?.querySelector('img, script, iframe')).toBeNull();
  });
});
