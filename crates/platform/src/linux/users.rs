//! User names for uids, from `/etc/passwd` (re-read when it changes). Written by hand: the
//! name-service crates pull in C bindings for a lookup that a file read answers on a desktop.

use std::collections::HashMap;
use std::fs;
use std::sync::Arc;
use std::time::SystemTime;

#[derive(Default)]
pub struct UserNames {
    names: HashMap<u32, Arc<str>>,
    loaded_mtime: Option<SystemTime>,
}

impl UserNames {
    pub fn reload_if_changed(&mut self) {
        let mtime = fs::metadata("/etc/passwd").and_then(|m| m.modified()).ok();
        if mtime.is_some() && mtime == self.loaded_mtime {
            return;
        }
        self.loaded_mtime = mtime;
        self.names = fs::read_to_string("/etc/passwd")
            .map(|t| parse_passwd(&t))
            .unwrap_or_default();
    }

    /// The name, or the uid as text when there is none.
    pub fn name(&mut self, uid: u32) -> Arc<str> {
        self.names
            .entry(uid)
            .or_insert_with(|| Arc::from(uid.to_string().as_str()))
            .clone()
    }
}

pub fn parse_passwd(text: &str) -> HashMap<u32, Arc<str>> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|line| {
            let mut fields = line.split(':');
            let name = fields.next()?;
            let uid = fields.nth(1)?.parse().ok()?;
            Some((uid, Arc::from(name)))
        })
        .collect()
}

/// The name of one uid, for one-off lookups.
pub fn user_name(uid: u32) -> String {
    let mut names = UserNames::default();
    names.reload_if_changed();
    names.name(uid).to_string()
}

#[cfg(test)]
mod tests {
    use super::parse_passwd;

    #[test]
    fn parses_passwd() {
        let names = parse_passwd(
            "root:x:0:0:root:/root:/bin/bash\n# comment\nbad line\nalice:x:1000:1000::/home/alice:/bin/sh\n",
        );
        assert_eq!(names.get(&0).map(|s| &**s), Some("root"));
        assert_eq!(names.get(&1000).map(|s| &**s), Some("alice"));
        assert_eq!(names.len(), 2);
    }
}
