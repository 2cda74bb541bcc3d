//! The application catalog, icon lookup, Exec expansion and launching, against temporary XDG
//! trees built per test (the machine's own directories are never used for assertions) and
//! programs this test starts itself (and only those are killed and reaped).
#![cfg(target_os = "linux")]

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use platform::{AppEntry, CatalogOptions, Error, LaunchSpec, Launched};
use tempfile::TempDir;

// ---------------------------------------------------------------------------------------------
// Fixtures

/// A temporary tree holding several data directories (`<root>/<name>/applications`,
/// `.../icons`, `.../pixmaps`).
struct Tree {
    root: TempDir,
}

impl Tree {
    fn new() -> Self {
        Tree {
            root: tempfile::tempdir().unwrap(),
        }
    }

    fn data(&self, name: &str) -> PathBuf {
        self.root.path().join(name)
    }

    /// Writes `<data>/applications/<rel>` and returns its path.
    fn app(&self, data: &str, rel: &str, body: impl AsRef<[u8]>) -> PathBuf {
        let path = self.data(data).join("applications").join(rel);
        write(&path, body.as_ref());
        path
    }

    /// Writes any file below the root and returns its path.
    fn file(&self, rel: &str, body: impl AsRef<[u8]>) -> PathBuf {
        let path = self.root.path().join(rel);
        write(&path, body.as_ref());
        path
    }

    /// Options reading only these data directories, in this order.
    fn options(&self, data: &[&str]) -> CatalogOptions {
        CatalogOptions {
            data_dirs: data.iter().map(|d| self.data(d)).collect(),
            ..Default::default()
        }
    }
}

fn write(path: &Path, body: &[u8]) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, body).unwrap();
}

/// A valid application entry named `name` with extra lines.
fn desktop(name: &str, extra: &str) -> String {
    format!("[Desktop Entry]\nType=Application\nName={name}\nExec=true\n{extra}\n")
}

fn ids(options: &CatalogOptions) -> Vec<String> {
    let mut ids: Vec<String> = platform::load_catalog(options)
        .entries()
        .iter()
        .map(|e| e.id.clone())
        .collect();
    ids.sort();
    ids
}

/// Not a real image: `find_icon` looks at names, not contents.
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n fake";

fn hicolor_index(dirs: &[(&str, u32, &str)]) -> String {
    let names: Vec<&str> = dirs.iter().map(|d| d.0).collect();
    let mut text = format!(
        "[Icon Theme]\nName=Hicolor\nDirectories={}\n",
        names.join(",")
    );
    for (dir, size, kind) in dirs {
        text.push_str(&format!("\n[{dir}]\nSize={size}\nType={kind}\n"));
        if *kind == "Scalable" {
            text.push_str("MinSize=1\nMaxSize=512\n");
        }
    }
    text
}

// ---------------------------------------------------------------------------------------------
// Catalog

#[test]
fn entries_are_listed_with_their_localized_fields() {
    let tree = Tree::new();
    let file = tree.app(
        "home",
        "org.example.Calc.desktop",
        "[Desktop Entry]\n\
         # a comment\n\
         Type=Application\n\
         Name=Calculator\n\
         Name[fr]=Calculatrice\n\
         Name[fr_FR]=Calculatrice de France\n\
         Name[de]=Taschenrechner\n\
         GenericName=Calculator app\n\
         Comment=Add numbers\n\
         Comment[fr]=Additionner des nombres\n\
         Keywords=sum;math;\n\
         Keywords[fr]=somme;maths;\n\
         Categories=Utility;Calculator;\n\
         Icon=org.example.Calc\n\
         Exec=calc --new %U\n\
         Path=/tmp\n\
         StartupWMClass=CalcWindow\n\
         Terminal=false\n\
         Actions=new;\n\
         \n\
         [Desktop Action new]\n\
         Name=New calculator\n\
         Exec=calc --new\n",
    );
    tree.app("home", "zeta.desktop", desktop("zeta", ""));
    tree.app("home", "alpha.desktop", desktop("Alpha", ""));

    let mut options = tree.options(&["home"]);
    options.locale = Some("fr_FR.UTF-8".into());
    let catalog = platform::load_catalog(&options);
    let names: Vec<&str> = catalog.entries().iter().map(|e| e.name.as_str()).collect();
    assert_eq!(
        names,
        ["Alpha", "Calculatrice de France", "zeta"],
        "sorted, case-insensitive"
    );

    let calc = catalog.get("org.example.Calc").expect("listed by its ID");
    assert_eq!(
        calc,
        &AppEntry {
            id: "org.example.Calc".into(),
            name: "Calculatrice de France".into(),
            generic_name: Some("Calculator app".into()),
            comment: Some("Additionner des nombres".into()),
            keywords: vec!["somme".into(), "maths".into()],
            categories: vec!["Utility".into(), "Calculator".into()],
            icon: Some("org.example.Calc".into()),
            exec: "calc --new %U".into(),
            terminal: false,
            path: Some("/tmp".into()),
            startup_wm_class: Some("CalcWindow".into()),
            file: file.clone(),
        }
    );

    // Language only: the lang_COUNTRY value is not taken.
    options.locale = Some("fr_BE.UTF-8".into());
    let catalog = platform::load_catalog(&options);
    assert_eq!(
        catalog.get("org.example.Calc").unwrap().name,
        "Calculatrice"
    );

    // No translation for this language, or no locale: the unlocalized values.
    for locale in [Some("es_ES.UTF-8"), Some("C"), None] {
        options.locale = locale.map(String::from);
        let catalog = platform::load_catalog(&options);
        let calc = catalog.get("org.example.Calc").unwrap();
        assert_eq!(calc.name, "Calculator", "{locale:?}");
        assert_eq!(calc.comment.as_deref(), Some("Add numbers"));
        assert_eq!(calc.keywords, ["sum", "math"]);
    }
}

