import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The fake vendor APIs the example FORWARD_FILE points at, their paths as the real ones'. */
const APIS: [RegExp, string][] = [
  [/^\/v1\/Assistants\/[^/]+\/Feedbacks$/, 'Basic'],
  [/^\/v1\/conversation\/[^/]+\/(upvote|downvote)$/, 'Bearer'],
  [/^\/v1\/feedback$/, 'Bearer'],
  [/^\/v1\/messages\/feedback$/, 'Bearer'],
  [/^\/api\/public\/scores$/, 'Basic'],
];

export interface DemoVendor {
  url: string;
  close(): Promise<void>;
}

/**
 * Starts stand-ins for the seed APIs and Langfuse on 127.0.0.1, so `npm start` with
 * `demo/forward.example.json` shows deliveries in the inbox (Figures, and each vote's detail).
 * They answer 401 without `key`, and one request in four to the Assistants API answers 503, so
 * retries show too.
 */
export async function startDemoVendor(port: number, key: string): Promise<DemoVendor> {
  let assistantCalls = 0;
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      const path = request.url ?? '/';
      const api = APIS.find(([pattern]) => pattern.test(path));
      const answer = (status: number, body: unknown) => {
        response.writeHead(status, { 'Content-Type': 'application/json' });
        response.end(JSON.stringify(body));
      };
      if (request.method !== 'POST' || !api) return answer(404, { error: 'No such API.' });
      if (request.headers.authorization !== `${api[1]} ${key}`) {
        return answer(401, { error: 'Bad credentials.' });
      }
      if (path.includes('/Assistants/') && ++assistantCalls % 4 === 0) {
        return answer(503, { error: 'Busy, try again.' });
      }
      return answer(201, { id: request.headers['idempotency-key'] });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}/`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
