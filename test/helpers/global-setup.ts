import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { createCollector } from '../../collector/src/collector';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A directory holding `migrated`, a migrated PGlite (`pgliteDataDir`). */
    pgliteTemplates: string;
  }
}

/**
 * Gives the run a temporary directory of its own, removed after it, and makes the run's PGlite
 * template before any test file starts, unless only the unit tests run: made by the first tests
 * to need it, it cost them ~5 s each, more than their timeout allows on two loaded cores.
 *
 * Vitest calls this once for the root project and once more for each project that runs; the
 * projects read what the root provides, so only the root's call does anything.
 */
export default async function setup(project: TestProject) {
  if (!project.isRootProject()) return;
  const run = mkdtempSync(join(tmpdir(), 'feedback-widget-test-'));
  // PostgreSQL's clusters run as the `postgres` user, who must reach their directories.
  chmodSync(run, 0o755);
  // The workers start after this and inherit it: every directory a test makes (`os.tmpdir()`:
  // PostgreSQL clusters, npm projects, FORWARD_FILEs) goes with the run, even one whose test
  // failed before cleaning up (a full run left about 650 behind in /tmp).
  process.env.TMPDIR = run;
  const templates = join(run, 'pglite-templates');
  mkdirSync(templates);
  project.provide('pgliteTemplates', templates);
  if (project.vitest.projects.some((each) => each.name !== 'unit')) {
    const dataDir = join(templates, 'migrated');
    mkdirSync(dataDir);
    const collector = createCollector({ dataDir, port: 0, logDestination: { write() {} } });
    await collector.listen();
    await collector.close();
  }
  return () => rmSync(run, { recursive: true, force: true });
}
