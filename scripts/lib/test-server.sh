# Sourced by scripts/fuzz-api and scripts/ecosystem-check (bash, `set -euo pipefail`, in the
# repository root, BOSS_BIN set): a throw-away server for a script's checks.
#
# start_test_server LABEL VIEWER: starts the binary on a free port of 127.0.0.1 with its data in a
# temporary directory, an empty application catalog and a display that is not there (nothing on
# this machine's desktop can be reached); registers the admin `admin` and the viewer VIEWER, with
# the passwords "LABEL admin password" and "LABEL viewer password". Sets `work` (the directory;
# the server's log is $work/log), `base` (its URL), `admin` and `viewer` (an API token of each).
# `api` is curl for JSON requests, `token` reads a token's secret from an answer.
#
# On exit the server and every PID the caller added to `children` are ended (only those, by
# PID) and the directory is removed. check_server_log fails when the server logged a panic.
work=
server_pid=
children=()

api() { curl -sf -H 'content-type: application/json' "$@"; }
token() { python3 -c 'import json,sys; print(json.load(sys.stdin)["secret"])'; }

stop_test_server() {
    for pid in "${children[@]}"; do kill "$pid" 2>/dev/null || true; done
    if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi
    wait 2>/dev/null || true
    if [ -n "$work" ]; then rm -rf "$work"; fi
}

start_test_server() {
    local label=$1 viewer_name=$2 code
    work=$(mktemp -d)
    trap stop_test_server EXIT
    mkdir -p "$work/empty"
    # Without the graphical session's variables: from them (a Wayland socket in the runtime
    # directory is enough) Boss would find this machine's desktop instead of the missing display.
    env -u DISPLAY -u WAYLAND_DISPLAY -u SWAYSOCK -u XDG_CURRENT_DESKTOP -u XDG_RUNTIME_DIR \
        -u DBUS_SESSION_BUS_ADDRESS \
        XDG_DATA_HOME="$work/empty" XDG_DATA_DIRS="$work/empty" BOSS_DISPLAY=":4999" BOSS_LOG=warn,boss=info \
        "$BOSS_BIN" serve --bind 127.0.0.1:0 --data-dir "$work/data" 2> "$work/log" &
    server_pid=$!
    for _ in $(seq 100); do grep -q "ready at" "$work/log" && break; sleep 0.1; done
    base=$(grep -o 'http://127.0.0.1:[0-9]*' "$work/log" | head -1 || true) # pipefail: none is not an error here
    [ -n "$base" ] || { cat "$work/log"; echo "boss did not start"; exit 1; }

    code=$(cat "$work/data/setup-code")
    api -c "$work/admin" "$base/api/v1/auth/register" -d '{"username":"admin","password":"'"$label"' admin password","setup_code":"'"$code"'"}' >/dev/null
    admin=$(api -b "$work/admin" "$base/api/v1/tokens" -d '{"name":"'"$label"'","password":"'"$label"' admin password"}' | token)
    api -H "Authorization: Bearer $admin" "$base/api/v1/users" -d '{"username":"'"$viewer_name"'","password":"'"$label"' viewer password","role":"viewer"}' >/dev/null
    api -c "$work/viewer" "$base/api/v1/auth/login" -d '{"username":"'"$viewer_name"'","password":"'"$label"' viewer password"}' >/dev/null
    viewer=$(api -b "$work/viewer" "$base/api/v1/tokens" -d '{"name":"'"$label"'","password":"'"$label"' viewer password"}' | token)
}

check_server_log() {
    if grep -qiE "panicked|internal error" "$work/log"; then
        echo "the server logged a panic or an internal error:"; grep -iE "panicked|internal error" "$work/log"; exit 1
    fi
}
