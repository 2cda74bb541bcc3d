//! Hiding credentials in process command lines, for every role (issue 10, finding 1).
//!
//! Any account that may view processes sees their command lines, and people do put secrets
//! there: `boss --token boss_…`, `psql postgres://boss:PASSWORD@host/db`,
//! `curl -H 'Authorization: Bearer …'`, `env DB_PASSWORD=… prog`. This module replaces such
//! values with `***`, keeping the option or variable name so that the line stays readable.
//! Admins can still read a process's full command line through an audited reveal
//! (`actions::processes::reveal_cmdline`).
//!
//! It works on words: the arguments, further split at spaces, so that the joined command line
//! of the process table (arguments joined by spaces) and the argument vector of the detail view
//! are redacted the same way, and a secret inside one argument that holds a whole shell command
//! (`sh -c 'mysql -psecret db'`) or a whole header (`Authorization: Bearer x`) is found too.
//!
//! What counts as a secret:
//! - the password of a URL's user-info, `scheme://user:PASSWORD@host` (a user alone stays);
//! - Boss API tokens, `boss_` and 64 hex digits, anywhere;
//! - the value of an option whose name says secret, as `--name value` or `--name=value` (one
//!   dash is fine too): names ending in `token`, `password`, `passwd`, `pass`, `secret`,
//!   `apikey`, `api-key`, `-pwd`, `secret-key`, `secret-access-key` (`_` counts as `-`, so `--api_key` too;
//!   `--no-password` and the like are flags, not secrets). `--token-file` and
//!   `--password-file` name files, not secrets, and are kept. The value of `--name value` is
//!   kept when it looks like the next long option (`--name --verbose`);
//! - `NAME=value` assignments and `name=value` pairs (after `?`, `&`, `;` or `,` too, as in URL
//!   queries or mount options) with such a name: `DB_PASSWORD=…`, `MYSQL_PWD=…`,
//!   `?password=…`, `-Dapp.db.password=…` (the last dot-separated part counts);
//! - header values after `Authorization:`, `Proxy-Authorization:`, `Cookie:` or a header whose
//!   name says secret (`X-Api-Key:`, `Private-Token:`); after a known scheme (`Bearer`,
//!   `Basic`, `Token`, …) the credential that follows it; and the word after `Bearer`
//!   anywhere;
//! - `-pPASSWORD` (glued) after a MySQL or MariaDB client (`mysql`, `mysqldump`, `mysqladmin`,
//!   `mariadb`, `mariadb-dump`, …: any program whose name starts with `mysql` or `mariadb`,
//!   and `mariabackup`). For those `-p` alone asks for the password and the next word is the
//!   database, so it stays. For `psql`, `pg_dump` and the like `-p` is the port and is never
//!   touched. Also `sshpass -p PASSWORD`, `redis-cli -a PASSWORD` and curl's `-u user:PASSWORD`.
//!
//! The program context (MySQL, sshpass, redis-cli, curl) lasts to the end of the line once such
//! a program appears, since a joined command line cannot tell where an embedded shell command
//! ends. The rules err on the side of hiding: `psql --password mydb` (where `--password` is a
//! flag) shows `psql --password ***`.

use std::borrow::Cow;

/// What replaces a secret.
pub const MASK: &str = "***";

/// The command line with its credentials replaced by [`MASK`], or `None` when it holds none
/// that this module recognises. Words are separated by spaces (and other ASCII whitespace).
pub fn redact_cmdline(cmdline: &str) -> Option<String> {
    if !might_hold_secret(cmdline) {
        return None;
    }
    redact_words(cmdline, false)
}

/// The argument vector with its credentials replaced by [`MASK`], or `None` when it holds none.
/// Same rules as [`redact_cmdline`], so that the detail view and the table agree.
pub fn redact_argv(argv: &[String]) -> Option<Vec<String>> {
    if !argv.iter().any(|arg| might_hold_secret(arg)) {
        return None;
    }
    // NUL cannot occur inside an argument, so it marks the argument boundaries through the
    // word-level pass and splits the result back.
    let joined = argv.join("\0");
    let redacted = redact_words(&joined, true)?;
    Some(redacted.split('\0').map(str::to_string).collect())
}

