//! Reading the window tree: which window manager runs, which windows are clients, and what
//! each client says about itself.
//!
//! Requests are pipelined (all sent, then all replies collected): a listing costs a few round
//! trips whatever the number of windows, and a window that vanishes meanwhile fails only its
//! own replies. Only a broken connection fails the whole read.

use std::collections::HashSet;

use x11rb::cookie::Cookie;
use x11rb::errors::{ConnectionError, ReplyError};
use x11rb::protocol::res::{ClientIdMask, ClientIdSpec, ConnectionExt as _, QueryClientIdsReply};
use x11rb::protocol::xproto::{
    Atom, AtomEnum, ConnectionExt as _, GetPropertyReply, GetWindowAttributesReply, MapState,
    Window,
};
use x11rb::rust_connection::RustConnection;

use super::session::Session;
use super::text::{self, TextType};
use crate::window::{WindowId, WindowInfo};

/// `WM_STATE` values (ICCCM §4.1.3.1).
pub const WITHDRAWN_STATE: u32 = 0;
pub const ICONIC_STATE: u32 = 3;

/// The reply, or `None` when the server answered with an error (typically `BadWindow` for a
/// window that is gone). Only a failed connection is an error.
pub fn tolerate<T>(reply: Result<T, ReplyError>) -> Result<Option<T>, ConnectionError> {
    match reply {
        Ok(value) => Ok(Some(value)),
        Err(ReplyError::X11Error(_)) => Ok(None),
        Err(ReplyError::ConnectionError(e)) => Err(e),
    }
}

/// The 32-bit values of a property reply; empty when absent or of another format.
pub fn values32(reply: Option<&GetPropertyReply>) -> Vec<u32> {
    reply
        .and_then(|r| r.value32())
        .map(|v| v.collect())
        .unwrap_or_default()
}

pub fn first32(reply: Option<&GetPropertyReply>) -> Option<u32> {
    reply.and_then(|r| r.value32()).and_then(|mut v| v.next())
}

/// What the running window manager offers.
pub struct WmInfo {
    /// A live EWMH window manager (its check window is valid).
    pub ewmh: Option<Ewmh>,
    /// An ICCCM window manager runs (`WM_S<n>` has an owner), EWMH or not.
    pub icccm: bool,
    /// Root `_NET_ACTIVE_WINDOW`, trusted only with a live EWMH manager.
    pub active: Option<Window>,
    /// Root `_NET_CLIENT_LIST`, trusted only with a live EWMH manager.
    pub client_list: Option<Vec<Window>>,
}

pub struct Ewmh {
    /// The manager's `_NET_WM_NAME` (e.g. `Openbox`).
    pub name: String,
    /// `_NET_SUPPORTED`: the hints it implements.
    pub supported: HashSet<Atom>,
}

impl WmInfo {
    /// Whether a live EWMH manager says it implements `hint`.
    pub fn supports(&self, hint: Atom) -> bool {
        self.ewmh
            .as_ref()
            .is_some_and(|e| e.supported.contains(&hint))
    }

    /// Whether any window manager runs (one that honours ICCCM requests such as
    /// `WM_CHANGE_STATE`).
    pub fn any(&self) -> bool {
        self.ewmh.is_some() || self.icccm
    }
}

