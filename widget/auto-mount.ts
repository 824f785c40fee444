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
/** The shadow roots `scan` was given, watched like the document; held weakly. */
const roots = new Set<WeakRef<ShadowRoot>>();

/** Mounting yields to the page after this long, so 1,000 answers never make one long task. */
const SLICE_MS = 8;
/** Elements waiting to be mounted, in document order, with whether each was connected then. */
const queue = new Map<Element, boolean>();
let scanned: Promise<void> | undefined;
let resolveScanned = () => {};
let sliceScheduled = false;
/** When the running slice must yield; later calls in the same task share what is left. */
let deadline = 0;

function enqueue(root: ParentNode) {
  if (root instanceof Element && root.matches(selector)) queue.set(root, root.isConnected);
  for (const element of root.querySelectorAll(selector)) {
    queue.set(element, element.isConnected);
  }
  // A watched shadow root whose host comes back (a panel detached, then attached again): its
  // widgets were unmounted as they left, and nothing inside it changes as it returns.
  for (const ref of roots) {
    const shadow = ref.deref();
    if (!shadow) roots.delete(ref);
    else if ((root as Node).contains(shadow.host)) enqueue(shadow);
  }
}

/**
 * Mounts queued elements until the slice's deadline; an element that left the document
 * meanwhile is skipped. What is left waits for a later task, after the page had its turn to
 * paint and answer input. `fresh`: a task of its own, with a whole slice.
 */
function mountSlice(fresh = false) {
  sliceScheduled = false;
  if (fresh || performance.now() >= deadline) deadline = performance.now() + SLICE_MS;
  for (const [element, wasConnected] of queue) {
    if (performance.now() >= deadline) break;
    queue.delete(element);
    if (!mounted.has(element) && (element.isConnected || !wasConnected)) {
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
  if (queue.size) {
    sliceScheduled = true;
    const next = () => mountSlice(true);
    globalThis.scheduler?.postTask(next) ?? setTimeout(next);
  } else {
    scanned = undefined;
    resolveScanned();
  }
}

/** Mounts what is queued, starting now unless a later slice is already due to. */
function mountQueued(): Promise<void> {
  scanned ??= new Promise((resolve) => {
    resolveScanned = resolve;
  });
  const done = scanned;
  if (!sliceScheduled) mountSlice();
  return done;
}

/**
 * Mounts every element under `root` (and `root` itself) that matches the selector, once. The
 * first ~8 ms of mounting happen before this returns (a streamed answer or two show their
 * widget, and their stored vote, before the next paint); the rest in ~8 ms tasks. Resolves
 * when every element found by this and earlier scans is mounted or skipped.
 */
export function scan(root: ParentNode = document): Promise<void> {
  try {
    // The document's observer does not see into shadow roots: one scanned is watched too.
    const top = (root as Node).getRootNode();
    if (top instanceof ShadowRoot && observer) {
      observer.observe(top, WATCH);
      if (![...roots].some((ref) => ref.deref() === top)) roots.add(new WeakRef(top));
    }
    enqueue(root);
  } catch (problem) {
    // Not an element, document or shadow root.
    report(root as Element, problem, spellData);
  }
  return mountQueued();
}

/**
 * Unmounts widgets whose element left the document or no longer matches the selector, sending
 * their pending votes.
 */
function sweep() {
  for (const [element, handle] of mounted) {
    if (!element.isConnected || !element.matches(selector)) {
      mounted.delete(element);
      handle.unmount();
    }
  }
}

/**
 * Watches the document: elements added later (streamed chat messages, SPA routes) are
 * mounted, removed ones unmounted. Mutation callbacks run before paint, so no flash. Resolves
 * when the elements already in the page are mounted.
 */
export function startAutoMount(options: {
  defaults: RawOptions;
  selector: string | undefined;
}): Promise<void> {
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
      for (const node of record.addedNodes) if (node instanceof Element) enqueue(node);
      removed ||= [...record.removedNodes].some((node) => node instanceof Element);
    }
    if (removed || changed.size) sweep();
    // Its attributes are its options: changed in place (an open follow-up stays), or a new
    // vote flow for a node reused for another message (virtual-DOM lists). One not mounted
    // yet (or refused) is queued; the queue skips mounted ones.
    for (const element of changed) {
      mounted
        .get(element)
        ?.update({ ...defaults, ...toRaw((element as HTMLElement).dataset) }, true);
      enqueue(element);
    }
    // One slice for everything this callback found, before the next paint.
    if (queue.size) void mountQueued();
  });
  observer.observe(document, WATCH);
  return scan();
}
