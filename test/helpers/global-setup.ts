import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A directory of this run where the first test to need one leaves a migrated PGlite. */
    pgliteTemplates: string;
  }
}

/** Gives the run a place for its PGlite template (`pgliteDataDir`), removed after the run. */
export default function setup(project: TestProject) {
  const templates = mkdtempSync(join(tmpdir(), 'feedback-pglite-templates-'));
  project.provide('pgliteTemplates', templates);
  return () => rmSync(templates, { recursive: true, force: true });
}
