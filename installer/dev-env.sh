#!/usr/bin/env bash
# Sets up (or repairs, or reuses) the project's virtual environment, then runs the app, the test
# suite or the pir command line. Safe to run any number of times.
#   bash installer/dev-env.sh app [ARGS...]    launch the desktop app
#   bash installer/dev-env.sh test [ARGS...]   run the whole test suite (extra args go to pytest)
#   bash installer/dev-env.sh pir [ARGS...]    run the pir command line
#   bash installer/dev-env.sh setup [build]    only set up (build: also what installer/build.sh
#                                              needs: PyInstaller, binutils, the shared libpython)
#
# Order of work, so that a failure never leaves a half-made environment behind:
#   1. the Debian packages the mode needs: installed when run as root, otherwise one
#      `apt-get install` line to paste is printed and nothing else is done;
#   2. the venv: kept only if its python runs and has pip, otherwise removed and made again;
#   3. PIR and its Python packages, installed again only when pyproject.toml has changed.
# apt and pip output goes to a log file, removed on success and named on failure.
# PIR_VENV chooses another venv folder (default: .venv in the clone); PIR_PYTHON the python it
# is made from (default: the newest python3.x >= 3.11 on PATH).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${PIR_VENV:-$root/.venv}"
venv="${venv%/}"
mode="${1:-}"
[ $# -gt 0 ] && shift

say() { echo "pir set-up: $*" >&2; }

# -- the log of apt and pip output ------------------------------------------------------------

log=""
open_log() {
    [ -n "$log" ] || log=$(mktemp "${TMPDIR:-/tmp}/pir-setup.XXXXXX.log")
}
fail() {  # fail MESSAGE: stops, showing the end of the log when there is one
    say "FAILED: $*"
    if [ -n "$log" ] && [ -s "$log" ]; then
        echo "---- last lines of $log (the full apt/pip output) ----" >&2
        tail -n 20 "$log" >&2
        echo "---- end; the whole log is kept in $log ----" >&2
    fi
    exit 1
}
logged() {  # logged COMMAND...: runs it with its output in the log
    open_log
    echo "\$ $*" >>"$log"
    "$@" >>"$log" 2>&1
}

# -- Debian packages ----------------------------------------------------------------------------

# Qt needs these even offscreen (each missing one is an ImportError naming its .so file).
debs_qt=(libglib2.0-0 libegl1 libgl1 libxkbcommon0 libfontconfig1 libdbus-1-3 fontconfig)
# A real window on X11 (xcb platform plugin).
debs_x11=(libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1
          libxcb-render-util0 libxcb-shape0 libxcb-xkb1 libxcb-randr0 libxcb-xinerama0)
# What the whole test suite runs with, so that it skips nothing: poppler-utils, the independent
# PDF reader the exports are checked with; softhsm2, opensc: the token signing tests; shellcheck,
# the script lint; git, the installer build from a clean clone; xvfb, xdotool: the keyboard walk
# of the real app on an X display.
debs_pdf=(poppler-utils softhsm2 opensc shellcheck git xvfb xauth xdotool)
# PyInstaller reads binaries with objdump (the shared libpython is added by libpython_deb_for).
debs_build=(binutils)

python_version() { "$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])'; }

find_python() {
    local c
    for c in ${PIR_PYTHON:-python3.13 python3.12 python3.11 python3}; do
        if command -v "$c" >/dev/null 2>&1 &&
           "$c" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
            echo "$c"; return 0
        fi
    done
    return 1
}

# The Debian package that gives Debian's python its venv module (python3 -m venv without it
# leaves a venv with no pip), or nothing for a python that is not Debian's.
venv_deb_for() {
    local real
    real=$(readlink -f "$(command -v "$1")")
    case "$real" in
        /usr/bin/python3*) ;;
        *) return 0 ;;
    esac
    if [ "$real" = "$(readlink -f /usr/bin/python3)" ]; then
        echo "python3-venv"
    else
        echo "python$(python_version "$real")-venv"
    fi
}

