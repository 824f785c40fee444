import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { createCollector } from '../../collector/src/collector';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A directory of this run holding `migrated`, a migrated PGlite (`pgliteDataDir`). */
    pgliteTemplates: string;
  }
}

/**
 * Makes the run's PGlite template before any test file starts, unless only the unit tests
 * run: made by the first tests to need it, it cost them ~5 s each, more than their timeout
 * allows on two loaded cores.
 */
export default async function setup(project: TestProject) {
  const templates = mkdtempSync(join(tmpdir(), 'feedback-pglite-templates-'));
  project.provide('pgliteTemplates', templates);
  if (project.vitest.projects.some((each) => each.name !== 'unit')) {
    const dataDir = join(templates, 'migrated');
    mkdirSync(dataDir);
    const collector = createCollector({ dataDir, port: 0, logDestination: { write() {} } });
    await collector.listen();
    await collector.close();
  }
  return () => rmSync(templates, { recursive: true, force: true });
}
