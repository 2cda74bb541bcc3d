// Live updates shared by the Processes, Windows, Applications and History pages: one
// EventSource on /api/v1/events?topics=… while the page is open (reconnecting when the server
// drops it, closed while the tab is hidden and when the page unmounts), and the "Live" badge
// showing how that connection is doing. What each event means stays with each page.
import { html, useState, useEffect, useRef } from '../vendor/preact-htm.js';
import { api, selectedHost } from '../api.js';

const RETRY_MS = 3000;
// Another fleet host's events are not streamed: its lists are polled this often instead (each
// poll is a request relayed through the database), and handed to the page as the full-list
// events the stream would send (same shapes as the GET routes). Topics without lists here
// (launches) are resynced instead.
const REMOTE_POLL_MS = 2000;
const REMOTE_LISTS = {
  processes: [
    ['/system', 'system'],
    ['/processes', 'processes'],
  ],
  windows: [['/windows', 'windows']],
};

/**
 * Listens to one topic of /api/v1/events. `handlers` maps event names to functions called with
 * each event's parsed JSON (events that are not JSON, or are empty, are skipped); `onResync` is
 * called when the stream opens again after a gap (a drop or a hidden tab: events may have been
 * missed). The newest handlers are used; the event names are those of the first render.
 * Returns the status: 'connecting' | 'live' | 'reconnecting' | 'offline' | 'paused' (tab hidden).
 */
export function useLiveStream(topic, handlers, onResync) {
  const [status, setStatus] = useState('connecting');
  const latest = useRef({ handlers, onResync });
  latest.current = { handlers, onResync };

  useEffect(() => {
    let source = null;
    let retryTimer = null;
    let disposed = false;
    let hadGap = false; // a (re)connection after a drop or a hidden tab resyncs

    const publish = (next) => {
      if (!disposed) setStatus(next);
    };

    function dispatch(event) {
      let data = null;
      try {
        data = JSON.parse(event.data);
      } catch {
        return;
      }
      if (!data || disposed) return;
      latest.current.handlers[event.type]?.(data);
      publish('live'); // an event is proof of a working connection
    }

    function open() {
      clearTimeout(retryTimer);
      if (source || disposed) return;
      if (selectedHost()) {
        poll();
        return;
      }
      source = new EventSource(`/api/v1/events?topics=${topic}`, { withCredentials: true });
      for (const name of Object.keys(latest.current.handlers)) source.addEventListener(name, dispatch);
      source.onopen = () => {
        publish('live');
        if (hadGap) {
          hadGap = false;
          latest.current.onResync?.();
        }
      };
      source.onerror = () => {
        if (!source) return;
        hadGap = true;
        if (source.readyState === EventSource.CLOSED) {
          // The browser gave up (e.g. the server answered 401 or restarted with an error). Check
          // the session (a 401 sends the app to the login page), then try again after a pause.
          close();
          publish('offline');
          api('/auth/me').catch(() => {});
          retryTimer = setTimeout(open, RETRY_MS);
        } else {
          publish('reconnecting'); // EventSource retries by itself
        }
      };
    }
    async function poll() {
      const lists = REMOTE_LISTS[topic];
      try {
        if (lists) {
          for (const [path, name] of lists) {
            const data = await api(path);
            if (disposed) return;
            latest.current.handlers[name]?.(data);
          }
        } else {
          latest.current.onResync?.();
        }
        publish('live');
      } catch {
        publish('offline');
      }
      if (!disposed && !document.hidden) retryTimer = setTimeout(poll, REMOTE_POLL_MS);
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
  }, [topic]);

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
  reconnecting: 'The connection dropped; retrying',
  offline: 'Cannot reach Boss; retrying every few seconds',
  paused: 'Paused while this tab is hidden',
};

/** The connection badge; `liveTitle` is the tooltip while live (what "live" means on that page). */
export function LiveIndicator({ status, liveTitle }) {
  const title = status === 'live' ? liveTitle : LIVE_TITLES[status];
  return html`
    <span class=${`live-indicator live-${status}`} role="status" data-testid="live-indicator" data-state=${status}
      title=${title}>
      <span class="live-dot" aria-hidden="true"></span>${LIVE_LABELS[status] || status}
    </span>
  `;
}
