//! Property tests of the parsers that read what other programs wrote: `/proc` files and desktop
//! entries' `Exec` lines. Whatever the input, they must not panic; on well-formed input they must
//! give back what was put in.
#![cfg(target_os = "linux")]

use platform::linux::proc::{parse_cmdline, parse_stat};
use platform::{AppEntry, exec_argv};
use proptest::prelude::*;

fn entry(exec: &str) -> AppEntry {
    AppEntry {
        id: "t".into(),
        name: "Test".into(),
        generic_name: None,
        comment: None,
        keywords: Vec::new(),
        categories: Vec::new(),
        icon: Some("icon".into()),
        exec: exec.into(),
        terminal: false,
        path: None,
        startup_wm_class: None,
        file: "/tmp/t.desktop".into(),
    }
}

proptest! {
    #[test]
    fn stat_parsing_never_panics(text in ".{0,300}") {
        let _ = parse_stat(&text);
    }

    /// Any command name (the kernel allows spaces and parentheses) and field values survive.
    #[test]
    fn stat_fields_round_trip(
        pid in 1u32..4_194_304,
        comm in "[ -~]{0,15}",
        ppid in 0u32..4_194_304,
        utime in 0u64..u64::MAX / 4,
        stime in 0u64..u64::MAX / 4,
        nice in -20i32..20,
        threads in 1u32..100_000,
        start in 0u64..u64::MAX / 4,
        rss in 0u64..1 << 40,
    ) {
        let line = format!(
            "{pid} ({comm}) S {ppid} 1 1 0 -1 4194560 10 0 0 0 {utime} {stime} 0 0 20 {nice} {threads} 0 {start} 4096 {rss} 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0"
        );
        let stat = parse_stat(&line).expect("well-formed");
        prop_assert_eq!(stat.pid, pid);
        prop_assert_eq!(stat.comm, comm);
        prop_assert_eq!((stat.ppid, stat.utime, stat.stime), (ppid, utime, stime));
        prop_assert_eq!((stat.nice, stat.num_threads, stat.starttime, stat.rss_pages), (nice, threads, start, rss));
    }

    #[test]
    fn cmdline_round_trips(words in proptest::collection::vec("[^\u{0}]{1,20}", 0..10)) {
        let mut bytes = Vec::new();
        for word in &words {
            bytes.extend_from_slice(word.as_bytes());
            bytes.push(0);
        }
        prop_assert_eq!(parse_cmdline(&bytes), words);
    }

    #[test]
    fn exec_parsing_never_panics(exec in ".{0,200}", args in proptest::collection::vec(".{0,20}", 0..4)) {
        let _ = exec_argv(&entry(&exec), &args);
    }

    /// Plain words come back as they are; words with spaces or quotes survive quoting.
    #[test]
    fn quoted_exec_words_round_trip(words in proptest::collection::vec("[a-zA-Z0-9 ./=\"`$\\\\-]{1,12}", 1..6)) {
        let quoted: Vec<String> = words
            .iter()
            .map(|w| {
                let mut q = String::from("\"");
                for c in w.chars() {
                    if matches!(c, '"' | '`' | '$' | '\\') {
                        q.push('\\');
                    }
                    q.push(c);
                }
                q.push('"');
                q
            })
            .collect();
        let argv = exec_argv(&entry(&quoted.join(" ")), &[]).expect("well-formed");
        prop_assert_eq!(argv, words);
    }
}

#[test]
fn field_codes_expand_as_the_spec_says() {
    let argv = exec_argv(
        &entry("viewer %F --name=%c %%"),
        &["a b".into(), "c".into()],
    )
    .unwrap();
    assert_eq!(argv, ["viewer", "a b", "c", "--name=Test", "%"]);
}
