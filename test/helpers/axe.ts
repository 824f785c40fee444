import { readFileSync } from 'node:fs';
import type { AxeResults } from 'axe-core';
import type { Page } from 'playwright-core';

const AXE = readFileSync(
  new URL('../../node_modules/axe-core/axe.min.js', import.meta.url),
  'utf8',
);

/** Serious and critical axe findings on the page as it is, WCAG 2.2 AA and best practice. */
export async function seriousFindings(page: Page): Promise<string[]> {
  // Evaluated rather than added as a <script>: the inbox's CSP rightly refuses inline scripts.
  await page.evaluate(AXE);
  return page.evaluate(async () => {
    const { axe } = window as unknown as {
      axe: { run(context: Document, options: object): Promise<AxeResults> };
    };
    const results = await axe.run(document, {
      runOnly: {
        type: 'tag',
        values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'],
      },
    });
    return results.violations
      .filter((rule) => rule.impact === 'serious' || rule.impact === 'critical')
      .flatMap((rule) =>
        rule.nodes.map(
          (node) => `${rule.id} at ${JSON.stringify(node.target)}: ${node.failureSummary}`,
        ),
      );
  });
}
