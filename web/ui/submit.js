// A form's request: the button stays disabled while it runs, and what went wrong is shown.
import { useState, useCallback } from '../vendor/preact-htm.js';
import { errorMessage } from '../api.js';

/**
 * Returns { busy, error, setError, run }. `run(action, explain)` clears the error, marks the form
 * busy, awaits `action()`, and resolves to true when it succeeded; when it threw, to false with
 * the error's message shown (passed through `explain(message)` when given, to say what failed).
 * `setError` shows a message of the form's own (a field left empty).
 */
export function useSubmit() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const run = useCallback(async (action, explain = (message) => message) => {
    setBusy(true);
    setError(null);
    try {
      await action();
      return true;
    } catch (err) {
      setError(explain(errorMessage(err)));
      return false;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, setError, run };
}