/// A cheap first look: without any of these (ASCII case-insensitive) the text holds nothing
/// the rules would hide, and most command lines are like that.
fn might_hold_secret(text: &str) -> bool {
    const NEEDLES: [&[u8]; 14] = [
        b"@", b"boss_", b"token", b"pass", b"pwd", b"secret", b"key", b"auth", b"bearer",
        b"cookie", b"mysql", b"maria", b"redis", b"curl",
    ];
    let bytes = text.as_bytes();
    NEEDLES
        .iter()
        .any(|needle| contains_ignore_case(bytes, needle))
}

fn contains_ignore_case(hay: &[u8], needle: &[u8]) -> bool {
    hay.len() >= needle.len()
        && hay
            .windows(needle.len())
            .any(|window| window.eq_ignore_ascii_case(needle))
}

/// What the previous word says about the next one.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Expect {
    Nothing,
    /// The next word is a secret (after `--token`, `Bearer`, …).
    Secret,
    /// The next word is a header value: a scheme (kept, then the credential) or the secret.
    HeaderValue,
    /// The next word is `user:password` (curl's `-u`).
    UserPassword,
}

/// A program whose short options we know to carry passwords.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Program {
    Other,
    /// `-pPASSWORD`, glued.
    MySql,
    /// `-p PASSWORD` or `-pPASSWORD`.
    SshPass,
    /// `-a PASSWORD`.
    RedisCli,
    /// `-u user:PASSWORD`.
    Curl,
}

/// The redaction pass. With `nul_separated_argv`, NULs separate the arguments, and a secret
/// that is a whole argument (`--token`, `a b`) is hidden whole, spaces included.
fn redact_words(text: &str, nul_separated_argv: bool) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut changed = false;
    let mut expect = Expect::Nothing;
    let mut program = Program::Other;
    let mut rest = text;
    let mut argument_start = true;
    while !rest.is_empty() {
        let whole_argument = nul_separated_argv && argument_start && expect == Expect::Secret;
        let separator = if whole_argument {
            rest.find('\0')
        } else {
            rest.find(|c: char| c == '\0' || c.is_ascii_whitespace())
        }
        .unwrap_or(rest.len());
        let (word, tail) = rest.split_at(separator);
        argument_start = tail.starts_with('\0');
        if !word.is_empty() {
            let (shown, next) = redact_word(word, expect, &mut program);
            if let Cow::Owned(_) = shown {
                changed = true;
            }
            out.push_str(&shown);
            expect = next;
        }
        // Separators are single ASCII characters.
        let (sep, tail) = tail.split_at(tail.len().min(1));
        out.push_str(sep);
        rest = tail;
    }
    changed.then_some(out)
}

fn is_quote(c: char) -> bool {
    c == '\'' || c == '"'
}

/// The word without the shell quotes around it (left by `sh -c '…'` scripts).
fn unquoted(word: &str) -> &str {
    word.trim_matches(is_quote)
}

/// `word` with everything but its surrounding quotes replaced by the mask.
fn masked(word: &str) -> Cow<'_, str> {
    let start = word.len() - word.trim_start_matches(is_quote).len();
    let end = word.trim_end_matches(is_quote).len().max(start);
    if start == end {
        return Cow::Borrowed(word);
    }
    Cow::Owned(format!("{}{MASK}{}", &word[..start], &word[end..]))
}

