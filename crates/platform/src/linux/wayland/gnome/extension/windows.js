// Boss of Apps: the windows of this GNOME Shell session over D-Bus, for Boss's GNOME backend.
// Exports org.boss.Windows at /org/boss/Windows on the session bus (on the shell's own
// connection, so callers address org.gnome.Shell). List answers JSON; Close, Activate and
// Minimize take a window id (MetaWindow.get_id(), as a string) and answer "sent", "done",
// "gone" or "unsupported". Close is the close button's polite request (MetaWindow.delete),
// never a kill. For sessions: Layout(id) answers JSON (frame corner, client size, maximized,
// place in the stacking order) or "gone"; Place(id, json) takes Boss's placement (desktop,
// geometry, maximized, minimized); Restack(ids) raises the windows bottom to top, without
// focusing any.
//
// The one copy of the window logic, for every shell version: Boss builds extension.js from a
// wrapper's imports (`legacy.js` for GNOME Shell 43 and 44, `module.js` for the ES modules of
// 45 and later), this file, then the wrapper's enable/disable part. It uses only `Gio`, `Meta`,
// `GLib`, `Main` (given by the wrapper) and the shell's `global`.

const INTERFACE = `<node>
  <interface name="org.boss.Windows">
    <method name="List"><arg type="s" direction="out" name="json"/></method>
    <method name="Close"><arg type="s" direction="in" name="id"/><arg type="s" direction="out" name="result"/></method>
    <method name="Activate"><arg type="s" direction="in" name="id"/><arg type="s" direction="out" name="result"/></method>
    <method name="Minimize"><arg type="s" direction="in" name="id"/><arg type="s" direction="out" name="result"/></method>
    <method name="Layout"><arg type="s" direction="in" name="id"/><arg type="s" direction="out" name="json"/></method>
    <method name="Place"><arg type="s" direction="in" name="id"/><arg type="s" direction="in" name="placement"/><arg type="s" direction="out" name="result"/></method>
    <method name="Restack"><arg type="as" direction="in" name="ids"/><arg type="s" direction="out" name="result"/></method>
  </interface>
</node>`;

// What a taskbar shows: application windows and their dialogs.
const SHOWN = [
    Meta.WindowType.NORMAL,
    Meta.WindowType.DIALOG,
    Meta.WindowType.MODAL_DIALOG,
    Meta.WindowType.UTILITY,
];

function windows() {
    return global.get_window_actors()
        .map(actor => actor.meta_window)
        .filter(w => w && !w.is_override_redirect() && SHOWN.includes(w.get_window_type()));
}

function kind(w) {
    switch (w.get_window_type()) {
    case Meta.WindowType.DIALOG:
    case Meta.WindowType.MODAL_DIALOG:
        return 'dialog';
    case Meta.WindowType.UTILITY:
        return 'utility';
    default:
        return 'normal';
    }
}

// The workspace's index, -1 on all of them, null on none.
function desktopOf(w) {
    const workspace = w.get_workspace();
    return w.is_on_all_workspaces() ? -1 : (workspace ? workspace.index() : null);
}

function describe(w) {
    const parent = w.get_transient_for();
    const pid = w.get_pid();
    return {
        id: String(w.get_id()),
        pid: pid > 0 ? pid : null,
        resource_class: w.get_wm_class() || '',
        resource_name: w.get_wm_class_instance() || '',
        caption: w.get_title() || '',
        desktop: desktopOf(w),
        minimized: w.minimized,
        active: w.has_focus(),
        closeable: w.can_close(),
        minimizable: w.can_minimize(),
        kind: kind(w),
        transient_for: parent ? String(parent.get_id()) : null,
        xwayland: w.get_client_type() === Meta.WindowClientType.X11,
    };
}

function find(id) {
    return windows().find(w => String(w.get_id()) === id) || null;
}

// `act` on the window `id` when `allowed` for it, answering what `act` does; else "gone" or
// "unsupported".
function acting(id, allowed, act) {
    const w = find(id);
    if (!w)
        return 'gone';
    return allowed(w) ? act(w) : 'unsupported';
}

// GNOME 49 replaced `get_maximized()` by `is_maximized()`, and `maximize`/`unmaximize` lost
// their flags (then always both ways): `get_maximized` tells which API this shell has.
function oldMaximizeApi(w) {
    return typeof w.get_maximized === 'function';
}

// Maximized both ways.
function maximized(w) {
    return oldMaximizeApi(w) ? w.get_maximized() === Meta.MaximizeFlags.BOTH : w.is_maximized();
}

function unmaximize(w) {
    if (oldMaximizeApi(w))
        w.unmaximize(Meta.MaximizeFlags.BOTH);
    else
        w.unmaximize();
}

function maximize(w) {
    if (oldMaximizeApi(w))
        w.maximize(Meta.MaximizeFlags.BOTH);
    else
        w.maximize();
}

