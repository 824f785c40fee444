import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { NotFoundError } from '../errors';
import { PUBLIC_DIR } from '../package';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** The inbox is written for it: no inline script or style, nothing from another origin. */
const HTML_HEADERS = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
    "connect-src 'self'; frame-ancestors 'none'",
};

/** A built file's name: one plain name, so no path can climb out of the folder. */
const FILE_NAME = /^[A-Za-z0-9][\w.-]*$/;

/**
 * A file `npm run build` put in the package's `dist/public/`: the widget's script and the inbox.
 * The inbox's assets carry a hash of their content in their names: browsers keep them a year.
 */
export async function servePublic(name: string, folder: '' | 'inbox' = ''): Promise<Response> {
  if (!FILE_NAME.test(name)) throw new NotFoundError('path', `\`${name}\` is not a file here.`);
  const immutable = folder === 'inbox';
  let body: Buffer;
  try {
    body = await readFile(join(PUBLIC_DIR, folder, name));
  } catch {
    // The whole folder missing is a package built or copied without it, not a mistyped name.
    throw new NotFoundError(
      'path',
      existsSync(PUBLIC_DIR)
        ? `\`${name}\` is not a file here.`
        : `the package's dist/public is missing (${PUBLIC_DIR}): in a checkout, run \`npm run build\`; under Next.js, list feedback-widget-collector in serverExternalPackages.`,
    );
  }
  const type = TYPES[extname(name)] ?? 'application/octet-stream';
  return new Response(new Uint8Array(body), {
    headers: {
      'Content-Type': type,
      'Cache-Control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      ...(type.startsWith('text/html') ? HTML_HEADERS : {}),
    },
  });
}
