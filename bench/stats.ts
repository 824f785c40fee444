/** Median, extremes and relative spread of one series of runs. */
export interface Summary {
  median: number;
  min: number;
  max: number;
  /** (max − min) / median: how far the runs disagree, relative to the typical one. */
  spread: number;
}

/** One line of the report: our figure against a baseline measured in the same bench run. */
export interface Row {
  section: string;
  metric: string;
  unit: string;
  /** The median of `runs`, or the one measurement when the figure cannot jitter. */
  ours: number;
  baseline: number | undefined;
  baselineName: string | undefined;
  /** ours / baseline, both medians of the same run. */
  ratio: number | undefined;
  /** The goal as a person reads it, e.g. `≤ 0.35×`; undefined when there is none. */
  goal: string | undefined;
  met: boolean | undefined;
  /** The goal as data: the ceiling and what it applies to. */
  limit: Goal | undefined;
  runs: number[];
  baselineRuns: number[];
  summary: Summary | undefined;
  baselineSummary: Summary | undefined;
  /** What the figure means or why a goal is missed, in a sentence or two. */
  note?: string;
}

export function summarize(runs: number[]): Summary {
  if (!runs.length) throw new Error('summarize: no runs');
  const sorted = [...runs].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  const median =
    sorted.length % 2
      ? (sorted[middle] as number)
      : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
  const min = sorted[0] as number;
  const max = sorted[sorted.length - 1] as number;
  return { median, min, max, spread: median ? (max - min) / median : 0 };
}

interface RowInput {
  section: string;
  metric: string;
  unit: string;
  runs: number[];
  baselineName?: string;
  baselineRuns?: number[];
  goal?: Goal;
  note?: string;
}

/**
 * A ceiling on our median (`ours`) or on ours / baseline (`ratio`); `below` excludes it. Or,
 * with `atLeast`, a floor: throughput and ratios that must not fall under `max`.
 */
export interface Goal {
  on: 'ours' | 'ratio';
  max: number;
  below?: boolean;
  atLeast?: boolean;
}

function goalText(goal: Goal, unit: string): string {
  const sign = goal.atLeast ? '≥' : goal.below ? '<' : '≤';
  return goal.on === 'ratio'
    ? `${sign} ${goal.max}×`
    : `${sign} ${goal.max.toLocaleString('en-US')} ${unit}`;
}

/** Builds a row from raw runs: medians, spreads, the ratio of medians and the verdict. */
export function row(input: RowInput): Row {
  const summary = summarize(input.runs);
  const baselineRuns = input.baselineRuns ?? [];
  const baselineSummary = baselineRuns.length ? summarize(baselineRuns) : undefined;
  const baseline = baselineSummary?.median;
  const ratio = baseline ? summary.median / baseline : undefined;
  const goal = input.goal;
  const judged = goal?.on === 'ratio' ? ratio : summary.median;
  const met =
    goal && judged !== undefined
      ? goal.atLeast
        ? judged >= goal.max
        : goal.below
          ? judged < goal.max
          : judged <= goal.max
      : undefined;
  const result: Row = {
    section: input.section,
    metric: input.metric,
    unit: input.unit,
    ours: summary.median,
    baseline,
    baselineName: baselineSummary ? input.baselineName : undefined,
    ratio,
    goal: goal && goalText(goal, input.unit),
    met,
    limit: goal,
    runs: input.runs,
    baselineRuns,
    summary: input.runs.length > 1 ? summary : undefined,
    baselineSummary: baselineRuns.length > 1 ? baselineSummary : undefined,
  };
  if (input.note) result.note = input.note;
  return result;
}

/**
 * Runs `measure` for each kind in turn, `runs` times (a, b, a, b …), so that drift in the
 * machine's load hits every kind alike. Returns the runs of each kind in order.
 */
export async function interleave<K extends string, T>(
  kinds: readonly K[],
  runs: number,
  measure: (kind: K, index: number) => Promise<T>,
): Promise<Record<K, T[]>> {
  const results = Object.fromEntries(kinds.map((kind) => [kind, [] as T[]])) as Record<K, T[]>;
  for (let index = 0; index < runs; index++) {
    for (const kind of kinds) {
      results[kind].push(await measure(kind, index));
    }
  }
  return results;
}
