// The host switcher in the header: which machine of the fleet the pages show. Shown only when
// there is more than one host (several Boss servers on one PostgreSQL database).
import { html, useState, useEffect } from '../vendor/preact-htm.js';
import { selectHost, selectedHost, onHostChange } from '../api.js';
import { useHostList } from '../shared/hosts.js';

const REFRESH_MS = 15000;

export function HostSwitcher() {
  // Errors keep the last list; the pages report them.
  const hosts = useHostList(REFRESH_MS).answer?.hosts || [];
  const [current, setCurrent] = useState(selectedHost);

  useEffect(() => onHostChange(setCurrent), []);

  if (hosts.length < 2 && !current) return null;
  const here = hosts.find((h) => h.this_host);
  const value = current || here?.name || '';
  function choose(event) {
    const name = event.target.value;
    selectHost(name === here?.name ? null : name);
  }
  return html`
    <label class="host-switcher">
      <span class="visually-hidden">Host</span>
      <select value=${value} onChange=${choose} data-testid="host-switcher" title="The machine these pages show">
        ${hosts.map((h) => html`
          <option key=${h.id} value=${h.name}>
            ${h.name}${h.this_host ? ' (this server)' : ''}${h.online ? '' : ' (offline)'}
          </option>`)}
      </select>
    </label>
  `;
}
