import { FeedbackWidgetElement } from './element';

/** Registers `<feedback-widget>`; a second call, or a second copy of the script, is harmless. */
export function defineElement(): void {
  if (!customElements.get('feedback-widget')) {
    customElements.define('feedback-widget', FeedbackWidgetElement);
  }
}
