// Light/dark theme: follows the system until the user picks one, which is then kept in localStorage.
// CSS reads <html data-theme>; without it, the system's colour scheme decides (theme.css).
import { useState, useEffect, useCallback } from './vendor/preact-htm.js';
import { loadPref, savePref } from './ui/prefs.js';

const STORAGE_KEY = 'boss.theme';
const darkQuery = window.matchMedia('(prefers-color-scheme: dark)');

function storedTheme() {
  const value = loadPref(STORAGE_KEY); // null when storage is disabled: the system theme then
  return value === 'light' || value === 'dark' ? value : null;
}

/** Applies the saved choice before the first render so the page does not flash. */
export function applyStoredTheme() {
  const theme = storedTheme();
  if (theme) document.documentElement.dataset.theme = theme;
}

function effectiveTheme() {
  return storedTheme() || (darkQuery.matches ? 'dark' : 'light');
}

/** Returns [theme, toggle]. */
export function useTheme() {
  const [theme, setTheme] = useState(effectiveTheme);

  useEffect(() => {
    const follow = () => setTheme(effectiveTheme());
    darkQuery.addEventListener('change', follow);
    return () => darkQuery.removeEventListener('change', follow);
  }, []);

  const toggle = useCallback(() => {
    const next = effectiveTheme() === 'dark' ? 'light' : 'dark';
    document.documentElement.dataset.theme = next;
    savePref(STORAGE_KEY, next);
    setTheme(next);
  }, []);

  return [theme, toggle];
}
