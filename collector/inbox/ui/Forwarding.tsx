import { batch } from '@preact/signals';
import { Fragment, h } from 'preact';
import { open } from '../actions';
import { writeAddress } from '../address';
import { api } from '../api';
import { waited, whole } from '../format';
import { resource } from '../resource';
import { changes, search, tick, view } from '../state';
import { Ago, RetryButton, ViewLink } from './bits';

const refresh = { tick, keep: true };
const destinations = resource(
  () => (view.value === 'figures' ? `destinations ${changes.value}` : undefined),
  (_key, abort) => api.destinations(abort),
  refresh,
);
const failures = resource(
  () => (view.value === 'figures' ? `failures ${changes.value}` : undefined),
  (_key, abort) => api.failures(abort),
  refresh,
);

/** The vote a failed delivery was for, opened in the inbox (its search kept). */
function VoteLink({ id }: { id: string }) {
  return (
    <Fragment>
      {' · vote '}
      <ViewLink
        href={writeAddress({ view: 'inbox', q: search.value, id })}
        go={() =>
          batch(() => {
            view.value = 'inbox';
            open(id);
          })
        }
      >
        {id}
      </ViewLink>
    </Fragment>
  );
}

/** Each destination's and alert's deliveries (SPEC §11), and the latest failures to retry. */
export function Forwarding() {
  const counts = destinations.value.data?.destinations;
  const failed = failures.value.data?.items ?? [];
  const error = destinations.value.error ?? failures.value.error;
  return (
    <section class="forwarding" aria-labelledby="forwarding-title">
      <h2 id="forwarding-title">Forwarding</h2>
      {error && <p class="problem-inline">Could not load the deliveries: {error.message}</p>}
      {counts?.length === 0 && (
        <p class="muted">
          Nothing is forwarded: set <code>FORWARD_FILE</code> to send every vote to your vendors’
          APIs.
        </p>
      )}
      {counts !== undefined && counts.length > 0 && (
        // Scrolls sideways on a narrow screen: focusable and named, so keys can scroll it.
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must take focus to be scrolled by keys
        <section class="table-scroll" tabIndex={0} aria-label="Deliveries by destination">
          <table>
            <thead>
              <tr>
                <th scope="col">Destination</th>
                <th scope="col" class="number">
                  Delivered
                </th>
                <th scope="col" class="number">
                  Pending
                </th>
                <th scope="col" class="number">
                  Failed
                </th>
                <th scope="col" class="number">
                  Oldest pending
                </th>
              </tr>
            </thead>
            <tbody>
              {counts.map((entry) => (
                <tr key={entry.destination}>
                  <th scope="row">{entry.destination}</th>
                  <td class="number">{whole(entry.delivered)}</td>
                  <td class="number">{whole(entry.pending)}</td>
                  <td class="number">{whole(entry.failed)}</td>
                  <td class="number">
                    {entry.oldest_pending_age_s === undefined
                      ? '—'
                      : waited(entry.oldest_pending_age_s)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      {counts !== undefined && counts.length > 0 && (
        <section aria-labelledby="failures-title">
          <h3 id="failures-title" tabIndex={-1}>
            Latest failures
          </h3>
          {failed.length === 0 ? (
            <p class="muted">No failed deliveries.</p>
          ) : (
            <ol class="failures">
              {failed.map((item) => (
                <li key={item.id} class="card">
                  <p class="muted">
                    {item.destination} ·{' '}
                    {item.last_status !== undefined ? `HTTP ${item.last_status}` : 'no answer'} ·{' '}
                    {item.attempts} {item.attempts === 1 ? 'attempt' : 'attempts'}
                    {item.feedback_id !== undefined && <VoteLink id={item.feedback_id} />} ·{' '}
                    <Ago at={item.created_at} />
                  </p>
                  {item.last_error !== undefined && <pre class="error-text">{item.last_error}</pre>}
                  <RetryButton delivery={item} listedIn={failures} heading="failures-title" />
                </li>
              ))}
            </ol>
          )}
        </section>
      )}
    </section>
  );
}
