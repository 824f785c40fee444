// Mounts one widget from the form's options, again on every change, and shows what a page
// author would paste to get the same widget. The preview is an element with the snippet's data
// attributes, mounted by the script tag's global, FeedbackWidget, as a pasted snippet is:
// dist/feedback-widget.mjs imports preact and ky by bare name, which only a bundler resolves.
import { snippetFor } from '/demo/snippet.js';

/** The collector's route for each format (the score route reads scores on 0..1 by default). */
const ROUTES = {
  event: '/api/feedback',
  sentiment: '/api/sentiment',
  vote: '/api/conversations/{conversationId}/{vote}',
  score: '/api/assistants/demo-assistant/feedbacks',
  quality: '/api/messages/feedback',
};

/** The widget's own defaults: an option equal to one of these is left out of the snippet. */
const DEFAULTS = {
  format: 'event',
  credentials: 'omit',
  neutral: 'false',
  ask: 'down',
  comment: 'true',
  dedupe: '24h',
  allowChange: 'false',
  locale: '',
  variant: 'inline',
  theme: 'auto',
};

const DEFAULT_SCALES = { event: '-100..100', score: '0..1', quality: '0..100' };

/** How this collector learns each format's scale: only event and score carry it. */
const SCALE_HINTS = {
  event: 'Sent in each event.',
  score: 'Sent to this collector as ?scale= on the endpoint.',
  quality: 'This collector reads quality scores on 0..100.',
};

const form = document.getElementById('options');
const fields = form.elements;
/** Every option, as the form names its fields (the options' camelCase), in the form's order. */
const OPTIONS = [...new Set([...fields].map((field) => field.name))].filter(
  (name) => name && name !== 'noReasons',
);
const preview = document.getElementById('preview');
const problem = document.getElementById('problem');
const snippet = document.getElementById('snippet');

let filledEndpoint = fields.endpoint.value;

function routeFor(format, scale) {
  return format === 'score' && scale
    ? `${ROUTES.score}?scale=${encodeURIComponent(scale)}`
    : ROUTES[format];
}

/** The options as attribute text, leaving out what is empty or the widget's default. */
function readOptions() {
  const options = {};
  for (const name of OPTIONS) {
    const field = fields[name];
    if (field.disabled) continue;
    const value = field.type === 'checkbox' ? String(field.checked) : field.value.trim();
    if (value !== '' && value !== DEFAULTS[name]) options[name] = value;
  }
  // An empty list turns the down reasons off, which an empty text box cannot say.
  if (fields.noReasons.checked) options.reasons = '';
  return options;
}

/** Applies what the format allows, and the format's defaults as placeholders. */
function adaptToFormat(changed) {
  const format = fields.format.value;
  // Scales and values differ by format: carried over, they would mean something else.
  if (changed === 'format') {
    for (const name of ['scale', 'upValue', 'downValue', 'neutralValue']) fields[name].value = '';
  }
  document.getElementById('scale-hint').textContent = SCALE_HINTS[format] ?? '';
  for (const field of form.querySelectorAll('[data-applies]')) {
    field.disabled = !field.dataset.applies.split(' ').includes(format);
  }
  const scale = fields.scale.disabled
    ? undefined
    : (fields.scale.value.trim() || DEFAULT_SCALES[format]).split('..').map(Number);
  const [min, max] = scale ?? [];
  const values =
    format === 'vote'
      ? { up: 100, down: -100 }
      : scale
        ? { up: max, down: min, neutral: (min + max) / 2 }
        : {};
  fields.scale.placeholder = DEFAULT_SCALES[format] ?? 'not for this format';
  for (const rating of ['up', 'down', 'neutral']) {
    const field = fields[`${rating}Value`];
    field.placeholder = field.disabled ? 'not for this format' : String(values[rating] ?? '');
  }
}

/** The endpoint follows the format and the score scale until the person types their own. */
function followEndpoint(changed) {
  const route = routeFor(fields.format.value, fields.scale.value.trim());
  if (changed === 'format' || fields.endpoint.value === filledEndpoint) {
    fields.endpoint.value = route;
    filledEndpoint = route;
  }
}

