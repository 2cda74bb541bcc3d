// The system summary above the process table: CPU, memory, swap, load, uptime, counts, host.
import { html } from '../../vendor/preact-htm.js';
import { formatBytes, formatCount, formatDuration, formatPercent } from './format.js';

function Meter({ fraction, label, level }) {
  const clamped = Math.max(0, Math.min(1, Number.isFinite(fraction) ? fraction : 0));
  return html`
    <span class="meter" role="presentation" title=${label}>
      <span class=${`meter-fill meter-${level}`} style=${{ width: `${(clamped * 100).toFixed(1)}%` }}></span>
    </span>
  `;
}

function level(fraction) {
  if (fraction >= 0.9) return 'high';
  if (fraction >= 0.7) return 'mid';
  return 'low';
}

function Stat({ label, value, testid, children }) {
  return html`
    <div class="stat" data-testid=${testid}>
      <dt>${label}</dt>
      <dd>
        <span class="stat-value">${value}</span>
        ${children}
      </dd>
    </div>
  `;
}

export function SystemSummary({ system }) {
  if (!system) {
    return html`
      <section class="panel summary summary-loading" aria-label="System summary" data-testid="system-summary"
        aria-busy="true">
        <p class="loading">Waiting for the first sample…</p>
      </section>
    `;
  }
  const cpu = (system.cpu_percent || 0) / 100;
  const memUsed = Math.max(0, (system.memory_total_bytes || 0) - (system.memory_available_bytes || 0));
  const memFraction = system.memory_total_bytes ? memUsed / system.memory_total_bytes : 0;
  const swapUsed = Math.max(0, (system.swap_total_bytes || 0) - (system.swap_free_bytes || 0));
  const swapFraction = system.swap_total_bytes ? swapUsed / system.swap_total_bytes : 0;
  const load = system.load_average || [];
  const loadText = load.length ? load.map((l) => l.toFixed(2)).join(' · ') : '—';

  return html`
    <section class="panel summary" aria-label="System summary" data-testid="system-summary">
      <p class="summary-host" data-testid="summary-host">
        <strong>${system.hostname || 'This computer'}</strong>
        ${system.os && html`<span>${system.os}</span>`}
        ${system.kernel && html`<span class="summary-kernel">Linux ${system.kernel}</span>`}
        <span data-testid="summary-uptime" title=${system.booted_at ? `Booted ${system.booted_at}` : undefined}>
          up ${formatDuration(system.uptime_secs)}
        </span>
      </p>
      <dl class="summary-grid">
        <${Stat} label=${`CPU (${system.cpu_count || '?'} cores)`} value=${`${formatPercent(system.cpu_percent)} %`}
          testid="summary-cpu">
          <${Meter} fraction=${cpu} level=${level(cpu)} label=${`CPU ${formatPercent(system.cpu_percent)} % of all cores`} />
        <//>
        <${Stat} label="Memory used" value=${formatBytes(memUsed)} testid="summary-memory">
          <${Meter} fraction=${memFraction} level=${level(memFraction)}
            label=${`${formatPercent(memFraction * 100)} % of memory in use`} />
          <span class="stat-note">of ${formatBytes(system.memory_total_bytes)} (${formatPercent(memFraction * 100)} %)</span>
        <//>
        <${Stat} label="Swap used" value=${system.swap_total_bytes ? formatBytes(swapUsed) : 'No swap'} testid="summary-swap">
          ${system.swap_total_bytes
            ? html`<${Meter} fraction=${swapFraction} level=${level(swapFraction)}
                label=${`${formatPercent(swapFraction * 100)} % of swap in use`} />
              <span class="stat-note">of ${formatBytes(system.swap_total_bytes)} (${formatPercent(swapFraction * 100)} %)</span>`
            : null}
        <//>
        <${Stat} label="Load (1 · 5 · 15 min)" value=${loadText} testid="summary-load" />
        <${Stat} label="Processes · threads"
          value=${`${formatCount(system.process_count)} · ${formatCount(system.thread_count)}`} testid="summary-counts" />
      </dl>
    </section>
  `;
}
