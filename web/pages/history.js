// History page: a placeholder until this part of Boss is built.
import { html } from '../vendor/preact-htm.js';
import { NotBuiltPage } from '../ui/placeholder.js';

export function HistoryPage({ title }) {
  return html`<${NotBuiltPage} title=${title} purpose="It will show every launch: who started what, when, for how long and how it ended, with totals per app and CSV export." />`;
}
