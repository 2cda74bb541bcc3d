// Accessible confirmation dialog built on the native <dialog> element (focus trap and Esc for free).
import { html, useState, useRef, useEffect, useCallback } from '../vendor/preact-htm.js';

/**
 * A ref for a <dialog> that opens as a modal (focus trapped, Esc closes it) when it mounts, and
 * again whenever `when` changes to something truthy.
 */
export function useModal(when = true) {
  const ref = useRef(null);
  useEffect(() => {
    const dialog = ref.current;
    if (when && dialog && !dialog.open) dialog.showModal();
  }, [when]);
  return ref;
}

/**
 * The `close` handler of a modal whose form has method=dialog: the button with value "confirm"
 * calls onConfirm; any other way out (Cancel, Esc) calls onCancel.
 */
export function confirmOrCancel(ref, onConfirm, onCancel) {
  return () => (ref.current?.returnValue === 'confirm' ? onConfirm() : onCancel());
}

function ConfirmDialog({ request, onDone }) {
  const ref = useModal(request);

  if (!request) return null;
  const { title, message, confirmLabel = 'Confirm', danger = false } = request;

  // `close` fires for the buttons (form method=dialog) and for Esc; returnValue tells them apart.
  const handleClose = confirmOrCancel(ref, () => onDone(true), () => onDone(false));

  return html`
    <dialog ref=${ref} class="dialog" aria-labelledby="dialog-title" aria-describedby="dialog-message"
      data-testid="confirm-dialog" onClose=${handleClose}>
      <form method="dialog">
        <h2 id="dialog-title">${title}</h2>
        <p id="dialog-message">${message}</p>
        <div class="dialog-actions">
          <button type="submit" value="cancel" class="btn" autofocus data-testid="confirm-cancel">Cancel</button>
          <button type="submit" value="confirm" class=${danger ? 'btn btn-danger' : 'btn btn-primary'}
            data-testid="confirm-ok">${confirmLabel}</button>
        </div>
      </form>
    </dialog>
  `;
}

/**
 * Returns [dialogElement, confirm]. Render dialogElement somewhere in the page;
 * `await confirm({title, message, confirmLabel, danger})` resolves to true or false.
 */
export function useConfirm() {
  const [request, setRequest] = useState(null);
  const resolver = useRef(null);

  const confirm = useCallback(
    (options) =>
      new Promise((resolve) => {
        resolver.current = resolve;
        setRequest({ ...options });
      }),
    [],
  );

  const onDone = useCallback((ok) => {
    const resolve = resolver.current;
    resolver.current = null;
    setRequest(null);
    if (resolve) resolve(ok);
  }, []);

  return [html`<${ConfirmDialog} request=${request} onDone=${onDone} />`, confirm];
}
