import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { listenCollector, temporaryDir } from '../test/helpers/collector';
import { badAnswersAlert } from '../test/helpers/forward';
import { startTestDatabase } from '../test/helpers/postgres';
import { startVendor } from './forward';
import { autocannon } from './ingest';
import { interleave, type Row, row } from './stats';

/** Issue 17's columns, indexes and triggers: dropped, the schema is as it was before them. */
const WITHOUT_TRIAGE = [
  'DROP TRIGGER feedback_fields ON feedback',
  'DROP TRIGGER feedback_counted_insert ON feedback',
  'DROP TRIGGER feedback_counted_delete ON feedback',
  'DROP TRIGGER feedback_counted_update ON feedback',
  'DROP TRIGGER feedback_emptied ON feedback',
  'DROP INDEX feedback_order',
  'CREATE INDEX feedback_newest ON feedback (created_at DESC, received_at DESC)',
  'DROP INDEX IF EXISTS feedback_reason_words',
  `ALTER TABLE feedback DROP COLUMN status, DROP COLUMN assignee, DROP COLUMN message_id,
     DROP COLUMN session_id, DROP COLUMN user_id, DROP COLUMN page_url, DROP COLUMN locale,
     DROP COLUMN comment, DROP COLUMN message_content, DROP COLUMN page_key,
     DROP COLUMN trace_id, DROP COLUMN reason_key`,
  // Before issue 17 these two were read out of the record by generated columns.
  `ALTER TABLE feedback
     ADD COLUMN trace_id text GENERATED ALWAYS AS ((record::jsonb) ->> 'trace_id') STORED,
     ADD COLUMN reason_key text
       GENERATED ALWAYS AS (coalesce((record::jsonb) ->> 'reason_key', reason)) STORED`,
];

/** Ten votes as a site sends them: 6 up, 3 down (one with a comment), 1 neutral; 5,000 answers. */
function voteRequests() {
  let next = 0;
  const body = (fields: Record<string, unknown>) => ({
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    setupRequest: (request: Record<string, unknown>) => ({
      ...request,
      body: JSON.stringify({
        id: `ingest-${process.pid}-${next}`,
        sentiment: 'positive',
        rating: 'up',
        value: 100,
        scale: { min: -100, max: 100 },
        conversation_id: `conv-${next % 2000}`,
        message_id: `m-${next++ % 5000}`,
        page_url: 'https://help.example.com/articles/42',
        locale: 'en',
        created_at: new Date().toISOString(),
        ...fields,
      }),
    }),
  });
  const down = {
    rating: 'down',
    sentiment: 'negative',
    value: -100,
    reason: 'Incorrect',
    reason_key: 'incorrect',
  };
  return [
    ...Array.from({ length: 6 }, () => body({})),
    body(down),
    body({ ...down, comment: 'The link is broken' }),
    body(down),
    body({ rating: 'neutral', sentiment: 'neutral', value: 0 }),
  ];
}

/**
 * `POST /api/feedback` with issue 17's triage state and two alerts configured (a comment alert
 * on down votes, a down_rate alert by message), against the same collector on the schema as it
 * was before (issue 17's columns, indexes and triggers dropped) and no alerts; interleaved runs,
 * fresh PostgreSQL databases, autocannon with 10 connections after a second of warm-up.
 */
export async function measureIngestWithAlerts(runs: number, seconds: number): Promise<Row[]> {
  const vendor = await startVendor();
  const dir = temporaryDir();
  const forwardFile = join(dir, 'forward.json');
  writeFileSync(
    forwardFile,
    JSON.stringify({
      alerts: [
        { name: 'comments', when: 'comment', rating: ['down'], format: 'slack', url: vendor.url },
        badAnswersAlert(vendor.url),
      ],
    }),
  );
  const databases = {
    with: await startTestDatabase(),
    triage: await startTestDatabase(),
    without: await startTestDatabase(),
  };
  try {
    const client = new pg.Client({ connectionString: databases.without.url });
    await (await listenCollector({ databaseUrl: databases.without.url })).close();
    await client.connect();
    for (const sql of WITHOUT_TRIAGE) await client.query(sql);
    await client.end();
    const kinds = ['with', 'triage', 'without'] as const;
    const results = await interleave(kinds, runs, async (kind) => {
      const collector = await listenCollector({
        databaseUrl: databases[kind].url,
        rateLimit: 0,
        ...(kind === 'with' ? { forwardFile } : {}),
      });
      try {
        // A second of votes first: the same warm code paths and caches for every kind.
        await autocannon({
          url: `${collector.url}api/feedback`,
          connections: 10,
          duration: 1,
          requests: voteRequests(),
        });
        const result = await autocannon({
          url: `${collector.url}api/feedback`,
          connections: 10,
          duration: seconds,
          requests: voteRequests(),
        });
        if (result.non2xx + result.errors > 0) {
          throw new Error(
            `ingest (${kind}): ${result.non2xx} answers not 2xx, ${result.errors} errors`,
          );
        }
        return result.requests.average;
      } finally {
        await collector.close();
      }
    });
    return [
      row({
        section: 'inbox',
        metric: 'PostgreSQL: accepted votes per second with triage state and two alerts',
        unit: 'req/s',
        runs: results.with,
        baselineName: 'the schema before issue 17, no alerts',
        baselineRuns: results.without,
        goal: { on: 'ratio', max: 0.9, atLeast: true },
        note: 'Votes: 6 up, 3 down (1 with a comment), 1 neutral in 10, on 5,000 answers; the comment alert is sent to a local sink meanwhile.',
      }),
      row({
        section: 'inbox',
        metric: 'PostgreSQL: accepted votes per second with triage state, no alerts',
        unit: 'req/s',
        runs: results.triage,
        baselineName: 'the schema before issue 17',
        baselineRuns: results.without,
        note: 'What the columns, indexes and count trigger of migration 005 cost intake alone.',
      }),
    ];
  } finally {
    await databases.with.stop();
    await databases.triage.stop();
    await databases.without.stop();
    await vendor.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
