//! The Linux backend: the proc filesystem, X11 and XDG desktop entries.

pub const NAME: &str = "linux";

pub fn hostname() -> Option<String> {
    let uname = rustix::system::uname();
    let name = uname.nodename().to_string_lossy().trim().to_string();
    (!name.is_empty() && name != "(none)").then_some(name)
}
