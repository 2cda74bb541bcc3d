//! Reading where a window sits and putting it somewhere, for session snapshots and restores.
//!
//! Everything goes through the window manager as a pager would (EWMH §4 client messages with
//! source indication 2): `_NET_WM_DESKTOP` for the desktop, `_NET_MOVERESIZE_WINDOW` for the
//! geometry, `_NET_WM_STATE` for maximizing, `WM_CHANGE_STATE` (ICCCM §4.1.4) for minimizing,
//! `_NET_RESTACK_WINDOW` for the stacking order (read from `_NET_CLIENT_LIST_STACKING`).
//! Positions are those of the manager's frame, sizes those of the client, as `-geometry`
//! means them; the frame's decorations come from `_NET_FRAME_EXTENTS`.

use x11rb::errors::ReplyError;
use x11rb::protocol::xproto::{
    AtomEnum, ConfigureWindowAux, ConnectionExt as _, StackMode, Window,
};

use super::query::{self, first32, tolerate, values32};
use super::session::Session;
use super::text::{self, TextType};
use super::{Failure, ICONIC_STATE, checked, existing, tell_window_manager};
use crate::error::Error;
use crate::window::{Geometry, Placement, WindowId, WindowInfo, WindowLayout};

/// `_NET_WM_STATE` actions (EWMH §5.7).
const STATE_REMOVE: u32 = 0;
const STATE_ADD: u32 = 1;
/// The source indication of a pager: a direct request of the user, which managers honour.
const SOURCE_PAGER: u32 = 2;
/// `StaticGravity`: the reference point is the client's own top-left corner, so the frame
/// decorations are added by us, from `_NET_FRAME_EXTENTS`, rather than guessed by the manager.
const STATIC_GRAVITY: u32 = 10;
/// `_NET_MOVERESIZE_WINDOW` flags: x, y, width and height are all given (bits 8 to 11).
const MOVE_RESIZE_ALL: u32 = 0xF << 8;

/// The decorations left of and above a client (`_NET_FRAME_EXTENTS` also gives right and
/// bottom, which positions do not need).
#[derive(Debug, Clone, Copy, Default)]
struct Extents {
    left: i32,
    top: i32,
}

fn frame_extents(s: &Session, w: Window) -> Result<Extents, Failure> {
    let reply = s
        .conn
        .get_property(
            false,
            w,
            s.atoms._NET_FRAME_EXTENTS,
            AtomEnum::CARDINAL,
            0,
            4,
        )?
        .reply();
    let values = values32(tolerate(reply)?.as_ref());
    Ok(match values.as_slice() {
        [left, _right, top, _bottom] => Extents {
            left: i32::try_from(*left).unwrap_or(0),
            top: i32::try_from(*top).unwrap_or(0),
        },
        _ => Extents::default(),
    })
}

pub fn layout(s: &Session, id: &WindowId) -> Result<WindowLayout, Failure> {
    s.drain_events()?;
    let w = existing(s, id)?;
    let (c, a) = (&s.conn, &s.atoms);
    let geometry = c.get_geometry(w)?;
    let origin = c.translate_coordinates(w, s.root, 0, 0)?;
    let state = c.get_property(false, w, a._NET_WM_STATE, AtomEnum::ATOM, 0, 64)?;
    let command = c.get_property(
        false,
        w,
        AtomEnum::WM_COMMAND,
        AtomEnum::STRING,
        0,
        64 * 1024,
    )?;
    // The manager's client windows bottom to top; empty without an EWMH manager that keeps
    // the list.
    let stacking = c.get_property(
        false,
        s.root,
        a._NET_CLIENT_LIST_STACKING,
        AtomEnum::WINDOW,
        0,
        u32::MAX / 4,
    )?;
    let gone = || Failure::Refused(Error::NotFound(format!("window {id}")));
    let geometry = tolerate(geometry.reply())?.ok_or_else(gone)?;
    let origin = tolerate(origin.reply())?.ok_or_else(gone)?;
    let state = values32(tolerate(state.reply())?.as_ref());
    let command = tolerate(command.reply())?;
    let stacking = values32(tolerate(stacking.reply())?.as_ref())
        .iter()
        .position(|&other| other == w)
        .and_then(|n| u32::try_from(n).ok());
    let extents = frame_extents(s, w)?;
    let maximized = is_maximized(s, &state);
    Ok(WindowLayout {
        geometry: Geometry {
            x: i32::from(origin.dst_x) - extents.left,
            y: i32::from(origin.dst_y) - extents.top,
            width: u32::from(geometry.width),
            height: u32::from(geometry.height),
        },
        maximized,
        tiled: false,
        stacking,
        command: command
            .filter(|r| r.type_ != x11rb::NONE && r.format == 8)
            .map(|r| wm_command(&r.value))
            .filter(|argv| !argv.is_empty()),
    })
}