function layoutOf(w) {
    const frame = w.get_frame_rect();
    // Without decorations (Wayland clients draw their own) the client is the frame.
    const client = w.frame_rect_to_client_rect(frame);
    const stacking = global.display.sort_windows_by_stacking(windows()).indexOf(w);
    return {
        x: frame.x,
        y: frame.y,
        width: client.width,
        height: client.height,
        maximized: maximized(w),
        stacking: stacking < 0 ? null : stacking,
    };
}

// Workspace `n` (counted from 0, as List gives it; -1: all). With dynamic workspaces (GNOME's
// default) the missing ones are added, as GNOME itself does when a window is moved past the
// last; with a fixed number, a workspace that does not exist is left alone.
function toWorkspace(w, n) {
    if (n === -1) {
        w.stick();
        return;
    }
    if (w.is_on_all_workspaces())
        w.unstick();
    const manager = global.workspace_manager;
    if (Meta.prefs_get_dynamic_workspaces()) {
        while (manager.get_n_workspaces() <= n)
            manager.append_new_workspace(false, now());
    }
    if (n < manager.get_n_workspaces())
        w.change_workspace_by_index(n, false);
}

// The frame's corner to `g.x, g.y` and the client's size to `g.width x g.height`.
function moveResize(w, g) {
    const frame = w.get_frame_rect();
    const client = w.frame_rect_to_client_rect(frame);
    // The decorations stay as they are: the frame grows by what the client is asked.
    w.move_resize_frame(true, g.x, g.y,
        g.width + frame.width - client.width, g.height + frame.height - client.height);
}

// Runs `then` once, at the window's next `signal` or after a second without one.
function once(w, signal, then) {
    let timer = 0;
    const handler = w.connect(signal, () => finish());
    const finish = () => {
        if (timer)
            GLib.source_remove(timer);
        timer = 0;
        // The window may have gone meanwhile: then there is nothing left to do.
        try {
            w.disconnect(handler);
            then();
        } catch (e) {
            log(`Boss: a late placement was not made: ${e}`);
        }
    };
    timer = GLib.timeout_add(GLib.PRIORITY_DEFAULT, 1000, () => {
        timer = 0;
        finish();
        return GLib.SOURCE_REMOVE;
    });
}

// What a placement asks: the size and maximization first, while the window may still be on
// the workspace shown (a hidden Wayland client may not answer a resize until shown), then the
// workspace, then minimized.
function place(w, p) {
    const was = maximized(w);
    if (p.geometry && !p.maximized) {
        if (was) {
            // A client still leaving its maximized size takes a new one as relative to the
            // old (GTK 3 grew by its shadows): the geometry waits until the size has changed.
            unmaximize(w);
            once(w, 'size-changed', () => moveResize(w, p.geometry));
        } else {
            moveResize(w, p.geometry);
        }
    } else if (was && !p.maximized) {
        unmaximize(w);
    }
    if (p.maximized && !was)
        maximize(w);
    if (p.desktop !== null && p.desktop !== undefined && desktopOf(w) !== p.desktop)
        toWorkspace(w, p.desktop);
    if (p.minimized) {
        if (!w.can_minimize())
            return 'unsupported';
        w.minimize();
    }
    return 'done';
}

function now() {
    return global.display.get_current_time_roundtrip();
}

class BossWindows {
    List() {
        return JSON.stringify(windows().map(describe));
    }

    Close(id) {
        return acting(id, w => w.can_close(), w => {
            w.delete(now());
            return 'sent';
        });
    }

    Activate(id) {
        const w = find(id);
        if (!w)
            return 'gone';
        const overview = Main.overview.visible;
        Main.activateWindow(w, now());
        // That hides the overview (shown after log-in, for one), and once hidden the shell
        // focuses a window of its own choice: this one again, then, when the shell is done.
        if (overview) {
            const again = () => GLib.idle_add(GLib.PRIORITY_DEFAULT_IDLE, () => {
                if (find(id) === w)
                    w.activate(now());
                return GLib.SOURCE_REMOVE;
            });
            if (Main.overview.visible) {
                const handler = Main.overview.connect('hidden', () => {
                    Main.overview.disconnect(handler);
                    again();
                });
            } else {
                again();
            }
        }
        return 'done';
    }

    Minimize(id) {
        return acting(id, w => w.can_minimize(), w => {
            w.minimize();
            return 'done';
        });
    }

    Layout(id) {
        const w = find(id);
        return w ? JSON.stringify(layoutOf(w)) : 'gone';
    }

    Place(id, json) {
        return acting(id, () => true, w => place(w, JSON.parse(json)));
    }

    // Raises each in turn (windows gone meanwhile are passed over), so the last ends in front.
    Restack(ids) {
        for (const id of ids) {
            const w = find(id);
            if (w)
                w.raise();
        }
        return 'done';
    }
}

// Exports the interface on the shell's session-bus connection; the caller unexports it.
function exportWindows() {
    const exported = Gio.DBusExportedObject.wrapJSObject(INTERFACE, new BossWindows());
    exported.export(Gio.DBus.session, '/org/boss/Windows');
    return exported;
}