#[test]
fn no_display_hidden_links_directories_and_entries_without_exec_are_left_out() {
    let tree = Tree::new();
    tree.app("d", "shown.desktop", desktop("Shown", "NoDisplay=false"));
    tree.app("d", "nodisplay.desktop", desktop("Nope", "NoDisplay=true"));
    tree.app("d", "hidden.desktop", desktop("Nope", "Hidden=true"));
    tree.app(
        "d",
        "link.desktop",
        "[Desktop Entry]\nType=Link\nName=A link\nURL=https://example.org/\n",
    );
    tree.app(
        "d",
        "dir.desktop",
        "[Desktop Entry]\nType=Directory\nName=A folder\n",
    );
    tree.app(
        "d",
        "notype.desktop",
        "[Desktop Entry]\nName=No type\nExec=true\n",
    );
    tree.app(
        "d",
        "noexec.desktop",
        "[Desktop Entry]\nType=Application\nName=D-Bus only\nDBusActivatable=true\n",
    );
    tree.app(
        "d",
        "noname.desktop",
        "[Desktop Entry]\nType=Application\nExec=true\n",
    );
    assert_eq!(ids(&tree.options(&["d"])), ["shown"]);
}

#[test]
fn hidden_in_a_higher_priority_directory_deletes_the_id() {
    let tree = Tree::new();
    tree.app("home", "editor.desktop", desktop("Editor", "Hidden=true"));
    tree.app("system", "editor.desktop", desktop("Editor", ""));
    tree.app("system", "other.desktop", desktop("Other", ""));
    assert_eq!(ids(&tree.options(&["home", "system"])), ["other"]);
    // In the other order the visible one comes first and wins.
    assert_eq!(ids(&tree.options(&["system", "home"])), ["editor", "other"]);
}

#[test]
fn the_first_directory_wins_for_a_duplicate_id() {
    let tree = Tree::new();
    let mine = tree.app(
        "home",
        "editor.desktop",
        desktop("My editor", "Comment=mine"),
    );
    tree.app(
        "system",
        "editor.desktop",
        desktop("System editor", "Comment=theirs"),
    );
    let catalog = platform::load_catalog(&tree.options(&["home", "system"]));
    assert_eq!(catalog.len(), 1);
    let editor = catalog.get("editor").unwrap();
    assert_eq!(editor.name, "My editor");
    assert_eq!(editor.file, mine);
}

#[test]
fn only_show_in_and_not_show_in_follow_the_current_desktops() {
    let tree = Tree::new();
    tree.app("d", "everywhere.desktop", desktop("Everywhere", ""));
    tree.app("d", "gnome-only.desktop", desktop("G", "OnlyShowIn=GNOME;"));
    tree.app(
        "d",
        "kde-only.desktop",
        desktop("K", "OnlyShowIn=KDE;LXQt;"),
    );
    tree.app("d", "not-gnome.desktop", desktop("NG", "NotShowIn=GNOME;"));
    tree.app("d", "not-kde.desktop", desktop("NK", "NotShowIn=KDE;"));
    let mut options = tree.options(&["d"]);

    options.current_desktops = vec!["ubuntu".into(), "GNOME".into()];
    assert_eq!(ids(&options), ["everywhere", "gnome-only", "not-kde"]);
    options.current_desktops = vec!["KDE".into()];
    assert_eq!(ids(&options), ["everywhere", "kde-only", "not-gnome"]);
    // No known desktop: OnlyShowIn entries are hidden, NotShowIn ones shown.
    options.current_desktops = vec![];
    assert_eq!(ids(&options), ["everywhere", "not-gnome", "not-kde"]);
}

