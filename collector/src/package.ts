import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
// Bundled into the compiled collector by `build.mjs`: it reads no package.json at run time.
import { version } from '../package.json';

export const VERSION: string = version;

/**
 * What `npm run build` puts in the package's `dist/public/`: the widget's script and the inbox,
 * served from disk. Sources (`src/`) and the compiled collector (`dist/`) sit side by side, so
 * one path reaches it from both. A path, not `new URL(…, import.meta.url)`, which bundlers take
 * for a module to resolve (Turbopack stops on a folder).
 */
export const PUBLIC_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'public');
