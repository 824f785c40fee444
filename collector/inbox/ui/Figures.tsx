import { signal } from '@preact/signals';
import { h } from 'preact';
import { api } from '../api';
import { decimal, percent, whole } from '../format';
import { resource } from '../resource';
import { tick, view } from '../state';
import type { Stats } from '../types';
import { Chart } from './Chart';
import { Forwarding } from './Forwarding';

type Period = 'today' | '7d' | '30d' | 'all';
// The collector counts by UTC day: named so, or "Today" reads as the reader's own day, whose
// midnight can be up to 14 hours from UTC's.
const PERIODS: [Period, string][] = [
  ['today', 'Today (UTC)'],
  ['7d', 'Last 7 days (UTC)'],
  ['30d', 'Last 30 days (UTC)'],
  ['all', 'All time'],
];
const period = signal<Period>('today');

/** The UTC days the stats route takes for a period ending today. */
function days(chosen: Period, now: number): { from?: string; to?: string } {
  const day = (offset: number) => new Date(now - offset * 86_400_000).toISOString().slice(0, 10);
  if (chosen === 'all') return {};
  const back = chosen === 'today' ? 0 : chosen === '7d' ? 6 : 29;
  return { from: day(back), to: day(0) };
}

const stats = resource(
  () => (view.value === 'figures' ? JSON.stringify(days(period.value, Date.now())) : undefined),
  (key, abort) => api.stats(JSON.parse(key), abort),
  { tick, keep: true },
);

function Totals({ figures }: { figures: Stats }) {
  const terms: [string, string, string?][] = [
    ['Votes', whole(figures.total)],
    ['Helpful', whole(figures.by_rating.up), 'rating-up'],
    ['Not helpful', whole(figures.by_rating.down), 'rating-down'],
    ['Neutral', whole(figures.by_rating.neutral), 'rating-neutral'],
    ['Positive rate', figures.positive_rate === undefined ? '—' : percent(figures.positive_rate)],
    ['Mean score (0–10)', figures.mean_score === undefined ? '—' : decimal(figures.mean_score)],
  ];
  return (
    <section aria-labelledby="totals-title">
      <h2 id="totals-title">Totals</h2>
      <dl class="totals">
        {terms.map(([term, value, tone]) => (
          <div key={term} class="card">
            <dt>{term}</dt>
            <dd class={tone}>{value}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

const charts = () => import('./charts');

function Reasons({ figures }: { figures: Stats }) {
  return (
    <section class="card" aria-labelledby="reasons-title">
      <h2 id="reasons-title">Top reasons</h2>
      {figures.top_reasons.length === 0 ? (
        <p class="muted">No reasons given.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Reason</th>
              <th scope="col" class="number">
                Votes
              </th>
              <th scope="col" class="number">
                Share
              </th>
            </tr>
          </thead>
          <tbody>
            {figures.top_reasons.map((item) => (
              <tr key={item.reason}>
                <th scope="row">{item.reason}</th>
                <td class="number">{whole(item.count)}</td>
                <td class="number">{percent(item.count / figures.total)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Charts({ figures }: { figures: Stats }) {
  return (
    <div class="charts">
      <Chart
        title="Positive rate by day (UTC)"
        id="rate-title"
        load={() => charts().then((module) => module.rateChart)}
        data={figures.daily}
        table={
          <table class="visually-hidden">
            <caption>Positive rate by day (UTC)</caption>
            <thead>
              <tr>
                <th scope="col">Day</th>
                <th scope="col">Votes</th>
                <th scope="col">Positive rate</th>
              </tr>
            </thead>
            <tbody>
              {figures.daily.map((day) => (
                <tr key={day.day}>
                  <th scope="row">{day.day}</th>
                  <td>{whole(day.total)}</td>
                  <td>{percent(day.positive_rate)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        }
      />
      <Chart
        title="Score distribution (0–10)"
        id="scores-title"
        load={() => charts().then((module) => module.scoreChart)}
        data={figures.score_distribution}
        table={
          <table class="visually-hidden">
            <caption>Votes by score</caption>
            <thead>
              <tr>
                <th scope="col">Score</th>
                <th scope="col">Votes</th>
              </tr>
            </thead>
            <tbody>
              {figures.score_distribution.map((bucket) => (
                <tr key={bucket.score}>
                  <th scope="row">{bucket.score}</th>
                  <td>{whole(bucket.count)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        }
      />
    </div>
  );
}

/** The figures of the votes in a period (spam left out), and forwarding to the vendors. */
export function FiguresView() {
  const { data: figures, error } = stats.value;
  return (
    <div class="page">
      <div class="page-head">
        <h1 id="figures-title" tabIndex={-1}>
          Figures
        </h1>
        <label class="field inline">
          Period
          <select
            value={period.value}
            onChange={(event) => {
              period.value = event.currentTarget.value as Period;
            }}
          >
            {PERIODS.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
      </div>
      {error && <p class="problem-inline">Could not load the figures: {error.message}</p>}
      {figures && <Totals figures={figures} />}
      {figures && figures.total > 0 && <Charts figures={figures} />}
      {figures && figures.total > 0 && <Reasons figures={figures} />}
      {figures && figures.total === 0 && <p class="muted empty">No votes in this period.</p>}
      <Forwarding />
    </div>
  );
}
