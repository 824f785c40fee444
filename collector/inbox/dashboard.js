// Reads the collector's figures and shows them: totals, two charts with tables beside them
// for screen readers, top reasons and the latest comments. Every value from the API goes in
// as text (textContent), never as markup: comments are whatever a visitor typed.
import { rateChart, scoreChart } from './charts.js';

const REFRESH_MS = 5000;
const COMMENTS_SHOWN = 10;
const RATINGS = { up: 'Helpful', down: 'Not helpful', neutral: 'Neutral' };
const percent = new Intl.NumberFormat('en', { style: 'percent', maximumFractionDigits: 1 });
const decimal = new Intl.NumberFormat('en', { maximumFractionDigits: 1 });
const dateTime = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short' });

const filters = document.getElementById('filters');
const $ = (id) => document.getElementById(id);
const drawRate = rateChart($('rate-chart'));
const drawScores = scoreChart($('scores-chart'));

let timer;
let inFlight;

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

function row(cells, numeric = []) {
  const tr = el('tr');
  cells.forEach((cell, index) => {
    tr.append(el(index === 0 ? 'th' : 'td', String(cell), numeric.includes(index) ? 'number' : ''));
    if (index === 0) tr.firstChild.scope = 'row';
  });
  return tr;
}

function query() {
  const params = new URLSearchParams();
  for (const [name, value] of new FormData(filters)) {
    if (String(value).trim()) params.set(name, String(value).trim());
  }
  return params;
}

async function getJson(path, params, signal) {
  const response = await fetch(`${path}?${params}`, { signal });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.error ?? `${path} answered ${response.status}`);
  return body;
}

function showTotals(stats) {
  $('total').textContent = String(stats.total);
  for (const rating of Object.keys(RATINGS)) {
    $(rating).textContent = String(stats.by_rating[rating] ?? 0);
  }
  $('positive-rate').textContent =
    stats.positive_rate === null ? '—' : percent.format(stats.positive_rate);
  $('mean-score').textContent = stats.mean_score === null ? '—' : decimal.format(stats.mean_score);
}

function showSeries(stats) {
  drawRate(stats.daily);
  drawScores(stats.score_distribution);
  $('rate-table').replaceChildren(
    ...stats.daily.map((day) =>
      row([
        day.day,
        day.total,
        day.positive_rate === null ? '—' : percent.format(day.positive_rate),
      ]),
    ),
  );
  $('scores-table').replaceChildren(
    ...stats.score_distribution.map((bucket) => row([bucket.score, bucket.count])),
  );
}

function showReasons(stats) {
  const reasons = stats.top_reasons;
  $('reasons').hidden = reasons.length === 0;
  $('no-reasons').hidden = reasons.length > 0;
  $('reasons-table').replaceChildren(
    ...reasons.map((item) =>
      row([item.reason, item.count, percent.format(item.count / stats.total)], [1, 2]),
    ),
  );
}

function showComments(items) {
  const withComments = items.filter((item) => item.comment).slice(0, COMMENTS_SHOWN);
  $('no-comments').hidden = withComments.length > 0;
  $('comments').replaceChildren(
    ...withComments.map((item) => {
      const li = el('li', undefined, 'card');
      const about = el('p', undefined, 'muted');
      about.append(el('span', RATINGS[item.rating] ?? item.rating, `rating-${item.rating}`));
      if (item.reason) about.append(` · ${item.reason}`);
      about.append(` · ${dateTime.format(new Date(item.created_at))}`);
      if (item.conversation_id) about.append(` · ${item.conversation_id}`);
      li.append(el('blockquote', item.comment), about);
      return li;
    }),
  );
}

function showEmpty(filtered) {
  $('empty-title').textContent = filtered ? 'No feedback matches these filters' : 'No feedback yet';
  $('empty').hidden = false;
  $('data').hidden = true;
}

async function refresh() {
  clearTimeout(timer);
  inFlight?.abort();
  const controller = new AbortController();
  inFlight = controller;
  const params = query();
  const list = new URLSearchParams(params);
  list.set('limit', '100');
  try {
    const [stats, latest] = await Promise.all([
      getJson('/api/feedback/stats', params, controller.signal),
      getJson('/api/feedback', list, controller.signal),
    ]);
    $('error').hidden = true;
    if (stats.total === 0) {
      showEmpty(params.size > 0);
    } else {
      $('empty').hidden = true;
      // Shown before drawing: uPlot sizes its canvas from the container's width.
      $('data').hidden = false;
      showTotals(stats);
      showSeries(stats);
      showReasons(stats);
      showComments(latest.items);
    }
    $('updated').textContent =
      `Updated at ${new Date().toLocaleTimeString('en')}; refreshes every 5 seconds.`;
  } catch (error) {
    if (controller.signal.aborted) return;
    $('error').textContent = `Could not load the figures: ${error.message}`;
    $('error').hidden = false;
  }
  if (inFlight === controller) schedule();
}

/** Polls only while someone can see the page; coming back refreshes at once. */
function schedule() {
  clearTimeout(timer);
  if (document.visibilityState === 'visible') timer = setTimeout(refresh, REFRESH_MS);
}

document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible') refresh();
  else clearTimeout(timer);
});

filters.addEventListener('submit', (event) => {
  event.preventDefault();
  history.replaceState(null, '', `?${query()}`);
  refresh();
});

filters.addEventListener('reset', () => {
  // The form clears its fields after this event, so read them on the next task.
  setTimeout(() => {
    history.replaceState(null, '', location.pathname);
    refresh();
  });
});

for (const [name, value] of new URLSearchParams(location.search)) {
  if (filters.elements[name]) filters.elements[name].value = value;
}
refresh();
