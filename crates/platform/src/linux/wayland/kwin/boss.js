// Boss of Apps' KWin script: lists the windows and acts on them, then reports back over D-Bus.
// Boss prepends one line, `var boss = {...};` (JSON: service, path, token, action, targets),
// loads the script through org.kde.KWin /Scripting, runs it once and unloads it.
// Works with the KWin 5.27 API (workspace.clientList, activeClient, desktop numbers) and the
// Plasma 6 one (workspace.windowList, activeWindow, desktops objects).
(function () {
    function all() {
        return workspace.windowList ? workspace.windowList() : workspace.clientList();
    }
    function idOf(w) {
        return String(w.internalId).replace(/[{}]/g, "");
    }
    function activeWindow() {
        return workspace.activeWindow !== undefined ? workspace.activeWindow : workspace.activeClient;
    }
    function desktopOf(w) {
        if (w.onAllDesktops) return -1;
        if (typeof w.desktop === "number") return w.desktop - 1;
        if (w.desktops && w.desktops.length && workspace.desktops) {
            return workspace.desktops.indexOf(w.desktops[0]);
        }
        return null;
    }
    // What a taskbar shows: application windows and their dialogs, not panels, popups,
    // notifications or KWin's own internal windows.
    function shown(w) {
        return w.managed !== false && !w.deleted && !w.specialWindow && !w.popupWindow
            && !w.outline && (w.normalWindow || w.dialog || w.utility);
    }
    // An X11 client through Xwayland: KWin 5.27 gives X11 windows a windowId (the X id) and
    // Wayland ones none; KWin 6 has no such property, but its windows print as their class,
    // KWin::X11Window(0x...) (5.27: the same, or X11Client before).
    function xwayland(w) {
        return (w.windowId !== undefined && w.windowId !== 0)
            || /^KWin::X11(Window|Client)\(/.test(String(w));
    }
    function describe(w, active) {
        var parent = w.transientFor;
        return {
            id: idOf(w),
            pid: typeof w.pid === "number" && w.pid > 0 ? w.pid : null,
            resource_class: String(w.resourceClass || ""),
            resource_name: String(w.resourceName || ""),
            caption: String(w.caption || ""),
            desktop: desktopOf(w),
            minimized: !!w.minimized,
            active: active !== null && active !== undefined && idOf(active) === idOf(w),
            closeable: !!w.closeable,
            minimizable: w.minimizable !== false,
            kind: w.dialog ? "dialog" : (w.utility ? "utility" : "normal"),
            transient_for: parent ? idOf(parent) : null,
            xwayland: xwayland(w)
        };
    }
    function find(windows, id) {
        for (var i = 0; i < windows.length; i++) {
            if (idOf(windows[i]) === id) return windows[i];
        }
        return null;
    }

    var report = { windows: [], results: {}, error: null };
    try {
        var windows = all();
        var active = activeWindow();
        // The list is taken before acting, so that a close can tell new dialogs from old
        // windows.
        for (var i = 0; i < windows.length; i++) {
            if (shown(windows[i])) report.windows.push(describe(windows[i], active));
        }
        for (var t = 0; t < boss.targets.length; t++) {
            var id = boss.targets[t];
            var w = find(windows, id);
            var result;
            if (w === null || !shown(w)) {
                result = "gone";
            } else if (boss.action === "close") {
                if (w.closeable) {
                    w.closeWindow();
                    result = "sent";
                } else {
                    result = "unsupported";
                }
            } else if (boss.action === "activate") {
                if (workspace.activeWindow !== undefined) {
                    workspace.activeWindow = w;
                } else {
                    workspace.activeClient = w;
                }
                result = "done";
            } else if (boss.action === "minimize") {
                if (w.minimizable === false) {
                    result = "unsupported";
                } else {
                    w.minimized = true;
                    result = "done";
                }
            } else {
                result = "unknown action";
            }
            report.results[id] = result;
        }
    } catch (e) {
        report.error = String(e);
    }
    callDBus(boss.service, boss.path, "org.boss.KWinScript", "Report", boss.token,
        JSON.stringify(report));
})();
