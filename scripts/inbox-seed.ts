// Votes for the screenshots: a help center's AI assistant over the last week, posted as its
// widgets would, then triaged by two teammates through the inbox's own routes.
import { randomUUID } from 'node:crypto';

/** The `ADMIN_TOKEN` of the screenshots' collector; teammates sign in with their own names. */
export const TEAM_TOKEN = 'screenshots-team-token-0123456789';

const HOUR = 3_600_000;

interface Answer {
  id: string;
  page: string;
  content: string;
}

const ANSWERS: Answer[] = [
  {
    id: 'msg-sso-okta',
    page: 'https://help.example.com/sso/okta',
    content:
      'To turn on single sign-on with Okta, open Settings → Security → Single sign-on, choose "SAML 2.0" and paste the metadata URL from your Okta app. Users are matched by e-mail address.',
  },
  {
    id: 'msg-export-csv',
    page: 'https://help.example.com/export/csv',
    content:
      'You can export every conversation as CSV from Reports → Export. Large exports are e-mailed to you as a download link that stays valid for 24 hours.',
  },
  {
    id: 'msg-invoice-vat',
    page: 'https://help.example.com/billing/invoices',
    content:
      'Invoices show VAT when a VAT number is saved under Billing → Company details. Past invoices can be re-issued with the number from the same page.',
  },
  {
    id: 'msg-rate-limits',
    page: 'https://help.example.com/api/rate-limits',
    content:
      'The API allows 600 requests per minute per key. A 429 answer carries Retry-After with the seconds to wait.',
  },
];

type Vote = [
  answer: number,
  rating: 'up' | 'down' | 'neutral',
  hoursAgo: number,
  extra?: { reason?: [string, string]; comment?: string; user?: string },
];

const VOTES: Vote[] = [
  [
    0,
    'down',
    0.05,
    {
      reason: ['incorrect', 'Incorrect'],
      comment:
        'The SSO steps skip the SCIM part: our Okta users are created but never deactivated.',
      user: 'u-4411',
    },
  ],
  [
    1,
    'down',
    0.4,
    {
      reason: ['incorrect', 'Incorrect'],
      comment: 'Export link answers 404 after a few minutes, not 24 hours.',
      user: 'u-1207',
    },
  ],
  [
    0,
    'down',
    1.2,
    {
      reason: ['incomplete', 'Incomplete'],
      comment: 'Where is the metadata URL in the new Okta admin UI?',
    },
  ],
  [2, 'up', 1.5, { comment: 'Exactly what my accountant needed.' }],
  [0, 'down', 2.3, { reason: ['unclear', 'Unclear'] }],
  [3, 'up', 3.1],
  [
    0,
    'down',
    4.4,
    {
      reason: ['incorrect', 'Falsch'],
      comment: 'Bei uns heißt das Menü "Authentifizierung", nicht "Security".',
    },
  ],
  [
    1,
    'down',
    5.2,
    {
      reason: ['incomplete', 'Incomplete'],
      comment: 'Does the CSV include the ratings? It does not say.',
    },
  ],
  [2, 'neutral', 6.8],
  [0, 'up', 8.1],
  [1, 'down', 9.5, { comment: 'BUY CHEAP FOLLOWERS ⇒ http://spam.example' }],
  [
    0,
    'down',
    12,
    { reason: ['irrelevant', 'Irrelevant'], comment: 'I asked about Azure AD, not Okta.' },
  ],
  [
    3,
    'down',
    14,
    { reason: ['incorrect', 'Incorrect'], comment: 'Our plan has 1,200 requests per minute.' },
  ],
  [0, 'down', 20, { reason: ['unclear', 'Unclear'] }],
  [2, 'up', 26],
  [1, 'up', 30, { comment: 'Worked first time.' }],
  [0, 'up', 33],
  [3, 'up', 40],
  [
    1,
    'down',
    47,
    {
      reason: ['incorrect', 'Incorrect'],
      comment: '"Reports → Export" does not exist on the Starter plan.',
    },
  ],
  [
    2,
    'down',
    52,
    {
      reason: ['incomplete', 'Incomplete'],
      comment: 'What about reverse charge for EU customers?',
    },
  ],
  [1, 'down', 60, { reason: ['incorrect', 'Incorrect'] }],
  [0, 'down', 70, { reason: ['incorrect', 'Incorrect'] }],
  [3, 'up', 75],
  [1, 'up', 90],
  [2, 'up', 100],
  [3, 'neutral', 110],
  [1, 'down', 130, { reason: ['unclear', 'Unclear'] }],
  [0, 'down', 150, { reason: ['incomplete', 'Incomplete'] }],
  [2, 'up', 160],
  [1, 'up', 170],
];

