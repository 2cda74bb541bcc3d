//! Window backends of Wayland compositors: sway's IPC (and, through it, the Xwayland windows of
//! a sway session), the wlr-foreign-toplevel protocol of other wlroots compositors, and the
//! compositors that offer clients no window protocol of their own: KWin (through its scripting)
//! and GNOME Shell (through Boss's extension), both over the session bus, which describe
//! windows the same way ([`Seen`]) and observe closes alike (the code below).
//!
//! Wayland has no common window protocol: each backend speaks one compositor's (or one family
//! of compositors') own. [`super::select`] picks the one that answers.

pub mod gnome;
pub mod kwin;
pub mod sway;
pub mod wlr;

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::window::{CloseOutcome, Geometry, Placement, WindowId, WindowInfo, WindowLayout};

/// The session bus of `session`: `DBUS_SESSION_BUS_ADDRESS`, else the per-user bus that
/// systemd and dbus-broker put at `$XDG_RUNTIME_DIR/bus` (some sessions do not export the
/// variable).
fn session_bus_address(session: &crate::window::SessionEnv) -> Option<String> {
    if let Some(address) = &session.session_bus {
        return Some(address.clone());
    }
    let socket = std::path::Path::new(session.runtime_dir.as_deref()?).join("bus");
    socket
        .exists()
        .then(|| format!("unix:path={}", socket.display()))
}

/// A failure of the session bus or of what the compositor answered, as an I/O error that says
/// what Boss was doing (`context`).
fn io_error(context: impl Into<String>, e: impl std::fmt::Display) -> Error {
    Error::Io {
        context: context.into(),
        source: std::io::Error::other(e.to_string()),
    }
}

/// [`Error::Unsupported`] for what a backend cannot do to windows (`what`) on a compositor
/// (`on`), and why: `"{what} on {on}: {why}"`.
fn unsupported<T>(what: &str, on: &str, why: &str) -> Result<T> {
    Err(Error::Unsupported(format!("{what} on {on}: {why}")))
}

/// The answer of `close_many` for `ids`, in their order, from the outcomes by compositor id
/// (`local` gives an id's, if it is one of this backend's): an id without one is gone. One
/// failure applies to every window; `Error` is not `Clone`, so each gets a copy (an I/O
/// error naming the compositor, `on`, unless it was `Unsupported`).
fn outcomes_in_order(
    ids: &[WindowId],
    outcomes: Result<HashMap<String, CloseOutcome>>,
    local: impl Fn(&WindowId) -> Option<&str>,
    on: &str,
) -> Vec<(WindowId, Result<CloseOutcome>)> {
    match outcomes {
        Ok(outcomes) => ids
            .iter()
            .map(|id| {
                let outcome = local(id)
                    .and_then(|l| outcomes.get(l).copied())
                    .unwrap_or(CloseOutcome::Gone);
                (id.clone(), Ok(outcome))
            })
            .collect(),
        Err(e) => ids
            .iter()
            .map(|id| {
                let copy = match &e {
                    Error::Unsupported(m) => Error::Unsupported(m.clone()),
                    other => io_error(on, other),
                };
                (id.clone(), Err(copy))
            })
            .collect(),
    }
}

/// The compositor ids among `ids` (`local` gives an id's, if it is one of this backend's),
/// each once, in the order asked: the targets of one close request.
fn distinct_locals(ids: &[WindowId], local: fn(&WindowId) -> Option<&str>) -> Vec<&str> {
    let mut targets: Vec<&str> = Vec::new();
    for l in ids.iter().filter_map(local) {
        if !targets.contains(&l) {
            targets.push(l);
        }
    }
    targets
}

/// What the KWin script or the GNOME extension answered for one window asked to close:
/// `None` for `sent` (to be watched), else its outcome now (`unsupported`, or gone).
fn close_answer(answer: Option<&str>) -> Option<CloseOutcome> {
    match answer {
        Some("sent") => None,
        Some("unsupported") => Some(CloseOutcome::Unsupported),
        _ => Some(CloseOutcome::Gone),
    }
}

/// How often the windows are looked at while waiting for close outcomes.
const POLL_INTERVAL: Duration = Duration::from_millis(50);

