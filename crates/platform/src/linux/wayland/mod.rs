//! Window backends of Wayland compositors: sway's IPC (and, through it, the Xwayland windows of
//! a sway session), and the wlr-foreign-toplevel protocol of other wlroots compositors.
//!
//! Wayland has no common window protocol: each backend speaks one compositor's (or one family
//! of compositors') own. [`super::select`] picks the one that answers.

pub mod sway;
pub mod wlr;