async function call(origin: string, path: string, method: string, body: unknown, user = 'dana') {
  const response = await fetch(`${origin}${path}`, {
    method,
    headers: {
      'Content-Type': 'application/json',
      Authorization: `Basic ${Buffer.from(`${user}:${TEAM_TOKEN}`).toString('base64')}`,
    },
    body: JSON.stringify(body),
  });
  if (!response.ok)
    throw new Error(`${method} ${path} answered ${response.status}: ${await response.text()}`);
  return response.json() as Promise<{ id: string }>;
}

/** Posts the votes, triages a few, and resolves with the id of the vote to show open. */
export async function seedInbox(origin: string): Promise<string> {
  const now = Date.now();
  const ids: string[] = [];
  for (const [index, [answer, rating, hoursAgo, extra = {}]] of VOTES.entries()) {
    const { id: messageId, page, content } = ANSWERS[answer] as Answer;
    const scale = { min: -100, max: 100 };
    const value = rating === 'up' ? 100 : rating === 'down' ? -100 : 0;
    const id = randomUUID();
    await call(origin, '/api/feedback', 'POST', {
      id,
      rating,
      sentiment: rating === 'up' ? 'positive' : rating === 'down' ? 'negative' : 'neutral',
      value,
      scale,
      conversation_id: `conv-${1000 + index}`,
      message_id: messageId,
      trace_id: `trace-${messageId}-${index}`,
      ...(extra.user ? { user_id: extra.user } : {}),
      ...(extra.reason ? { reason_key: extra.reason[0], reason: extra.reason[1] } : {}),
      ...(extra.comment ? { comment: extra.comment } : {}),
      message_content: content,
      page_url: page,
      locale: extra.reason?.[1] === 'Falsch' ? 'de' : 'en',
      created_at: new Date(now - hoursAgo * HOUR).toISOString(),
      metadata: { plan: index % 3 === 0 ? 'team' : 'starter', assistant: 'help-center-v3' },
    });
    ids.push(id);
  }
  const [sso, , , , , , german, csv, , , spam, azure, limits] = ids as string[];
  await call(origin, `/api/feedback/${spam}`, 'PATCH', { status: 'spam' }, 'kim');
  await call(
    origin,
    `/api/feedback/${limits}`,
    'PATCH',
    { status: 'resolved', note: 'Plan limits page updated; answer regenerates tonight.' },
    'kim',
  );
  await call(origin, `/api/feedback/${azure}`, 'PATCH', { assignee: 'kim' }, 'dana');
  await call(origin, `/api/feedback/${german}`, 'PATCH', { assignee: 'dana' }, 'dana');
  await call(origin, `/api/feedback/${csv}`, 'PATCH', { assignee: 'dana' }, 'kim');
  await call(origin, `/api/feedback/${sso}`, 'PATCH', { assignee: 'dana' }, 'kim');
  await call(
    origin,
    `/api/feedback/${sso}`,
    'PATCH',
    { note: 'SCIM deprovisioning is on the roadmap for Q3; linking the ticket.' },
    'dana',
  );
  return sso as string;
}
