/**
 * `feedback-widget/react`: the widget as a React component. It renders an empty `<div>` (the
 * same on the server and in the browser, so hydration matches) and mounts the widget into it
 * after the commit; props are the options, events arrive as `onVote`, `onSent`, …
 */

// By the package's own name: the built file then shares the main entry's runtime (one outbox,
// one vote memory) instead of bundling a second copy.
import {
  type FeedbackEventMap,
  type FeedbackHandle,
  type FeedbackOptions,
  mount,
} from 'feedback-widget';
import { createElement, type ReactElement, useEffect, useRef } from 'react';

type Listener<K extends keyof FeedbackEventMap> = (event: CustomEvent<FeedbackEventMap[K]>) => void;

const EVENTS = {
  onVote: 'feedback:vote',
  onSent: 'feedback:sent',
  onError: 'feedback:error',
  onDuplicate: 'feedback:duplicate',
} as const;

type Handlers = { [P in keyof typeof EVENTS]?: Listener<(typeof EVENTS)[P]> };

/** Props of `<Feedback>`: the options, the event handlers, and the wrapper's `className`. */
export type FeedbackProps = FeedbackOptions & Handlers & { className?: string };

function optionsOf(props: FeedbackProps): FeedbackOptions {
  const { className, onVote, onSent, onError, onDuplicate, ...options } = props;
  return options;
}

const given = (options: FeedbackOptions) =>
  (Object.keys(options) as (keyof FeedbackOptions)[]).filter((name) => options[name] !== undefined);

/**
 * The widget under one message. Safe in StrictMode (a double mount leaves one widget) and on
 * the server (it renders an empty `<div>` there).
 * @example <Feedback endpoint="/api/feedback" messageId={m.id} onVote={(e) => log(e.detail)} />
 */
export function Feedback(props: FeedbackProps): ReactElement {
  const host = useRef<HTMLDivElement>(null);
  const handle = useRef<FeedbackHandle | null>(null);
  const latest = useRef(props);
  latest.current = props;
  const options = optionsOf(props);

  useEffect(() => {
    const element = host.current as HTMLDivElement;
    const listeners = new AbortController();
    for (const [prop, type] of Object.entries(EVENTS)) {
      element.addEventListener(
        type,
        (event) => latest.current[prop as keyof Handlers]?.(event as CustomEvent<never>),
        { signal: listeners.signal },
      );
    }
    handle.current = mount(element, optionsOf(latest.current));
    return () => {
      listeners.abort();
      handle.current?.unmount();
      handle.current = null;
    };
  }, []);

  // After every render: cheap, and only a change of the options' text reaches the widget.
  const shown = useRef(options);
  useEffect(() => {
    const before = shown.current;
    if (JSON.stringify(before) === JSON.stringify(options)) return;
    shown.current = options;
    // `update` merges; an option given as undefined goes back to its default, so one taken
    // away is named that way. An open follow-up stays open unless the subject changed.
    const taken = Object.fromEntries(given(before).map((name) => [name, undefined]));
    handle.current?.update({ ...taken, ...options });
  });

  return createElement('div', { ref: host, className: props.className });
}
