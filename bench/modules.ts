import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { bundles } from './bundles';
import { type Row, row } from './stats';

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** The numbers of one source-map segment (base64 VLQ, as the Source Map v3 format writes them). */
function decodeSegment(segment: string): number[] {
  const numbers: number[] = [];
  let value = 0;
  let shift = 0;
  for (const char of segment) {
    const digit = BASE64.indexOf(char);
    if (digit < 0) throw new Error(`bench/modules: "${char}" is not base64 in a source map`);
    value += (digit & 31) << shift;
    if (digit & 32) shift += 5;
    else {
      numbers.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  return numbers;
}

/** What a source file is counted as: its npm package, or its path in this repository. */
function moduleOf(source: string): string {
  const path = source.replace(/\\/g, '/');
  const inPackage = path.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  if (inPackage) return inPackage[1] as string;
  const own = path.match(/(widget\/.*?)(\?.*)?$/);
  return own ? (own[1] as string) : path;
}

/**
 * Attributes every character of the minified script to the source its source map names for
 * it; characters the map names no source for (the inlined stylesheet, the IIFE wrapper)
 * count as "unmapped".
 */
export function charactersBySource(code: string, map: { sources: string[]; mappings: string }) {
  const counts = new Map<string, number>();
  const add = (name: string, count: number) =>
    count > 0 && counts.set(name, (counts.get(name) ?? 0) + count);
  const lines = code.split('\n');
  let source = 0;
  map.mappings.split(';').forEach((mapped, index) => {
    const line = lines[index] ?? '';
    let column = 0;
    let owner = 'unmapped';
    let from = 0;
    for (const segment of mapped ? mapped.split(',') : []) {
      const fields = decodeSegment(segment);
      column += fields[0] as number;
      add(owner, column - from);
      from = column;
      if (fields.length >= 4) {
        source += fields[1] as number;
        owner = moduleOf(map.sources[source] as string);
      } else owner = 'unmapped';
    }
    add(owner, line.length - from);
  });
  for (const line of lines.slice(map.mappings.split(';').length)) add('unmapped', line.length);
  return counts;
}

/**
 * The script as `npm run build` makes it, rebuilt with a source map, split by source module:
 * minified characters, and gzip -9 of that module's code alone (gzip of parts does not add up
 * to gzip of the whole; the share is what to read).
 */
export async function measureModules(): Promise<Row[]> {
  const { modules } = await bundles();
  const map = JSON.parse(readFileSync(`${modules.file}.map`, 'utf8'));
  const counts = charactersBySource(modules.code, map);
  const total = [...counts.values()].reduce((sum, count) => sum + count, 0);
  const gzipTotal = execFileSync('gzip', ['-9', '-c', modules.file]).length;
  return [...counts]
    .sort(([, a], [, b]) => b - a)
    .map(([name, count]) =>
      row({
        section: 'size',
        metric: `Module ${name === 'unmapped' ? 'unmapped (the inlined stylesheet, the IIFE wrapper)' : name}: minified, ${((100 * count) / total).toFixed(1)} % of the script (≈ ${Math.round((gzipTotal * count) / total).toLocaleString('en-US')} B of its gzip -9)`,
        unit: 'B',
        runs: [count],
      }),
    );
}
