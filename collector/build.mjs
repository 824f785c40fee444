// Compiles the collector to plain JavaScript for Node (no TypeScript loader at run time): one
// bundle per entry, the shared widget core inlined, the runtime dependencies left as imports;
// the bundled declarations of the library entry; and the widget's own script beside them, so
// `npx feedback-collector` serves the version it was built with at /feedback-widget.js.
import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { build } from 'rolldown';
import { dts } from 'rolldown-plugin-dts';

const here = (path) => new URL(path, import.meta.url).pathname;
const { dependencies } = JSON.parse(readFileSync(here('package.json'), 'utf8'));
const external = [
  /^node:/,
  ...Object.keys(dependencies).map((name) => new RegExp(`^${name}($|/)`)),
];

rmSync(here('dist'), { recursive: true, force: true });
await build({
  input: { index: here('src/index.ts'), bin: here('src/bin.ts') },
  platform: 'node',
  external,
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
