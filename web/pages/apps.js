// Applications page: a placeholder until this part of Boss is built.
import { html } from '../vendor/preact-htm.js';
import { NotBuiltPage } from '../ui/placeholder.js';

export function AppsPage({ title }) {
  return html`<${NotBuiltPage} title=${title} purpose="It will list the installed applications so you can search for them and launch them." />`;
}
