import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { Reply } from './http';
import { HttpError } from './http';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/** The policy the demo pages are written for: no inline scripts or styles anywhere. */
const HTML_HEADERS = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
    "connect-src 'self'",
};

/** The dashboard page: private like the reads it shows (SPEC §10). */
export const DASHBOARD = 'demo/pages/dashboard.html';

const PAGES: Record<string, string> = {
  '/': 'index.html',
  '/chat': 'demo/pages/chat.html',
  '/article': 'demo/pages/article.html',
  '/playground': 'demo/pages/playground.html',
  '/dashboard': DASHBOARD,
  '/feedback-widget.js': 'dist/feedback-widget.js',
  '/feedback-widget.mjs': 'dist/feedback-widget.mjs',
  '/vendor/uplot.js': 'node_modules/uplot/dist/uPlot.iife.min.js',
  '/vendor/uplot.css': 'node_modules/uplot/dist/uPlot.min.css',
};

/** A file directly in `demo/pages/`: one plain name, so no path can climb out of the folder. */
const DEMO_FILE = /^\/demo\/([A-Za-z0-9][\w.-]*)$/;

/** The repository file a static path maps to, or undefined when the path is not a static one. */
export function staticFile(pathname: string): string | undefined {
  const page = PAGES[pathname];
  if (page !== undefined) return page;
  const file = DEMO_FILE.exec(pathname)?.[1];
  return file === undefined || file.includes('..') ? undefined : `demo/pages/${file}`;
}

export async function serveStatic(root: string, file: string): Promise<Reply> {
  let body: Buffer;
  try {
    body = await readFile(join(root, file));
  } catch {
    throw new HttpError(404, `\`${file}\` does not exist yet.`);
  }
  const type = TYPES[extname(file)] ?? 'application/octet-stream';
  return {
    status: 200,
    headers: {
      'Content-Type': type,
      'Cache-Control': 'no-cache',
      ...(type.startsWith('text/html') ? HTML_HEADERS : {}),
    },
    body,
  };
}
