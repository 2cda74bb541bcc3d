//! One X connection with what every request needs: the interned atoms, the root window and
//! whether the X-Resource extension can tell us PIDs.

use x11rb::connection::{Connection, RequestConnection};
use x11rb::errors::{ConnectionError, ReplyError};
use x11rb::protocol::res::{self, ConnectionExt as _};
use x11rb::protocol::xproto::{Atom, ConnectionExt as _, Window};
use x11rb::rust_connection::RustConnection;

x11rb::atom_manager! {
    /// Every atom the backend uses, interned in one round trip per connection.
    pub Atoms: AtomsCookie {
        UTF8_STRING,
        COMPOUND_TEXT,
        WM_STATE,
        WM_PROTOCOLS,
        WM_DELETE_WINDOW,
        WM_CHANGE_STATE,
        _NET_SUPPORTED,
        _NET_SUPPORTING_WM_CHECK,
        _NET_CLIENT_LIST,
        _NET_CLIENT_LIST_STACKING,
        _NET_RESTACK_WINDOW,
        _NET_ACTIVE_WINDOW,
        _NET_CLOSE_WINDOW,
        _NET_WM_NAME,
        _NET_WM_VISIBLE_NAME,
        _NET_WM_PID,
        _NET_WM_DESKTOP,
        _NET_WM_STATE,
        _NET_WM_STATE_HIDDEN,
        _NET_WM_STATE_SKIP_TASKBAR,
        _NET_WM_WINDOW_TYPE,
        _NET_WM_WINDOW_TYPE_NORMAL,
        _NET_WM_WINDOW_TYPE_DIALOG,
        _NET_WM_WINDOW_TYPE_UTILITY,
        _NET_WM_WINDOW_TYPE_TOOLBAR,
        _NET_WM_WINDOW_TYPE_MENU,
        _NET_WM_WINDOW_TYPE_SPLASH,
        _NET_WM_WINDOW_TYPE_DOCK,
        _NET_WM_WINDOW_TYPE_DESKTOP,
        _NET_WM_WINDOW_TYPE_DROPDOWN_MENU,
        _NET_WM_WINDOW_TYPE_POPUP_MENU,
        _NET_WM_WINDOW_TYPE_TOOLTIP,
        _NET_WM_WINDOW_TYPE_NOTIFICATION,
        _NET_WM_WINDOW_TYPE_COMBO,
        _NET_WM_WINDOW_TYPE_DND,
        _NET_FRAME_EXTENTS,
        _NET_MOVERESIZE_WINDOW,
        _NET_WM_STATE_MAXIMIZED_VERT,
        _NET_WM_STATE_MAXIMIZED_HORZ,
    }
}

impl Atoms {
    /// The `kind` name of a `_NET_WM_WINDOW_TYPE_*` atom, if it is one we know.
    pub fn window_kind(&self, atom: Atom) -> Option<&'static str> {
        let known = [
            (self._NET_WM_WINDOW_TYPE_NORMAL, "normal"),
            (self._NET_WM_WINDOW_TYPE_DIALOG, "dialog"),
            (self._NET_WM_WINDOW_TYPE_UTILITY, "utility"),
            (self._NET_WM_WINDOW_TYPE_TOOLBAR, "toolbar"),
            (self._NET_WM_WINDOW_TYPE_MENU, "menu"),
            (self._NET_WM_WINDOW_TYPE_SPLASH, "splash"),
            (self._NET_WM_WINDOW_TYPE_DOCK, "dock"),
            (self._NET_WM_WINDOW_TYPE_DESKTOP, "desktop"),
            (self._NET_WM_WINDOW_TYPE_DROPDOWN_MENU, "dropdown_menu"),
            (self._NET_WM_WINDOW_TYPE_POPUP_MENU, "popup_menu"),
            (self._NET_WM_WINDOW_TYPE_TOOLTIP, "tooltip"),
            (self._NET_WM_WINDOW_TYPE_NOTIFICATION, "notification"),
            (self._NET_WM_WINDOW_TYPE_COMBO, "combo"),
            (self._NET_WM_WINDOW_TYPE_DND, "dnd"),
        ];
        known
            .into_iter()
            .find_map(|(a, name)| (a == atom).then_some(name))
    }
}

pub struct Session {
    pub conn: RustConnection,
    /// The display name, for messages.
    pub display: String,
    pub root: Window,
    pub atoms: Atoms,
    /// `WM_S<screen>`: owned whenever an ICCCM window manager runs, EWMH or not.
    pub wm_selection: Atom,
    /// X-Resource 1.2 (`QueryClientIds`) is there: PIDs for every local client.
    pub xres: bool,
}

impl Session {
    /// Connects and prepares. The error is a sentence for `WindowList::reason`.
    pub fn connect(display: Option<&str>) -> Result<Session, String> {
        let name = match display {
            Some(d) => d.to_string(),
            None => match std::env::var("DISPLAY") {
                Ok(d) if !d.is_empty() => d,
                _ => return Err("no DISPLAY set".to_string()),
            },
        };
        let fail = |e: &dyn std::fmt::Display| format!("cannot open display {name}: {e}");
        let (conn, screen) = x11rb::connect(Some(&name)).map_err(|e| fail(&e))?;
        let root = conn.setup().roots[screen].root;
        let prepared = (|| -> Result<(Atoms, Atom, bool), ReplyError> {
            let atoms = Atoms::new(&conn)?;
            let selection = conn.intern_atom(false, format!("WM_S{screen}").as_bytes())?;
            let xres = match conn.extension_information(res::X11_EXTENSION_NAME)? {
                Some(_) => {
                    let version = conn.res_query_version(1, 2)?.reply()?;
                    (version.server_major, version.server_minor) >= (1, 2)
                }
                None => false,
            };
            Ok((atoms.reply()?, selection.reply()?.atom, xres))
        })();
        let (atoms, wm_selection, xres) = prepared.map_err(|e| fail(&e))?;
        Ok(Session {
            conn,
            display: name,
            root,
            atoms,
            wm_selection,
            xres,
        })
    }

    /// Throws away queued events. We select none, but errors of requests whose replies we
    /// dropped, and a few events every client gets, would otherwise pile up on a long-lived
    /// connection.
    pub fn drain_events(&self) -> Result<(), ConnectionError> {
        while self.conn.poll_for_event()?.is_some() {}
        Ok(())
    }
}
