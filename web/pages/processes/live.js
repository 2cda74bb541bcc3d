// The live process list: one EventSource on /api/v1/events?topics=processes while the page is
// open (the server samples only while someone listens), closed when the page unmounts and while
// the browser tab is hidden.
import { useState, useEffect, useRef } from '../../vendor/preact-htm.js';
import { api } from '../../api.js';
import { snapshotToMap, applyDiff } from './model.js';

const EVENTS_URL = '/api/v1/events?topics=processes';
const RETRY_MS = 3000;

/**
 * Returns { status, rows, byPid, takenAt, system, error }:
 * status is 'connecting' | 'live' | 'reconnecting' | 'offline' | 'paused' (tab hidden);
 * rows a new array on every update (so memoised views recompute), byPid the live Map behind it.
 */
export function useProcessStream() {
  const [state, setState] = useState({
    status: 'connecting',
    rows: null,
    byPid: null,
    takenAt: null,
    system: null,
  });
  const mapRef = useRef(new Map());

  useEffect(() => {
    let source = null;
    let retryTimer = null;
    let disposed = false;

    const publish = (patch) => {
      if (!disposed) setState((previous) => ({ ...previous, ...patch }));
    };
    const publishRows = (takenAt, system) => {
      const map = mapRef.current;
      const patch = { rows: Array.from(map.values()), byPid: map, takenAt, status: 'live' };
      if (system) patch.system = system;
      publish(patch);
    };

    function onSystem(event) {
      const system = parse(event);
      if (system) publish({ system });
    }
    function onSnapshot(event) {
      const data = parse(event);
      if (!data) return;
      mapRef.current = snapshotToMap(data.processes);
      publishRows(data.taken_at, null);
    }
    function onDiff(event) {
      const data = parse(event);
      if (!data) return;
      applyDiff(mapRef.current, data);
      publishRows(data.taken_at, data.system || null);
    }

    function open() {
      clearTimeout(retryTimer);
      if (source || disposed) return;
      source = new EventSource(EVENTS_URL, { withCredentials: true });
      source.addEventListener('system', onSystem);
      source.addEventListener('processes', onSnapshot);
      source.addEventListener('processes_diff', onDiff);
      source.onopen = () => publish({ status: 'live' });
      source.onerror = () => {
        if (!source) return;
        if (source.readyState === EventSource.CLOSED) {
          // The browser gave up (e.g. the server answered 401 or restarted with an error). Check
          // the session (a 401 sends the app to the login page), then try again after a pause.
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
