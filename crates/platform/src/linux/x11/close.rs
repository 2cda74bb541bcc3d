//! Closing windows politely and watching what the applications do about it.
//!
//! Only windows that declare `WM_DELETE_WINDOW` are asked; for the others nothing is sent, as
//! window managers answer `_NET_CLOSE_WINDOW` on them with `XKillClient`. Boss never kills a
//! client or destroys a window: an application that refuses stays open.
//!
//! The outcome is observed by polling rather than by selecting events: the connection is shared
//! with listings running on other threads, and a poll every few milliseconds costs a round
//! trip or two.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use x11rb::cookie::VoidCookie;
use x11rb::errors::{ConnectionError, ReplyError};
use x11rb::protocol::xproto::{
    ClientMessageEvent, ConnectionExt as _, EventMask, MapState, Window,
};
use x11rb::rust_connection::RustConnection;

use super::query::{self, ICONIC_STATE, Seen, WmInfo, first32, tolerate};
use super::session::Session;
use crate::window::{CloseOutcome, WindowId};

/// How often the windows are looked at while waiting.
const POLL_INTERVAL: Duration = Duration::from_millis(20);

/// A window we asked to close and are watching.
struct Watched {
    id: Window,
    pid: Option<u32>,
    /// Whether it counted as open when asked (managed, mapped or minimized); a window that
    /// stops being so was closed (withdrawn) even if it still exists.
    present: bool,
}

/// Asks each window to close, then watches all of them until `timeout`. One result per id, in
/// the order given; a repeated id gets the same result.
pub fn close_many(
    s: &Session,
    ids: &[WindowId],
    timeout: Duration,
) -> Result<Vec<(WindowId, CloseOutcome)>, ConnectionError> {
    let started = Instant::now();
    s.drain_events()?;
    let wm = query::detect_wm(s)?;
    // Keyed by X window; ids that name no X window are simply gone.
    let mut outcomes: HashMap<Window, CloseOutcome> = HashMap::new();

    let mut targets: Vec<Window> = Vec::new();
    for w in ids.iter().filter_map(WindowId::as_x11) {
        if w != x11rb::NONE && !targets.contains(&w) {
            targets.push(w);
        }
    }

    // Everything that exists before the requests, so that a dialog opened in answer can be
    // told apart from windows that were already there.
    let before: HashSet<Window> = query::client_windows(s, &wm)?.into_iter().collect();
    let probed: HashMap<Window, Seen> = query::read_windows(s, &wm, &targets, None)?
        .into_iter()
        .map(|seen| (seen.window, seen))
        .collect();

    let mut requests = Vec::new();
    for &w in &targets {
        let Some(seen) = probed.get(&w) else {
            outcomes.insert(w, CloseOutcome::Gone);
            continue;
        };
        if !seen.info.closable {
            outcomes.insert(w, CloseOutcome::Unsupported);
            continue;
        }
        let managed = wm.client_list.as_ref().is_some_and(|l| l.contains(&w));
        requests.push((w, send_close(s, &wm, w, managed)?));
    }
    // The first check is a round trip: after it every request has reached the server (a
    // client that moves on before that may lose them) and each error has come back.
    let mut watched = Vec::new();
    for (w, cookie) in requests {
        match cookie.check() {
            Ok(()) => {
                let seen = &probed[&w];
                watched.push(Watched {
                    id: w,
                    pid: seen.info.pid,
                    present: before.contains(&w)
                        || seen.viewable
                        || seen.wm_state == Some(ICONIC_STATE),
                });
            }
            // Gone between the probe and the request.
            Err(ReplyError::X11Error(_)) => {
                outcomes.insert(w, CloseOutcome::Gone);
            }
            Err(ReplyError::ConnectionError(e)) => return Err(e),
        }
    }

    let deadline = started + timeout;
    while !watched.is_empty() {
        let resolved = observe(s, &before, &watched)?;
        watched.retain(|t| match resolved.get(&t.id) {
            Some(outcome) => {
                outcomes.insert(t.id, *outcome);
                false
            }
            None => true,
        });
        let now = Instant::now();
        if watched.is_empty() || now >= deadline {
            break;
        }
        std::thread::sleep(POLL_INTERVAL.min(deadline - now));
    }
    for t in watched {
        outcomes.insert(t.id, CloseOutcome::StillOpen);
    }

    Ok(ids
        .iter()
        .map(|id| {
            let outcome = id
                .as_x11()
                .and_then(|w| outcomes.get(&w).copied())
                .unwrap_or(CloseOutcome::Gone);
            (id.clone(), outcome)
        })
        .collect())
}

