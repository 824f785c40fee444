// Small pieces every view uses.
import type { ReadonlySignal } from '@preact/signals';
import { h } from 'preact';
import { retry, shown } from '../actions';
import { ago, fullTime, RATING_LABELS } from '../format';
import type { Loaded } from '../resource';
import { busy, now } from '../state';
import type { Rating } from '../types';

const GLYPHS: Record<Rating, string> = { up: '▲', down: '▼', neutral: '●' };

/** The rating as a coloured mark, named for screen readers unless its name is beside it. */
export function RatingMark({ rating, named = true }: { rating: Rating; named?: boolean }) {
  return (
    <span class={`rating rating-${rating}`}>
      <span aria-hidden="true">{GLYPHS[rating]}</span>
      {named && <span class="visually-hidden">{RATING_LABELS[rating]}</span>}
    </span>
  );
}

/**
 * Sends a failed delivery again (`POST /api/deliveries/{id}/retry`), listed in `listedIn`.
 * Once queued it leaves the failures, and its button with it: the focus goes on to the next
 * Retry of the same list, else to the list's heading (`heading`), never to <body>. Inert while
 * a change is sent, never disabled, which would drop the focus at once.
 */
export function RetryButton(props: {
  delivery: { id: string; destination: string };
  listedIn?: ReadonlySignal<Loaded<unknown>>;
  heading: string;
}) {
  const { delivery } = props;
  return (
    <button
      type="button"
      class="secondary small"
      data-retry
      aria-label={`Retry the delivery to ${delivery.destination}`}
      aria-disabled={busy.value ? 'true' : undefined}
      onClick={async (event) => {
        if (busy.value) return;
        const list = event.currentTarget.closest('ul, ol');
        const index = list
          ? [...list.querySelectorAll('[data-retry]')].indexOf(event.currentTarget)
          : 0;
        if (!(await retry(delivery.id, delivery.destination, props.listedIn))) return;
        requestAnimationFrame(() => {
          if (shown(document.activeElement)) return;
          const others = list?.isConnected
            ? [...list.querySelectorAll<HTMLElement>('[data-retry]')]
            : [];
          const next =
            others[Math.min(index, others.length - 1)] ?? document.getElementById(props.heading);
          next?.focus();
        });
      }}
    >
      Retry
    </button>
  );
}

/** How long ago, with the full time on hover and in `datetime`. */
export function Ago({ at }: { at: string }) {
  return (
    <time dateTime={at} title={fullTime(at)}>
      {ago(at, now.value)}
    </time>
  );
}

/** A link that changes the view in place; the address still works when opened in a new tab. */
export function ViewLink(props: {
  href: string;
  go: () => void;
  children: preact.ComponentChildren;
  class?: string;
  current?: boolean;
}) {
  return (
    <a
      href={props.href}
      class={props.class}
      aria-current={props.current ? 'page' : undefined}
      onClick={(event) => {
        if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
        event.preventDefault();
        props.go();
      }}
    >
      {props.children}
    </a>
  );
}