# The shared libpython PyInstaller bundles, as a Debian package name when it is missing.
libpython_deb_for() {
    local py="$1"
    "$py" - <<'EOF'
import os, sys, sysconfig
so = sysconfig.get_config_var("INSTSONAME") or ""
libdir = sysconfig.get_config_var("LIBDIR") or ""
multiarch = sysconfig.get_config_var("MULTIARCH") or ""
places = [os.path.join(libdir, so), os.path.join(libdir, multiarch, so)]
if not (so and any(os.path.exists(p) for p in places)) and sys.base_prefix == "/usr":
    print("libpython%d.%d" % sys.version_info[:2])
EOF
}

missing_debs() {  # missing_debs PACKAGE...: the ones dpkg does not show as installed
    [ $# -gt 0 ] || return 0
    command -v dpkg-query >/dev/null 2>&1 || return 0
    local installed
    installed=$(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "$@" 2>/dev/null |
                awk '$2 == "installed" {print $1}' | sed 's/:.*//') || true
    local p
    for p in "$@"; do
        grep -qx -- "$p" <<<"$installed" || echo "$p"
    done
}

install_debs() {  # install_debs PACKAGE...: installs the missing ones, or stops with one line
    local missing
    missing=$(missing_debs "$@" | tr '\n' ' ')
    missing="${missing% }"
    [ -n "$missing" ] || return 0
    local cmd="apt-get install -y --no-install-recommends $missing"
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        say "installing Debian packages: $missing"
        export DEBIAN_FRONTEND=noninteractive
        logged apt-get update || fail "apt-get update (exit $?)"
        # shellcheck disable=SC2086
        logged apt-get install -y --no-install-recommends $missing ||
            fail "apt-get install $missing (exit $?)"
        missing=$(missing_debs "$@" | tr '\n' ' ')
        [ -z "$missing" ] || fail "apt-get did not install: $missing"
        return 0
    fi
    # Not root: one line that also holds what the next README command will need (the app's
    # line names the test packages too), so a second command never stops on a second line.
    missing=$(missing_debs "$@" "${debs_also[@]}" | sort -u | tr '\n' ' ')
    missing="${missing% }"
    cmd="apt-get install -y --no-install-recommends $missing"
    {
        local who="Run" line="apt-get update && $cmd"
        if [ "$(id -u)" != 0 ]; then
            if command -v sudo >/dev/null 2>&1; then
                line="sudo apt-get update && sudo $cmd"
            else
                who="As root (su -), run"
            fi
        fi
        if command -v dpkg-query >/dev/null 2>&1; then
            echo "PIR needs some Debian packages first. $who this one line, then this command again:"
        else
            echo "PIR needs these packages (Debian names; use your system's own). $who:"
        fi
        echo "$line"
    } >&2
    exit 1
}

# -- the virtual environment ------------------------------------------------------------------

venv_works() {
    [ -x "$venv/bin/python" ] && "$venv/bin/python" -m pip --version >/dev/null 2>&1
}

remove_broken_venv() {
    [ -e "$venv" ] || [ -L "$venv" ] || return 0
    if [ -f "$venv/pyvenv.cfg" ] || [ -z "$(ls -A "$venv" 2>/dev/null)" ]; then
        rm -rf "$venv"
    else
        fail "$venv exists but is not a virtual environment (no pyvenv.cfg); move it away or" \
             "set PIR_VENV to another folder."
    fi
}

make_venv() {
    local py="$1"
    if [ -e "$venv" ]; then
        say "$venv does not work (its python fails or has no pip); making it again"
    fi
    remove_broken_venv
    if ! logged "$py" -m venv "$venv"; then
        rm -rf "$venv"
        fail "$py -m venv $venv did not work (is the venv module installed?)"
    fi
    if ! venv_works; then
        rm -rf "$venv"
        fail "the new venv $venv has no working pip"
    fi
}

install_python_packages() {  # install_python_packages EXTRA...: pip install -e .[EXTRAS]
    local want stamp old extras
    want=$(sha256sum <"$root/pyproject.toml" | cut -d' ' -f1)
    stamp="$venv/.pir-installed"
    old=""
    [ -f "$stamp" ] && old=$(cat "$stamp")
    # The stamp is "<sha256 of pyproject.toml> <extra> <extra>...".
    # shellcheck disable=SC2086
    extras=$(printf '%s\n' "$@" ${old#* } | { grep -v '^[0-9a-f]\{64\}$' || true; } |
             sort -u | tr '\n' ' ')
    extras="${extras% }"
    if [ "${old%% *}" = "$want" ]; then
        local e have=1
        for e in "$@"; do
            [[ " ${old#* } " == *" $e "* ]] || have=0
        done
        [ "$have" = 1 ] && return 0
    fi
    say "installing PIR and its Python packages into $venv (about a minute the first time)"
    logged "$venv/bin/python" -m pip install --disable-pip-version-check --upgrade pip ||
        fail "pip could not upgrade itself (exit $?)"
    logged "$venv/bin/python" -m pip install --disable-pip-version-check \
        -e "${root}[${extras// /,}]" || fail "pip install -e .[${extras// /,}] (exit $?)"
    echo "$want $extras" >"$stamp"
}

# setup EXTRA_DEBS_GROUP...: packages first, then the venv, then the Python packages.
setup() {
    local debs=() extras=(test) py="" deb="" lib=""
    local g
    for g in "$@"; do
        case "$g" in
            qt) debs+=("${debs_qt[@]}") ;;
            x11) debs+=("${debs_x11[@]}") ;;
            pdf) debs+=("${debs_pdf[@]}") ;;
            build) debs+=("${debs_build[@]}"); extras+=(installer) ;;
        esac
    done
    if ! venv_works; then
        if ! py=$(find_python); then
            command -v dpkg-query >/dev/null 2>&1 || fail "PIR needs Python 3.11 or newer."
            debs+=(python3 python3-venv)
        else
            deb=$(venv_deb_for "$py")
        fi
    fi
    if [[ " $* " == *" build "* ]]; then
        # Asked of the python the venv is (or will be) made from; a venv reports its base's.
        if [ -n "$py" ]; then lib=$(libpython_deb_for "$py")
        else lib=$(libpython_deb_for "$venv/bin/python"); fi
    fi
    [ -z "$deb" ] || debs+=("$deb")
    [ -z "$lib" ] || debs+=("$lib")
    install_debs "${debs[@]}"
    if ! venv_works; then
        [ -n "$py" ] || py=$(find_python) || fail "PIR needs Python 3.11 or newer."
        "$py" -c 'import ensurepip, venv' 2>/dev/null ||
            fail "$py has no venv module with ensurepip; install your system's python venv package."
        make_venv "$py"
    fi
    install_python_packages "${extras[@]}"
    [ -z "$log" ] || rm -f "$log"
    log=""
}

