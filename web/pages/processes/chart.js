// A small CPU and memory history chart drawn on a canvas (no chart library): CPU as a filled area
// against its own scale (at least 100 %), memory as a line against its own scale.
import { html, useEffect, useRef } from '../../vendor/preact-htm.js';
import { formatBytes, formatPercent } from './format.js';

export const HISTORY_LENGTH = 60;

/**
 * The colour a theme variable gives on `el`, as the canvas understands it. The variable itself
 * holds light-dark(…, …), which only a CSS property resolves (by the colour scheme), so it is
 * read back through `color`.
 */
function cssColor(el, name, fallback) {
  const before = el.style.color;
  el.style.color = `var(${name}, ${fallback})`;
  const value = getComputedStyle(el).color;
  el.style.color = before;
  return value || fallback;
}

function draw(canvas, samples) {
  const width = canvas.clientWidth;
  const height = canvas.clientHeight;
  if (!width || !height) return;
  const ratio = window.devicePixelRatio || 1;
  if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
  }
  const ctx = canvas.getContext('2d');
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, width, height);

  const grid = cssColor(canvas, '--border', '#ccc');
  const cpuColor = cssColor(canvas, '--accent', '#2457c5');
  const memColor = cssColor(canvas, '--success', '#1a7439');

  const pad = 2;
  const plotH = height - pad * 2;
  ctx.lineWidth = 1;
  ctx.strokeStyle = grid;
  ctx.beginPath();
  for (const f of [0.25, 0.5, 0.75]) {
    const y = Math.round(pad + plotH * f) + 0.5;
    ctx.moveTo(0, y);
    ctx.lineTo(width, y);
  }
  ctx.stroke();

  if (samples.length < 1) return;
  const step = width / (HISTORY_LENGTH - 1);
  // Newest sample at the right edge.
  const xAt = (i) => width - (samples.length - 1 - i) * step;

  const cpuMax = Math.max(100, ...samples.map((s) => s.cpu || 0));
  const yCpu = (v) => pad + plotH - (Math.min(v, cpuMax) / cpuMax) * plotH;
  ctx.beginPath();
  ctx.moveTo(xAt(0), height);
  samples.forEach((s, i) => ctx.lineTo(xAt(i), yCpu(s.cpu || 0)));
  ctx.lineTo(xAt(samples.length - 1), height);
  ctx.closePath();
  ctx.globalAlpha = 0.22;
  ctx.fillStyle = cpuColor;
  ctx.fill();
  ctx.globalAlpha = 1;
  ctx.beginPath();
  samples.forEach((s, i) => (i ? ctx.lineTo(xAt(i), yCpu(s.cpu || 0)) : ctx.moveTo(xAt(i), yCpu(s.cpu || 0))));
  ctx.strokeStyle = cpuColor;
  ctx.lineWidth = 1.5;
  ctx.stroke();

  const mems = samples.map((s) => s.mem || 0);
  const memMax = Math.max(...mems) * 1.15 || 1;
  const yMem = (v) => pad + plotH - (v / memMax) * plotH;
  ctx.beginPath();
  samples.forEach((s, i) => (i ? ctx.lineTo(xAt(i), yMem(s.mem || 0)) : ctx.moveTo(xAt(i), yMem(s.mem || 0))));
  ctx.strokeStyle = memColor;
  ctx.lineWidth = 1.5;
  ctx.setLineDash([4, 3]);
  ctx.stroke();
  ctx.setLineDash([]);

  // The newest values as dots, so a flat line at the edge is still easy to see.
  const last = samples[samples.length - 1];
  const dot = (y, color) => {
    ctx.beginPath();
    ctx.arc(width - 3, Math.min(height - 3, Math.max(3, y)), 2.5, 0, Math.PI * 2);
    ctx.fillStyle = color;
    ctx.fill();
  };
  dot(yCpu(last.cpu || 0), cpuColor);
  dot(yMem(last.mem || 0), memColor);
}

/** samples: [{cpu, mem}], oldest first, at most HISTORY_LENGTH. */
export function HistoryChart({ samples }) {
  const ref = useRef(null);
  const samplesRef = useRef(samples);
  samplesRef.current = samples;

  useEffect(() => {
    if (ref.current) draw(ref.current, samples);
  }, [samples]);

  useEffect(() => {
    const canvas = ref.current;
    if (!canvas) return undefined;
    const observer = new ResizeObserver(() => draw(canvas, samplesRef.current));
    observer.observe(canvas);
    return () => observer.disconnect();
  }, []);

  const last = samples[samples.length - 1];
  const peakCpu = samples.reduce((m, s) => Math.max(m, s.cpu || 0), 0);
  const summary = last
    ? `CPU ${formatPercent(last.cpu)} % (peak ${formatPercent(peakCpu)} %), memory ${formatBytes(last.mem)}, over the last ${samples.length} s`
    : 'No samples yet';
  return html`
    <figure class="history">
      <canvas ref=${ref} class="history-canvas" data-testid="cpu-chart" data-samples=${samples.length}
        role="img" aria-label=${`CPU and memory history: ${summary}`}></canvas>
      <figcaption class="history-legend">
        <span><span class="swatch swatch-cpu" aria-hidden="true"></span>CPU ${last ? `${formatPercent(last.cpu)} %` : '—'}</span>
        <span><span class="swatch swatch-mem" aria-hidden="true"></span>Memory ${last ? formatBytes(last.mem) : '—'}</span>
        <span class="muted">last ${HISTORY_LENGTH} s</span>
      </figcaption>
    </figure>
  `;
}
