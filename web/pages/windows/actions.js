// Acting on one window (operators and admins): close gracefully, activate, minimize. Every
// request carries the PID and class the table showed, so the server refuses (409) instead of
// acting on a window id that was reused by another application.
import { useState, useCallback, useRef } from '../../vendor/preact-htm.js';
import { api, errorMessage } from '../../api.js';
import { CLOSE_TIMEOUT_MS, outcomeText, windowLabel } from './model.js';

const VERBS = { close: 'close', activate: 'activate', minimize: 'minimize' };

function expected(w) {
  const body = { class: w.class };
  if (w.pid != null) body.pid = w.pid;
  return body;
}

/**
 * Returns { busy, notes, status, error, act(window, action), clear() }: busy maps a window id
 * to the action running on it; notes maps a window id to its last outcome ({outcome, text}),
 * shown in its row while it is still listed; status and error are the page's message lines.
 */
export function useWindowActions() {
  const [busy, setBusy] = useState(() => new Map());
  const [notes, setNotes] = useState(() => new Map());
  const [status, setStatus] = useState('');
  const [error, setError] = useState(null);
  const serial = useRef(0);

  const mark = (setter, id, value) =>
    setter((previous) => {
      const next = new Map(previous);
      if (value == null) next.delete(id);
      else next.set(id, value);
      return next;
    });

  const act = useCallback(async (w, action) => {
    const ticket = ++serial.current;
    mark(setBusy, w.id, action);
    mark(setNotes, w.id, null);
    setError(null);
    setStatus('');
    const label = windowLabel(w);
    try {
      if (action === 'close') {
        const answer = await api(`/windows/${encodeURIComponent(w.id)}/close`, {
          method: 'POST',
          body: { ...expected(w), timeout_ms: CLOSE_TIMEOUT_MS },
        });
        let text = outcomeText(answer.outcome);
        if (answer.message) text += ` (${answer.message})`;
        if (answer.outcome === 'failed') {
          setError(`Could not close ${label}: ${answer.message || 'the request failed'}.`);
        } else if (ticket === serial.current) {
          setStatus(`${label}: ${text}.`);
        }
        if (answer.outcome !== 'closed' && answer.outcome !== 'gone') mark(setNotes, w.id, { outcome: answer.outcome, text });
      } else {
        await api(`/windows/${encodeURIComponent(w.id)}/${action}`, { method: 'POST', body: expected(w) });
        const text = action === 'activate' ? 'Brought to the front' : 'Minimized';
        if (ticket === serial.current) setStatus(`${label}: ${text}.`);
      }
    } catch (err) {
      setError(`Could not ${VERBS[action]} ${label}: ${errorMessage(err)}`);
    } finally {
      mark(setBusy, w.id, null);
    }
  }, []);

  // Before "Close all": the old messages and row notes no longer apply.
  const clear = useCallback(() => {
    setStatus('');
    setError(null);
    setNotes(new Map());
  }, []);

  return { busy, notes, status, error, act, clear, setError, setStatus };
}
