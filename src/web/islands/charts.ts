// Admin analytics charts (loaded only on /admin/analytics pages): each `[data-chart]` element holds its
// data in a `<script type="application/json">` child (the CSP allows no inline script to run) and is
// drawn with uPlot. Kinds: `line` (x = days), `curve` (x = numbers, e.g. months since the first order) and
// `bars` (categories, one or more series side by side).
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import '../../features/analytics/views/charts.css';

interface ChartSpec {
  kind: 'line' | 'bars' | 'curve';
  /** Days (YYYY-MM-DD) for `line`, category labels for `bars`. */
  x: string[];
  series: Array<{ label: string; values: Array<number | null>; percent?: boolean }>;
}

const palette = ['#c2410c', '#0f766e', '#6d28d9', '#a16207'];

function readSpec(el: HTMLElement): ChartSpec | null {
  const script = el.querySelector('script[type="application/json"]');
  if (!script?.textContent) return null;
  try {
    return JSON.parse(script.textContent) as ChartSpec;
  } catch {
    return null;
  }
}

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

function options(spec: ChartSpec, width: number): uPlot.Options {
  const text = cssVar('--text-muted', '#57534e');
  const grid = cssVar('--border', '#e7e5e4');
  const percent = spec.series.some((s) => s.percent);
  const axisY: uPlot.Axis = { size: 64, stroke: text, grid: { stroke: grid }, ticks: { stroke: grid }, values: (_u, vals) => vals.map((v) => (percent ? `${Math.round(v * 100)}%` : String(v))) };
  const n = spec.series.length;
  if (spec.kind === 'bars') {
    const size = n === 1 ? 0.6 : 0.4;
    return {
      width,
      height: 240,
      scales: { x: { time: false, range: [-0.5, spec.x.length - 0.5] }, y: { range: (_u, _min, max) => [0, Math.max(max * 1.1, percent ? 0.1 : 1)] } },
      // Many categories (the RFM segments) get slanted labels so they do not overlap.
      axes: [{ stroke: text, grid: { show: false }, ticks: { show: false }, splits: () => spec.x.map((_, i) => i), values: () => spec.x, ...(spec.x.length > 6 ? { rotate: -30, size: 90 } : {}) }, axisY],
      series: [
        {},
        ...spec.series.map((s, i) => ({
          label: s.label,
          fill: palette[i % palette.length],
          stroke: palette[i % palette.length],
          width: 0,
          // Two series sit side by side: the first left of its category, the second right of it.
          paths: uPlot.paths.bars?.({ size: [size, 64], align: n === 2 ? (i === 0 ? -1 : 1) : 0 }),
          points: { show: false },
          value: (_u: uPlot, v: number | null) => (v === null ? '–' : s.percent ? `${(v * 100).toFixed(1)}%` : String(v)),
        })),
      ],
      legend: { live: false },
    };
  }
  return {
    width,
    height: 260,
    scales: { x: { time: spec.kind === 'line' }, ...(percent ? { y: { range: [0, 1] as uPlot.Range.MinMax } } : {}) },
    axes: [{ stroke: text, grid: { stroke: grid }, ticks: { stroke: grid } }, axisY],
    series: [{}, ...spec.series.map((s, i) => ({ label: s.label, stroke: palette[i % palette.length], width: 2, points: { show: spec.x.length < 40 } }))],
  };
}

function data(spec: ChartSpec): uPlot.AlignedData {
  const x = spec.kind === 'line' ? spec.x.map((d) => Date.parse(`${d}T00:00:00Z`) / 1000) : spec.kind === 'curve' ? spec.x.map(Number) : spec.x.map((_, i) => i);
  return [x, ...spec.series.map((s) => s.values)];
}

const charts: Array<{ el: HTMLElement; plot: uPlot }> = [];

for (const el of document.querySelectorAll<HTMLElement>('[data-chart]')) {
  const spec = readSpec(el);
  if (!spec || spec.x.length === 0) continue;
  const target = document.createElement('div');
  el.append(target);
  el.classList.add('chart-ready');
  charts.push({ el, plot: new uPlot(options(spec, Math.max(240, el.clientWidth)), data(spec), target) });
}

let resizeTimer: number | undefined;
window.addEventListener('resize', () => {
  window.clearTimeout(resizeTimer);
  resizeTimer = window.setTimeout(() => {
    for (const c of charts) c.plot.setSize({ width: Math.max(240, c.el.clientWidth), height: c.plot.height });
  }, 150);
});