#[test]
fn try_exec_of_a_missing_program_leaves_the_entry_out() {
    let tree = Tree::new();
    let tool = tree.file("bin/present-tool", "#!/bin/sh\n");
    fs::set_permissions(&tool, fs::Permissions::from_mode(0o755)).unwrap();
    let not_executable = tree.file("bin/plain-file", "data\n");
    tree.app(
        "d",
        "absent.desktop",
        desktop("A", "TryExec=/nonexistent/boss-test-tool"),
    );
    tree.app(
        "d",
        "absent-in-path.desktop",
        desktop("B", "TryExec=boss-test-no-such-tool-4242"),
    );
    tree.app(
        "d",
        "present.desktop",
        desktop("C", &format!("TryExec={}", tool.display())),
    );
    tree.app("d", "present-in-path.desktop", desktop("D", "TryExec=sh"));
    tree.app(
        "d",
        "not-executable.desktop",
        desktop("E", &format!("TryExec={}", not_executable.display())),
    );
    assert_eq!(ids(&tree.options(&["d"])), ["present", "present-in-path"]);
}

#[test]
fn entries_in_subdirectories_get_prefixed_ids() {
    let tree = Tree::new();
    tree.app("d", "kde/foo.desktop", desktop("Foo", ""));
    tree.app("d", "vendor/sub/bar.desktop", desktop("Bar", ""));
    tree.app("d", "top.desktop", desktop("Top", ""));
    tree.app("d", "kde/notes.txt", "not a desktop file");
    let options = tree.options(&["d"]);
    assert_eq!(ids(&options), ["kde-foo", "top", "vendor-sub-bar"]);
    assert!(platform::load_catalog(&options).get("kde-foo").is_some());
}

#[test]
fn malformed_files_are_skipped_without_panicking() {
    let tree = Tree::new();
    tree.app("d", "good.desktop", desktop("Good", ""));
    tree.app("d", "empty.desktop", "");
    tree.app(
        "d",
        "binary.desktop",
        b"\x00\x01\x02[[[\xff\xfe\n=\n[\n".as_slice(),
    );
    tree.app(
        "d",
        "not-utf8.desktop",
        b"[Desktop Entry]\nName=\xff\xfe\nType=Application\nExec=true\n".as_slice(),
    );
    tree.app(
        "d",
        "no-group.desktop",
        "Name=Orphan\nType=Application\nExec=true\n",
    );
    tree.app("d", "unclosed-group.desktop", "[Desktop Entry\nName=X\n");
    tree.app(
        "d",
        "not-key-value.desktop",
        "[Desktop Entry]\njust some words\n",
    );
    tree.app(
        "d",
        "bad-escape.desktop",
        desktop("Bad", "Comment=trailing backslash \\"),
    );
    tree.app(
        "d",
        "only-other-group.desktop",
        "[Something Else]\nName=X\n",
    );
    tree.app("d", "empty-key.desktop", "[Desktop Entry]\n=value\n");
    tree.app("d", "brackets.desktop", "[]\n[=\n]=\n");
    // A directory named like a desktop file, and a dangling symbolic link.
    fs::create_dir_all(tree.data("d").join("applications/folder.desktop")).unwrap();
    std::os::unix::fs::symlink(
        "/nonexistent/target.desktop",
        tree.data("d").join("applications/dangling.desktop"),
    )
    .unwrap();
    let mut options = tree.options(&["d", "missing-dir"]);
    options.locale = Some("fr".into());
    assert_eq!(ids(&options), ["good"]);
}

#[test]
fn key_file_escapes_are_undone_before_exec_quoting() {
    let tree = Tree::new();
    // In the file: `\s` is a space, `\\` one backslash; then Exec's own quoting applies.
    tree.app(
        "d",
        "esc.desktop",
        "[Desktop Entry]\nType=Application\nName=Esc\n\
         Exec=app \"a\\\\\\\\b\" x\\sy \"q\\\\\"uote\" \"tab\\there\"\n",
    );
    let catalog = platform::load_catalog(&tree.options(&["d"]));
    let entry = catalog.get("esc").unwrap();
    assert_eq!(entry.exec, "app \"a\\\\b\" x y \"q\\\"uote\" \"tab\there\"");
    assert_eq!(
        platform::exec_argv(entry, &[]).unwrap(),
        ["app", "a\\b", "x", "y", "q\"uote", "tab\there"]
    );
}

#[test]
fn options_from_the_environment_do_not_panic() {
    // Whatever this machine's environment holds, reading it must work.
    let options = CatalogOptions::from_env();
    assert!(!options.data_dirs.is_empty());
    let _ = platform::load_catalog(&options);
}

// ---------------------------------------------------------------------------------------------
// Icons