/// Raises each of `windows` in turn to the top of the stack, so that they end stacked as given,
/// the last in front. With an EWMH manager as a pager asks (`_NET_RESTACK_WINDOW`, detail
/// `Above` and no sibling: the top of the stack, EWMH §4.3); a manager that does not offer it
/// gets the ICCCM restack request (a `ConfigureWindow` it intercepts). Neither moves a window
/// to another desktop or changes the focus. A window gone meanwhile is passed over, as every
/// backend does, so that the others still end in their order.
pub fn restack(s: &Session, windows: &[WindowInfo]) -> Result<(), Failure> {
    s.drain_events()?;
    let as_pager = query::detect_wm(s)?.supports(s.atoms._NET_RESTACK_WINDOW);
    let raise = |id: &WindowId| {
        let w = existing(s, id)?;
        let result = if as_pager {
            let above = u32::from(StackMode::ABOVE);
            let data = [SOURCE_PAGER, x11rb::NONE, above, 0, 0];
            tell_window_manager(s, w, s.atoms._NET_RESTACK_WINDOW, data)
        } else {
            configure(
                s,
                w,
                &ConfigureWindowAux::new().stack_mode(StackMode::ABOVE),
            )
        };
        checked(result, "raise", id)
    };
    for window in windows {
        match raise(&window.id) {
            Ok(()) | Err(Failure::Refused(Error::NotFound(_))) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// `WM_COMMAND`: Latin-1 arguments, each ended by a NUL (ICCCM §5.1.1.1).
fn wm_command(bytes: &[u8]) -> Vec<String> {
    let bytes = bytes.strip_suffix(&[0]).unwrap_or(bytes);
    if bytes.is_empty() {
        return Vec::new();
    }
    bytes
        .split(|&b| b == 0)
        .map(|part| text::decode(TextType::Latin1, part))
        .collect()
}

pub fn place(s: &Session, id: &WindowId, placement: &Placement) -> Result<(), Failure> {
    s.drain_events()?;
    let w = existing(s, id)?;
    let wm = query::detect_wm(s)?;
    let a = &s.atoms;
    let state = s
        .conn
        .get_property(false, w, a._NET_WM_STATE, AtomEnum::ATOM, 0, 64)?
        .reply();
    let state = values32(tolerate(state)?.as_ref());
    let maximized = is_maximized(s, &state);

    if let Some(desktop) = placement.desktop {
        if !wm.supports(a._NET_WM_DESKTOP) {
            return Err(unsupported(s, "moving windows between desktops"));
        }
        let desktop = u32::try_from(desktop).unwrap_or(u32::MAX);
        let current = query_desktop(s, w)?;
        if current != Some(desktop) {
            let data = [desktop, SOURCE_PAGER, 0, 0, 0];
            checked(
                tell_window_manager(s, w, a._NET_WM_DESKTOP, data),
                "move",
                id,
            )?;
        }
    }
    // A maximized window ignores new geometry: take the maximization off first.
    if maximized && !placement.maximized {
        set_maximized(s, w, id, STATE_REMOVE)?;
    }
    if let Some(geometry) = placement.geometry.filter(|_| !placement.maximized) {
        move_resize(s, &wm, w, id, geometry)?;
    }
    if placement.maximized && !maximized {
        set_maximized(s, w, id, STATE_ADD)?;
    }
    if placement.minimized {
        if !wm.any() {
            return Err(unsupported(s, "minimizing"));
        }
        iconify(s, &wm, w, id)?;
    }
    Ok(())
}

/// Asks the manager to minimize `w` (ICCCM `WM_CHANGE_STATE`). Openbox ignores that for a
/// window on another desktop (to ICCCM it is Iconic already) but takes the EWMH request to
/// add HIDDEN there, so both are sent when the manager lists HIDDEN.
pub fn iconify(s: &Session, wm: &query::WmInfo, w: Window, id: &WindowId) -> Result<(), Failure> {
    let a = &s.atoms;
    checked(
        tell_window_manager(s, w, a.WM_CHANGE_STATE, [ICONIC_STATE, 0, 0, 0, 0]),
        "minimize",
        id,
    )?;
    if wm.supports(a._NET_WM_STATE_HIDDEN) {
        let data = [STATE_ADD, a._NET_WM_STATE_HIDDEN, 0, SOURCE_PAGER, 0];
        checked(
            tell_window_manager(s, w, a._NET_WM_STATE, data),
            "minimize",
            id,
        )?;
    }
    Ok(())
}

fn unsupported(s: &Session, what: &str) -> Failure {
    Failure::Refused(Error::Unsupported(format!(
        "{what} needs an EWMH window manager, and none that offers it runs on display {}",
        s.display
    )))
}

fn query_desktop(s: &Session, w: Window) -> Result<Option<u32>, Failure> {
    let reply = s
        .conn
        .get_property(false, w, s.atoms._NET_WM_DESKTOP, AtomEnum::CARDINAL, 0, 1)?
        .reply();
    Ok(first32(tolerate(reply)?.as_ref()))
}

/// Whether `_NET_WM_STATE` (its atoms, `state`) says maximized both ways.
fn is_maximized(s: &Session, state: &[u32]) -> bool {
    state.contains(&s.atoms._NET_WM_STATE_MAXIMIZED_VERT)
        && state.contains(&s.atoms._NET_WM_STATE_MAXIMIZED_HORZ)
}

/// Configures `w` directly (a manager intercepts it as a request) and waits for the check.
fn configure(s: &Session, w: Window, aux: &ConfigureWindowAux) -> Result<(), ReplyError> {
    s.conn
        .configure_window(w, aux)
        .map_err(ReplyError::from)
        .and_then(|cookie| cookie.check())
}

fn set_maximized(s: &Session, w: Window, id: &WindowId, action: u32) -> Result<(), Failure> {
    let a = &s.atoms;
    let data = [
        action,
        a._NET_WM_STATE_MAXIMIZED_VERT,
        a._NET_WM_STATE_MAXIMIZED_HORZ,
        SOURCE_PAGER,
        0,
    ];
    checked(
        tell_window_manager(s, w, a._NET_WM_STATE, data),
        "maximize",
        id,
    )
}

/// Moves the frame's top-left corner to `g.x, g.y` and sizes the client `g.width x
/// g.height`.
fn move_resize(
    s: &Session,
    wm: &query::WmInfo,
    w: Window,
    id: &WindowId,
    g: Geometry,
) -> Result<(), Failure> {
    let extents = frame_extents(s, w)?;
    // The client's corner sits inside the frame, by the decorations.
    let x = g.x.saturating_add(extents.left);
    let y = g.y.saturating_add(extents.top);
    if wm.supports(s.atoms._NET_MOVERESIZE_WINDOW) {
        let flags = STATIC_GRAVITY | MOVE_RESIZE_ALL | (SOURCE_PAGER << 12);
        // The protocol carries the signed coordinates in CARDINAL slots.
        let data = [flags, x as u32, y as u32, g.width, g.height];
        return checked(
            tell_window_manager(s, w, s.atoms._NET_MOVERESIZE_WINDOW, data),
            "move",
            id,
        );
    }
    // No EWMH manager: configure the client; a plain ICCCM manager gets it as a request.
    let aux = ConfigureWindowAux::new()
        .x(x)
        .y(y)
        .width(g.width)
        .height(g.height);
    checked(configure(s, w, &aux), "move", id)
}

#[cfg(test)]
mod tests {
    use super::wm_command;

    #[test]
    fn wm_command_splits_on_nul_and_keeps_empty_arguments() {
        assert_eq!(wm_command(b"xterm\0-T\0notes\0"), ["xterm", "-T", "notes"]);
        assert_eq!(wm_command(b"a\0\0b\0"), ["a", "", "b"]);
        assert!(wm_command(b"").is_empty());
    }
}