/// Sends the close request for `w`: through a live EWMH manager that manages the window (it
/// may do more, such as closing a whole group), else straight to the window.
fn send_close<'c>(
    s: &'c Session,
    wm: &WmInfo,
    w: Window,
    managed: bool,
) -> Result<VoidCookie<'c, RustConnection>, ConnectionError> {
    let a = &s.atoms;
    if managed && wm.supports(a._NET_CLOSE_WINDOW) {
        // Source indication 2: a pager, i.e. on the user's direct behalf.
        let event = ClientMessageEvent::new(
            32,
            w,
            a._NET_CLOSE_WINDOW,
            [x11rb::CURRENT_TIME, 2, 0, 0, 0],
        );
        s.conn.send_event(
            false,
            s.root,
            EventMask::SUBSTRUCTURE_REDIRECT | EventMask::SUBSTRUCTURE_NOTIFY,
            event,
        )
    } else {
        let event = ClientMessageEvent::new(
            32,
            w,
            a.WM_PROTOCOLS,
            [a.WM_DELETE_WINDOW, x11rb::CURRENT_TIME, 0, 0, 0],
        );
        s.conn.send_event(false, w, EventMask::NO_EVENT, event)
    }
}

/// One look at the watched windows: which were closed, and which got a new dialog.
fn observe(
    s: &Session,
    before: &HashSet<Window>,
    watched: &[Watched],
) -> Result<HashMap<Window, CloseOutcome>, ConnectionError> {
    let (c, a) = (&s.conn, &s.atoms);
    // The manager may have gone or come meanwhile: look again each time.
    let wm = query::detect_wm(s)?;
    let clients = query::client_windows(s, &wm)?;
    let mut cookies = Vec::with_capacity(watched.len());
    for t in watched {
        cookies.push((
            t,
            c.get_window_attributes(t.id)?,
            c.get_property(false, t.id, a.WM_STATE, a.WM_STATE, 0, 2)?,
        ));
    }
    let mut resolved = HashMap::new();
    for (t, attrs, state) in cookies {
        let attrs = tolerate(attrs.reply())?;
        let state = tolerate(state.reply())?;
        let open = attrs.is_some_and(|attrs| {
            !t.present
                || (wm.client_list.is_some() && clients.contains(&t.id))
                || attrs.map_state == MapState::VIEWABLE
                || first32(state.as_ref()) == Some(ICONIC_STATE)
        });
        if !open {
            resolved.insert(t.id, CloseOutcome::Closed);
        }
    }

    let new: Vec<Window> = clients
        .into_iter()
        .filter(|w| !before.contains(w))
        .collect();
    if !new.is_empty() {
        for dialog in query::read_windows(s, &wm, &new, None)? {
            let parent = dialog
                .info
                .transient_for
                .as_ref()
                .and_then(WindowId::as_x11);
            for t in watched {
                if resolved.contains_key(&t.id) {
                    continue;
                }
                let for_this = parent == Some(t.id);
                // A dialog of the same process not tied to another watched window, e.g. a
                // toolkit that makes the prompt transient for a hidden group leader.
                let same_app = t.pid.is_some()
                    && dialog.info.pid == t.pid
                    && dialog.info.kind == "dialog"
                    && !parent.is_some_and(|p| watched.iter().any(|o| o.id == p));
                if for_this || same_app {
                    resolved.insert(t.id, CloseOutcome::Prompting);
                }
            }
        }
    }
    Ok(resolved)
}