#[test]
fn find_icon_in_the_theme_pixmaps_and_absolute_paths() {
    let tree = Tree::new();
    let sys = tree.data("sys");
    write(
        &sys.join("icons/hicolor/index.theme"),
        hicolor_index(&[
            ("16x16/apps", 16, "Fixed"),
            ("48x48/apps", 48, "Threshold"),
            ("scalable/apps", 128, "Scalable"),
        ])
        .as_bytes(),
    );
    let icon48 = sys.join("icons/hicolor/48x48/apps/org.example.Calc.png");
    let icon16 = sys.join("icons/hicolor/16x16/apps/org.example.Calc.png");
    write(&icon48, PNG);
    write(&icon16, PNG);
    let svg_only = sys.join("icons/hicolor/scalable/apps/vector.svg");
    write(&svg_only, b"<svg/>");
    let pixmap = sys.join("pixmaps/oldapp.xpm");
    write(&pixmap, b"/* XPM */");
    let absolute = tree.file("elsewhere/logo.png", PNG);
    let not_an_image = tree.file("elsewhere/secret.txt", "no");
    let options = tree.options(&["home-without-icons", "sys"]);

    let find = |name: &str, size| platform::find_icon(name, size, &options);
    assert_eq!(find("org.example.Calc", 48), Some(icon48.clone()));
    assert_eq!(find("org.example.Calc", 16), Some(icon16.clone()));
    assert_eq!(
        find("org.example.Calc", 64),
        Some(icon48.clone()),
        "nearest size"
    );
    assert_eq!(
        find("org.example.Calc", 20),
        Some(icon16.clone()),
        "nearest size"
    );
    assert_eq!(
        find("org.example.Calc.png", 48),
        Some(icon48.clone()),
        "stray extension"
    );
    assert_eq!(find("vector", 48), Some(svg_only));
    assert_eq!(find("oldapp", 48), Some(pixmap.clone()), "pixmaps fallback");
    assert_eq!(
        find(absolute.to_str().unwrap(), 48),
        None,
        "an absolute path outside the icon directories"
    );
    assert_eq!(find(pixmap.to_str().unwrap(), 48), Some(pixmap));
    assert_eq!(find("no-such-icon", 48), None);
    assert_eq!(find("/nonexistent/icon.png", 48), None);
    assert_eq!(
        find(not_an_image.to_str().unwrap(), 48),
        None,
        "only image files"
    );
    assert_eq!(
        find("../sys/pixmaps/oldapp", 48),
        None,
        "not a relative path"
    );
    assert_eq!(find("", 48), None);
}

#[test]
fn icons_linked_or_placed_outside_the_icon_directories_or_not_images_are_not_served() {
    let tree = Tree::new();
    let sys = tree.data("sys");
    write(
        &sys.join("icons/hicolor/index.theme"),
        hicolor_index(&[("48x48/apps", 48, "Fixed")]).as_bytes(),
    );
    let apps = sys.join("icons/hicolor/48x48/apps");
    write(&apps.join("good.png"), PNG);
    write(
        &apps.join("drawn.svg"),
        b"<?xml version=\"1.0\"?>\n<svg xmlns=\"x\"/>",
    );
    // A private text file, and a real image, both outside every icon directory.
    let secret = tree.file("private/passwd", "root:x:0:0:root:/root:/bin/bash\n");
    let outside_png = tree.file("private/real.png", PNG);
    std::os::unix::fs::symlink(&secret, apps.join("linked.png")).unwrap();
    fs::create_dir_all(sys.join("pixmaps")).unwrap();
    std::os::unix::fs::symlink(&outside_png, sys.join("pixmaps/outside.png")).unwrap();
    // Inside, named as an image, but text.
    write(&apps.join("fake.png"), b"root:x:0:0");
    write(&apps.join("fake-svg.svg"), b"root:x:0:0");
    // Beside the desktop entry: allowed for an absolute Icon= path.
    let desktop = tree.app("sys", "own.desktop", desktop("Own", "Exec=true\n"));
    let beside = desktop.parent().unwrap().join("own.png");
    write(&beside, PNG);
    let options = tree.options(&["sys"]);

    let load = |icon: &str| {
        let mut entry = entry("true");
        entry.icon = Some(icon.to_string());
        entry.file = desktop.clone();
        platform::load_icon(&entry, 48, &options).map(|image| image.format)
    };
    assert_eq!(load("good"), Some(platform::IconFormat::Png));
    assert_eq!(load("drawn"), Some(platform::IconFormat::Svg));
    assert_eq!(
        load(beside.to_str().unwrap()),
        Some(platform::IconFormat::Png)
    );
    assert_eq!(
        load("linked"),
        None,
        "a theme icon linked to a private file"
    );
    assert_eq!(load(apps.join("linked.png").to_str().unwrap()), None);
    assert_eq!(load("outside"), None, "a pixmap linked out of the pixmaps");
    assert_eq!(
        load(outside_png.to_str().unwrap()),
        None,
        "an absolute path elsewhere"
    );
    assert_eq!(load(secret.to_str().unwrap()), None, "not an image at all");
    assert_eq!(load("fake"), None, "a .png that is text");
    assert_eq!(load("fake-svg"), None, "an .svg that is text");
    assert_eq!(platform::find_icon("linked", 48, &options), None);
}

