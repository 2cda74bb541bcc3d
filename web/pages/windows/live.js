// The live window list: one EventSource on /api/v1/events?topics=windows while the page is open
// (the server watches the display only while someone listens), closed when the page unmounts
// and while the browser tab is hidden. Each `windows` event carries the whole list.
import { html, useState, useEffect } from '../../vendor/preact-htm.js';
import { api } from '../../api.js';

const EVENTS_URL = '/api/v1/events?topics=windows';
const RETRY_MS = 3000;

/**
 * Returns { status, list }: status is 'connecting' | 'live' | 'reconnecting' | 'offline' |
 * 'paused' (tab hidden); list is the last GET /api/v1/windows shaped object, null until the
 * first event.
 */
export function useWindowStream() {
  const [state, setState] = useState({ status: 'connecting', list: null });

  useEffect(() => {
    let source = null;
    let retryTimer = null;
    let disposed = false;

    const publish = (patch) => {
      if (!disposed) setState((previous) => ({ ...previous, ...patch }));
    };

    function onWindows(event) {
      const list = parse(event);
      if (list) publish({ list, status: 'live' });
    }

    function open() {
      clearTimeout(retryTimer);
      if (source || disposed) return;
      source = new EventSource(EVENTS_URL, { withCredentials: true });
      source.addEventListener('windows', onWindows);
      source.onopen = () => publish({ status: 'live' });
      source.onerror = () => {
        if (!source) return;
        if (source.readyState === EventSource.CLOSED) {
          // The browser gave up (e.g. 401, or the server restarted with an error). Check the
          // session (a 401 sends the app to the login page), then try again after a pause.
          close();
          publish({ status: 'offline' });
          api('/auth/me').catch(() => {});
          retryTimer = setTimeout(open, RETRY_MS);
        } else {
          publish({ status: 'reconnecting' }); // EventSource retries by itself
        }
      };
    }
    function close() {
      if (!source) return;
      source.onerror = null;
      source.onopen = null;
      source.close();
      source = null;
    }
    function onVisibility() {
      if (document.hidden) {
        close();
        clearTimeout(retryTimer);
        publish({ status: 'paused' });
      } else {
        publish({ status: 'connecting' });
        open();
      }
    }

    if (!document.hidden) open();
    else publish({ status: 'paused' });
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      disposed = true;
      document.removeEventListener('visibilitychange', onVisibility);
      clearTimeout(retryTimer);
      close();
    };
  }, []);

  return state;
}

function parse(event) {
  try {
    return JSON.parse(event.data);
  } catch {
    return null;
  }
}

const LIVE_LABELS = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
  paused: 'Paused',
};
const LIVE_TITLES = {
  connecting: 'Connecting to the live stream',
  live: 'Updated as windows open, close and change',
  reconnecting: 'The connection dropped; retrying',
  offline: 'Cannot reach Boss; retrying every few seconds',
  paused: 'Paused while this tab is hidden',
};

/** The same badge as on the Processes page. */
export function LiveIndicator({ status }) {
  return html`
    <span class=${`live-indicator live-${status}`} role="status" data-testid="live-indicator" data-state=${status}
      title=${LIVE_TITLES[status]}>
      <span class="live-dot" aria-hidden="true"></span>${LIVE_LABELS[status] || status}
    </span>
  `;
}