/// Finds the window manager. Root properties outlive a crashed manager, so they count only
/// when `_NET_SUPPORTING_WM_CHECK` names a live window that names itself the same way.
pub fn detect_wm(s: &Session) -> Result<WmInfo, ConnectionError> {
    let (c, a) = (&s.conn, &s.atoms);
    let check = c.get_property(
        false,
        s.root,
        a._NET_SUPPORTING_WM_CHECK,
        AtomEnum::WINDOW,
        0,
        1,
    )?;
    let supported = c.get_property(false, s.root, a._NET_SUPPORTED, AtomEnum::ATOM, 0, 4096)?;
    let active = c.get_property(false, s.root, a._NET_ACTIVE_WINDOW, AtomEnum::WINDOW, 0, 1)?;
    let clients = c.get_property(
        false,
        s.root,
        a._NET_CLIENT_LIST,
        AtomEnum::WINDOW,
        0,
        1 << 16,
    )?;
    let owner = c.get_selection_owner(s.wm_selection)?;

    let check = tolerate(check.reply())?;
    let supported = tolerate(supported.reply())?;
    let active = tolerate(active.reply())?;
    let clients = tolerate(clients.reply())?;
    let icccm = tolerate(owner.reply())?.is_some_and(|o| o.owner != x11rb::NONE);

    let mut ewmh = None;
    if let Some(wm) = first32(check.as_ref()).filter(|&w| w != x11rb::NONE) {
        let own = c.get_property(
            false,
            wm,
            a._NET_SUPPORTING_WM_CHECK,
            AtomEnum::WINDOW,
            0,
            1,
        )?;
        let name = c.get_property(false, wm, a._NET_WM_NAME, AtomEnum::ANY, 0, 256)?;
        let own = tolerate(own.reply())?;
        let name = tolerate(name.reply())?;
        if first32(own.as_ref()) == Some(wm) {
            let name = name
                .as_ref()
                .and_then(|r| decode_text(s, r))
                .unwrap_or_else(|| "unnamed window manager".to_string());
            let supported = values32(supported.as_ref()).into_iter().collect();
            ewmh = Some(Ewmh { name, supported });
        }
    }
    let live = ewmh.is_some();
    Ok(WmInfo {
        ewmh,
        icccm,
        active: live
            .then(|| first32(active.as_ref()))
            .flatten()
            .filter(|&w| w != x11rb::NONE),
        client_list: clients
            .filter(|r| live && r.type_ != x11rb::NONE)
            .map(|r| values32(Some(&r))),
    })
}

/// The client windows: the manager's `_NET_CLIENT_LIST`, or else what the window tree shows.
pub fn client_windows(s: &Session, wm: &WmInfo) -> Result<Vec<Window>, ConnectionError> {
    match &wm.client_list {
        Some(list) => Ok(list.clone()),
        None => tree_clients(s, wm.icccm),
    }
}

/// The clients found by walking the tree below the root, for sessions without an EWMH
/// manager: children with `WM_STATE` are clients; under an ICCCM manager the clients sit
/// inside its frames; with no manager at all, every viewable top-level with a `WM_CLASS` is.
fn tree_clients(s: &Session, managed: bool) -> Result<Vec<Window>, ConnectionError> {
    let (c, a) = (&s.conn, &s.atoms);
    let Some(tree) = tolerate(c.query_tree(s.root)?.reply())? else {
        return Ok(Vec::new());
    };
    let mut cookies = Vec::with_capacity(tree.children.len());
    for &w in &tree.children {
        cookies.push((
            w,
            c.get_window_attributes(w)?,
            c.get_property(false, w, a.WM_STATE, a.WM_STATE, 0, 2)?,
            // Length 0: we only ask whether the property exists.
            c.get_property(false, w, AtomEnum::WM_CLASS, AtomEnum::STRING, 0, 0)?,
        ));
    }
    let mut clients = Vec::new();
    let mut frames = Vec::new();
    for (w, attrs, state, class) in cookies {
        let attrs = tolerate(attrs.reply())?;
        let state = tolerate(state.reply())?;
        let class = tolerate(class.reply())?;
        let Some(attrs) = attrs else { continue };
        // Menus, tooltips and Tk's 1x1 helper window: never clients.
        if attrs.override_redirect {
            continue;
        }
        match first32(state.as_ref()) {
            Some(WITHDRAWN_STATE) => {}
            Some(_) => clients.push(w),
            None if managed => frames.push(w),
            None => {
                let has_class = class.is_some_and(|r| r.type_ != x11rb::NONE);
                if attrs.map_state == MapState::VIEWABLE && has_class {
                    clients.push(w);
                }
            }
        }
    }
    clients.extend(clients_inside_frames(s, frames)?);
    Ok(clients)
}