#[test]
fn find_icon_prefers_the_chosen_theme_then_what_it_inherits_then_hicolor() {
    let tree = Tree::new();
    let sys = tree.data("sys");
    let home = tree.data("home");
    write(
        &sys.join("icons/hicolor/index.theme"),
        hicolor_index(&[("48x48/apps", 48, "Fixed")]).as_bytes(),
    );
    write(
        &sys.join("icons/Parent/index.theme"),
        b"[Icon Theme]\nName=Parent\nDirectories=apps/48\n[apps/48]\nSize=48\nType=Fixed\n",
    );
    write(
        &sys.join("icons/Fancy/index.theme"),
        b"[Icon Theme]\nName=Fancy\nInherits=Parent,Fancy\nDirectories=apps/48\n\
          [apps/48]\nSize=48\nType=Fixed\n",
    );
    let fancy = sys.join("icons/Fancy/apps/48/editor.png");
    let parent = sys.join("icons/Parent/apps/48/viewer.png");
    let hicolor_editor = sys.join("icons/hicolor/48x48/apps/editor.png");
    let hicolor_only = sys.join("icons/hicolor/48x48/apps/player.png");
    // The user's copy of the theme adds icons (its index is the system one).
    let user_fancy = home.join("icons/Fancy/apps/48/mine.png");
    for path in [&fancy, &parent, &hicolor_editor, &hicolor_only, &user_fancy] {
        write(path, PNG);
    }
    let mut options = tree.options(&["home", "sys"]);
    options.icon_theme = Some("Fancy".into());

    let find = |name: &str| platform::find_icon(name, 48, &options);
    assert_eq!(find("editor"), Some(fancy));
    assert_eq!(find("viewer"), Some(parent));
    assert_eq!(find("player"), Some(hicolor_only));
    assert_eq!(find("mine"), Some(user_fancy));

    options.icon_theme = None;
    assert_eq!(
        platform::find_icon("editor", 48, &options),
        Some(hicolor_editor)
    );
}

// ---------------------------------------------------------------------------------------------
// Exec

fn entry(exec: &str) -> AppEntry {
    AppEntry {
        id: "org.example.App".into(),
        name: "Example App".into(),
        generic_name: None,
        comment: None,
        keywords: vec![],
        categories: vec![],
        icon: Some("org.example.App".into()),
        exec: exec.into(),
        terminal: false,
        path: None,
        startup_wm_class: None,
        file: "/usr/share/applications/org.example.App.desktop".into(),
    }
}

fn argv(exec: &str, args: &[&str]) -> Vec<String> {
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    platform::exec_argv(&entry(exec), &args).unwrap_or_else(|e| panic!("Exec={exec}: {e}"))
}

fn invalid(exec: &str) -> String {
    match platform::exec_argv(&entry(exec), &[]) {
        Err(Error::Invalid(message)) => message,
        other => panic!("Exec={exec}: expected Invalid, got {other:?}"),
    }
}

#[test]
fn exec_single_file_and_url_codes_take_the_first_argument() {
    assert_eq!(argv("app %f", &["/a", "/b"]), ["app", "/a"]);
    assert_eq!(argv("app %u", &["https://x/", "/b"]), ["app", "https://x/"]);
    assert_eq!(argv("app %f", &[]), ["app"], "unused code vanishes");
    assert_eq!(argv("app %u --flag", &[]), ["app", "--flag"]);
    assert_eq!(argv("app --file=%f", &["/a b"]), ["app", "--file=/a b"]);
    assert_eq!(argv("app --file=%f", &[]), ["app", "--file="]);
}

#[test]
fn exec_list_codes_give_one_argument_per_file() {
    assert_eq!(argv("app %F", &["/a", "/b c"]), ["app", "/a", "/b c"]);
    assert_eq!(argv("app %U -x", &["u1", "u2"]), ["app", "u1", "u2", "-x"]);
    assert_eq!(argv("app %F", &[]), ["app"]);
    assert_eq!(argv("app %U", &[]), ["app"]);
}

