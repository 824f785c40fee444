import { OPTION_NAMES, type RawOptions } from './core/config';
import { type MountHandle, mountWidget } from './mount';
import { kebab } from './options';

const ATTRIBUTES = OPTION_NAMES.map(kebab);

// Server-side rendering imports this module where there is no DOM: the class must still be
// declarable there (it is never constructed without one).
const Base = (globalThis.HTMLElement ?? class {}) as typeof HTMLElement;

/**
 * `<feedback-widget endpoint="/api/feedback" message-id="m-42">`: the data attributes'
 * options without the `data-` prefix. Several attribute changes are applied as one update.
 */
export class FeedbackWidgetElement extends Base {
  static observedAttributes = ATTRIBUTES;
  /** Options every instance starts from: the script tag's data attributes. */
  static defaults: RawOptions = {};
  #handle: MountHandle | undefined;
  #pending = false;

  #options(): RawOptions {
    const options: RawOptions = { ...FeedbackWidgetElement.defaults };
    OPTION_NAMES.forEach((name, index) => {
      const value = this.getAttribute(ATTRIBUTES[index] as string);
      if (value !== null) options[name] = value;
    });
    return options;
  }

  /** Applies the options once the current task's attribute changes are all in, before paint. */
  #update() {
    if (this.#pending) return;
    this.#pending = true;
    queueMicrotask(() => {
      this.#pending = false;
      if (!this.isConnected) return;
      if (this.#handle) this.#handle.update(this.#options(), true);
      else this.#handle = mountWidget(this, this.#options(), kebab);
    });
  }

  connectedCallback() {
    // Moved within the same task (a keyed list re-ordered): still mounted, nothing to do.
    if (!this.#handle) this.#update();
  }

  disconnectedCallback() {
    // Only a removal that outlasts the task unmounts; a move keeps the open follow-up.
    queueMicrotask(() => {
      if (this.isConnected) return;
      this.#handle?.unmount();
      this.#handle = undefined;
    });
  }

  attributeChangedCallback() {
    if (this.#handle) this.#update();
  }
}
