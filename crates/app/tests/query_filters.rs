//! Property tests of the query filters (history, audit) and the small parsers behind them:
//! whatever a client sends, the answer is a 200 or a clear 4xx, never a 5xx.

mod common;

use axum::http::StatusCode;
use proptest::prelude::*;

use boss::clock::{parse_rfc3339, to_rfc3339};
use common::TestApp;

proptest! {
    #[test]
    fn times_round_trip_through_rfc3339(ms in 0i64..253_402_300_799_000) {
        prop_assert_eq!(parse_rfc3339(&to_rfc3339(ms)), Some(ms));
    }

    #[test]
    fn time_parsing_never_panics(text in ".{0,40}") {
        let _ = parse_rfc3339(&text);
    }

    #[test]
    fn window_ids_parse_or_refuse(text in ".{0,24}") {
        let _ = boss::windows::parse_window_id(&text);
    }
}

fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        "[0-9]{1,20}",
        "-[0-9]{1,5}",
        "[a-z_]{1,12}",
        Just("2026-11-26T08:00:00Z".to_string()),
        "[ -~]{0,30}",
    ]
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn history_and_audit_filters_never_fail_the_server(
        keys in proptest::collection::vec(prop_oneof![
            Just("user"), Just("app"), Just("outcome"), Just("since"), Just("until"),
            Just("limit"), Just("cursor"), Just("actor"), Just("action"), Just("bogus"),
        ], 0..6),
        values in proptest::collection::vec(value(), 6),
    ) {
        let query: Vec<String> = keys.iter().zip(&values).map(|(k, v)| format!("{k}={}", encode(v))).collect();
        let query = query.join("&");
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let app = TestApp::new().await;
            let admin = app.register("admin").await;
            for path in ["/api/v1/launches", "/api/v1/launches.csv", "/api/v1/launches/totals", "/api/v1/audit"] {
                let reply = app.get(&format!("{path}?{query}"), &admin).await;
                assert!(
                    reply.status == StatusCode::OK || reply.status.is_client_error(),
                    "{path}?{query}: {} {:?}", reply.status, reply.body
                );
                if reply.status != StatusCode::OK {
                    assert!(reply.body["error"]["message"].is_string(), "{path}?{query}");
                }
            }
        });
    }
}
