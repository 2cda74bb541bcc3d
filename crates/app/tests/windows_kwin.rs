//! The windows API on KDE Plasma's compositor: a real KWin (`kwin_wayland --virtual`) on a
//! bus of its own, GTK windows the test starts itself, and the app's window monitor on that
//! KWin: this machine's KWin 5.27, and Plasma 6's KWin from the Debian 13 root
//! (`scripts/trixie-root`). Skipped without KWin (or the root), except under CI.

mod common;

use std::sync::Arc;

use testkit::distro::Distro;
use testkit::kwin::Kwin;

#[tokio::test]
async fn on_kwin_the_api_lists_windows_and_close_all_spares_the_browser_and_the_refuser() {
    if let Some(kwin) = Kwin::start() {
        story(kwin).await;
    }
}

#[tokio::test]
async fn on_plasma_6_the_api_lists_windows_and_close_all_spares_the_browser_and_the_refuser() {
    if let Some(kwin) = Distro::trixie("KWin 6 tests").and_then(Kwin::start_in) {
        story(kwin).await;
    }
}

async fn story(kwin: Kwin) {
    let system: Arc<dyn platform::WindowSystem> = Arc::from(kwin.windows());
    common::wayland::close_all_story(
        system,
        "kwin",
        "KWin (Wayland)",
        |windows, title, refuse, port| kwin.gtk_window(windows, title, refuse, port),
    )
    .await;
}
