import { effect, signal } from '@preact/signals-core';
import ky from 'ky';
import { h, render } from 'preact';

/**
 * The widget's three dependencies called the way the widget calls them (`h`, `render`,
 * `signal`, `effect`, `ky.post` with the same options), and nothing of its own: what any
 * widget on this stack costs before it does anything.
 */
export function start(root: Element, endpoint: string): void {
  const votes = signal(0);
  effect(() => {
    const onClick = () => {
      votes.value++;
      void ky.post(endpoint, {
        json: { votes: votes.value },
        headers: { 'Idempotency-Key': String(votes.value) },
        credentials: 'omit',
        keepalive: false,
        retry: 0,
        timeout: 10_000,
        throwHttpErrors: false,
      });
    };
    render(h('button', { type: 'button', onClick }, String(votes.value)), root);
  });
}
