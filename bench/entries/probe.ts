/**
 * The bench's instruments inside the page, injected as an init script into every page of every
 * kind alike. It does nothing until the bench calls it, so it costs the measured code nothing.
 */

export type MountKind = 'ours' | 'plain' | 'empty';

export interface Tasks {
  /** The longest task over 50 ms in the window, 0 if none. */
  longest: number;
  /** How many tasks over 50 ms the window held. */
  count: number;
  /** The longest animation frame over 50 ms (script, style, layout and paint), 0 if none. */
  longestFrame: number;
}

export interface MountTiming {
  /** From the append to the first frame painted with the first slot showing a button (ms). */
  first: number;
  /** From the append to every slot showing a button (ms). */
  mounted: number;
  /** From the append to the frame after that painted (ms). */
  painted: number;
  tasks: Tasks;
}

export interface LoadTiming {
  /** From the script's fetch start to every slot showing a button and a frame painted (ms). */
  painted: number;
  tasks: Tasks;
}

declare global {
  interface Window {
    benchProbe: typeof probe;
    BenchPlainPreact?: { renderInto(container: Element): void };
  }
}

const nextFrame = () =>
  new Promise<void>((resolve) => requestAnimationFrame(() => setTimeout(resolve)));

const shows = (slot: Element) => Boolean((slot.shadowRoot ?? slot).querySelector('button'));

function watchTasks() {
  const long: PerformanceEntry[] = [];
  const frames: PerformanceEntry[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries())
      (entry.entryType === 'longtask' ? long : frames).push(entry);
  });
  observer.observe({ type: 'longtask', buffered: true });
  if (PerformanceObserver.supportedEntryTypes.includes('long-animation-frame')) {
    observer.observe({ type: 'long-animation-frame', buffered: true });
  }
  const within = (entries: PerformanceEntry[], from: number, to: number) =>
    entries
      .filter((entry) => entry.startTime + entry.duration >= from && entry.startTime <= to)
      .map((entry) => entry.duration);
  return {
    between(from: number, to: number): Tasks {
      for (const entry of observer.takeRecords()) {
        (entry.entryType === 'longtask' ? long : frames).push(entry);
      }
      observer.disconnect();
      const tasks = within(long, from, to);
      return {
        longest: Math.max(0, ...tasks),
        count: tasks.length,
        longestFrame: Math.max(0, ...within(frames, from, to)),
      };
    },
  };
}

/** Long-task entries are queued after their task ends; give them time to arrive. */
async function drained(): Promise<void> {
  await nextFrame();
  await new Promise((resolve) => setTimeout(resolve, 100));
}

/** A chat transcript of `count` answers, each ending with the slot a widget goes into. */
function chat(count: number, kind: MountKind, endpoint: string) {
  const items = document.createDocumentFragment();
  const slots: HTMLElement[] = [];
  for (let index = 0; index < count; index++) {
    const item = document.createElement('li');
    item.className = 'message';
    const text = document.createElement('p');
    text.textContent = `Answer ${index}: open Settings, then Security, then Passwords.`;
    const slot = document.createElement('div');
    if (kind === 'ours') {
      slot.dataset.feedback = '';
      slot.dataset.endpoint = endpoint;
      slot.dataset.conversationId = 'conv-bench';
      slot.dataset.messageId = `m-${index}`;
    }
    item.append(text, slot);
    items.append(item);
    slots.push(slot);
  }
  return { items, slots };
}

let interactive: number | undefined;
let loaded: LoadTiming | undefined;
let lastClick: number | undefined;