/// Redacts one word given what the previous word announced; returns what this word announces.
fn redact_word<'a>(word: &'a str, expect: Expect, program: &mut Program) -> (Cow<'a, str>, Expect) {
    let core = unquoted(word);
    match expect {
        Expect::Secret if !(core.starts_with("--") && core.len() > 2) => {
            return (masked(word), Expect::Nothing);
        }
        Expect::HeaderValue if is_auth_scheme(core) => {
            return (Cow::Borrowed(word), Expect::Secret);
        }
        Expect::HeaderValue => return (masked(word), Expect::Nothing),
        Expect::UserPassword if core.contains(':') => {
            return (user_password(word), Expect::Nothing);
        }
        _ => {}
    }
    if let Some(found) = program_of(core) {
        *program = found;
    }
    match *program {
        Program::MySql | Program::SshPass
            if core.len() > 2 && core.starts_with("-p") && !core.starts_with("--") =>
        {
            return (glued_short_value(word, 2), Expect::Nothing);
        }
        Program::SshPass if core == "-p" => return (Cow::Borrowed(word), Expect::Secret),
        Program::RedisCli if core == "-a" => return (Cow::Borrowed(word), Expect::Secret),
        Program::Curl if core == "-u" || core == "--user" => {
            return (Cow::Borrowed(word), Expect::UserPassword);
        }
        Program::Curl
            if core.starts_with("--user=") || (core.starts_with("-u") && core.len() > 2) =>
        {
            return (user_password(word), Expect::Nothing);
        }
        _ => {}
    }
    // An option that takes the secret as the next word.
    if core.starts_with('-') && !core.contains('=') && is_secret_name(core) {
        return (Cow::Borrowed(word), Expect::Secret);
    }
    if let Some(next) = header_announcement(core) {
        return (Cow::Borrowed(word), next);
    }
    if let Some(shown) = glued_header(word) {
        return shown;
    }
    if core.eq_ignore_ascii_case("bearer") {
        return (Cow::Borrowed(word), Expect::Secret);
    }
    let mut shown = Cow::Borrowed(word);
    if let Some(text) = boss_tokens(&shown) {
        shown = Cow::Owned(text);
    }
    if let Some(text) = url_passwords(&shown) {
        shown = Cow::Owned(text);
    }
    if let Some(text) = secret_assignments(&shown) {
        shown = Cow::Owned(text);
    }
    (shown, Expect::Nothing)
}

fn program_of(core: &str) -> Option<Program> {
    let name = core.rsplit('/').next().unwrap_or(core);
    if name.starts_with("mysql") || name.starts_with("mariadb") || name == "mariabackup" {
        Some(Program::MySql)
    } else if name == "sshpass" {
        Some(Program::SshPass)
    } else if name == "redis-cli" {
        Some(Program::RedisCli)
    } else if name == "curl" {
        Some(Program::Curl)
    } else {
        None
    }
}

/// `-pSECRET` -> `-p***`, keeping quotes around the word.
fn glued_short_value(word: &str, option_len: usize) -> Cow<'_, str> {
    let start = word.len() - word.trim_start_matches(is_quote).len() + option_len;
    let (head, value) = word.split_at(start);
    match masked(value) {
        Cow::Borrowed(_) => Cow::Borrowed(word),
        Cow::Owned(value) => Cow::Owned(format!("{head}{value}")),
    }
}

/// `user:secret` (possibly after `-u` or `--user=`) -> `user:***`.
fn user_password(word: &str) -> Cow<'_, str> {
    match word.find(':') {
        Some(colon) => {
            let (head, value) = word.split_at(colon + 1);
            match masked(value) {
                Cow::Borrowed(_) => Cow::Borrowed(word),
                Cow::Owned(value) => Cow::Owned(format!("{head}{value}")),
            }
        }
        None => Cow::Borrowed(word),
    }
}

/// Whether an option, variable or header name says its value is a secret.
fn is_secret_name(name: &str) -> bool {
    let name = name.trim_start_matches('-');
    // `-Dapp.db.password`: the last part names the value.
    let name = name.rsplit('.').next().unwrap_or(name);
    if name.is_empty() || name.len() > 64 {
        return false;
    }
    let name = name.to_ascii_lowercase().replace('_', "-");
    if name.starts_with("no-") {
        return false;
    }
    const ENDINGS: [&str; 8] = [
        "token",
        "password",
        "passwd",
        "secret",
        "apikey",
        "api-key",
        "secret-key",
        "secret-access-key",
    ];
    ENDINGS.iter().any(|end| name.ends_with(end))
        || name == "pass"
        || name.ends_with("-pass")
        || name.ends_with("-pwd")
}

fn is_auth_scheme(word: &str) -> bool {
    const SCHEMES: [&str; 10] = [
        "bearer",
        "basic",
        "token",
        "digest",
        "negotiate",
        "ntlm",
        "apikey",
        "key",
        "bot",
        "dpop",
    ];
    SCHEMES.iter().any(|s| word.eq_ignore_ascii_case(s))
}

