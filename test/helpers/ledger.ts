import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the network and the backend do with one POST. */
export type Fault =
  /** The backend stores the vote (unless its key is known) and answers 201 after `delayMs`. */
  | { kind: 'store'; delayMs?: number }
  /** A proxy or an overloaded backend answers `status`; nothing is stored. */
  | { kind: 'status'; status: number; retryAfter?: string }
  /** The connection breaks before the backend sees the vote; nothing is stored. */
  | { kind: 'drop' }
  /** The backend stores the vote, then the connection breaks: the answer is lost. */
  | { kind: 'lost' };

/** One POST as it reached the server. */
export interface Send {
  /** The `Idempotency-Key` header, `''` when missing. */
  key: string;
  body: Record<string, unknown>;
  /** Which send of this key it is, from 1. */
  nth: number;
  fault: Fault;
  /** Server clock (epoch ms) when the request arrived. */
  at: number;
  /** Server clock when it answered or broke the connection; unset while pending. */
  settledAt?: number;
  /**
   * `answered`: the answer went out on a connection the client still held open;
   * `abandoned`: the client closed the connection before the answer; `dropped`: the server did.
   */
  outcome?: 'answered' | 'abandoned' | 'dropped';
}

/** A vote the backend stored, under the Idempotency-Key it first came with. */
export interface Entry {
  key: string;
  body: Record<string, unknown>;
  /** Repeats of the key answered as the first time, storing nothing. */
  replays: number;
}

export interface Ledger {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  /** Decides the fate of each POST; the default stores it and answers 201 at once. */
  fault: (send: Pick<Send, 'key' | 'body' | 'nth'>) => Fault;
  /** Every POST, in order of arrival. */
  sends: Send[];
  /** What the backend stored, by Idempotency-Key. */
  stored: Map<string, Entry>;
  /** Serves `html` at `path` for GET. */
  page(path: string, html: string): void;
  close(): Promise<void>;
}

const DIST = new URL('../../dist/feedback-widget.js', import.meta.url);

/**
 * A real HTTP server on 127.0.0.1 that behaves like a backend honouring `Idempotency-Key`
 * behind an unreliable network, serving pages and the built script (`/feedback-widget.js`)
 * on the same origin. It does not keep the process alive.
 */
export async function startLedger(): Promise<Ledger> {
  const pages = new Map<string, string>();
  // Read once: a rebuild of dist/ while a test runs then cannot break it halfway.
  const script = readFileSync(DIST);
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0] as string;
    // No connection is reused: on a reused one that breaks, Chromium itself quietly resends the
    // request, and the widget would never see the fault it is meant to survive.
    response.setHeader('Connection', 'close');
    if (request.method === 'GET') {
      if (path === '/feedback-widget.js') {
        response.writeHead(200, { 'Content-Type': 'text/javascript' });
        response.end(script);
      } else if (pages.has(path)) {
        response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
        response.end(pages.get(path));
      } else {
        // Chromium asks for /favicon.ico by itself; 204 keeps its console free of 404s.
        response.writeHead(path === '/favicon.ico' ? 204 : 404).end();
      }
      return;
    }
    const header = request.headers['idempotency-key'];
    const key = typeof header === 'string' ? header : '';
    const at = Date.now();
    let text = '';
    request.on('data', (chunk) => {
      text += chunk;
    });
    request.on('end', () => {
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(text);
      } catch {}
      const nth = ledger.sends.filter((send) => send.key === key).length + 1;
      const send: Send = { key, body, nth, at, fault: ledger.fault({ key, body, nth }) };
      ledger.sends.push(send);
      response.on('close', () => {
        send.outcome ??= response.writableFinished ? 'answered' : 'abandoned';
        send.settledAt ??= Date.now();
      });
      const { fault } = send;
      if (fault.kind === 'store' || fault.kind === 'lost') {
        const entry = ledger.stored.get(key);
        if (entry) entry.replays++;
        else ledger.stored.set(key, { key, body, replays: 0 });
      }
      if (fault.kind === 'drop' || fault.kind === 'lost') {
        send.outcome = 'dropped';
        send.settledAt = Date.now();
        request.socket.destroy();
        return;
      }
      const answer = () => {
        if (send.outcome) return;
        send.settledAt = Date.now();
        if (fault.kind === 'status') {
          const headers: Record<string, string> = { 'Content-Type': 'application/json' };
          if (fault.retryAfter) headers['Retry-After'] = fault.retryAfter;
          response.writeHead(fault.status, headers).end('{"error":"unavailable"}');
        } else {
          // Same answer for a repeated key as for the first time: the client cannot tell.
          response.writeHead(201, { 'Content-Type': 'application/json' });
          response.end(JSON.stringify({ id: key }));
        }
      };
      if (fault.kind === 'store' && fault.delayMs) setTimeout(answer, fault.delayMs).unref();
      else answer();
    });
  });
  server.unref();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const ledger: Ledger = {
    origin: `http://127.0.0.1:${port}`,
    fault: () => ({ kind: 'store' }),
    sends: [],
    stored: new Map(),
    page(path, html) {
      pages.set(path, html);
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
  return ledger;
}
