// tsc (TypeScript 7) writes one declaration file per module under dist/types; consumers get one
// self-contained file per entry, since per-module files that import each other without
// extensions fall apart under `moduleResolution: nodenext`.
import { rmSync } from 'node:fs';
import { build } from 'rolldown';
import { dts } from 'rolldown-plugin-dts';

await build({
  input: {
    'feedback-widget': 'dist/types/widget/api.d.ts',
    react: 'dist/types/widget/react.d.ts',
    token: 'dist/types/collector/src/token.d.ts',
  },
  // The packages consumers install beside this one, and the React entry's import of the main one.
  external: [/^preact($|\/)/, /^@preact\//, 'ky', 'jose', /^react($|\/)/, 'feedback-widget'],
  plugins: [dts({ dtsOnly: true, tsconfig: false, generator: 'oxc' })],
  output: { dir: 'dist', entryFileNames: '[name].d.ts' },
  logLevel: 'warn',
});
rmSync('dist/types', { recursive: true });
