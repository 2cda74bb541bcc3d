// The fleet's host list (GET /api/v1/hosts), one store for every part that shows it: the switcher
// in the header, the Hosts page and "Launch on" on the Applications page. While any of them is
// shown the list is fetched once per interval (the shortest any of them asks for), not once per
// part, and each newly shown part fetches it once at once so that it never starts from a stale
// list.
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
export function reloadHosts() {
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
    };
  }, [refreshMs]);
  return state;
}
