// The live window list: the `windows` topic of the event stream (../../ui/live-stream.js opens
// it while the page is open and the tab visible; the server watches the display only while
// someone listens). Each `windows` event carries the whole list.
import { useState } from '../../vendor/preact-htm.js';
import { useLiveStream } from '../../ui/live-stream.js';

/**
 * Returns { status, list }: status as useLiveStream gives it; list is the last GET
 * /api/v1/windows shaped object, null until the first event.
 */
export function useWindowStream() {
  const [list, setList] = useState(null);
  const status = useLiveStream('windows', { windows: setList });
  return { status, list };
}