/// One window as the KWin script or the GNOME extension describes it (the same JSON).
#[derive(Debug, Clone, Deserialize)]
struct Seen {
    /// The compositor's own id (KWin's `internalId`, Mutter's `get_id()`).
    id: String,
    pid: Option<u32>,
    resource_class: String,
    resource_name: String,
    caption: String,
    desktop: Option<i64>,
    minimized: bool,
    active: bool,
    closeable: bool,
    kind: String,
    transient_for: Option<String>,
    /// An X11 client through Xwayland (listed once all the same: the compositor lists it).
    #[serde(default)]
    xwayland: bool,
}

impl Seen {
    fn info(&self, backend: &str) -> WindowInfo {
        WindowInfo {
            id: WindowId::new(backend, &self.id),
            title: self.caption.clone(),
            class: self.resource_class.clone(),
            instance: self.resource_name.clone(),
            pid: self.pid,
            desktop: self.desktop,
            active: self.active && !self.minimized,
            minimized: self.minimized,
            transient_for: self
                .transient_for
                .as_ref()
                .map(|p| WindowId::new(backend, p)),
            closable: self.closeable,
            kind: self.kind.clone(),
            xwayland: self.xwayland,
        }
    }
}

/// Where a window sits, as the KWin script or the GNOME extension reads it (the same JSON):
/// the frame's corner, the client's size, maximized both ways, and its index in the
/// compositor's stacking order (0 the bottom-most).
#[derive(Debug, Clone, Deserialize)]
struct Laid {
    x: i32,
    y: i32,
    width: u32,
    height: u32,
    maximized: bool,
    stacking: Option<u32>,
}

impl From<Laid> for WindowLayout {
    fn from(laid: Laid) -> Self {
        WindowLayout {
            geometry: Geometry {
                x: laid.x,
                y: laid.y,
                width: laid.width,
                height: laid.height,
            },
            maximized: laid.maximized,
            // Neither KWin nor GNOME Shell tiles by itself.
            tiled: false,
            stacking: laid.stacking,
            // Wayland clients do not say how they were started.
            command: None,
        }
    }
}

/// How long a client is given to take a new size before its window is sent to a desktop not
/// shown (see [`place_in_steps`]).
const RESIZE_PATIENCE: Duration = Duration::from_secs(1);

/// Puts a window where `placement` says through `place` (the KWin script, the GNOME
/// extension), in two steps when it is both resized and sent to a desktop: a Wayland client
/// on a desktop not shown gets no frame callbacks, and so answers no resize (KWin keeps the
/// old geometry) until it is shown again. So the geometry (and maximization) is asked first
/// and waited for a moment, reading it with `geometry`, then the desktop and minimizing.
fn place_in_steps(
    placement: &Placement,
    place: impl Fn(&Placement) -> Result<()>,
    geometry: impl Fn() -> Result<Geometry>,
) -> Result<()> {
    let Some(want) = placement.geometry.filter(|_| placement.desktop.is_some()) else {
        return place(placement);
    };
    let before = geometry()?;
    place(&Placement {
        desktop: None,
        minimized: false,
        ..placement.clone()
    })?;
    let deadline = Instant::now() + RESIZE_PATIENCE;
    while before != want && Instant::now() < deadline {
        std::thread::sleep(POLL_INTERVAL);
        if geometry()? != before {
            break;
        }
    }
    place(&Placement {
        geometry: None,
        ..placement.clone()
    })
}

