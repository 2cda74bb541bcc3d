//! Turning a desktop entry's `Exec` value into an argument vector (Desktop Entry spec, "The
//! Exec key"), and finding programs in `PATH`.
//!
//! Written here rather than with `freedesktop-desktop-entry`'s `parse_exec`: that one works on
//! its own `DesktopEntry` type, turns `%i` into the bare icon name instead of `--icon <Icon>`,
//! expands codes only when they are a whole argument (`--file=%f` stays as it is) and ignores
//! `Terminal`.
//!
//! Rules, in the order they apply (the key-file escapes `\s \n \t \r \\` were undone when the
//! file was read):
//! - arguments are separated by unquoted spaces, tabs or newlines;
//! - `"..."` quotes; inside, `\"`, `` \` ``, `\$` and `\\` stand for the character, any other
//!   backslash is kept; an unterminated quote is an error;
//! - outside quotes a backslash takes the next character literally (GLib and KDE behave like
//!   a shell there; the spec leaves it undefined);
//! - field codes are expanded outside quotes only (the spec forbids them inside; there only
//!   `%%` becomes `%`): `%f` `%u` the first file/URL, `%F` `%U` every one as its own argument
//!   (inside a longer argument, just the first), `%i` `--icon <Icon>` as two arguments (the
//!   bare icon inside a longer argument), `%c` the name, `%k` the desktop file, `%%` `%`;
//!   `%d %D %n %N %v %m` and unknown letters are dropped; a `%` before anything but a letter
//!   or `%` stays as it is;
//! - an argument made only of codes that expanded to nothing vanishes; `""` stays an empty
//!   argument;
//! - `%f`/`%F` turn `file://` URLs into local paths; other URLs are passed as they are. With
//!   several files and only `%f`/`%u`, the first is used (no second instance is started).

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use crate::app::AppEntry;
use crate::error::{Error, Result};

pub fn exec_argv(entry: &AppEntry, args: &[String]) -> Result<Vec<String>> {
    exec_argv_with_path(entry, args, std::env::var_os("PATH").as_deref())
}

/// [`exec_argv`] with the `PATH` to find a terminal emulator in.
pub(crate) fn exec_argv_with_path(
    entry: &AppEntry,
    args: &[String],
    path_var: Option<&OsStr>,
) -> Result<Vec<String>> {
    let invalid = |why: &str| {
        Error::Invalid(format!(
            "the Exec value '{}' of {}: {why}",
            entry.exec,
            entry.file.display()
        ))
    };
    let words = split(&entry.exec).map_err(invalid)?;
    let mut argv = Vec::new();
    for word in words {
        expand(&word, entry, args, &mut argv);
    }
    if argv.first().is_none_or(|program| program.is_empty()) {
        return Err(invalid("it names no program"));
    }
    if entry.terminal {
        let mut with_terminal = terminal_prefix(path_var)?;
        with_terminal.append(&mut argv);
        argv = with_terminal;
    }
    Ok(argv)
}

#[derive(Debug, Clone, PartialEq)]
enum Piece {
    Text(String),
    /// A field code found outside quotes: the character after `%`.
    Code(char),
}

#[derive(Debug, Default, PartialEq)]
struct Word {
    pieces: Vec<Piece>,
    /// Some part was quoted: the argument exists even if it ends up empty.
    quoted: bool,
}

impl Word {
    fn push_char(&mut self, c: char) {
        match self.pieces.last_mut() {
            Some(Piece::Text(text)) => text.push(c),
            _ => self.pieces.push(Piece::Text(c.to_string())),
        }
    }
}

