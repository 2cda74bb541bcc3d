// Light/dark theme: follows the system until the user picks one, which is then kept in localStorage.
// CSS reads <html data-theme>; without it, the prefers-color-scheme media query decides.
import { useState, useEffect, useCallback } from './vendor/preact-htm.js';

const STORAGE_KEY = 'boss.theme';
const darkQuery = window.matchMedia('(prefers-color-scheme: dark)');

function storedTheme() {
  try {
    const value = localStorage.getItem(STORAGE_KEY);
    return value === 'light' || value === 'dark' ? value : null;
  } catch {
    return null; // storage can be disabled; fall back to the system theme
  }
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
    try {
      localStorage.setItem(STORAGE_KEY, next);
    } catch {
      // not saved, but still applied for this visit
    }
    setTheme(next);
  }, []);

  return [theme, toggle];
}
