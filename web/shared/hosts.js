// The fleet's host list (GET /api/v1/hosts), one store for every part that shows it: the switcher
// in the header, the Hosts page and "Launch on" on the Applications page. While any of them is
// shown the list is fetched once per interval (the shortest any of them asks for), not once per
// part; a newly shown part starts from the list the others have and fetches it again at once.
// Once no part is shown (after logging out, say) the list is forgotten.
import { useState, useEffect } from '../vendor/preact-htm.js';
import { api, errorMessage } from '../api.js';

// `answer`: the latest answer (null until the first); `error`: the last failure's sentence, null
// once a fetch succeeds again (the answer before it stays).
let latest = { answer: null, error: null };
const watchers = new Map(); // a watcher's state setter -> the refresh interval it wants (ms)
let inFlight = null;
let timer = null;
let every = null;

function load() {
  inFlight ??= api('/hosts')
    .then(
      (answer) => {
        latest = { answer, error: null };
      },
      (err) => {
        latest = { answer: latest.answer, error: errorMessage(err) };
      },
    )
    .finally(() => {
      inFlight = null;
      for (const setState of watchers.keys()) setState(latest);
    });
  return inFlight;
}

function schedule() {
  const wanted = watchers.size ? Math.min(...watchers.values()) : null;
  if (wanted === every) return;
  clearInterval(timer);
  every = wanted;
  timer = wanted ? setInterval(load, wanted) : null;
}

/** Fetches the list again now (after a change, such as a removed host); resolves once every part has it. */
export async function reloadHosts() {
  // A fetch already under way may have been answered before the change: wait for it, then ask
  // again (`inFlight` never rejects).
  if (inFlight) await inFlight;
  return load();
}

/** `{answer, error}` of the shared host list, fetched again at least every `refreshMs`. */
export function useHostList(refreshMs) {
  const [state, setState] = useState(latest);
  useEffect(() => {
    watchers.set(setState, refreshMs);
    schedule();
    load();
    return () => {
      watchers.delete(setState);
      schedule();
      if (!watchers.size) latest = { answer: null, error: null };
    };
  }, [refreshMs]);
  return state;
}
