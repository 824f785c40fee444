import { configure, within } from '@testing-library/preact';

// Testing Library prints its container when a query fails, and its printer rejects a
// ShadowRoot ("Expected an element or document"): print the root's markup instead.
configure({
  getElementError(message, container) {
    const markup = (container as Element | ShadowRoot | undefined)?.innerHTML ?? '';
    const error = new Error([message, markup.slice(0, 4000)].filter(Boolean).join('\n\n'));
    error.name = 'TestingLibraryElementError';
    return error;
  },
});

/** Testing Library queries scoped to a widget host's (open) shadow root. */
export function shadow(host: Element) {
  const root = host.shadowRoot;
  if (!root) throw new Error(`<${host.localName}> has no shadow root`);
  return within(root as unknown as HTMLElement);
}

/** The widget's root element inside the shadow root, found by its public `part`. */
export function widgetRoot(host: Element): HTMLElement | null {
  return host.shadowRoot?.querySelector<HTMLElement>('[part~="widget"]') ?? null;
}

/** A fresh element in the page to mount one widget into. */
export function container(tag = 'div'): HTMLElement {
  const element = document.createElement(tag);
  document.body.append(element);
  return element;
}

/** Empties the page and its storage, as a fresh page load would find them. */
export function resetPage(): void {
  document.body.replaceChildren();
  document.documentElement.removeAttribute('lang');
  document.documentElement.removeAttribute('class');
  localStorage.clear();
}

/** The messages (first arguments) of the console.error calls a spy saw. */
export function errorMessages(spy: { mock: { calls: unknown[][] } }): string[] {
  return spy.mock.calls.map((call) => String(call[0]));
}
