// The dashboard's forwarding section (SPEC §11): each destination's delivered / pending / failed
// and the latest failures with the vendor's answer. Values go in as text, never as markup: an
// error is whatever a vendor answered.
const REFRESH_MS = 5000;
const FAILURES_SHOWN = 10;
const dateTime = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'medium' });
const $ = (id) => document.getElementById(id);

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

function countsRow(entry) {
  const tr = el('tr');
  const name = el('th', entry.destination);
  name.scope = 'row';
  const age = entry.oldest_pending_age_s === undefined ? '—' : `${entry.oldest_pending_age_s} s`;
  tr.append(name);
  for (const cell of [entry.delivered, entry.pending, entry.failed, age]) {
    tr.append(el('td', String(cell), 'number'));
  }
  return tr;
}

function failureItem(item) {
  const li = el('li', undefined, 'card');
  const about = el('p', undefined, 'muted');
  about.append(
    `${item.destination} · ${item.last_status ? `HTTP ${item.last_status}` : 'no answer'}`,
    ` · ${item.attempts} attempt${item.attempts === 1 ? '' : 's'}`,
    ` · vote ${item.feedback_id} · ${dateTime.format(new Date(item.created_at))}`,
  );
  const retry = el('button', 'Retry', 'secondary');
  retry.type = 'button';
  retry.addEventListener('click', async () => {
    retry.disabled = true;
    await fetch(`/api/deliveries/${encodeURIComponent(item.id)}/retry`, { method: 'POST' });
    refresh();
  });
  li.append(el('pre', item.last_error ?? ''), about, retry);
  return li;
}

async function getJson(path) {
  const response = await fetch(path);
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.error ?? `${path} answered ${response.status}`);
  return body;
}

async function refresh() {
  try {
    const [stats, failed] = await Promise.all([
      getJson('/api/deliveries/stats'),
      getJson(`/api/deliveries?status=failed&limit=${FAILURES_SHOWN}`),
    ]);
    $('forwarding').hidden = stats.destinations.length === 0;
    $('destinations-table').replaceChildren(...stats.destinations.map(countsRow));
    $('failures').replaceChildren(...failed.items.map(failureItem));
    $('no-failures').hidden = failed.items.length > 0;
    $('forwarding-error').hidden = true;
  } catch (error) {
    $('forwarding-error').textContent = `Could not load the deliveries: ${error.message}`;
    $('forwarding-error').hidden = false;
  }
}

setInterval(() => {
  if (document.visibilityState === 'visible') refresh();
}, REFRESH_MS);
refresh();
