//! The windows API on KDE Plasma's compositor: a real KWin (`kwin_wayland --virtual`) on a
//! bus of its own, GTK windows the test starts itself, and the app's window monitor on that
//! KWin. Skipped without KWin, except under CI.

mod common;

use std::sync::Arc;

use testkit::kwin::Kwin;

#[tokio::test]
async fn on_kwin_the_api_lists_windows_and_close_all_spares_the_browser_and_the_refuser() {
    let Some(kwin) = Kwin::start() else {
        return;
    };
    let system: Arc<dyn platform::WindowSystem> = Arc::from(kwin.windows());
    common::wayland::close_all_story(
        system,
        "kwin",
        "KWin (Wayland)",
        |windows, title, refuse, port| kwin.gtk_window(windows, title, refuse, port),
    )
    .await;
}