/// Splits an `Exec` value into words, undoing quotes and escapes and marking field codes.
fn split(exec: &str) -> std::result::Result<Vec<Word>, &'static str> {
    let mut words = Vec::new();
    let mut word: Option<Word> = None;
    let mut chars = exec.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' | '\n' | '\r' => {
                if let Some(done) = word.take() {
                    words.push(done);
                }
            }
            '"' => {
                let w = word.get_or_insert_with(Word::default);
                w.quoted = true;
                loop {
                    match chars.next() {
                        None => return Err("a double quote is not closed"),
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            None => return Err("a double quote is not closed"),
                            Some(e @ ('"' | '`' | '$' | '\\')) => w.push_char(e),
                            Some(other) => {
                                w.push_char('\\');
                                w.push_char(other);
                            }
                        },
                        Some('%') if chars.peek() == Some(&'%') => {
                            chars.next();
                            w.push_char('%');
                        }
                        Some(other) => w.push_char(other),
                    }
                }
            }
            '\\' => {
                let w = word.get_or_insert_with(Word::default);
                w.push_char(chars.next().unwrap_or('\\'));
            }
            '%' => {
                let w = word.get_or_insert_with(Word::default);
                // A code is a letter or `%`; a `%` before anything else (a space, the end)
                // is not one and stays as it is.
                match chars.next_if(|c| c.is_ascii_alphabetic() || *c == '%') {
                    Some(code) => w.pieces.push(Piece::Code(code)),
                    None => w.push_char('%'),
                }
            }
            other => word.get_or_insert_with(Word::default).push_char(other),
        }
    }
    if let Some(done) = word {
        words.push(done);
    }
    Ok(words)
}

/// Appends the arguments one word stands for.
fn expand(word: &Word, entry: &AppEntry, args: &[String], argv: &mut Vec<String>) {
    // Codes that expand to several arguments do so only when they are the whole word.
    if let [Piece::Code(code)] = word.pieces.as_slice() {
        match code {
            'F' => {
                argv.extend(args.iter().map(|a| local_path(a)));
                return;
            }
            'U' => {
                argv.extend(args.iter().cloned());
                return;
            }
            'i' => {
                if let Some(icon) = entry.icon.as_deref().filter(|i| !i.is_empty()) {
                    argv.push("--icon".to_string());
                    argv.push(icon.to_string());
                }
                return;
            }
            _ => {}
        }
    }
    let mut out = String::new();
    for piece in &word.pieces {
        match piece {
            Piece::Text(text) => out.push_str(text),
            Piece::Code('f' | 'F') => {
                if let Some(first) = args.first() {
                    out.push_str(&local_path(first));
                }
            }
            Piece::Code('u' | 'U') => {
                if let Some(first) = args.first() {
                    out.push_str(first);
                }
            }
            Piece::Code('i') => out.push_str(entry.icon.as_deref().unwrap_or("")),
            Piece::Code('c') => out.push_str(&entry.name),
            Piece::Code('k') => out.push_str(&entry.file.to_string_lossy()),
            Piece::Code('%') => out.push('%'),
            // Deprecated (%d %D %n %N %v %m) and unknown codes.
            Piece::Code(_) => {}
        }
    }
    if !out.is_empty() || word.quoted {
        argv.push(out);
    }
}

