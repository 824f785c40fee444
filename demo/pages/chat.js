// A chat with canned answers that stream in token by token, like a real assistant's, and a
// feedback widget under each answer once it is complete. The script tag auto-mounts the widget
// on the `[data-feedback]` element appended here; this file never talks to the widget.

const CONVERSATION_KEY = 'feedback-widget-demo:conversation';
const TOKEN_DELAY_MS = 35;

const ANSWERS = [
  {
    keywords: ['password', 'reset', 'log in', 'login', 'sign in'],
    text: 'Open Settings, choose Security, then Reset password. We email you a link that works for 30 minutes; if it does not arrive, check your spam folder or ask your admin to resend it.',
  },
  {
    keywords: ['invoice', 'billing', 'bill', 'charge', 'refund', 'payment'],
    text: 'Invoices are issued on the first day of each month and cover every seat active during the previous month. A higher total usually means seats were added mid-cycle; the Billing page lists each line with its dates.',
  },
  {
    keywords: ['export', 'csv', 'download', 'backup'],
    text: 'Yes. Go to Settings, then Data, and press Export. You get a ZIP of CSV files, one per table, by email within a few minutes. Exports include everything except deleted items.',
  },
  {
    keywords: ['api', 'key', 'token', 'integration'],
    text: 'Create API keys under Settings, then Developers. Each key is shown once, so store it in a secret manager right away. Keys can be scoped to read-only access and revoked at any time.',
  },
  {
    keywords: ['delete', 'close', 'cancel'],
    text: 'An owner can delete the workspace from Settings, then Danger zone. Everything is kept for 14 days in case you change your mind, then erased for good.',
  },
];

const FALLBACK =
  'I am a demo assistant with a handful of canned answers. Try asking about passwords, invoices, exporting data, API keys or deleting your workspace.';

const transcript = document.getElementById('transcript');
const form = document.getElementById('ask');
const input = document.getElementById('question');
const suggestions = document.querySelectorAll('.suggestions button');
const conversationLabel = document.getElementById('conversation-id');
const restart = document.getElementById('restart');

/** crypto.randomUUID exists only in secure contexts; the demo may be opened over plain http. */
function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** One conversation per tab: it survives reloads but not a new tab. Storage may be blocked. */
function startConversation(fresh) {
  let id;
  try {
    id = fresh ? undefined : sessionStorage.getItem(CONVERSATION_KEY);
    if (!id) {
      id = uuid();
      sessionStorage.setItem(CONVERSATION_KEY, id);
    }
  } catch {
    id = uuid();
  }
  conversationLabel.textContent = id;
  return id;
}

let conversationId = startConversation(false);

function answerTo(question) {
  const text = question.toLowerCase();
  return (
    ANSWERS.find((answer) => answer.keywords.some((word) => text.includes(word)))?.text ?? FALLBACK
  );
}

function addMessage(role, who) {
  const message = document.createElement('div');
  message.className = `message ${role}`;
  const name = document.createElement('span');
  name.className = 'who';
  name.textContent = who;
  const body = document.createElement('p');
  message.append(name, body);
  transcript.append(message);
  return { message, body };
}

function pause(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

let busy = false;

function setBusy(value) {
  busy = value;
  // aria-busy holds back the log's announcements until the answer is whole.
  transcript.setAttribute('aria-busy', String(busy));
  // aria-disabled, not disabled: a disabled button drops the keyboard's focus to the page.
  for (const button of [form.querySelector('button'), restart, ...suggestions]) {
    button.setAttribute('aria-disabled', String(busy));
  }
}

/**
 * Names the answer the way a chat backend does when it renders one: the demo server answers
 * with a message id and, when it runs with FEEDBACK_SECRET, a token vouching for this vote.
 * A page served without the collector falls back to an id of its own and no token.
 */
async function answerIdentity() {
  try {
    const response = await fetch('/demo/answer', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ conversation_id: conversationId }),
    });
    if (response.ok) return await response.json();
  } catch {
    // Served without the collector: the widget works the same, unsigned.
  }
  return { message_id: uuid() };
}

async function ask(question) {
  setBusy(true);
  addMessage('user', 'You').body.textContent = question;
  const { message, body } = addMessage('assistant', 'Assistant');
  const text = answerTo(question);
  const identity = answerIdentity();
  const streamed = document.createTextNode('');
  body.append(streamed);
  for (const token of text.match(/\S+\s*/g) ?? []) {
    await pause(TOKEN_DELAY_MS);
    streamed.appendData(token);
    message.scrollIntoView({ block: 'nearest' });
  }
  const widget = document.createElement('div');
  widget.dataset.feedback = '';
  widget.dataset.conversationId = conversationId;
  const { message_id: messageId, token } = await identity;
  widget.dataset.messageId = messageId;
  if (token) widget.dataset.token = token;
  // The id of the LLM run that wrote this answer, as an observability tool (Langfuse) knows it.
  widget.dataset.traceId = `trace-${messageId}`;
  widget.dataset.messageContent = text;
  message.append(widget);
  setBusy(false);
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const question = input.value.trim();
  if (!question || busy) return;
  input.value = '';
  ask(question);
});

for (const button of suggestions) {
  button.addEventListener('click', () => {
    if (!busy) ask(button.textContent.trim());
  });
}

restart.addEventListener('click', () => {
  if (busy) return;
  transcript.replaceChildren();
  conversationId = startConversation(true);
  input.focus();
});
