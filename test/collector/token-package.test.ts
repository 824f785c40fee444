import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';

const root = new URL('../../', import.meta.url).pathname;
const consumer = mkdtempSync(join(tmpdir(), 'feedback-token-consumer-'));
afterAll(() => rmSync(consumer, { recursive: true, force: true }));

test('feedback-widget/token works from the packed tarball in a fresh Node project', () => {
  execFileSync('npm', ['pack', '--silent', '--pack-destination', consumer], { cwd: root });
  const tarball = readdirSync(consumer).find((name) => name.endsWith('.tgz')) as string;
  writeFileSync(
    join(consumer, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
  );
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--silent', `./${tarball}`], {
    cwd: consumer,
  });
  writeFileSync(
    join(consumer, 'mint.js'),
    `import { signFeedbackToken, verifyFeedbackToken } from 'feedback-widget/token';
const secret = 's'.repeat(32);
const token = await signFeedbackToken({ conversation_id: 'c-1', user_id: 'u-1' }, secret, { expiresIn: '1h' });
const claims = await verifyFeedbackToken(token, ['other'.repeat(8), secret]);
const refused = await verifyFeedbackToken(token, 'x'.repeat(32)).catch((error) => error.message);
console.log(JSON.stringify({ claims, refused }));
`,
  );
  const output = JSON.parse(execFileSync('node', ['mint.js'], { cwd: consumer, encoding: 'utf8' }));
  expect(output.claims).toMatchObject({ conversation_id: 'c-1', user_id: 'u-1' });
  expect(output.claims.exp - output.claims.iat).toBe(3600);
  expect(output.refused).toBe('The feedback token is not signed by this server.');
}, 120_000);
