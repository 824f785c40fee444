// Small pieces every view uses.
import { h } from 'preact';
import { retry } from '../actions';
import { ago, fullTime, RATING_LABELS } from '../format';
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

/** Sends a failed delivery again (`POST /api/deliveries/{id}/retry`). */
export function RetryButton({ delivery }: { delivery: { id: string; destination: string } }) {
  return (
    <button
      type="button"
      class="secondary small"
      aria-label={`Retry the delivery to ${delivery.destination}`}
      disabled={busy.value}
      onClick={() => retry(delivery.id, delivery.destination)}
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
