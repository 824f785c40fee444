import { effect, signal } from '@preact/signals-core';
import { h, render } from 'preact';
import { type Config, type OptionName, type RawOptions, resolveConfig } from './core/config';
import { ConfigError } from './core/config-error';
import { pageUrlOf, subjectOf } from './core/event';
import { createFeedback, type FeedbackServices } from './core/feedback';
import { directionOf, languageOf, messagesFor } from './i18n';
import { getRuntime } from './runtime';
import { Widget } from './ui/widget';
import css from './ui/widget.css?inline';

/** What `mount` returns: change the options, or take the widget away. */
export interface MountHandle {
  /**
   * Applies changed options (all of them with `replace`) in place, keeping an open follow-up;
   * a new subject mounts afresh, and a widget that failed to mount tries again with them.
   */
  update(options: RawOptions, replace?: boolean): void;
  /** Removes the widget, sending its open follow-up first. Harmless when already unmounted. */
  unmount(): void;
}

/** How an option is spelled where it was set, for error messages: `data-format`, `format`. */
export type Spelling = (option: OptionName) => string;

let sheet: CSSStyleSheet | undefined;
/**
 * The shadow roots widgets made (one an element already had is its own component's), each with
 * the widget it shows: a second `mount` of an element takes it over from the first, whose
 * vote flow would otherwise render over it whenever its own vote changed.
 */
const roots = new WeakMap<ShadowRoot, Built | undefined>();
/**
 * Per subject, the widget whose live region speaks for all of its mounts in this page: the one
 * that cast the vote, else the first still in the document. The others show the same text with
 * their region off, so a screen reader hears it once.
 */
const voices = new Map<string, Element>();

/** Constructable and shared by every widget: allowed under `style-src 'self'` with no nonce. */
function adoptStyles(root: ShadowRoot) {
  if (!sheet) {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
  }
  root.adoptedStyleSheets = [sheet];
}

function describe(element: Element): string {
  const html = element?.outerHTML ?? String(element);
  return html.slice(0, Math.min(html.indexOf('>') + 1 || 200, 200));
}

/** Reports a problem with one widget without letting it reach the host page. */
export function report(element: Element, problem: unknown, spell: Spelling) {
  const text =
    problem instanceof ConfigError
      ? `\`${spell(problem.option as OptionName)}\` ${problem.reason}`
      : // mount("#id") or scan(null): say so, not what failed inside because of it.
        element?.nodeType
        ? String(problem)
        : 'not an element';
  // At most 300 characters of it: a refused value of 200 KB would make a 200 KB console line.
  console.error(`feedback-widget: ${text.slice(0, 300)} (on ${describe(element)})`, element);
}

/** A built widget: what makes it this one, options changed in place, and its removal. */
interface Built {
  key: string;
  configure(config: Config): void;
  teardown(): void;
}

const pageUrl = () => pageUrlOf(location.href);

/** A new subject or locale needs a new vote flow; every other option can change in place. */
const keyOf = (config: Config) => `${config.locale} ${subjectOf(config, pageUrl())}`;

function build(host: Element, first: Config, spell: Spelling): Built {
  const runtime = getRuntime();
  let root = host.shadowRoot;
  if (root && !roots.has(root)) throw Error('the element has a shadow root of its own');
  root ??= host.attachShadow({ mode: 'open' });
  roots.get(root)?.teardown();
  adoptStyles(root);
  // The vote flow reads `config` at each use: `configure` updates it in place, so an open
  // follow-up stays open while texts, theme or the rated message's content change.
  const config = { ...first };
  // What the widget shows: a copy of `config` at each change, read by the effect below. (A
  // bare read of a counter signal would do too, but the build drops reads whose value goes
  // unused: it treats getters as pure.)
  const shown = signal(config);
  const messages = messagesFor(config.locale);
  const emit: FeedbackServices['emit'] = (type, detail) =>
    host.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  // Every locale lists its built-in reasons in this order, so one key names each in all of them.
  const keys = ['incorrect', 'irrelevant', 'unclear', 'incomplete'];
  const reasons = messages.reasons.split('|').map((label, index) => `${keys[index]}=${label}`);
  const feedback = createFeedback(config, reasons, {
    votes: runtime.votes,
    outbox: runtime.outbox,
    uuid: runtime.uuid,
    schedule: runtime.schedule,
    now: Date.now,
    pageUrl,
    emit,
    track(id) {
      runtime.owners.set(id, emit);
      voices.set(subject, host);
    },
    hold(finish) {
      runtime.held.add(finish);
      return () => runtime.held.delete(finish);
    },
  });
  const subject = subjectOf(config, pageUrl());
  const lang = languageOf(config.locale);
  // The built-in texts' direction: English ones in a Hebrew page still read left to right.
  const dir = directionOf(lang);
  const stop = effect(() => {
    const current = shown.value;
    const dark = isDark(current, runtime.dark.value);
    if (!voices.get(subject)?.isConnected) voices.set(subject, host);
    const live = voices.get(subject) === host;
    // The effect re-runs where a signal is written, often inside a click: keep a rendering
    // failure from surfacing there, in the host page.
    try {
      render(h(Widget, { feedback, config: current, messages, dir, lang, dark, live }), root);
    } catch (problem) {
      report(host, problem, spell);
    }
  });
  const built: Built = {
    key: keyOf(config),
    configure(next) {
      Object.assign(config, next);
      shown.value = { ...config };
    },
    teardown() {
      // Taken over by a later mount, or already torn down.
      if (roots.get(root) !== built) return;
      roots.set(root, undefined);
      feedback.finish(true);
      // The element may stay, showing another subject: the next mount that renders speaks.
      voices.delete(subject);
      stop();
      render(null, root);
    },
  };
  roots.set(root, built);
  return built;
}

function isDark(config: Config, pageDark: boolean): boolean {
  return config.theme === 'auto' ? pageDark : config.theme === 'dark';
}

/**
 * Mounts one widget into `host`'s shadow root. Bad options are reported with `console.error`
 * and leave `host` empty; nothing is thrown.
 */
export function mountWidget(host: Element, options: RawOptions, spell: Spelling): MountHandle {
  let current = options;
  let built: Built | undefined;
  let mountedAt = 0;
  const resolve = (now: number) =>
    resolveConfig(current, { baseUrl: document.baseURI, lang: document.documentElement.lang, now });
  const handle: MountHandle = {
    update(changes, replace) {
      current = replace ? changes : { ...current, ...changes };
      try {
        // A default `sentAt` stays the time the widget was first shown.
        const config = resolve(built ? mountedAt : Date.now());
        if (built?.key === keyOf(config)) {
          built.configure(config);
          return;
        }
        // Focus inside a widget mounted afresh (a reused element's new message) stays in it, on
        // its first choice, instead of falling to <body> with the old controls.
        const focused = host.shadowRoot?.activeElement;
        handle.unmount();
        mountedAt = Date.now();
        built = build(host, resolve(mountedAt), spell);
        // Rating the page itself: a page a single-page app moves to (history.pushState, which
        // only the Navigation API reports) is another subject. Adding it twice adds it once.
        if (!subjectOf(config, ''))
          window.navigation?.addEventListener('currententrychange', again);
        if (focused) host.shadowRoot?.querySelector('button')?.focus();
      } catch (problem) {
        handle.unmount();
        report(host, problem, spell);
      }
    },
    unmount() {
      window.navigation?.removeEventListener('currententrychange', again);
      try {
        built?.teardown();
      } catch (problem) {
        report(host, problem, spell);
      }
      built = undefined;
    },
  };
  const again = () => handle.update({});
  again();
  return handle;
}