/// Descends a few levels into window-manager frames, collecting windows with `WM_STATE`.
fn clients_inside_frames(s: &Session, frames: Vec<Window>) -> Result<Vec<Window>, ConnectionError> {
    let (c, a) = (&s.conn, &s.atoms);
    let mut found = Vec::new();
    let mut level = frames;
    // Frames nest the client one or two windows deep; three levels is plenty.
    for _ in 0..3 {
        if level.is_empty() {
            break;
        }
        let trees = level
            .iter()
            .map(|&w| c.query_tree(w))
            .collect::<Result<Vec<_>, _>>()?;
        let mut children = Vec::new();
        for tree in trees {
            if let Some(tree) = tolerate(tree.reply())? {
                children.extend(tree.children);
            }
        }
        let states = children
            .iter()
            .map(|&w| c.get_property(false, w, a.WM_STATE, a.WM_STATE, 0, 2))
            .collect::<Result<Vec<_>, _>>()?;
        let mut next = Vec::new();
        for (w, state) in children.into_iter().zip(states) {
            match tolerate(state.reply())? {
                // A withdrawn client: no longer a window anyone sees.
                Some(r) if r.type_ != x11rb::NONE && first32(Some(&r)) == Some(WITHDRAWN_STATE) => {
                }
                Some(r) if r.type_ != x11rb::NONE => found.push(w),
                Some(_) => next.push(w),
                None => {}
            }
        }
        level = next;
    }
    Ok(found)
}

/// The active window: the EWMH manager's, or else the client holding the input focus.
pub fn active_window(
    s: &Session,
    wm: &WmInfo,
    clients: &[Window],
) -> Result<Option<Window>, ConnectionError> {
    if wm.ewmh.is_some() {
        return Ok(wm.active);
    }
    let c = &s.conn;
    let Some(focus) = tolerate(c.get_input_focus()?.reply())? else {
        return Ok(None);
    };
    // The focus may sit on a child of the client (a text field); walk up to the client.
    let mut w = focus.focus;
    for _ in 0..16 {
        if w == x11rb::NONE || w == s.root || w == 1 {
            // None, the root, or PointerRoot: no client has the focus.
            return Ok(None);
        }
        if clients.contains(&w) {
            return Ok(Some(w));
        }
        match tolerate(c.query_tree(w)?.reply())? {
            Some(tree) => w = tree.parent,
            None => return Ok(None),
        }
    }
    Ok(None)
}

/// A client window with what listing and closing need beyond [`WindowInfo`].
#[derive(Debug, Clone)]
pub struct Seen {
    /// The X window that `info.id` names.
    pub window: Window,
    pub info: WindowInfo,
    pub override_redirect: bool,
    pub viewable: bool,
    pub skip_taskbar: bool,
    /// `WM_STATE` as the window manager set it (1 normal, 3 iconic).
    pub wm_state: Option<u32>,
}

impl Seen {
    /// Whether a taskbar would show it (libwnck's rules), except that transient dialogs stay:
    /// Boss shows them beneath their main window.
    pub fn on_taskbar(&self) -> bool {
        if self.override_redirect || self.skip_taskbar {
            return false;
        }
        match self.info.kind.as_str() {
            "normal" | "dialog" => true,
            "toolbar" | "menu" | "utility" => self.info.transient_for.is_none(),
            // desktop, dock, splash, and the menus and tooltips a manager never frames.
            _ => false,
        }
    }
}

type PropertyCookie<'c> = Cookie<'c, RustConnection, GetPropertyReply>;

