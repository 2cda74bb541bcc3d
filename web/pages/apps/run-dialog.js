// "Run a program…": pick any executable through the server-side file browser or type a path or
// a program name, give arguments (read into an argument vector here: no shell is involved) and
// a working directory, and launch it with POST /api/v1/launches (or, on hosts chosen with
// "Launch on", POST /api/v1/fleet/launch).
import { html, useState, useEffect, useRef, useCallback } from '../../vendor/preact-htm.js';
import { api } from '../../api.js';
import { ErrorAlert } from '../../ui/feedback.js';
import { parseArgs } from './argv.js';
import { FileBrowser } from './file-browser.js';
import { XIcon } from '../../ui/icons.js';
import { useSubmit } from '../../ui/submit.js';
import { useModal } from '../../ui/dialog.js';
import { fleetLaunch } from './launch-hosts.js';

/**
 * Props: onClose(), onLaunched(launch); fleet (host names, or null for the shown host) with
 * onFleetLaunched({name, results}). Render it only while it is open.
 */
export function RunProgramDialog({ onClose, onLaunched, fleet, onFleetLaunched }) {
  const ref = useModal();
  const programRef = useRef(null);
  const [program, setProgram] = useState('');
  const [argsText, setArgsText] = useState('');
  const [cwd, setCwd] = useState('');
  const [folder, setFolder] = useState(null);
  const { busy, error, setError, run } = useSubmit();

  useEffect(() => {
    programRef.current?.focus();
  }, []);

  const parsed = parseArgs(argsText);
  const programName = program.trim();
  const canLaunch = Boolean(programName) && !parsed.error && !busy;

  const onPick = useCallback((path) => {
    setProgram(path);
    setError(null);
  }, []);

  async function launch(event) {
    event.preventDefault();
    if (!programName) {
      setError('Choose a program in the browser, or type its path or name.');
      programRef.current?.focus();
      return;
    }
    if (parsed.error) {
      setError(parsed.error);
      return;
    }
    await run(async () => {
      const what = { program: programName, args: parsed.args, cwd: cwd.trim() || null };
      if (fleet) {
        const report = await fleetLaunch(fleet, what);
        onFleetLaunched({ name: programName, results: report.results });
      } else {
        const answer = await api('/launches', { method: 'POST', body: what });
        onLaunched(answer.launch);
      }
      ref.current?.close();
    }, (message) => `Could not start ${programName}: ${message}`);
  }

  return html`
    <dialog ref=${ref} class="dialog run-dialog" aria-labelledby="run-title" data-testid="run-dialog"
      onClose=${onClose}>
      <form class="run-form" onSubmit=${launch} novalidate>
        <div class="run-head">
          <h2 id="run-title">Run a program</h2>
          <button type="button" class="btn btn-icon btn-small" aria-label="Close" title="Close"
            onClick=${() => ref.current?.close()}><${XIcon} size=${18} /></button>
        </div>
        <div class="run-body">
        <p class="hint run-intro">Boss starts the program directly, without a shell, in its own session.</p>
        ${fleet && html`<p class="hint" data-testid="run-hosts">Starts on ${fleet.join(', ')} (the file browser shows
          the shown host's files).</p>`}

        <${FileBrowser} selected=${programName} onPick=${onPick} onFolder=${setFolder} />

        <div class="field">
          <label for="run-program">Program</label>
          <input id="run-program" ref=${programRef} name="program" autocomplete="off" autocapitalize="none"
            spellcheck=${false} placeholder="/usr/bin/xterm or xterm" value=${program} data-testid="program-path"
            aria-describedby="run-program-hint" onInput=${(e) => setProgram(e.target.value)} />
          <p id="run-program-hint" class="hint">Pick one above, or type a full path or a name found in PATH.</p>
        </div>
        <div class="field">
          <label for="run-args">Arguments</label>
          <input id="run-args" name="args" autocomplete="off" autocapitalize="none" spellcheck=${false}
            placeholder='-e top   or   "a file with spaces.txt"' value=${argsText} data-testid="program-args"
            aria-describedby="run-args-hint run-argv" aria-invalid=${parsed.error ? 'true' : 'false'}
            onInput=${(e) => setArgsText(e.target.value)} />
          <p id="run-args-hint" class="hint">Separated by spaces; put "double quotes" around an argument with spaces.</p>
          <div id="run-argv" class="argv-preview" aria-live="polite">
            ${parsed.error
              ? html`<p class="argv-error" data-testid="program-args-error">${parsed.error}</p>`
              : html`<span class="argv-label">Runs:</span>
                <ol class="argv-list" data-testid="program-argv">
                  <li class="argv-program"><code>${programName || 'program'}</code></li>
                  ${parsed.args.map((arg, i) => html`<li key=${i}><code>${arg === '' ? '""' : arg}</code></li>`)}
                </ol>`}
          </div>
        </div>
        <div class="field">
          <label for="run-cwd">Working directory</label>
          <div class="run-cwd-row">
            <input id="run-cwd" name="cwd" autocomplete="off" autocapitalize="none" spellcheck=${false}
              placeholder="Your home folder" value=${cwd} data-testid="program-cwd"
              onInput=${(e) => setCwd(e.target.value)} />
            <button type="button" class="btn btn-small" disabled=${!folder} data-testid="program-cwd-here"
              title=${folder ? `Use ${folder}` : ''} onClick=${() => setCwd(folder || '')}>Use this folder</button>
          </div>
        </div>

        <${ErrorAlert} message=${error} testid="program-error" />
        </div>
        <div class="dialog-actions">
          <button type="button" class="btn" onClick=${() => ref.current?.close()}>Cancel</button>
          <button type="submit" class="btn btn-primary" disabled=${!canLaunch} data-testid="program-launch">
            ${busy ? 'Launching…' : 'Launch'}
          </button>
        </div>
      </form>
    </dialog>
  `;
}
