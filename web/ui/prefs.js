// Preferences kept in localStorage (theme, sort order, grid or list, …). Storage can be disabled
// or full: then nothing is kept, and the choice still applies for this visit.

/** The stored string, or null. */
export function loadPref(key) {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

export function savePref(key, value) {
  try {
    localStorage.setItem(key, value);
  } catch {
    // not kept, but still applied for this visit
  }
}

/** The stored JSON value, or null (also when what is stored is not JSON). */
export function loadJsonPref(key) {
  try {
    return JSON.parse(localStorage.getItem(key) || 'null');
  } catch {
    return null;
  }
}

export function saveJsonPref(key, value) {
  savePref(key, JSON.stringify(value));
}