/// The requests for one window, in flight.
struct Pending<'c> {
    id: Window,
    attrs: Cookie<'c, RustConnection, GetWindowAttributesReply>,
    class: PropertyCookie<'c>,
    net_name: PropertyCookie<'c>,
    visible_name: PropertyCookie<'c>,
    wm_name: PropertyCookie<'c>,
    net_pid: PropertyCookie<'c>,
    desktop: PropertyCookie<'c>,
    wm_state: PropertyCookie<'c>,
    net_state: PropertyCookie<'c>,
    transient_for: PropertyCookie<'c>,
    protocols: PropertyCookie<'c>,
    window_type: PropertyCookie<'c>,
    client_ids: Option<Cookie<'c, RustConnection, QueryClientIdsReply>>,
}

/// Reads every window in `ids`, in that order, leaving out those that are gone. `wm` says
/// whether minimized can be told from `_NET_WM_STATE_HIDDEN`.
pub fn read_windows(
    s: &Session,
    wm: &WmInfo,
    ids: &[Window],
    active: Option<Window>,
) -> Result<Vec<Seen>, ConnectionError> {
    let hidden_known = wm.supports(s.atoms._NET_WM_STATE_HIDDEN);
    let (c, a) = (&s.conn, &s.atoms);
    let mut pending = Vec::with_capacity(ids.len());
    for &w in ids {
        let prop =
            |atom: Atom, kind: Atom, longs: u32| c.get_property(false, w, atom, kind, 0, longs);
        let any = u32::from(AtomEnum::ANY);
        pending.push(Pending {
            id: w,
            attrs: c.get_window_attributes(w)?,
            class: prop(AtomEnum::WM_CLASS.into(), AtomEnum::STRING.into(), 256)?,
            net_name: prop(a._NET_WM_NAME, any, 1024)?,
            visible_name: prop(a._NET_WM_VISIBLE_NAME, any, 1024)?,
            wm_name: prop(AtomEnum::WM_NAME.into(), any, 1024)?,
            net_pid: prop(a._NET_WM_PID, AtomEnum::CARDINAL.into(), 1)?,
            desktop: prop(a._NET_WM_DESKTOP, AtomEnum::CARDINAL.into(), 1)?,
            wm_state: prop(a.WM_STATE, a.WM_STATE, 2)?,
            net_state: prop(a._NET_WM_STATE, AtomEnum::ATOM.into(), 64)?,
            transient_for: prop(
                AtomEnum::WM_TRANSIENT_FOR.into(),
                AtomEnum::WINDOW.into(),
                1,
            )?,
            protocols: prop(a.WM_PROTOCOLS, AtomEnum::ATOM.into(), 64)?,
            window_type: prop(a._NET_WM_WINDOW_TYPE, AtomEnum::ATOM.into(), 64)?,
            client_ids: if s.xres {
                Some(c.res_query_client_ids(&[ClientIdSpec {
                    client: w,
                    mask: ClientIdMask::LOCAL_CLIENT_PID,
                }])?)
            } else {
                None
            },
        });
    }
    let mut seen = Vec::with_capacity(pending.len());
    for p in pending {
        if let Some(window) = collect(s, p, active, hidden_known)? {
            seen.push(window);
        }
    }
    Ok(seen)
}

