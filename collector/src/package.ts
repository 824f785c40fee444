import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The collector package's own directory. Source files (tests) and the compiled bundle sit at
 * different depths below it, so it is found by walking up to its `package.json`.
 */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir)
      throw new Error('The feedback-widget-collector package has no package.json.');
    dir = parent;
  }
  return dir;
}

export const PACKAGE_ROOT = packageRoot();

/** The numbered SQL migrations, shipped as they are written. */
export const MIGRATIONS_DIR = join(PACKAGE_ROOT, 'migrations');

/** What `npm run build` puts beside the code: the widget's script and the inbox. */
export const PUBLIC_DIR = join(PACKAGE_ROOT, 'dist', 'public');

export const VERSION: string = JSON.parse(
  readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8'),
).version;
