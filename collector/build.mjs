// Compiles the collector to plain JavaScript for Node (no TypeScript loader at run time): one
// bundle per entry, the shared widget core inlined, the runtime dependencies left as imports;
// the bundled declarations of the library entry; and the widget's own script beside them, so
// `npx feedback-collector` serves the version it was built with at /feedback-widget.js.
// The version (imported from package.json) and the SQL migrations are written into the bundle:
// a bundler that copies only the files it can trace (Next's `output: 'standalone'`, Vercel)
// would leave those files behind.
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { build } from 'rolldown';
import { dts } from 'rolldown-plugin-dts';

const here = (path) => new URL(path, import.meta.url).pathname;
const { dependencies } = JSON.parse(readFileSync(here('package.json'), 'utf8'));
const external = [
  /^node:/,
  ...Object.keys(dependencies).map((name) => new RegExp(`^${name}($|/)`)),
];

/**
 * `src/storage/migrations.ts` reads `migrations/*.sql` when the collector runs from source; the
 * bundle gets the same list, as `migrate()` applies it, written out in its place. A build that
 * did not replace it (the module moved) stops rather than ship a collector that reads them.
 */
const MIGRATIONS_MODULE = here('src/storage/migrations.ts');
let migrationsInlined = false;
const inlineMigrations = {
  name: 'inline-migrations',
  load(id) {
    if (id !== MIGRATIONS_MODULE) return null;
    migrationsInlined = true;
    const migrations = readdirSync(here('migrations'))
      .filter((name) => /^\d+_.+\.sql$/.test(name))
      .sort()
      .map((name) => ({ name, sql: readFileSync(here(`migrations/${name}`), 'utf8') }));
    return `export const MIGRATIONS = ${JSON.stringify(migrations)};`;
  },
  buildEnd() {
    if (!migrationsInlined) throw new Error(`${MIGRATIONS_MODULE} was not bundled.`);
  },
};

rmSync(here('dist'), { recursive: true, force: true });
await build({
  input: { index: here('src/index.ts'), bin: here('src/bin.ts') },
  platform: 'node',
  external,
  plugins: [inlineMigrations],
  output: { dir: here('dist'), format: 'es', entryFileNames: '[name].js' },
  logLevel: 'warn',
});
await build({
  input: { index: here('src/index.ts') },
  external,
  // What is marked @internal (the options only the bin, the demo, the bench and tests set) is
  // left out of the declarations users see. They name Node's own types (`node:http`): the banner
  // loads @types/node, an optional peer dependency, even where a project's `types` leaves it out.
  plugins: [
    dts({
      dtsOnly: true,
      tsconfig: here('../tsconfig.json'),
      generator: 'oxc',
      oxc: { stripInternal: true },
    }),
  ],
  output: {
    dir: here('dist'),
    entryFileNames: '[name].d.ts',
    banner: '/// <reference types="node" />',
  },
  logLevel: 'warn',
});
mkdirSync(here('dist/public'), { recursive: true });
copyFileSync(here('../dist/feedback-widget.js'), here('dist/public/feedback-widget.js'));
// The repository's one changelog, written for both packages, ships with this one too.
copyFileSync(here('../CHANGELOG.md'), here('CHANGELOG.md'));
