import { h } from 'preact';
import { deliveries } from '../state';
import type { Delivery } from '../types';
import { RetryButton } from './bits';

const DELIVERY_STATES: Record<Delivery['status'], string> = {
  pending: 'Pending',
  delivered: 'Delivered',
  failed: 'Failed',
};

/** Where this vote was forwarded, and Retry for a delivery that failed. */
export function Deliveries() {
  const items = deliveries.value.data?.items;
  if (!items || items.length === 0) return null;
  return (
    <section aria-labelledby="deliveries-title">
      <h3 id="deliveries-title" tabIndex={-1}>
        Deliveries
      </h3>
      <ul class="deliveries">
        {items.map((delivery) => (
          <li key={delivery.id} class={`delivery delivery-${delivery.status}`}>
            <span class="destination">{delivery.destination}</span>
            <span class={`chip delivery-state-${delivery.status}`}>
              {DELIVERY_STATES[delivery.status]}
            </span>
            <span class="muted">
              {delivery.attempts} {delivery.attempts === 1 ? 'attempt' : 'attempts'}
              {delivery.last_status !== undefined && ` · HTTP ${delivery.last_status}`}
            </span>
            {delivery.status === 'failed' && (
              <RetryButton delivery={delivery} heading="deliveries-title" />
            )}
            {delivery.last_error !== undefined && (
              <pre class="error-text">{delivery.last_error}</pre>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
