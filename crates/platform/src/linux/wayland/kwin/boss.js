// Boss of Apps' KWin script: lists the windows and acts on them, then reports back over D-Bus.
// Boss prepends one line, `var boss = {...};` (JSON: service, path, token, action, targets, and
// for `place` the placement), loads the script through org.kde.KWin /Scripting, runs it once
// and unloads it.
// Works with the KWin 5.27 API (workspace.clientList, activeClient, desktop numbers, no client
// geometry, no maximize mode, no raiseWindow) and the Plasma 6 one (workspace.windowList,
// activeWindow, desktops objects, clientGeometry, maximizeMode, raiseWindow).
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
    // The client area: Plasma 6 says; 5.27 does not, and for a window without decorations
    // (GTK's, which draw their own) it is the frame, for a decorated Wayland one its surface
    // (bufferGeometry). A decorated X11 window on 5.27 has no known client area: its frame
    // stands for it, in `layout` and `place` alike, so that what one reads the other puts back.
    function clientRect(w) {
        if (w.clientGeometry) return w.clientGeometry;
        if (!w.noBorder && !xwayland(w) && w.bufferGeometry) return w.bufferGeometry;
        return w.frameGeometry;
    }
    // Maximized both ways: Plasma 6 says (maximizeMode 3, MaximizeFull); 5.27 scripts cannot
    // read it, and a window whose frame fills the maximize area of its screen is taken as one.
    function maximized(w) {
        if (typeof w.maximizeMode === "number") return w.maximizeMode === 3;
        var area = workspace.clientArea(typeof KWin !== "undefined" && KWin.MaximizeArea !== undefined
            ? KWin.MaximizeArea : 2, w);
        var f = w.frameGeometry;
        return f.x === area.x && f.y === area.y && f.width === area.width
            && f.height === area.height;
    }
    function layoutOf(w) {
        var f = w.frameGeometry;
        var c = clientRect(w);
        // Plasma 6 lists the order (by id: the list's entries need not be the very objects
        // `w` is); in 5.27 each window tells its own place.
        var stacking = -1;
        var order = workspace.stackingOrder;
        if (order) {
            for (var i = 0; i < order.length; i++) {
                if (idOf(order[i]) === idOf(w)) stacking = i;
            }
        } else if (typeof w.stackingOrder === "number") {
            stacking = w.stackingOrder;
        }
        return {
            x: Math.round(f.x), y: Math.round(f.y),
            width: Math.round(c.width), height: Math.round(c.height),
            maximized: maximized(w),
            stacking: stacking < 0 ? null : stacking
        };
    }
    // Desktop `n` (counted from 0, as `desktopOf` gives it; -1: all). A desktop that does not
    // exist is left alone: KWin has as many as the user set, and Boss does not add any.
    function toDesktop(w, n) {
        if (n === -1) {
            w.onAllDesktops = true;
            return;
        }
        if (typeof w.desktop === "number") {
            if (n < workspace.desktops) w.desktop = n + 1;
            return;
        }
        if (n < workspace.desktops.length) w.desktops = [workspace.desktops[n]];
    }
    // What `Placement` asks: the size and maximization first, while the window may still be
    // on the desktop shown (a Wayland client hidden on another desktop gets no frame callbacks
    // and may not answer a resize until it is shown again), then the desktop, then minimized.
    function place(w, p) {
        var was = maximized(w);
        if (was && !p.maximized) w.setMaximize(false, false);
        if (p.geometry && !p.maximized) {
            var f = w.frameGeometry;
            var c = clientRect(w);
            // The decorations stay as they are: the frame grows by what the client is asked.
            w.frameGeometry = {
                x: p.geometry.x, y: p.geometry.y,
                width: p.geometry.width + (f.width - c.width),
                height: p.geometry.height + (f.height - c.height)
            };
        }
        if (p.maximized && !was) w.setMaximize(true, true);
        if (p.desktop !== null && p.desktop !== undefined && desktopOf(w) !== p.desktop) {
            toDesktop(w, p.desktop);
        }
        if (p.minimized) {
            if (w.minimizable === false) return "unsupported";
            w.minimized = true;
        }
        return "done";
    }
    // Raises `w` without giving it the focus (Plasma 6); 5.27 scripts can only raise by
    // activating, which also focuses it, restores a minimized window and shows its desktop,
    // so minimized windows are left where they are there.
    function raise(w) {
        if (workspace.raiseWindow) {
            workspace.raiseWindow(w);
        } else if (!w.minimized) {
            workspace.activeClient = w;
        }
    }
    function find(windows, id) {
        for (var i = 0; i < windows.length; i++) {
            if (idOf(windows[i]) === id) return windows[i];
        }
        return null;
    }

    var report = { windows: [], results: {}, layouts: {}, error: null };
    try {
        var windows = all();
        var active = activeWindow();
        // The list is taken before acting, so that a close can tell new dialogs from old
        // windows.
        for (var i = 0; i < windows.length; i++) {
            if (shown(windows[i])) report.windows.push(describe(windows[i], active));
        }
        // 5.27 raises by activating: the desktop shown is given back afterwards.
        var shownDesktop = workspace.currentDesktop;
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
            } else if (boss.action === "layout") {
                report.layouts[id] = layoutOf(w);
                result = "done";
            } else if (boss.action === "place") {
                result = place(w, boss.placement);
            } else if (boss.action === "restack") {
                raise(w);
                result = "done";
            } else {
                result = "unknown action";
            }
            report.results[id] = result;
        }
        if (boss.action === "restack" && workspace.currentDesktop !== shownDesktop) {
            workspace.currentDesktop = shownDesktop;
        }
    } catch (e) {
        report.error = String(e);
    }
    callDBus(boss.service, boss.path, "org.boss.KWinScript", "Report", boss.token,
        JSON.stringify(report));
})();
