// Windows page: a placeholder until this part of Boss is built.
import { html } from '../vendor/preact-htm.js';
import { NotBuiltPage } from '../ui/placeholder.js';

export function WindowsPage({ title }) {
  return html`<${NotBuiltPage} title=${title} purpose="It will list the open windows of this desktop and close them gracefully, one at a time or all at once, without losing unsaved work." />`;
}