/// Watches windows asked to close (`sent`, compositor ids) until `deadline`, listing the
/// windows with `list` every few milliseconds: gone is `closed`; a new window transient for it,
/// or of the same process, is `prompting` ("Save changes?"); else `still_open`. `before` is
/// the list taken before the requests, so that new windows can be told from old ones.
fn watch_closes(
    before: &[Seen],
    sent: &[&str],
    deadline: Instant,
    list: impl Fn() -> Result<Vec<Seen>>,
) -> Result<HashMap<String, CloseOutcome>> {
    let known: HashSet<&str> = before.iter().map(|w| w.id.as_str()).collect();
    let pids: HashMap<&str, Option<u32>> = before.iter().map(|w| (w.id.as_str(), w.pid)).collect();
    let mut outcomes = HashMap::new();
    let mut watched: Vec<&str> = sent.to_vec();
    while !watched.is_empty() {
        let now = Instant::now();
        if now >= deadline {
            break;
        }
        std::thread::sleep(POLL_INTERVAL.min(deadline - now));
        let windows = list()?;
        let present: HashSet<&str> = windows.iter().map(|w| w.id.as_str()).collect();
        let new: Vec<&Seen> = windows
            .iter()
            .filter(|w| !known.contains(w.id.as_str()))
            .collect();
        watched.retain(|&t| {
            let outcome = if !present.contains(t) {
                Some(CloseOutcome::Closed)
            } else {
                let pid = pids.get(t).copied().flatten();
                let prompted = new.iter().any(|w| {
                    let parent = w.transient_for.as_deref();
                    let for_this = parent == Some(t);
                    // A window of the same process not tied to another asked window.
                    let same_app = pid.is_some()
                        && w.pid == pid
                        && !parent.is_some_and(|p| p != t && sent.contains(&p));
                    for_this || same_app
                });
                prompted.then_some(CloseOutcome::Prompting)
            };
            match outcome {
                Some(outcome) => {
                    outcomes.insert(t.to_string(), outcome);
                    false
                }
                None => true,
            }
        });
    }
    for t in watched {
        outcomes.insert(t.to_string(), CloseOutcome::StillOpen);
    }
    Ok(outcomes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_resized_and_sent_to_another_desktop_gets_its_size_first() {
        use std::cell::RefCell;
        let want = Geometry {
            x: 10,
            y: 20,
            width: 300,
            height: 200,
        };
        let asked = RefCell::new(Vec::new());
        let now = RefCell::new(Geometry::default());
        let place = |p: &Placement| {
            asked.borrow_mut().push(p.clone());
            if let Some(g) = p.geometry {
                *now.borrow_mut() = g;
            }
            Ok(())
        };
        let both = Placement {
            desktop: Some(1),
            geometry: Some(want),
            minimized: true,
            ..Placement::default()
        };
        place_in_steps(&both, place, || Ok(*now.borrow())).unwrap();
        let asked = asked.into_inner();
        assert_eq!(asked.len(), 2, "{asked:?}");
        assert_eq!((asked[0].geometry, asked[0].desktop), (Some(want), None));
        assert!(!asked[0].minimized);
        assert_eq!((asked[1].geometry, asked[1].desktop), (None, Some(1)));
        assert!(asked[1].minimized);

        // Only one of them: one request, as given.
        let once = RefCell::new(0);
        let count = |_: &Placement| {
            *once.borrow_mut() += 1;
            Ok(())
        };
        let geometry_only = Placement {
            geometry: Some(want),
            ..Placement::default()
        };
        place_in_steps(&geometry_only, count, || panic!("not read")).unwrap();
        assert_eq!(once.into_inner(), 1);
    }

    #[test]
    fn close_outcomes_come_in_the_order_asked_and_one_failure_is_every_windows() {
        let ids = [WindowId::new("kwin", "b"), WindowId::new("kwin", "a")];
        fn local(id: &WindowId) -> Option<&str> {
            id.local("kwin")
        }
        let outcomes = HashMap::from([("a".to_string(), CloseOutcome::Prompting)]);
        let got = outcomes_in_order(&ids, Ok(outcomes), local, "KWin");
        assert_eq!(got[0].0, ids[0]);
        assert_eq!(got[0].1.as_ref().ok(), Some(&CloseOutcome::Gone));
        assert_eq!(got[1].1.as_ref().ok(), Some(&CloseOutcome::Prompting));

        let failed = outcomes_in_order(
            &ids,
            Err(Error::Unsupported("no bus".into())),
            local,
            "KWin",
        );
        assert!(
            failed
                .iter()
                .all(|(_, r)| matches!(r, Err(Error::Unsupported(m)) if m == "no bus"))
        );
        let failed = outcomes_in_order(&ids, Err(io_error("the bus", "gone")), local, "KWin");
        assert!(
            failed
                .iter()
                .all(|(_, r)| matches!(r, Err(Error::Io { context, .. }) if context == "KWin"))
        );
    }
}
