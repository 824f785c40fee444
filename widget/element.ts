import { OPTION_NAMES, type RawOptions } from './core/config';
import { type MountHandle, mountWidget } from './mount';
import { kebab } from './options';

const ATTRIBUTES = OPTION_NAMES.map(kebab);

/**
 * `<feedback-widget endpoint="/api/feedback" message-id="m-42">`: the data attributes'
 * options without the `data-` prefix. Several attribute changes are applied as one update.
 */
export class FeedbackWidgetElement extends HTMLElement {
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

  /** Mounts (again) once the current task's attribute changes are all in, before paint. */
  #update() {
    if (this.#pending) return;
    this.#pending = true;
    queueMicrotask(() => {
      this.#pending = false;
      this.#handle?.unmount();
      this.#handle = this.isConnected ? mountWidget(this, this.#options(), kebab) : undefined;
    });
  }

  connectedCallback() {
    this.#update();
  }

  disconnectedCallback() {
    this.#handle?.unmount();
    this.#handle = undefined;
  }

  attributeChangedCallback() {
    if (this.#handle) this.#update();
  }
}
