// Live launch events for the Applications and History pages: one EventSource on
// /api/v1/events?topics=launches while the page is open, closed when it unmounts and while the
// tab is hidden. Each `launch` event carries one launch object, whenever one starts or ends.
import { html, useState, useEffect, useRef } from '../../vendor/preact-htm.js';
import { api } from '../../api.js';

const EVENTS_URL = '/api/v1/events?topics=launches';
const RETRY_MS = 3000;

/**
 * Calls onLaunch(launch) for every event, and onResync() whenever the stream (re)connects after
 * a gap (events may have been missed: reload what is shown). Returns the connection status:
 * 'connecting' | 'live' | 'reconnecting' | 'offline' | 'paused'.
 */
export function useLaunchStream(onLaunch, onResync) {
  const [status, setStatus] = useState('connecting');
  const handlers = useRef({ onLaunch, onResync });
  handlers.current = { onLaunch, onResync };

  useEffect(() => {
    let source = null;
    let retryTimer = null;
    let disposed = false;
    let hadGap = false; // a (re)connection after a drop or a hidden tab resyncs

    const publish = (next) => {
      if (!disposed) setStatus(next);
    };

    function onLaunchEvent(event) {
      let launch = null;
      try {
        launch = JSON.parse(event.data);
      } catch {
        return;
      }
      if (launch && launch.id != null) handlers.current.onLaunch?.(launch);
    }

    function open() {
      clearTimeout(retryTimer);
      if (source || disposed) return;
      source = new EventSource(EVENTS_URL, { withCredentials: true });
      source.addEventListener('launch', onLaunchEvent);
      source.onopen = () => {
        publish('live');
        if (hadGap) {
          hadGap = false;
          handlers.current.onResync?.();
        }
      };
      source.onerror = () => {
        if (!source) return;
        hadGap = true;
        if (source.readyState === EventSource.CLOSED) {
          // The browser gave up (401, or the server restarted with an error). Check the session
          // (a 401 sends the app to the login page), then try again after a pause.
          close();
          publish('offline');
          api('/auth/me').catch(() => {});
          retryTimer = setTimeout(open, RETRY_MS);
        } else {
          publish('reconnecting'); // EventSource retries by itself
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
        hadGap = true;
        publish('paused');
      } else {
        publish('connecting');
        open();
      }
    }

    if (!document.hidden) open();
    else {
      hadGap = true;
      publish('paused');
    }
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      disposed = true;
      document.removeEventListener('visibilitychange', onVisibility);
      clearTimeout(retryTimer);
      close();
    };
  }, []);

  return status;
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
  live: 'Launches appear and end here as they happen',
  reconnecting: 'The connection dropped; retrying',
  offline: 'Cannot reach Boss; retrying every few seconds',
  paused: 'Paused while this tab is hidden',
};

/** The same pill as on the Processes page. */
export function LiveIndicator({ status }) {
  return html`
    <span class=${`live-indicator live-${status}`} role="status" data-testid="live-indicator" data-state=${status}
      title=${LIVE_TITLES[status]}>
      <span class="live-dot" aria-hidden="true"></span>${LIVE_LABELS[status] || status}
    </span>
  `;
}

/** The current time, ticking every second while `active` (for running durations). */
export function useNow(active) {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    if (!active) return undefined;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [active]);
  return now;
}