/** Adds or removes the problem from what describes `field`, keeping its own hint. */
function describeByProblem(field, on) {
  const ids = (field.getAttribute('aria-describedby') ?? '').split(' ').filter(Boolean);
  const kept = ids.filter((id) => id !== 'problem');
  const next = on ? [...kept, 'problem'] : kept;
  if (next.length) field.setAttribute('aria-describedby', next.join(' '));
  else field.removeAttribute('aria-describedby');
}

/** `data-up-value` → `upValue`, the form's name for that option. */
function optionOf(attribute) {
  return attribute.replace(/^data-/, '').replace(/-([a-z])/g, (_, letter) => letter.toUpperCase());
}

function showProblem(message) {
  for (const field of form.querySelectorAll('[aria-invalid]')) {
    field.removeAttribute('aria-invalid');
    describeByProblem(field, false);
  }
  problem.hidden = !message;
  problem.textContent = message ?? '';
  const attribute = message?.match(/`(data-[\w-]+)`/)?.[1];
  const field = attribute && fields[optionOf(attribute)];
  if (field) {
    field.setAttribute('aria-invalid', 'true');
    describeByProblem(field, true);
  }
}

/**
 * The widget reports a bad option only with console.error, naming the element's attribute (it
 * never throws into a page); its report about the preview is shown on the page instead.
 */
const consoleError = console.error;
console.error = (...args) => {
  if (args[1] instanceof Element && preview.contains(args[1])) {
    showProblem(
      String(args[0])
        .replace(/^feedback-widget: /, '')
        .replace(/ \(on <.*$/s, ''),
    );
  } else {
    consoleError.apply(console, args);
  }
};

function render() {
  const options = readOptions();
  const element = document.createElement('div');
  element.dataset.feedback = '';
  for (const [name, value] of Object.entries(options)) element.dataset[name] = value;
  showProblem(undefined);
  // The widget leaving the page with its element sends its open follow-up, as on any page.
  preview.replaceChildren(element);
  window.FeedbackWidget.scan(preview);
  snippet.textContent = snippetFor(options);
}

function showResponse(summary, event) {
  document.getElementById('response-summary').textContent = summary;
  const detail = document.getElementById('response-event');
  detail.hidden = !event;
  detail.textContent = event ? JSON.stringify(event, null, 2) : '';
}

preview.addEventListener('feedback:sent', ({ detail }) => {
  showResponse(`${detail.status}: the collector accepted the vote.`, detail.event);
});
/** Why the collector refused a vote, where the demo knows it. */
const REFUSALS = {
  // `FEEDBACK_SECRET=… npm start`: the README's signed loop.
  401:
    ' This collector runs with FEEDBACK_SECRET: it takes only votes carrying a token it signed' +
    ' (data-token). The chat page’s answers carry one; this page has none.',
};

preview.addEventListener('feedback:error', ({ detail }) => {
  const retry = detail.willRetry ? ' It will be retried.' : ' It was dropped.';
  const why = REFUSALS[detail.error.status] ?? '';
  showResponse(`Error: ${detail.error.message}.${retry}${why}`, detail.event);
});
preview.addEventListener('feedback:duplicate', ({ detail }) => {
  showResponse(
    'Nothing sent: this subject was already voted on. Press "Next message id" to vote again.',
    detail.event,
  );
});

form.addEventListener('input', (event) => {
  const name = event.target.name;
  fields.reasons.disabled = fields.noReasons.checked;
  if (name === 'format' || name === 'scale') {
    adaptToFormat(name);
    followEndpoint(name);
  }
  render();
});

document.getElementById('next-message').addEventListener('click', () => {
  const current = fields.messageId.value.match(/^(.*?)(\d+)$/);
  fields.messageId.value = current ? `${current[1]}${Number(current[2]) + 1}` : 'm-1';
  render();
});

document.getElementById('copy').addEventListener('click', async () => {
  const status = document.getElementById('copy-status');
  try {
    await navigator.clipboard.writeText(snippet.textContent);
    status.textContent = 'Copied to the clipboard.';
  } catch {
    getSelection().selectAllChildren(snippet);
    status.textContent = 'Selected: press Ctrl+C (⌘C) to copy.';
  }
});

fields.conversationId.value = `playground-${crypto.getRandomValues(new Uint32Array(1))[0].toString(36)}`;
adaptToFormat();
render();
