// The dashboard's two uPlot charts. uPlot draws on canvas and sizes by pixels, so each chart
// follows its container's width and the colour scheme.
import uPlot from 'uplot';

const HEIGHT = 220;
const DAY = 86_400;
const UTC = (seconds) => uPlot.tzDate(new Date(seconds * 1e3), 'Etc/UTC');

/** Resolves a custom property of styles.css, light-dark() included, to a colour canvas takes. */
function color(property) {
  const probe = document.createElement('span');
  probe.hidden = true;
  probe.style.color = `var(${property})`;
  document.body.append(probe);
  const value = getComputedStyle(probe).color;
  probe.remove();
  return value;
}

function axes(yLabel, xOptions) {
  const stroke = color('--muted');
  const grid = { stroke: color('--border'), width: 1 };
  return [
    { stroke, grid, ticks: grid, ...xOptions },
    { stroke, grid, ticks: grid, label: yLabel, size: 50 },
  ];
}

function rateOptions(width) {
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

function scoreOptions(width) {
  const accent = color('--accent');
  return {
    width,
    height: HEIGHT,
    legend: { show: false },
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: false, range: [-0.5, 10.5] }, y: { range: (_, __, max) => [0, max + 1] } },
    axes: axes('votes', { splits: () => [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10] }),
    series: [
      {},
      {
        label: 'Votes',
        stroke: accent,
        fill: accent,
        paths: uPlot.paths.bars({ size: [0.7, 60] }),
        points: { show: false },
      },
    ],
  };
}

/** A chart in `container` that can take new data; redrawn when the colour scheme flips. */
function chart(container, optionsFor) {
  let plot;
  let data;
  const draw = () => {
    plot?.destroy();
    plot = new uPlot(optionsFor(container.clientWidth), data, container);
  };
  new ResizeObserver(() => plot?.setSize({ width: container.clientWidth, height: HEIGHT })).observe(
    container,
  );
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => data && draw());
  return (next) => {
    data = next;
    if (plot) plot.setData(data);
    else draw();
  };
}

/** Positive rate per UTC day, in percent. `daily` is the stats' per-day series. */
export function rateChart(container) {
  const update = chart(container, rateOptions);
  return (daily) => {
    const days = daily.map((day) => Date.parse(`${day.day}T00:00:00Z`) / 1e3);
    const rates = daily.map((day) => (day.positive_rate === null ? null : day.positive_rate * 100));
    // One day alone gives uPlot's time axis no width (it pads by 1,000 days); empty neighbours
    // give it three labelled days instead.
    if (days.length === 1) {
      days.unshift(days[0] - DAY);
      days.push(days[1] + DAY);
      rates.unshift(null);
      rates.push(null);
    }
    update([days, rates]);
  };
}

/** Votes per rounded score, 0 to 10. */
export function scoreChart(container) {
  const update = chart(container, scoreOptions);
  return (distribution) =>
    update([
      distribution.map((bucket) => bucket.score),
      distribution.map((bucket) => bucket.count),
    ]);
}
