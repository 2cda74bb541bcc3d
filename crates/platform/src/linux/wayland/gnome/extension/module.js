// Boss of Apps' GNOME Shell extension, GNOME Shell 45 and later (an ES module whose default
// export extends Extension). Boss puts windows.js between the two parts of this file.
import Gio from 'gi://Gio';
import GLib from 'gi://GLib';
import Meta from 'gi://Meta';
import * as Main from 'resource:///org/gnome/shell/ui/main.js';
import {Extension} from 'resource:///org/gnome/shell/extensions/extension.js';

// @@WINDOWS@@

export default class BossExtension extends Extension {
    enable() {
        this._exported = exportWindows();
    }

    disable() {
        this._exported.unexport();
        this._exported = null;
    }
}