/// The name of a header whose value is a credential, from `Name:` (with nothing after the
/// colon); also inside `--header=Name:`.
fn header_announcement(core: &str) -> Option<Expect> {
    let core = if core.starts_with('-') {
        core.rsplit_once('=').map_or(core, |(_, value)| value)
    } else {
        core
    };
    let name = core.strip_suffix(':')?;
    is_secret_header(name).then_some(Expect::HeaderValue)
}

fn is_secret_header(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        && (name.eq_ignore_ascii_case("authorization")
            || name.eq_ignore_ascii_case("proxy-authorization")
            || name.eq_ignore_ascii_case("cookie")
            || is_secret_name(name))
}

/// `Authorization:Bearer` (announces the credential) or `Authorization:secret`.
fn glued_header(word: &str) -> Option<(Cow<'_, str>, Expect)> {
    let colon = word.find(':')?;
    let name = word[..colon].trim_start_matches(is_quote);
    if !is_secret_header(name) || word[colon..].starts_with("://") {
        return None;
    }
    let value = &word[colon + 1..];
    if is_auth_scheme(unquoted(value)) {
        return Some((Cow::Borrowed(word), Expect::Secret));
    }
    let shown = match masked(value) {
        Cow::Borrowed(_) => return None,
        Cow::Owned(value) => format!("{}{value}", &word[..=colon]),
    };
    Some((Cow::Owned(shown), Expect::Nothing))
}

/// `boss_` and (at least) 64 hex digits -> `boss_***`.
fn boss_tokens(word: &str) -> Option<String> {
    const PREFIX: &str = crate::auth::secret::TOKEN_PREFIX;
    if !word.contains(PREFIX) {
        return None;
    }
    let mut out = String::with_capacity(word.len());
    let mut rest = word;
    let mut changed = false;
    while let Some(at) = rest.find(PREFIX) {
        let after = &rest[at + PREFIX.len()..];
        let hex = after.bytes().take_while(u8::is_ascii_hexdigit).count();
        out.push_str(&rest[..at + PREFIX.len()]);
        if hex >= 64 {
            out.push_str(MASK);
            changed = true;
            rest = &after[hex..];
        } else {
            rest = after;
        }
    }
    out.push_str(rest);
    changed.then_some(out)
}

/// `scheme://user:secret@host` -> `scheme://user:***@host`, for every URL in the word.
fn url_passwords(word: &str) -> Option<String> {
    if !word.contains('@') {
        return None;
    }
    let mut out = String::with_capacity(word.len());
    let mut rest = word;
    let mut changed = false;
    while let Some(at) = rest.find("://") {
        let start = at + 3;
        out.push_str(&rest[..start]);
        let authority = &rest[start..];
        let end = authority
            .find(|c: char| matches!(c, '/' | '?' | '#') || is_quote(c))
            .unwrap_or(authority.len());
        let authority = &authority[..end];
        match authority.rfind('@').and_then(|at| {
            let colon = authority[..at].find(':')?;
            (colon + 1 < at).then_some((colon, at))
        }) {
            Some((colon, at)) => {
                out.push_str(&authority[..=colon]);
                out.push_str(MASK);
                out.push_str(&authority[at..]);
                changed = true;
            }
            None => out.push_str(authority),
        }
        rest = &rest[start + end..];
    }
    out.push_str(rest);
    changed.then_some(out)
}

