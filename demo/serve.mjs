// A stand-in for the bundled collector (issue #4): serves the demo page and dist/, and
// accepts votes in memory, printing each one, so the whole loop can be tried today.
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';

const root = join(import.meta.dirname, '..');
const port = Number(process.env.PORT ?? 8787);
const types = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
};
const votes = [];

function receive(request, response) {
  let body = '';
  request.on('data', (chunk) => {
    body += chunk;
  });
  request.on('end', () => {
    try {
      const vote = JSON.parse(body);
      votes.unshift(vote);
      console.log(`${request.method} ${request.url}`, vote);
      response.writeHead(201, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify({ id: vote.id ?? String(votes.length) }));
    } catch {
      response.writeHead(400, { 'Content-Type': 'application/json' });
      response.end('{"error":"body must be JSON"}');
    }
  });
}

createServer(async (request, response) => {
  const url = new URL(request.url ?? '/', 'http://localhost');
  if (request.method === 'POST') return receive(request, response);
  if (url.pathname === '/api/feedback') {
    response.writeHead(200, { 'Content-Type': 'application/json' });
    return response.end(JSON.stringify({ items: votes.slice(0, 20), total: votes.length }));
  }
  const path = normalize(url.pathname === '/' ? '/index.html' : url.pathname);
  // Only the demo page and what it loads; never the rest of the repository.
  if (!/^\/(index\.html$|dist\/|demo\/)/.test(path)) {
    response.writeHead(404).end('not found');
    return;
  }
  try {
    const file = await readFile(join(root, path));
    response.writeHead(200, { 'Content-Type': types[extname(path)] ?? 'application/octet-stream' });
    response.end(file);
  } catch {
    response.writeHead(404).end('not found');
  }
}).listen(port, '127.0.0.1', () => {
  console.log(`feedback-widget demo: http://127.0.0.1:${port}/`);
  console.log(
    'Votes are kept in memory and printed here; the collector with a database is issue #4.',
  );
});
