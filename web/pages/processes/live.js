// The live process list: the `processes` topic of the event stream (../../ui/live-stream.js
// opens it while the page is open and the tab visible; the server samples only while someone
// listens). A full list arrives first, then one diff per sample.
import { useState, useRef } from '../../vendor/preact-htm.js';
import { useLiveStream } from '../../ui/live-stream.js';
import { snapshotToMap, applyDiff } from './model.js';

/**
 * Returns { status, rows, byPid, takenAt, system }: status as useLiveStream gives it; rows a
 * new array on every update (so memoised views recompute), byPid the live Map behind it.
 */
export function useProcessStream() {
  const [state, setState] = useState({ rows: null, byPid: null, takenAt: null, system: null });
  const mapRef = useRef(new Map());

  const publish = (patch) => setState((previous) => ({ ...previous, ...patch }));
  const publishRows = (takenAt, system) => {
    const map = mapRef.current;
    const patch = { rows: Array.from(map.values()), byPid: map, takenAt };
    if (system) patch.system = system;
    publish(patch);
  };

  const status = useLiveStream('processes', {
    system: (system) => publish({ system }),
    processes: (data) => {
      mapRef.current = snapshotToMap(data.processes);
      publishRows(data.taken_at, null);
    },
    processes_diff: (data) => {
      applyDiff(mapRef.current, data);
      publishRows(data.taken_at, data.system || null);
    },
  });

  return { status, ...state };
}
