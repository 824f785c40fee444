// The figures' two uPlot charts. uPlot draws on canvas and sizes by pixels, so each chart
// follows its container's width and the colour scheme.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Stats } from '../types';

const HEIGHT = 200;
const DAY = 86_400;
const UTC = (seconds: number) => uPlot.tzDate(new Date(seconds * 1e3), 'Etc/UTC');

/** Resolves a custom property of inbox.css, light-dark() included, to a colour canvas takes. */
function color(property: string): string {
  const probe = document.createElement('span');
  probe.hidden = true;
  probe.style.color = `var(${property})`;
  document.body.append(probe);
  const value = getComputedStyle(probe).color;
  probe.remove();
  return value;
}

function axes(yLabel: string, x: uPlot.Axis): uPlot.Axis[] {
  const stroke = color('--muted');
  const grid = { stroke: color('--border'), width: 1 };
  return [
    { stroke, grid, ticks: grid, ...x },
    { stroke, grid, ticks: grid, label: yLabel, size: 50 },
  ];
}

function rateOptions(width: number): uPlot.Options {
  const accent = color('--accent');
  return {
    width,
    height: HEIGHT,
    tzDate: UTC,
    legend: { show: false },
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: true }, y: { range: [0, 100] } },
    // Whole days only: the collector counts by UTC day, so hours would suggest false detail.
    axes: axes('% helpful', { incrs: [DAY, 2 * DAY, 7 * DAY, 30 * DAY] }),
    series: [
      {},
      { label: 'Positive rate', stroke: accent, width: 2, points: { size: 7, fill: accent } },
    ],
  };
}

function scoreOptions(width: number): uPlot.Options {
  const accent = color('--accent');
  // Optional in uPlot's types because a micro build can leave it out; the full build has it.
  const bars = uPlot.paths.bars;
  return {
    width,
    height: HEIGHT,
    legend: { show: false },
    cursor: { drag: { x: false, y: false } },
    scales: {
      x: { time: false, range: [-0.5, 10.5] },
      y: { range: (_plot, _min, max) => [0, max + 1] },
    },
    axes: axes('votes', { splits: () => [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10] }),
    series: [
      {},
      {
        label: 'Votes',
        stroke: accent,
        fill: accent,
        ...(bars ? { paths: bars({ size: [0.7, 60] }) } : {}),
        points: { show: false },
      },
    ],
  };
}

type Draw = (data: uPlot.AlignedData) => void;

/** A chart in `container` that takes new data; redrawn when the colour scheme flips. */
function chart(container: HTMLElement, optionsFor: (width: number) => uPlot.Options) {
  let plot: uPlot | undefined;
  let data: uPlot.AlignedData | undefined;
  const draw = () => {
    plot?.destroy();
    if (data) plot = new uPlot(optionsFor(container.clientWidth), data, container);
  };
  const resize = new ResizeObserver(() =>
    plot?.setSize({ width: container.clientWidth, height: HEIGHT }),
  );
  resize.observe(container);
  const scheme = matchMedia('(prefers-color-scheme: dark)');
  scheme.addEventListener('change', draw);
  const update: Draw = (next) => {
    data = next;
    if (plot) plot.setData(data);
    else draw();
  };
  const destroy = () => {
    resize.disconnect();
    scheme.removeEventListener('change', draw);
    plot?.destroy();
  };
  return { update, destroy };
}

/** Positive rate per UTC day, in percent. */
export function rateChart(container: HTMLElement) {
  const { update, destroy } = chart(container, rateOptions);
  return {
    destroy,
    update(daily: Stats['daily']) {
      const days = daily.map((day) => Date.parse(`${day.day}T00:00:00Z`) / 1e3);
      const rates: (number | null)[] = daily.map((day) => day.positive_rate * 100);
      // One day alone gives uPlot's time axis no width (it pads by 1,000 days); empty
      // neighbours give it three labelled days instead.
      if (days.length === 1) {
        days.unshift((days[0] as number) - DAY);
        days.push((days[1] as number) + DAY);
        rates.unshift(null);
        rates.push(null);
      }
      update([days, rates]);
    },
  };
}

/** Votes per rounded score, 0 to 10. */
export function scoreChart(container: HTMLElement) {
  const { update, destroy } = chart(container, scoreOptions);
  return {
    destroy,
    update(distribution: Stats['score_distribution']) {
      update([
        distribution.map((bucket) => bucket.score),
        distribution.map((bucket) => bucket.count),
      ]);
    },
  };
}
