// The server-side file browser of the Run dialog (the prototype's "explorer"): lists a folder
// of the machine Boss runs on through GET /api/v1/files, directories first, executables
// highlighted. A click on a folder enters it; a click on an executable picks it. (The server
// follows links: a link to a folder is a folder, a "symlink" is one that points nowhere.)
import { html, useState, useEffect, useRef, useCallback, useMemo } from '../../vendor/preact-htm.js';
import { api, errorMessage } from '../../api.js';
import { ErrorAlert } from '../../ui/feedback.js';
import { FileIcon, FolderIcon, HomeIcon, LinkIcon, SearchIcon, TerminalIcon, UpIcon } from '../../ui/icons.js';

function formatSize(bytes) {
  if (bytes == null || !Number.isFinite(bytes)) return '';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KiB`;
  if (bytes < 1024 * 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  return `${(bytes / 1024 / 1024 / 1024).toFixed(2)} GiB`;
}

/** "/usr/local/bin" -> [{name: "/", path: "/"}, {name: "usr", path: "/usr"}, ...]. */
export function breadcrumbs(path) {
  const crumbs = [{ name: '/', path: '/' }];
  let current = '';
  for (const part of String(path || '').split('/').filter(Boolean)) {
    current += `/${part}`;
    crumbs.push({ name: part, path: current });
  }
  return crumbs;
}

const KIND_ORDER = { dir: 0, symlink: 1, file: 2, other: 3 };

function sortEntries(entries) {
  return [...entries].sort((a, b) => {
    const aDir = a.kind === 'dir' ? 0 : 1;
    const bDir = b.kind === 'dir' ? 0 : 1;
    if (aDir !== bDir) return aDir - bDir;
    return a.name.localeCompare(b.name, undefined, { sensitivity: 'base' }) || (KIND_ORDER[a.kind] ?? 9) - (KIND_ORDER[b.kind] ?? 9);
  });
}

function EntryIcon({ entry }) {
  if (entry.kind === 'dir') return html`<${FolderIcon} />`;
  if (entry.kind === 'symlink') return html`<${LinkIcon} />`;
  if (entry.executable) return html`<${TerminalIcon} />`;
  return html`<${FileIcon} />`;
}

function entryHint(entry) {
  if (entry.kind === 'dir') return `Open ${entry.name}`;
  if (entry.kind === 'symlink') return 'A broken link: what it points at does not exist';
  if (entry.executable) return `Pick ${entry.name} to run`;
  return 'Not executable: cannot be run';
}

/**
 * Props: selected (the picked program path), onPick(path), onFolder(path) (each folder shown),
 * startPath (optional; the user's home when not given).
 */
export function FileBrowser({ selected, onPick, onFolder, startPath = null }) {
  const [listing, setListing] = useState(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState(null);
  const [filter, setFilter] = useState('');
  const [showHidden, setShowHidden] = useState(false);
  const requestId = useRef(0);
  const listRef = useRef(null);

  const load = useCallback(async (path) => {
    const id = ++requestId.current;
    setLoading(true);
    setError(null);
    try {
      const answer = await api('/files', { query: { path: path ?? '' } });
      if (id !== requestId.current) return;
      setListing(answer);
      setFilter('');
      onFolder?.(answer.path);
      listRef.current?.scrollTo?.(0, 0);
    } catch (err) {
      if (id === requestId.current) setError(errorMessage(err));
    } finally {
      if (id === requestId.current) setLoading(false);
    }
  }, [onFolder]);

  useEffect(() => {
    load(startPath);
  }, []);

  const entries = useMemo(() => {
    if (!listing) return [];
    const words = filter.trim().toLowerCase().split(/\s+/).filter(Boolean);
    return sortEntries(listing.entries || []).filter((entry) => {
      if (!showHidden && entry.name.startsWith('.') && !words.length) return false;
      const name = entry.name.toLowerCase();
      return words.every((w) => name.includes(w));
    });
  }, [listing, filter, showHidden]);

  function open(entry) {
    if (entry.kind === 'dir') load(entry.path);
    else if (entry.executable) onPick(entry.path);
  }

  const path = listing?.path;
  const crumbs = path ? breadcrumbs(path) : [];
  const hiddenCount = listing ? (listing.entries || []).filter((e) => e.name.startsWith('.')).length : 0;

  return html`
    <div class="file-browser" data-testid="file-browser" data-path=${path || ''} aria-busy=${loading ? 'true' : 'false'}>
      <div class="fb-bar">
        <button type="button" class="btn btn-icon btn-small" onClick=${() => load(null)} title="Home folder"
          aria-label="Home folder" data-testid="file-home"><${HomeIcon} /></button>
        <button type="button" class="btn btn-icon btn-small" onClick=${() => listing?.parent && load(listing.parent)}
          disabled=${!listing?.parent} title="Parent folder" aria-label="Parent folder" data-testid="file-up">
          <${UpIcon} />
        </button>
        <nav class="fb-crumbs" aria-label="Folder path">
          <ol>
            ${crumbs.map((crumb, index) => html`<li key=${crumb.path}>
              ${index === crumbs.length - 1
                ? html`<span aria-current="location" class="fb-crumb-current">${crumb.name}</span>`
                : html`<button type="button" class="fb-crumb" onClick=${() => load(crumb.path)}>${crumb.name}</button>`}
            </li>`)}
          </ol>
        </nav>
      </div>
      <div class="fb-tools">
        <span class="search-box fb-filter">
          <${SearchIcon} size=${16} />
          <label class="visually-hidden" for="fb-filter">Filter this folder</label>
          <input id="fb-filter" type="search" autocomplete="off" autocapitalize="none" spellcheck=${false}
            placeholder="Filter this folder" value=${filter} data-testid="file-filter"
            onInput=${(e) => setFilter(e.target.value)}
            onKeyDown=${(e) => {
              if (e.key === 'Enter') {
                e.preventDefault();
                const only = entries.length === 1 ? entries[0] : null;
                if (only) open(only);
              }
            }} />
        </span>
        ${hiddenCount > 0 && html`<label class="fb-hidden-toggle">
          <input type="checkbox" checked=${showHidden} onChange=${(e) => setShowHidden(e.target.checked)} />
          Hidden files
        </label>`}
      </div>
      <${ErrorAlert} message=${error} testid="file-error" />
      ${listing?.truncated && html`<p class="hint fb-truncated">This folder has more entries than Boss lists; type the
        program's path below if it is not here.</p>`}
      <ul class="fb-list" ref=${listRef} aria-label=${path ? `Contents of ${path}` : 'Folder contents'}>
        ${entries.map((entry) => {
          const runnable = entry.kind === 'dir' || entry.executable;
          const classes = ['fb-entry', `fb-${entry.kind}`];
          if (entry.executable && entry.kind !== 'dir') classes.push('fb-exec');
          if (selected && entry.path === selected) classes.push('fb-selected');
          return html`<li key=${entry.path}>
            <button type="button" class=${classes.join(' ')} data-testid="file-entry" data-path=${entry.path}
              data-kind=${entry.kind} data-executable=${entry.executable ? 'true' : 'false'}
              aria-pressed=${entry.kind !== 'dir' && entry.executable ? (entry.path === selected ? 'true' : 'false') : undefined}
              disabled=${!runnable} title=${entryHint(entry)} onClick=${() => open(entry)}>
              <${EntryIcon} entry=${entry} />
              <span class="fb-name">${entry.name}${entry.kind === 'dir' ? '/' : ''}</span>
              ${entry.executable && entry.kind !== 'dir' && html`<span class="fb-tag">program</span>`}
              <span class="fb-size">${entry.kind === 'dir' ? '' : formatSize(entry.size)}</span>
            </button>
          </li>`;
        })}
        ${listing && !loading && entries.length === 0 &&
        html`<li class="fb-empty">${filter
          ? 'Nothing here matches the filter.'
          : hiddenCount && !showHidden ? 'Only hidden files here: tick “Hidden files” to see them.' : 'This folder is empty.'}</li>`}
        ${!listing && loading && html`<li class="fb-empty">Loading…</li>`}
      </ul>
    </div>
  `;
}
