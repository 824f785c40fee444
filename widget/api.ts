import { Component, createRef, h } from 'preact';
import type { OptionName } from './core/config';
import type { FeedbackEvent } from './core/event';
import { FeedbackWidgetElement } from './element';
import { type MountHandle, mountWidget, type Spelling } from './mount';
import { type FeedbackOptions, toRaw } from './options';
import { getRuntime } from './runtime';

export { scan } from './auto-mount';
export type { Ask, Format, Rating, Scale, Theme, Variant } from './core/config';
export { ConfigError } from './core/config-error';
export { DeliveryError } from './core/delivery-error';
export type { FeedbackEvent } from './core/event';
export type { FeedbackEventType } from './core/feedback';
export { defineElement } from './define-element';
export type { FeedbackOptions } from './options';
export { FeedbackWidgetElement };

/** `detail` of each event dispatched on the mount element (they bubble and are composed). */
export interface FeedbackEventMap {
  'feedback:vote': FeedbackEvent;
  'feedback:sent': { event: FeedbackEvent; status: number };
  'feedback:error': {
    event: FeedbackEvent;
    error: Error;
    willRetry: boolean;
  };
  'feedback:duplicate': { event: FeedbackEvent };
}

const same: Spelling = (name) => name;

/** `window.FeedbackWidget`, which the script tag (`feedback-widget/script`) defines. */
export interface FeedbackWidgetGlobal {
  /** `mount` with the script tag's own `data-*` attributes as defaults. */
  mount: typeof mount;
  scan: typeof import('./auto-mount').scan;
  flush: typeof flush;
  version: string;
}

declare global {
  /** Defined by the script tag; absent where only the module is loaded. */
  interface Window {
    FeedbackWidget?: FeedbackWidgetGlobal;
  }
  /** `document.addEventListener('feedback:vote', (e) => e.detail.rating)` is typed. */
  interface GlobalEventHandlersEventMap {
    'feedback:vote': CustomEvent<FeedbackEventMap['feedback:vote']>;
    'feedback:sent': CustomEvent<FeedbackEventMap['feedback:sent']>;
    'feedback:error': CustomEvent<FeedbackEventMap['feedback:error']>;
    'feedback:duplicate': CustomEvent<FeedbackEventMap['feedback:duplicate']>;
  }
  interface HTMLElementTagNameMap {
    'feedback-widget': FeedbackWidgetElement;
  }
}

/** A mounted widget. */
export interface FeedbackHandle {
  /**
   * Changes some options; one given as `undefined` or `null` goes back to its default. Ones
   * that keep the subject (texts, theme, a streaming `messageContent`) re-render in place and an
   * open follow-up stays open; new ids mount afresh.
   */
  update(options: FeedbackOptions): void;
  /** Removes the widget, sending its open follow-up first. Harmless when already unmounted. */
  unmount(): void;
}

/**
 * Mounts a widget into `element` (its shadow root). Bad options are reported with
 * `console.error`, never thrown; `update` with corrected options mounts it then.
 * @example
 * const widget = mount(document.querySelector('#answer-42'), {
 *   endpoint: '/api/feedback', conversationId: 'c-1', messageId: 'm-42',
 * });
 * widget.unmount();
 */
export function mount(element: Element, options: FeedbackOptions): FeedbackHandle {
  let current = toRaw(options);
  const handle = mountWidget(element, current, same);
  return {
    update(changes) {
      current = { ...current, ...toRaw(changes) };
      for (const name in changes) {
        if (changes[name as OptionName] == null) delete current[name as OptionName];
      }
      handle.update(current, true);
    },
    unmount: handle.unmount,
  };
}

/**
 * Sends every open follow-up and every vote waiting in the outbox now.
 * @example addEventListener('beforeunload', () => void flush());
 */
export function flush(): Promise<void> {
  return getRuntime().flush();
}

/**
 * The widget as a Preact component; props are the options.
 * @example <Feedback endpoint="/api/feedback" messageId={message.id} />
 */
export class Feedback extends Component<FeedbackOptions> {
  #handle: MountHandle | undefined;
  #host = createRef<HTMLDivElement>();

  override componentDidMount() {
    this.#handle = mountWidget(this.#host.current as HTMLDivElement, toRaw(this.props), same);
  }

  /** New props re-render in place (a streaming `messageContent` keeps the follow-up open). */
  override componentDidUpdate() {
    this.#handle?.update(toRaw(this.props), true);
  }

  override componentWillUnmount() {
    this.#handle?.unmount();
  }

  render() {
    return h('div', { ref: this.#host });
  }
}