/// `NAME=secret` at the start of the word (after dashes) or after `?`, `&`, `;` or `,`, for a
/// secret name: the value up to the next such separator becomes the mask.
fn secret_assignments(word: &str) -> Option<String> {
    if !word.contains('=') {
        return None;
    }
    let is_name_byte = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-');
    let is_separator = |b: u8| matches!(b, b'?' | b'&' | b';' | b',');
    let bytes = word.as_bytes();
    let mut out = String::with_capacity(word.len());
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        let starts_segment = i == 0 || is_separator(bytes[i - 1]) || is_quote(bytes[i - 1] as char);
        if !starts_segment || !is_name_byte(bytes[i]) {
            i += 1;
            continue;
        }
        let name_end = i + bytes[i..].iter().take_while(|&&b| is_name_byte(b)).count();
        if bytes.get(name_end) != Some(&b'=') || !is_secret_name(&word[i..name_end]) {
            i = name_end.max(i + 1);
            continue;
        }
        let value_start = name_end + 1;
        let value_end = value_start
            + bytes[value_start..]
                .iter()
                .take_while(|&&b| !is_separator(b) && !is_quote(b as char))
                .count();
        if value_end > value_start {
            out.push_str(&word[copied..value_start]);
            out.push_str(MASK);
            copied = value_end;
        }
        i = value_end.max(i + 1);
    }
    if copied == 0 {
        return None;
    }
    out.push_str(&word[copied..]);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "boss_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    /// (command line, what every role sees); `None` when nothing is hidden.
    fn cases() -> Vec<(String, Option<String>)> {
        let same = |s: &str| (s.to_string(), None);
        let hides = |s: &str, shown: &str| (s.to_string(), Some(shown.to_string()));
        vec![
            // URL user-info
            hides(
                "boss serve --database-url postgres://boss:secret@host/db",
                "boss serve --database-url postgres://boss:***@host/db",
            ),
            hides(
                "psql postgresql://u:p%40ss@h:5432/db",
                "psql postgresql://u:***@h:5432/db",
            ),
            same("psql postgres://boss@host/db"),
            same("ssh git@github.com"),
            same("firefox https://example.com/a@b"),
            hides(
                "x https://a:b@h/?next=ftp://c:d@e",
                "x https://a:***@h/?next=ftp://c:***@e",
            ),
            hides(
                "x 'mysql://root:pw@localhost:3306/app'",
                "x 'mysql://root:***@localhost:3306/app'",
            ),
            // Boss tokens
            hides(&format!("boss kill 42 {TOKEN}"), "boss kill 42 boss_***"),
            hides(
                &format!("prog --header=X{TOKEN}Y"),
                "prog --header=Xboss_***Y",
            ),
            same("boss_short_name --flag"),
            // Secret options, both forms
            hides("boss --token abc kill 1", "boss --token *** kill 1"),
            hides(
                "app --password=hunter2 --user bob",
                "app --password=*** --user bob",
            ),
            hides("app --password hunter2", "app --password ***"),
            hides("app --passwd x", "app --passwd ***"),
            hides("app --secret s3 --verbose", "app --secret *** --verbose"),
            hides(
                "app --api-key k1 --apikey=k2",
                "app --api-key *** --apikey=***",
            ),
            hides("app --api_key k1", "app --api_key ***"),
            hides(
                "app --access-token=t --client-secret c",
                "app --access-token=*** --client-secret ***",
            ),
            hides(
                "app --db-password p --github-token t",
                "app --db-password *** --github-token ***",
            ),
            hides("app -password p", "app -password ***"),
            hides(
                "java -Dspring.datasource.password=pw -jar a.jar",
                "java -Dspring.datasource.password=*** -jar a.jar",
            ),
            same("app --token-file /run/secrets/t --password-file /p"),
            same("psql --no-password -h db"),
            same("docker login --password-stdin"),
            same("app --token --verbose"),
            same("app --token="),
            // Database clients: -p glued for MySQL/MariaDB, a port for PostgreSQL
            hides("mysql -uroot -phunter2 app", "mysql -uroot -p*** app"),
            hides(
                "/usr/bin/mysqldump -psecret db",
                "/usr/bin/mysqldump -p*** db",
            ),
            hides("mariadb-dump -pS3cret", "mariadb-dump -p***"),
            same("mysql -p app"),
            same("mysql -P 3306 app"),
            same("psql -p 5432 -h localhost"),
            same("psql -p5432 app"),
            same("grep -pattern file"),
            hides("sh -c 'mysql -psecret db'", "sh -c 'mysql -p*** db'"),
            hides("sshpass -p hunter2 ssh host", "sshpass -p *** ssh host"),
            hides("redis-cli -a hunter2 ping", "redis-cli -a *** ping"),
            hides("curl -u bob:hunter2 https://h", "curl -u bob:*** https://h"),
            same("curl -u bob https://h"),
            same("docker run -u 1000:1000 img"),
            // Headers
            hides(
                "curl -H Authorization: Bearer abc.def https://api",
                "curl -H Authorization: Bearer *** https://api",
            ),
            hides(
                "curl -H Authorization: xyz https://api",
                "curl -H Authorization: *** https://api",
            ),
            hides(
                "curl -H Authorization:Bearer abc",
                "curl -H Authorization:Bearer ***",
            ),
            hides("curl -H authorization:abc", "curl -H authorization:***"),
            hides(
                "curl -H X-Api-Key: k https://h",
                "curl -H X-Api-Key: *** https://h",
            ),
            hides(
                "curl -H Cookie: sid=1 https://h",
                "curl -H Cookie: *** https://h",
            ),
            hides(
                "curl --header=Authorization: Basic dXNlcg==",
                "curl --header=Authorization: Basic ***",
            ),
            hides(
                "sh -c \"curl -H 'Authorization: Bearer x'\"",
                "sh -c \"curl -H 'Authorization: Bearer ***'\"",
            ),
            hides("wget --header Bearer tok", "wget --header Bearer ***"),
            // Environment-style assignments
            hides("env DB_PASSWORD=x prog", "env DB_PASSWORD=*** prog"),
            hides(
                "env GITHUB_TOKEN=t AWS_SECRET=s prog",
                "env GITHUB_TOKEN=*** AWS_SECRET=*** prog",
            ),
            hides("env MYSQL_PWD=x mysql", "env MYSQL_PWD=*** mysql"),
            hides(
                "env AWS_SECRET_ACCESS_KEY=x aws",
                "env AWS_SECRET_ACCESS_KEY=*** aws",
            ),
            same("env PWD=/home/u HOME=/root prog"),
            hides(
                "x postgres://h/db?user=u&password=pw&ssl=1",
                "x postgres://h/db?user=u&password=***&ssl=1",
            ),
            hides(
                "mount -o user=u,password=p //s/x /m",
                "mount -o user=u,password=*** //s/x /m",
            ),
            // Ordinary command lines
            same("/usr/lib/firefox/firefox -contentproc -childID 3"),
            same("sleep 30"),
            same(""),
            same("/usr/bin/gnome-keyring-daemon --start --foreground --components=secrets"),
        ]
    }

    #[test]
    fn every_case_of_the_table_is_redacted_as_listed() {
        let wrong: Vec<_> = cases()
            .into_iter()
            .filter_map(|(line, expected)| {
                let got = redact_cmdline(&line);
                (got != expected).then(|| format!("{line:?}: got {got:?}, want {expected:?}"))
            })
            .collect();
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    #[test]
    fn the_argument_vector_is_redacted_like_the_joined_line() {
        let wrong: Vec<_> = cases()
            .into_iter()
            .filter_map(|(line, expected)| {
                let argv: Vec<String> = line.split(' ').map(str::to_string).collect();
                let got = redact_argv(&argv).map(|argv| argv.join(" "));
                (got != expected).then(|| format!("{line:?}: got {got:?}, want {expected:?}"))
            })
            .collect();
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    #[test]
    fn an_argument_holding_spaces_keeps_its_boundaries() {
        let argv: Vec<String> = ["curl", "-H", "Authorization: Bearer abc", "https://h"]
            .map(str::to_string)
            .to_vec();
        assert_eq!(
            redact_argv(&argv).unwrap(),
            ["curl", "-H", "Authorization: Bearer ***", "https://h"]
        );
        let argv: Vec<String> = ["prog", "--token", "a b"].map(str::to_string).to_vec();
        assert_eq!(redact_argv(&argv).unwrap(), ["prog", "--token", "***"]);
    }

    #[test]
    fn a_line_without_any_hint_of_a_secret_is_returned_untouched_by_the_quick_check() {
        assert!(!might_hold_secret("/usr/bin/python3 -m http.server 8000"));
        assert!(might_hold_secret("prog --TOKEN x"));
    }
}
