// Windows page: the live list of this desktop's windows with graceful close, activate,
// minimize and "Close all" (./view.js and the pieces beside it). Loaded on the first
// visit, so that the first load of Boss (which is the Processes page) stays small.
import { html, useState, useEffect, useRef } from '../../vendor/preact-htm.js';
import { errorMessage } from '../../api.js';
import { PageHeading } from '../../ui/page.js';
import { ErrorAlert, Loading } from '../../ui/feedback.js';

let loaded = null; // the page component, once its module has arrived

export function WindowsPage(props) {
  const [View, setView] = useState(() => loaded);
  const [error, setError] = useState(null);
  const keepFocus = useRef(false);

  useEffect(() => {
    if (View) return undefined;
    let live = true;
    import('./view.js')
      .then((module) => {
        loaded = module.WindowsView;
        if (!live) return;
        // The app focused the placeholder's heading on navigation: hand that on to the page's.
        keepFocus.current = document.activeElement?.id === 'page-title';
        setView(() => loaded);
      })
      .catch((err) => {
        if (live) setError(`Could not load the Windows page: ${errorMessage(err)}. Reload to try again.`);
      });
    return () => {
      live = false;
    };
  }, []);

  useEffect(() => {
    if (View && keepFocus.current) {
      keepFocus.current = false;
      document.getElementById('page-title')?.focus();
    }
  }, [View]);

  if (View) return html`<${View} ...${props} />`;
  return html`
    <${PageHeading} title=${props.title} />
    ${error ? html`<${ErrorAlert} message=${error} testid="windows-load-error" />` : html`<${Loading} />`}
  `;
}
