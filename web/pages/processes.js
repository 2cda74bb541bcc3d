// Processes page: a placeholder until this part of Boss is built.
import { html } from '../vendor/preact-htm.js';
import { NotBuiltPage } from '../ui/placeholder.js';

export function ProcessesPage({ title }) {
  return html`<${NotBuiltPage} title=${title} purpose="It will show a live table of running processes with their CPU and memory use, and let you end, pause or reprioritise them." />`;
}
