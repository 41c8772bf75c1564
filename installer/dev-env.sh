#!/usr/bin/env bash
# Sets up (or reuses) the project's virtual environment, then runs the app or the test suite.
#   bash installer/dev-env.sh app [ARGS...]   launch the desktop app
#   bash installer/dev-env.sh test [ARGS...]  run the whole test suite (extra args go to pytest)
#   bash installer/dev-env.sh pir [ARGS...]   run the pir command line
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${PIR_VENV:-$root/.venv}"
mode="${1:-}"
[ $# -gt 0 ] && shift

# Debian packages: Qt needs these even offscreen; the X ones let the app open a real window;
# poppler-utils is the independent PDF reader the tests use.
debs=(libglib2.0-0 libegl1 libgl1 libxkbcommon0 libfontconfig1 libdbus-1-3 fontconfig
      libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1
      libxcb-render-util0 libxcb-shape0 libxcb-xkb1 libxcb-randr0 libxcb-xinerama0
      poppler-utils python3-venv)

missing_debs() {
    command -v dpkg-query >/dev/null 2>&1 || return 0
    local p
    for p in "${debs[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || echo "$p"
    done
}

install_debs() {
    local missing
    missing=$(missing_debs)
    [ -z "$missing" ] && return 0
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "Installing Debian packages: $missing" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >&2
        # shellcheck disable=SC2086
        apt-get install -y -qq --no-install-recommends $missing >&2
    else
        echo "Please install these Debian packages first (as root):" >&2
        echo "  apt-get install $missing" >&2
    fi
}

find_python() {
    local c
    for c in python3.13 python3.12 python3.11 python3; do
        if command -v "$c" >/dev/null 2>&1 &&
           "$c" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
            echo "$c"; return 0
        fi
    done
    echo "PIR needs Python 3.11 or newer; none was found on PATH." >&2
    return 1
}

ensure_venv() {
    local py stamp want
    if [ ! -x "$venv/bin/python" ]; then
        py=$(find_python)
        "$py" -m venv "$venv"
    fi
    want=$(cat "$root/pyproject.toml" | sha256sum | cut -d' ' -f1)
    stamp="$venv/.pir-installed"
    if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
        echo "Installing PIR and its Python packages into $venv ..." >&2
        "$venv/bin/python" -m pip install -q --upgrade pip >&2
        "$venv/bin/python" -m pip install -q -e "$root[test]" >&2
        echo "$want" > "$stamp"
    fi
}

case "$mode" in
    app)
        install_debs
        ensure_venv
        exec "$venv/bin/python" "$root/main.py" "$@"
        ;;
    test)
        install_debs
        ensure_venv
        cd "$root"
        export QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}"
        # pytest exits 5 when it collects no tests; that is a failure here, not a pass.
        exec "$venv/bin/python" -m pytest "$@"
        ;;
    pir)
        ensure_venv
        exec "$venv/bin/pir" "$@"
        ;;
    *)
        echo "usage: bash installer/dev-env.sh app|test|pir [ARGS...]" >&2
        exit 2
        ;;
esac