/// A `file://` URL as a local path (percent-decoded); anything else as it is.
fn local_path(arg: &str) -> String {
    let Some(rest) = arg.strip_prefix("file://") else {
        return arg.to_string();
    };
    let path = if rest.starts_with('/') {
        rest
    } else if let Some(after_host) = rest.strip_prefix("localhost") {
        after_host
    } else {
        return arg.to_string(); // a remote host: leave the URL alone
    };
    percent_decode(path).unwrap_or_else(|| arg.to_string())
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The terminal emulator command that runs the rest of the argv: the first of
/// `xdg-terminal-exec` (takes the command as it is), `x-terminal-emulator -e` (Debian's
/// alternative) and `xterm -e` found in `PATH`.
fn terminal_prefix(path_var: Option<&OsStr>) -> Result<Vec<String>> {
    let terminals: [&[&str]; 3] = [
        &["xdg-terminal-exec"],
        &["x-terminal-emulator", "-e"],
        &["xterm", "-e"],
    ];
    terminals
        .into_iter()
        .find(|t| find_in_path(t[0], path_var).is_some())
        .map(|t| t.iter().map(|s| s.to_string()).collect())
        .ok_or_else(|| {
            Error::NotFound(
                "a terminal emulator for a Terminal=true application \
                 (xdg-terminal-exec, x-terminal-emulator or xterm in PATH)"
                    .to_string(),
            )
        })
}

/// What looking a program up found.
#[derive(Debug, PartialEq)]
pub(crate) enum Lookup {
    Found(PathBuf),
    /// A file or directory of that name exists, but none that can be executed.
    NotExecutable(PathBuf),
    Missing,
}

/// Looks `name` (no `/`) up in `path_var` as `execvp` would: the first executable regular
/// file wins; a non-executable match is remembered to explain the failure. Empty `PATH`
/// entries (which would mean the current directory) are skipped.
pub(crate) fn lookup_in_path(name: &str, path_var: Option<&OsStr>) -> Lookup {
    let mut not_executable = None;
    if name.is_empty() || name.contains('/') {
        return Lookup::Missing;
    }
    for dir in std::env::split_paths(path_var.unwrap_or_default()) {
        if dir.as_os_str().is_empty() || !dir.is_absolute() {
            continue;
        }
        let candidate = dir.join(name);
        if is_executable_file(&candidate) {
            return Lookup::Found(candidate);
        }
        if not_executable.is_none() && candidate.exists() {
            not_executable = Some(candidate);
        }
    }
    not_executable.map_or(Lookup::Missing, Lookup::NotExecutable)
}

pub(crate) fn find_in_path(name: &str, path_var: Option<&OsStr>) -> Option<PathBuf> {
    match lookup_in_path(name, path_var) {
        Lookup::Found(path) => Some(path),
        _ => None,
    }
}

/// A regular file (after following links) that this process may execute (`faccessat` with
/// the effective IDs; a `noexec` mount also says no).
pub(crate) fn is_executable_file(path: &Path) -> bool {
    use rustix::fs::{Access, AtFlags, CWD, accessat};
    std::fs::metadata(path).is_ok_and(|m| m.is_file())
        && accessat(CWD, path, Access::EXEC_OK, AtFlags::EACCESS).is_ok()
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn terminal_is_found_in_path_in_preference_order() {
        let dir = tempfile::tempdir().unwrap();
        let make = |name: &str| {
            let p = dir.path().join(name);
            std::fs::write(&p, "#!/bin/sh\n").unwrap();
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
        };
        let path = Some(dir.path().as_os_str());
        let e = AppEntry {
            exec: "vim %F".into(),
            terminal: true,
            ..AppEntry::default()
        };
        let files = ["/tmp/a b.txt".to_string()];

        let err = exec_argv_with_path(&e, &files, path).unwrap_err();
        assert!(matches!(err, Error::NotFound(_)), "{err}");
        assert!(err.to_string().contains("terminal emulator"), "{err}");

        make("xterm");
        assert_eq!(
            exec_argv_with_path(&e, &files, path).unwrap(),
            ["xterm", "-e", "vim", "/tmp/a b.txt"]
        );
        make("x-terminal-emulator");
        assert_eq!(
            exec_argv_with_path(&e, &files, path).unwrap(),
            ["x-terminal-emulator", "-e", "vim", "/tmp/a b.txt"]
        );
        make("xdg-terminal-exec");
        assert_eq!(
            exec_argv_with_path(&e, &files, path).unwrap(),
            ["xdg-terminal-exec", "vim", "/tmp/a b.txt"]
        );
    }

    #[test]
    fn path_lookup_tells_missing_from_not_executable() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        let plain = a.path().join("tool");
        std::fs::write(&plain, "x").unwrap();
        std::fs::create_dir(a.path().join("dir-tool")).unwrap();
        let joined = std::env::join_paths([a.path(), b.path()]).unwrap();
        assert_eq!(
            lookup_in_path("tool", Some(&joined)),
            Lookup::NotExecutable(plain.clone())
        );
        assert_eq!(
            lookup_in_path("dir-tool", Some(&joined)),
            Lookup::NotExecutable(a.path().join("dir-tool"))
        );
        assert_eq!(lookup_in_path("nothing", Some(&joined)), Lookup::Missing);
        // A later executable one wins over an earlier non-executable one, as with execvp.
        let exe = b.path().join("tool");
        std::fs::write(&exe, "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(&exe, std::fs::Permissions::from_mode(0o700)).unwrap();
        assert_eq!(lookup_in_path("tool", Some(&joined)), Lookup::Found(exe));
        assert_eq!(lookup_in_path("tool", None), Lookup::Missing);
        assert_eq!(lookup_in_path("a/tool", Some(&joined)), Lookup::Missing);
    }
}
