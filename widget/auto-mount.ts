import { OPTION_NAMES, type RawOptions } from './core/config';
import { type MountHandle, mountWidget, report } from './mount';
import { kebab, toRaw } from './options';

const mounted = new Map<Element, MountHandle>();
let defaults: RawOptions = {};
let selector = '[data-feedback]';
const spellData = (name: Parameters<typeof kebab>[0]) => `data-${kebab(name)}`;
const WATCH = {
  childList: true,
  subtree: true,
  attributeFilter: ['data-feedback', ...OPTION_NAMES.map(spellData)],
};
let observer: MutationObserver | undefined;

/** Mounts every element under `root` (and `root` itself) that matches the selector, once. */
export function scan(root: ParentNode = document): void {
  const found = [...root.querySelectorAll(selector)];
  if (root instanceof Element && root.matches(selector)) found.unshift(root);
  // The document's observer does not see into shadow roots: one scanned is watched too.
  const top = (root as Node).getRootNode();
  if (top instanceof ShadowRoot) observer?.observe(top, WATCH);
  for (const element of found) {
    if (mounted.has(element)) continue;
    try {
      mounted.set(
        element,
        mountWidget(
          element,
          { ...defaults, ...toRaw((element as HTMLElement).dataset) },
          spellData,
        ),
      );
    } catch (problem) {
      report(element, problem, spellData);
    }
  }
}

/** Unmounts widgets whose element left the document, sending their pending votes. */
function sweep() {
  for (const [element, handle] of mounted) {
    if (!element.isConnected) {
      mounted.delete(element);
      handle.unmount();
    }
  }
}

/**
 * Watches the document: elements added later (streamed chat messages, SPA routes) are
 * mounted, removed ones unmounted. Mutation callbacks run before paint, so no flash.
 */
export function startAutoMount(options: { defaults: RawOptions; selector: string | undefined }) {
  defaults = options.defaults;
  if (options.selector) {
    try {
      document.createDocumentFragment().querySelector(options.selector);
      selector = options.selector;
    } catch {
      console.error(
        `feedback-widget: \`data-selector\` "${options.selector}" is not a valid CSS selector; using ${selector}`,
      );
    }
  }
  observer = new MutationObserver((records) => {
    let removed = false;
    const changed = new Set<Element>();
    for (const record of records) {
      if (record.attributeName) changed.add(record.target as Element);
      for (const node of record.addedNodes) if (node instanceof Element) scan(node);
      removed ||= [...record.removedNodes].some((node) => node instanceof Element);
    }
    // A node reused for another message (virtual-DOM lists): its attributes are its options.
    for (const element of changed) {
      mounted.get(element)?.unmount();
      mounted.delete(element);
      scan(element);
    }
    if (removed) sweep();
  });
  observer.observe(document, WATCH);
  scan();
}
