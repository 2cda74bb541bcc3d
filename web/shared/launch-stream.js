// Live launch events for the Applications and History pages: the `launches` topic of the event
// stream (../../ui/live-stream.js opens it while the page is open and the tab visible). Each
// `launch` event carries one launch object, whenever one starts or ends.
import { useState, useEffect } from '../vendor/preact-htm.js';
import { useLiveStream } from '../ui/live-stream.js';

/**
 * Calls onLaunch(launch) for every event, and onResync() whenever the stream (re)connects after
 * a gap (events may have been missed: reload what is shown). Returns the connection status:
 * 'connecting' | 'live' | 'reconnecting' | 'offline' | 'paused'.
 */
export function useLaunchStream(onLaunch, onResync) {
  return useLiveStream('launches', {
    launch: (launch) => {
      if (launch.id != null) onLaunch?.(launch);
    },
  }, onResync);
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