#[test]
fn exec_icon_name_and_location_codes() {
    assert_eq!(argv("app %i", &[]), ["app", "--icon", "org.example.App"]);
    let mut no_icon = entry("app %i -x");
    no_icon.icon = None;
    assert_eq!(platform::exec_argv(&no_icon, &[]).unwrap(), ["app", "-x"]);
    assert_eq!(argv("app %c", &[]), ["app", "Example App"]);
    assert_eq!(argv("app --title=%c", &[]), ["app", "--title=Example App"]);
    assert_eq!(
        argv("app %k", &[]),
        ["app", "/usr/share/applications/org.example.App.desktop"]
    );
}

#[test]
fn exec_percent_and_deprecated_codes() {
    assert_eq!(argv("app 100%%", &[]), ["app", "100%"]);
    assert_eq!(argv("app %%", &[]), ["app", "%"]);
    assert_eq!(
        argv("app %d %D %n %N %v %m -x", &["/a"]),
        ["app", "-x"],
        "deprecated codes are dropped"
    );
    assert_eq!(argv("app %z", &[]), ["app"], "unknown codes are dropped");
}

#[test]
fn exec_quoting_and_escapes() {
    assert_eq!(
        argv("\"/opt/My App/app\" -x", &[]),
        ["/opt/My App/app", "-x"]
    );
    assert_eq!(
        argv(r#"sh -c "echo \"hi\" \$HOME \`date\` back\\slash""#, &[]),
        ["sh", "-c", r#"echo "hi" $HOME `date` back\slash"#]
    );
    assert_eq!(
        argv(r#"app "keep \n as is""#, &[]),
        ["app", r"keep \n as is"]
    );
    assert_eq!(
        argv(r#"app "" x"#, &[]),
        ["app", "", "x"],
        "an empty quoted argument stays"
    );
    assert_eq!(
        argv(r#"app a"b c"d"#, &[]),
        ["app", "ab cd"],
        "quotes join a word"
    );
    assert_eq!(
        argv(r"app a\ b", &[]),
        ["app", "a b"],
        "a backslash escapes outside quotes"
    );
    assert_eq!(
        argv(r#"app "%f" "100%%""#, &["/a"]),
        ["app", "%f", "100%"],
        "no field codes inside quotes, but %% is %"
    );
    assert_eq!(argv("  app \t -a   -b  ", &[]), ["app", "-a", "-b"]);
}

#[test]
fn exec_a_percent_sign_that_starts_no_code_stays() {
    assert_eq!(
        argv("app % x 50% 5%-off", &[]),
        ["app", "%", "x", "50%", "5%-off"]
    );
}

#[test]
fn exec_a_file_url_for_a_file_code_becomes_a_path() {
    assert_eq!(
        argv("app %f", &["file:///tmp/a%20b.txt"]),
        ["app", "/tmp/a b.txt"]
    );
    assert_eq!(
        argv("app %u", &["file:///tmp/a%20b.txt"]),
        ["app", "file:///tmp/a%20b.txt"]
    );
    assert_eq!(
        argv("app %f", &["file://localhost/etc/hosts"]),
        ["app", "/etc/hosts"]
    );
    assert_eq!(
        argv("app %f", &["file://server/x"]),
        ["app", "file://server/x"]
    );
}

#[test]
fn exec_errors() {
    assert!(invalid(r#"app "unterminated"#).contains("quote"));
    assert!(invalid(r#"app "ends in a backslash\"#).contains("quote"));
    invalid("");
    invalid("   ");
    invalid("%f");
    invalid("%U");
}

#[test]
fn exec_terminal_entries_get_a_terminal_emulator_in_front() {
    let mut e = entry("vim %F");
    e.terminal = true;
    let files = ["/tmp/notes.txt".to_string()];
    let on_path = |name: &str| {
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
            .any(|dir| dir.join(name).is_file())
    };
    match platform::exec_argv(&e, &files) {
        Ok(argv) => {
            let (terminal, rest) = argv.split_at(argv.len() - 2);
            assert_eq!(rest, ["vim", "/tmp/notes.txt"]);
            let expected: Vec<&str> = if on_path("xdg-terminal-exec") {
                vec!["xdg-terminal-exec"]
            } else if on_path("x-terminal-emulator") {
                vec!["x-terminal-emulator", "-e"]
            } else {
                vec!["xterm", "-e"]
            };
            assert_eq!(terminal, expected);
        }
        Err(Error::NotFound(what)) => {
            assert!(what.contains("terminal"));
            assert!(!on_path("xterm") && !on_path("x-terminal-emulator"));
        }
        Err(other) => panic!("{other}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Launching

/// A launched program that is killed (if still running) and reaped when dropped.
struct Started(Launched);

impl Drop for Started {
    fn drop(&mut self) {
        let _ = self.0.child.kill();
        let _ = self.0.child.wait();
    }
}

fn spec(argv: &[&str], log_file: &Path) -> LaunchSpec {
    LaunchSpec {
        argv: argv.iter().map(|a| a.to_string()).collect(),
        cwd: None,
        env: vec![],
        log_file: log_file.to_path_buf(),
    }
}

fn wait_exit(started: &mut Started) -> std::process::ExitStatus {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = started.0.child.try_wait().unwrap() {
            return status;
        }
        assert!(
            Instant::now() < deadline,
            "the launched program did not end"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn launch_logs_both_streams_and_reports_the_exit_status() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("launch.log");
    let mut started = Started(
        platform::launch(&spec(
            &["sh", "-c", "echo hello; echo oops >&2; exit 3"],
            &log,
        ))
        .unwrap(),
    );
    assert_eq!(started.0.pid, started.0.child.id());
    assert_eq!(wait_exit(&mut started).code(), Some(3));
    assert_eq!(fs::read_to_string(&log).unwrap(), "hello\noops\n");
    let mode = fs::metadata(&log).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);

    // A second launch appends to the same log.
    let mut again = Started(platform::launch(&spec(&["sh", "-c", "echo again"], &log)).unwrap());
    assert!(wait_exit(&mut again).success());
    assert_eq!(fs::read_to_string(&log).unwrap(), "hello\noops\nagain\n");
}

#[test]
fn launch_starts_a_new_session_with_null_stdin_and_default_signals() {
    // Boss may run with signals ignored (under nohup, SIGHUP): the app must not inherit that.
    // SAFETY: ignoring SIGHUP in this test process installs no handler; nothing in these tests
    // sends SIGHUP.
    unsafe {
        libc::signal(libc::SIGHUP, libc::SIG_IGN);
    }
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("sleep.log");
    let started = Started(platform::launch(&spec(&["sleep", "30"], &log)).unwrap());
    let pid = started.0.pid;

    let text = fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let stat = platform::linux::proc::parse_stat(&text).unwrap();
    assert_eq!(stat.session, pid, "its own session");
    assert_eq!(stat.pgrp, pid, "its own process group");
    assert_eq!(stat.ppid, std::process::id());
    assert_eq!(started.0.start_ticks, stat.starttime);
    assert_eq!(
        started.0.identity(),
        platform::identify_process(pid).unwrap()
    );

    let fd = |n: u32| fs::read_link(format!("/proc/{pid}/fd/{n}")).unwrap();
    let log = log.canonicalize().unwrap();
    assert_eq!(fd(0), PathBuf::from("/dev/null"));
    assert_eq!(fd(1), log);
    assert_eq!(fd(2), log);

    let status = fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let ignored = status
        .lines()
        .find_map(|l| l.strip_prefix("SigIgn:"))
        .unwrap()
        .trim();
    assert_eq!(
        u64::from_str_radix(ignored, 16).unwrap(),
        0,
        "no ignored signals"
    );
}

#[test]
fn launch_uses_the_working_directory_environment_and_path_given() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("env.log");
    let work = dir.path().join("work");
    fs::create_dir(&work).unwrap();
    let bin = dir.path().join("bin");
    let tool = bin.join("boss-test-tool");
    write(
        &tool,
        b"#!/bin/sh\necho \"tool: $BOSS_TEST_GREETING\"\npwd\n",
    );
    fs::set_permissions(&tool, fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!("{}:/usr/bin:/bin", bin.display());

    let mut started = Started(
        platform::launch(&LaunchSpec {
            argv: vec!["boss-test-tool".into()],
            cwd: Some(work.clone()),
            env: vec![
                ("BOSS_TEST_GREETING".into(), "bonjour".into()),
                ("PATH".into(), path),
            ],
            log_file: log.clone(),
        })
        .unwrap(),
    );
    assert!(wait_exit(&mut started).success());
    assert_eq!(
        fs::read_to_string(&log).unwrap(),
        format!(
            "tool: bonjour\n{}\n",
            work.canonicalize().unwrap().display()
        )
    );

    // A relative program path is taken from the working directory.
    write(&work.join("local.sh"), b"#!/bin/sh\necho local\n");
    fs::set_permissions(work.join("local.sh"), fs::Permissions::from_mode(0o700)).unwrap();
    let mut local = Started(
        platform::launch(&LaunchSpec {
            cwd: Some(work.clone()),
            ..spec(&["./local.sh"], &log)
        })
        .unwrap(),
    );
    assert!(wait_exit(&mut local).success());
    assert!(fs::read_to_string(&log).unwrap().ends_with("local\n"));
}

#[test]
fn launch_of_a_missing_program_fails_before_starting_anything() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("never.log");
    for program in ["boss-no-such-program-4242", "/nonexistent/dir/program"] {
        match platform::launch(&spec(&[program, "--flag"], &log)) {
            Err(Error::NotFound(what)) => assert!(what.contains(program), "{what}"),
            other => panic!("{program}: expected NotFound, got {other:?}"),
        }
    }
    let missing_cwd = LaunchSpec {
        cwd: Some(dir.path().join("no-such-dir")),
        ..spec(&["true"], &log)
    };
    match platform::launch(&missing_cwd) {
        Err(Error::NotFound(what)) => assert!(what.contains("working directory"), "{what}"),
        other => panic!("expected NotFound, got {other:?}"),
    }
    assert!(matches!(
        platform::launch(&spec(&[], &log)),
        Err(Error::Invalid(_))
    ));
    // The checks come before the log is opened (and so before any fork).
    assert!(!log.exists());
}

#[test]
fn launch_of_a_file_that_is_not_executable_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("never.log");
    let script = dir.path().join("script.sh");
    write(&script, b"#!/bin/sh\necho should not run\n");
    fs::set_permissions(&script, fs::Permissions::from_mode(0o644)).unwrap();
    let script = script.to_str().unwrap();
    match platform::launch(&spec(&[script], &log)) {
        Err(Error::PermissionDenied(message)) => assert!(message.contains(script), "{message}"),
        other => panic!("expected PermissionDenied, got {other:?}"),
    }
    let folder = dir.path().to_str().unwrap();
    assert!(matches!(
        platform::launch(&spec(&[folder], &log)),
        Err(Error::PermissionDenied(_))
    ));
    // Found in PATH, but not executable there.
    let in_path = LaunchSpec {
        env: vec![("PATH".into(), dir.path().to_str().unwrap().into())],
        ..spec(&["script.sh"], &log)
    };
    assert!(matches!(
        platform::launch(&in_path),
        Err(Error::PermissionDenied(_))
    ));
    assert!(!log.exists());
}

#[test]
fn a_catalog_entry_launches_from_its_spec() {
    let tree = Tree::new();
    let work = tree.root.path().join("work");
    fs::create_dir(&work).unwrap();
    // In the file `\\$` is `\$` once read, which Exec quoting makes `$`.
    let file = tree.app(
        "d",
        "greeter.desktop",
        format!(
            "[Desktop Entry]\nType=Application\nName=Greeter\nPath={}\n\
             Exec=sh -c \"echo \\\\$GIO_LAUNCHED_DESKTOP_FILE; pwd; echo 100%%\" %f\n",
            work.display()
        ),
    );
    let catalog = platform::load_catalog(&tree.options(&["d"]));
    let greeter = catalog.get("greeter").unwrap();
    let log = tree.root.path().join("greeter.log");
    let spec = LaunchSpec::for_entry(greeter, &["first".into()], log.clone()).unwrap();
    assert_eq!(
        spec.argv,
        [
            "sh",
            "-c",
            "echo $GIO_LAUNCHED_DESKTOP_FILE; pwd; echo 100%",
            "first"
        ]
    );
    let mut started = Started(platform::launch(&spec).unwrap());
    assert!(wait_exit(&mut started).success());
    assert_eq!(
        fs::read_to_string(&log).unwrap(),
        format!(
            "{}\n{}\n100%\n",
            file.display(),
            work.canonicalize().unwrap().display()
        )
    );
}

#[test]
fn a_launched_program_inherits_no_descriptor_beyond_stdin_stdout_and_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let secret = dir.path().join("secret");
    fs::write(&secret, "not for the app").unwrap();
    let path = std::ffi::CString::new(secret.to_str().unwrap()).unwrap();
    // A descriptor opened the way a careless library would: without O_CLOEXEC, moved up to a
    // number nothing else uses.
    // SAFETY: open reads the NUL-terminated path; F_DUPFD and close act on the descriptor
    // this test just opened and owns.
    let stray = unsafe {
        let fd = libc::open(path.as_ptr(), libc::O_RDONLY);
        assert!(fd >= 0, "open the test file");
        let high = libc::fcntl(fd, libc::F_DUPFD, 200);
        libc::close(fd);
        assert!(high >= 200, "duplicate the descriptor");
        high
    };
    let log = dir.path().join("fds.log");
    let mut started =
        Started(platform::launch(&spec(&["sh", "-c", "ls -1 /proc/self/fd"], &log)).unwrap());
    let status = wait_exit(&mut started);
    // SAFETY: the descriptor is this test's own and not used after this.
    unsafe { libc::close(stray) };
    assert!(status.success());
    let listed: Vec<u32> = fs::read_to_string(&log)
        .unwrap()
        .lines()
        .map(|l| l.trim().parse().unwrap())
        .collect();
    // 0, 1 and 2, plus the descriptor ls opens for the directory it lists (the lowest free).
    assert_eq!(listed, vec![0, 1, 2, 3], "descriptors the program saw");
}