# One set-up at a time per venv folder (a second run waits rather than installing alongside):
# a lock on the folder that holds the venv, so no lock file is left behind.
locked_setup() {
    local parent
    parent=$(dirname "$venv")
    if command -v flock >/dev/null 2>&1 && [ -d "$parent" ]; then
        exec 9<"$parent"
        flock 9
        setup "$@"
        exec 9<&-
    else
        setup "$@"
    fi
}

debs_also=()  # packages named on the non-root line although this mode does not need them
case "$mode" in
    app)
        debs_also=("${debs_pdf[@]}")
        locked_setup qt x11
        exec "$venv/bin/python" "$root/main.py" "$@"
        ;;
    test)
        locked_setup qt x11 pdf
        cd "$root"
        export QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}"
        # pytest exits 5 when it collects no tests; that is a failure here, not a pass.
        exec "$venv/bin/python" -m pytest "$@"
        ;;
    pir)
        locked_setup
        exec "$venv/bin/pir" "$@"
        ;;
    setup)
        if [ "${1:-}" = build ]; then
            locked_setup qt x11 build
        else
            locked_setup qt x11 pdf
        fi
        ;;
    *)
        echo "usage: bash installer/dev-env.sh app|test|pir [ARGS...]   (or: setup [build])" >&2
        exit 2
        ;;
esac