fn collect(
    s: &Session,
    p: Pending<'_>,
    active: Option<Window>,
    hidden_known: bool,
) -> Result<Option<Seen>, ConnectionError> {
    let a = &s.atoms;
    // Collect every reply, even for a window found gone, so none is left queued.
    let attrs = tolerate(p.attrs.reply())?;
    let class = tolerate(p.class.reply())?;
    let names = [
        tolerate(p.net_name.reply())?,
        tolerate(p.visible_name.reply())?,
        tolerate(p.wm_name.reply())?,
    ];
    let net_pid = tolerate(p.net_pid.reply())?;
    let desktop = tolerate(p.desktop.reply())?;
    let wm_state = tolerate(p.wm_state.reply())?;
    let net_state = tolerate(p.net_state.reply())?;
    let transient = tolerate(p.transient_for.reply())?;
    let protocols = tolerate(p.protocols.reply())?;
    let window_type = tolerate(p.window_type.reply())?;
    let client_ids = match p.client_ids {
        Some(cookie) => tolerate(cookie.reply())?,
        None => None,
    };
    let Some(attrs) = attrs else {
        return Ok(None);
    };

    let (instance, class) = class
        .as_ref()
        .map(|r| text::wm_class(&r.value))
        .unwrap_or_default();
    let title = names
        .iter()
        .filter_map(|r| r.as_ref().and_then(|r| decode_text(s, r)))
        .find(|t| !t.is_empty())
        .unwrap_or_default();
    let pid = client_ids
        .and_then(|reply| {
            reply.ids.into_iter().find_map(|v| {
                let pid_mask = u32::from(ClientIdMask::LOCAL_CLIENT_PID);
                (u32::from(v.spec.mask) & pid_mask != 0)
                    .then(|| v.value.first().copied())
                    .flatten()
            })
        })
        .or_else(|| first32(net_pid.as_ref()))
        .filter(|&pid| pid != 0);
    let desktop = first32(desktop.as_ref()).map(|d| if d == u32::MAX { -1 } else { i64::from(d) });
    let wm_state = first32(wm_state.as_ref());
    let net_state = values32(net_state.as_ref());
    // A transient window names its parent; None or the root mean "the whole group".
    let is_transient = transient.as_ref().is_some_and(|r| r.type_ != x11rb::NONE);
    let transient_for = first32(transient.as_ref())
        .filter(|&w| w != x11rb::NONE && w != s.root)
        .map(WindowId::x11);
    let kind = values32(window_type.as_ref())
        .into_iter()
        .find_map(|t| a.window_kind(t))
        .unwrap_or(if is_transient { "dialog" } else { "normal" });
    let closable = values32(protocols.as_ref()).contains(&a.WM_DELETE_WINDOW);
    // Hidden, not elsewhere: openbox also marks windows on another desktop `WM_STATE`
    // Iconic (their frames are unmapped), so only `_NET_WM_STATE_HIDDEN` means minimized.
    // Without a manager that implements HIDDEN, Iconic is all there is.
    let minimized = if hidden_known {
        net_state.contains(&a._NET_WM_STATE_HIDDEN)
    } else {
        wm_state == Some(ICONIC_STATE)
    };

    Ok(Some(Seen {
        window: p.id,
        info: WindowInfo {
            id: WindowId::x11(p.id),
            title,
            class,
            instance,
            pid,
            desktop,
            // Managers name the next active window a moment after iconifying this one.
            active: active == Some(p.id) && !minimized,
            minimized,
            transient_for,
            closable,
            kind: kind.to_string(),
            // Set by the backend when it knows the display is Xwayland.
            xwayland: false,
        },
        override_redirect: attrs.override_redirect,
        viewable: attrs.map_state == MapState::VIEWABLE,
        skip_taskbar: net_state.contains(&a._NET_WM_STATE_SKIP_TASKBAR),
        wm_state,
    }))
}

/// A text property as a string, decoded by its declared type; `None` when absent.
fn decode_text(s: &Session, reply: &GetPropertyReply) -> Option<String> {
    if reply.type_ == x11rb::NONE || reply.format != 8 {
        return None;
    }
    let kind = if reply.type_ == s.atoms.UTF8_STRING {
        TextType::Utf8
    } else if reply.type_ == u32::from(AtomEnum::STRING) {
        TextType::Latin1
    } else if reply.type_ == s.atoms.COMPOUND_TEXT {
        TextType::CompoundText
    } else {
        // An unusual type (C_STRING, a toolkit's own): UTF-8 is the likeliest.
        TextType::Utf8
    };
    Some(text::decode(kind, &reply.value))
}
