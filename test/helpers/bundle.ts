import { fileURLToPath } from 'node:url';
import { build, type Rolldown } from 'vite';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DIST = `${ROOT}dist/`;

/**
 * The package as a consumer's bundler sees it, from the built `dist/` files: `feedback-widget`
 * and `feedback-widget/react` (which imports the former, so both share one runtime).
 */
const PACKAGE = [
  { find: /^feedback-widget\/react$/, replacement: `${DIST}react.mjs` },
  { find: /^feedback-widget$/, replacement: `${DIST}feedback-widget.mjs` },
];

/** Production builds of the frameworks, as an app would ship them. */
const PRODUCTION = {
  'process.env.NODE_ENV': '"production"',
  __VUE_OPTIONS_API__: 'false',
  __VUE_PROD_DEVTOOLS__: 'false',
  __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
};

/** What both builds share: no config file, quiet, production defines, the built package. */
const APP_BUILD = {
  configFile: false,
  logLevel: 'error',
  root: ROOT,
  define: PRODUCTION,
  resolve: { alias: PACKAGE },
} as const;

function only(output: Rolldown.RolldownOutput | Rolldown.RolldownOutput[] | unknown) {
  const [first] = (Array.isArray(output) ? output : [output]) as Rolldown.RolldownOutput[];
  const chunk = first?.output.find((file) => file.type === 'chunk');
  if (!chunk) throw new Error('the bundle has no JavaScript chunk');
  return chunk;
}

/**
 * A host app's entry (a file under test/hosts) bundled at test time for the browser, with
 * React, Vue and the widget's built files in it: one ES module's text.
 */
export async function bundleForBrowser(entry: string): Promise<string> {
  const output = await build({
    ...APP_BUILD,
    build: {
      write: false,
      minify: false,
      target: 'es2022',
      rolldownOptions: {
        input: `${ROOT}test/hosts/${entry}`,
        output: { format: 'es', codeSplitting: false },
      },
    },
  });
  return only(output).code;
}

/**
 * A host app's server entry bundled for Node, React left outside as a server app has it,
 * written under node_modules/.cache so Node finds React beside it. Returns the file's path.
 */
export async function bundleForNode(entry: string): Promise<string> {
  const outDir = `${ROOT}node_modules/.cache/feedback-widget-hosts`;
  const output = await build({
    ...APP_BUILD,
    build: {
      outDir,
      emptyOutDir: true,
      minify: false,
      ssr: `${ROOT}test/hosts/${entry}`,
      rolldownOptions: { output: { format: 'es', entryFileNames: '[name].mjs' } },
    },
  });
  return `${outDir}/${only(output).fileName}`;
}
