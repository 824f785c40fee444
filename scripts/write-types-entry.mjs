// tsc writes one declaration file per module under dist/types; the package's `types` entry
// points at this single file so consumers import everything from 'feedback-widget'.
import { writeFileSync } from 'node:fs';

writeFileSync('dist/feedback-widget.d.ts', "export * from './types/api.js';\n");
