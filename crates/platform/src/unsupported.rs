//! The backend for operating systems Boss does not support yet: it compiles anywhere and
//! answers "not supported here".

pub const NAME: &str = "unsupported";

pub fn hostname() -> Option<String> {
    None
}
