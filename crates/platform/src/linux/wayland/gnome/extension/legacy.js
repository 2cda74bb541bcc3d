// Boss of Apps' GNOME Shell extension, GNOME Shell 43 and 44 (imports.*, init() returning the
// extension). Boss puts windows.js between the two parts of this file.
const { Gio, GLib, Meta } = imports.gi;
const Main = imports.ui.main;

// @@WINDOWS@@

class BossExtension {
    enable() {
        this._exported = exportWindows();
    }

    disable() {
        this._exported.unexport();
        this._exported = null;
    }
}

function init() {
    return new BossExtension();
}