const probe = {
  /**
   * Records when a connected, enabled button first appears in any shadow root. The same
   * watcher serves every script under test, so none is timed differently.
   */
  watchShadowButtons(): void {
    const attach = Element.prototype.attachShadow;
    Element.prototype.attachShadow = function (this: Element, init: ShadowRootInit) {
      const root = attach.call(this, init);
      const observer = new MutationObserver(() => {
        const ready = [...root.querySelectorAll('button')].some(
          (button) => button.isConnected && !button.disabled,
        );
        if (ready) {
          interactive ??= performance.now();
          observer.disconnect();
        }
      });
      observer.observe(root, { childList: true, subtree: true, attributes: true });
      return root;
    };
  },
  /** When the first shadow-root button became usable (page clock, ms), once it has. */
  interactive: () => interactive,

  /** When the script at `url` started to be fetched (page clock, ms). */
  scriptStart(url: string): number | undefined {
    return performance.getEntriesByName(url, 'resource')[0]?.startTime;
  },

  /**
   * Appends `count` answers to a chat list in one task, as a page restoring a conversation
   * does, and times until every slot shows its buttons and the next frame is painted.
   * `plain` renders the Preact baseline into each slot; `empty` only appends the slots.
   */
  async mountList(count: number, kind: MountKind, endpoint: string): Promise<MountTiming> {
    const list = document.body.appendChild(document.createElement('ol'));
    const { items, slots } = chat(count, kind, endpoint);
    const tasks = watchTasks();
    // Starts in a task of its own, as a fetch callback or a socket message would.
    await new Promise((resolve) => setTimeout(resolve));
    const start = performance.now();
    list.append(items);
    if (kind === 'plain') for (const slot of slots) window.BenchPlainPreact?.renderInto(slot);
    // Mutation observers run in a microtask queued by the append, before this continuation.
    await Promise.resolve();
    let first: number | undefined;
    while (kind !== 'empty' && !slots.every(shows)) {
      const firstShows = shows(slots[0] as Element);
      await nextFrame();
      if (firstShows) first ??= performance.now() - start;
    }
    const mounted = performance.now() - start;
    await nextFrame();
    const end = performance.now();
    await drained();
    // All showing before a frame: the first was painted with the rest.
    first ??= end - start;
    return { first, mounted, painted: end - start, tasks: tasks.between(start, end) };
  },

  /**
   * For slots already in the HTML: records when all `count` matches of `selector` show a
   * button and a frame has been painted after, with the long tasks since `scriptUrl` started.
   */
  watchLoad(selector: string, count: number, scriptUrl: string): void {
    const tasks = watchTasks();
    const tick = () => {
      const slots = [...document.querySelectorAll(selector)];
      if (slots.length < count || !slots.every(shows)) {
        requestAnimationFrame(tick);
        return;
      }
      setTimeout(async () => {
        const end = performance.now();
        const start = probe.scriptStart(scriptUrl) ?? Number.NaN;
        await drained();
        loaded = { painted: end - start, tasks: tasks.between(start, end) };
      });
    };
    requestAnimationFrame(tick);
  },
  loaded: () => loaded,

  /** Keeps the `timeStamp` of the latest click, taken before any other listener runs. */
  recordClicks(): void {
    addEventListener(
      'click',
      (event) => {
        lastClick = event.timeStamp;
      },
      { capture: true },
    );
    // Room for every request of a long run: the default buffer stops at 250 entries.
    performance.setResourceTimingBufferSize(10_000);
  },
  lastClick: () => lastClick,

  /** A widget that sends at once (no follow-up) on a subject of its own. */
  addWidget(id: string, endpoint: string): void {
    const slot = document.createElement('div');
    slot.dataset.feedback = '';
    slot.dataset.ask = 'never';
    slot.dataset.endpoint = endpoint;
    slot.dataset.messageId = id;
    document.body.append(slot);
  },

  /** The baseline: a plain button whose click handler posts the same kind of JSON. */
  addFetchButton(id: string, endpoint: string): void {
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = `Send ${id}`;
    button.addEventListener('click', () => {
      void fetch(endpoint, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ message_id: id, rating: 'up' }),
      });
    });
    document.body.append(button);
  },

  /** When the request to `url` started (page clock, ms), once its response is in. */
  requestStart(url: string): number | undefined {
    return performance.getEntriesByName(url, 'resource')[0]?.startTime;
  },
};

window.benchProbe = probe;
