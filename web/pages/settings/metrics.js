// Prometheus section of the Settings page (admins): the addresses that may read /metrics without
// an API token (one address or network per line, e.g. 10.0.0.5 or 10.0.0.0/24), and whether the
// application groups carry process-exporter's names so that its Grafana dashboards work as they
// are. The list editor is ./list.js.
import { html } from '../../vendor/preact-htm.js';
import { ErrorAlert, StatusMessage, Loading } from '../../ui/feedback.js';
import { ListSettingSection } from './list.js';
import { useSettingSwitch } from './switch.js';

function savedMessage(list) {
  return list.length
    ? `Saved. ${list.length} ${list.length === 1 ? 'address or network may' : 'addresses or networks may'} read /metrics without a token.`
    : 'Saved. Reading /metrics needs an API token.';
}

function ProcessExporterNames() {
  const { value: enabled, saving, error, status, toggle } = useSettingSwitch('metrics_process_exporter_names', (on) =>
    on ? 'Applications are now named as process-exporter names them.' : 'Applications now have Boss’s own metric names.');

  return html`
    <section class="panel" aria-labelledby="metrics-title" data-testid="metrics-section">
      <h2 id="metrics-title">Prometheus metrics</h2>
      <${ErrorAlert} message=${error} testid="metrics-error" />
      ${enabled === null && !error && html`<${Loading} />`}
      ${enabled !== null &&
      html`
        <p class="muted">Prometheus scrapes <code>/metrics</code> with an API token (any role, from the Account
          page) as a bearer token, or from an address listed below.</p>
        <div class="switch-row">
          <input id="metrics-process-exporter" name="metrics_process_exporter_names" type="checkbox" role="switch"
            class="switch" checked=${enabled} disabled=${saving} onChange=${toggle}
            aria-describedby="metrics-process-exporter-hint" data-testid="metrics-process-exporter" />
          <label for="metrics-process-exporter">Use process-exporter’s metric names</label>
        </div>
        <p id="metrics-process-exporter-hint" class="hint">
          Applications appear as <code>namedprocess_namegroup_*</code> with a <code>groupname</code> label, so that
          dashboards made for process-exporter work unchanged. A scrape may also ask
          with <code>?process_exporter=true</code>.
        </p>
      `}
      <${StatusMessage} message=${status} testid="metrics-status" />
    </section>
  `;
}

export function MetricsSection() {
  return html`
    <${ProcessExporterNames} />
    <${ListSettingSection} setting="metrics_scrapers" prefix="metrics-scrapers" fieldId="metrics-scrapers"
      title="Prometheus scrapers" label="Addresses or networks, one per line" savedMessage=${savedMessage}
      hint=${html`
        An IP address (<code>192.0.2.7</code>) or a network (<code>10.0.0.0/24</code>) that may
        read <code>/metrics</code> without a token. Leave empty to require a token. Behind a reverse proxy, the
        address is the client's only when the proxy is trusted (<code>--trusted-proxy</code>).
      `} />
  `;
}
