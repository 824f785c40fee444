import { describe, expect, test } from 'vitest';
import { createCollector } from '../../collector/src/collector';
import { listenCollector, pgliteDataDir, send } from '../helpers/collector';

const TRACE_URL = 'https://cloud.langfuse.com/project/p1/traces/{trace_id}';

describe('the inbox’s settings', () => {
  test('GET /api/inbox/config names who acts and, when set, TRACE_URL', async () => {
    const collector = await listenCollector({
      dataDir: pgliteDataDir(),
      traceUrl: TRACE_URL,
    });
    try {
      const { status, body } = await send(`${collector.url}api/inbox/config`);
      expect([status, body]).toEqual([200, { actor: 'local', trace_url: TRACE_URL }]);
    } finally {
      await collector.close();
    }
  });

  test('without TRACE_URL the answer has no trace_url', async () => {
    const collector = await listenCollector({ dataDir: pgliteDataDir() });
    try {
      expect((await send(`${collector.url}api/inbox/config`)).body).toEqual({ actor: 'local' });
    } finally {
      await collector.close();
    }
  });

  test.each([
    'https://traces.example.com/',
    'ftp://traces.example.com/{trace_id}',
    'not a url {trace_id}',
  ])('traceUrl %s stops the collector, naming it', (traceUrl) => {
    expect(() => createCollector({ traceUrl })).toThrow(
      /`traceUrl` must be an http\(s\) URL holding \{trace_id\}/,
    );
  });
});
