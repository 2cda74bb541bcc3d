// Boss of Apps: the windows of this GNOME Shell session over D-Bus, for Boss's GNOME backend.
// Exports org.boss.Windows at /org/boss/Windows on the session bus (on the shell's own
// connection, so callers address org.gnome.Shell). List answers JSON; Close, Activate and
// Minimize take a window id (MetaWindow.get_id(), as a string) and answer "sent", "done",
// "gone" or "unsupported". Close is the close button's polite request (MetaWindow.delete),
// never a kill.
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

function describe(w) {
    const workspace = w.get_workspace();
    const parent = w.get_transient_for();
    const pid = w.get_pid();
    return {
        id: String(w.get_id()),
        pid: pid > 0 ? pid : null,
        resource_class: w.get_wm_class() || '',
        resource_name: w.get_wm_class_instance() || '',
        caption: w.get_title() || '',
        desktop: w.is_on_all_workspaces() ? -1 : (workspace ? workspace.index() : null),
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
}

// Exports the interface on the shell's session-bus connection; the caller unexports it.
function exportWindows() {
    const exported = Gio.DBusExportedObject.wrapJSObject(INTERFACE, new BossWindows());
    exported.export(Gio.DBus.session, '/org/boss/Windows');
    return exported;
}
