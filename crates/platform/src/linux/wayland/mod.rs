//! Window backends of Wayland compositors that offer no window protocol of their own to
//! clients: KWin (through its scripting, over the session bus).

pub mod kwin;
