// The "/" key of the pages with a search or filter box: "/" (when not typing elsewhere) goes to
// the box and selects its text; Escape in the box clears it.
import { useEffect } from '../vendor/preact-htm.js';

/** Whether a key press is text being typed (so "/" and other single keys are not shortcuts). */
export function isTyping(target) {
  return target instanceof HTMLElement &&
    (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
}

/** Wires "/" to the input in `inputRef`; Escape there calls clear() while `value` is not empty. */
export function useFindShortcut(inputRef, value, clear) {
  useEffect(() => {
    const onKey = (event) => {
      if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
      if (document.querySelector('dialog[open]')) return; // dialogs have their own keys
      if (event.key === '/' && !isTyping(event.target)) {
        event.preventDefault();
        inputRef.current?.focus();
        inputRef.current?.select();
      } else if (event.key === 'Escape' && event.target === inputRef.current && value) {
        event.preventDefault();
        clear();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [value]);
}
