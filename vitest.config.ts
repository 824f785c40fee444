import { availableParallelism } from 'node:os';
import { defineConfig, mergeConfig } from 'vitest/config';
import viteConfig from './vite.config.ts';

export default defineConfig((env) =>
  mergeConfig(viteConfig(env), {
    test: {
      // Vitest's default, one worker fewer than the cores, is one worker on a 2-core machine,
      // and these tests mostly wait on servers, browsers and databases: one file at a time kept
      // the cores 43 % busy and took 33 min.
      maxWorkers: Math.max(3, availableParallelism() - 1),
      globalSetup: ['test/helpers/global-setup.ts'],
      projects: [
        {
          extends: true,
          test: {
            name: 'unit',
            include: ['test/unit/**/*.test.{ts,tsx}'],
            environment: 'happy-dom',
            restoreMocks: true,
            // A guard against a hang, not a speed limit: beside two busy loops on two cores,
            // mounting 300 widgets took 5.5 s, past the 5 s default; a test's waits last up to
            // WAIT_MS (test/helpers/wait.ts) each.
            testTimeout: 60_000,
            hookTimeout: 60_000,
          },
        },
        {
          extends: true,
          test: {
            name: 'browser',
            include: ['test/browser/**/*.test.ts'],
            environment: 'node',
            // A guard against a hang, not a speed limit: with three files at once on two cores,
            // an inbox test took up to 26 s.
            testTimeout: 60_000,
            hookTimeout: 60_000,
          },
        },
        {
          extends: true,
          test: {
            // Packs the package and installs it into a fresh project (from the npm cache).
            name: 'package',
            include: ['test/package.test.ts', 'test/collector-package.test.ts'],
            environment: 'node',
            testTimeout: 60_000,
            hookTimeout: 300_000,
          },
        },
        {
          extends: true,
          test: {
            name: 'collector',
            include: ['test/collector/**/*.test.ts'],
            environment: 'node',
            testTimeout: 60_000,
            hookTimeout: 60_000,
          },
        },
      ],
    },
  }),
);
