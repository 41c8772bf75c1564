#!/usr/bin/env bash
# Tests installer/dev-env.sh in a temporary copy of the project, without touching the real .venv
# or the machine's packages: dpkg-query, apt-get, id and sudo are fakes on PATH, so "missing"
# Debian packages and a non-root user are simulated, and the fake apt-get "installs" a package by
# taking it off the missing list. The venvs are real (made from the machine's python), built from
# the real pyproject.toml with its dependency lists emptied and a stand-in `pir` command, so a
# rebuild takes seconds rather than a minute.
#
# Prints "ok - ...", "FAIL - ..." or "skip - ... (reason)" per case; exits 1 if any case failed.
# Run: bash tests/setup/test_dev_env.sh   (tests/test_installer.py runs it under pytest)
set -uo pipefail

src="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work=$(mktemp -d "${TMPDIR:-/tmp}/pir-dev-env-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
failed=0

ok() { echo "ok - $*"; }
bad() { echo "FAIL - $*"; failed=1; }
skip() { echo "skip - $*"; }

# -- the copy of the project --------------------------------------------------------------------

repo="$work/repo"
mkdir -p "$repo/pir"
cp -r "$src/installer" "$src/README.md" "$repo/"
# The real package's version, with a stand-in command line: these cases are about the venv, not
# about what PIR imports, so the copy needs no dependencies and a rebuild takes seconds.
cp "$src/pir/__init__.py" "$repo/pir/"
cat >"$repo/pir/cli.py" <<'EOF'
from pir import __version__


def main() -> int:
    print(f"PIR {__version__}")
    return 0
EOF
python3 - "$src/pyproject.toml" "$repo/pyproject.toml" <<'EOF'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
text = re.sub(r"(?ms)^dependencies = \[.*?^\]", "dependencies = []", text, count=1)
text = re.sub(r"(?ms)^test = \[.*?^\]", "test = []", text, count=1)
open(sys.argv[2], "w", encoding="utf-8").write(text)
EOF
devenv="$repo/installer/dev-env.sh"

# -- fakes --------------------------------------------------------------------------------------

fakes="$work/fakes"
state="$work/state"
mkdir -p "$fakes" "$state"
: >"$state/missing"
cat >"$fakes/dpkg-query" <<'EOF'
#!/usr/bin/env bash
# Every package asked about is installed, except those listed in $FAKE_STATE/missing.
shift 2  # -W -f=FORMAT
for p in "$@"; do
    grep -qx -- "$p" "$FAKE_STATE/missing" && { echo "dpkg-query: no packages found matching $p" >&2; continue; }
    echo "$p installed"
done
EOF
cat >"$fakes/apt-get" <<'EOF'
#!/usr/bin/env bash
echo "apt-get $*" >>"$FAKE_STATE/apt-calls"
if [ -f "$FAKE_STATE/apt-fails" ]; then
    echo "E: Unable to locate package imaginary-package"; exit 100
fi
for i in $(seq 1 40); do echo "Selecting previously unselected package noise$i."; done
if [ "$1" = install ]; then
    for p in "$@"; do sed -i "/^$p\$/d" "$FAKE_STATE/missing"; done
fi
EOF
cat >"$fakes/id" <<'EOF'
#!/usr/bin/env bash
if [ "${1:-}" = -u ]; then echo "$FAKE_UID"; else exec /usr/bin/id "$@"; fi
EOF
cat >"$fakes/sudo" <<'EOF'
#!/usr/bin/env bash
echo "sudo $*" >>"$FAKE_STATE/sudo-calls"
exec "$@"
EOF
chmod +x "$fakes"/*

export FAKE_STATE="$state"
export PATH="$fakes:$PATH"
export PIP_DISABLE_PIP_VERSION_CHECK=1

# pip and setuptools fetched once (from pip's cache when it has them); every venv made below
# installs from this folder, without asking a package index again.
wheels="$work/wheels"
if python3 -m pip download -q -d "$wheels" pip "setuptools>=77" >"$work/download.log" 2>&1; then
    export PIP_FIND_LINKS="$wheels" PIP_NO_INDEX=1
else
    echo "note - pip and setuptools could not be fetched ahead; each venv asks the index itself"
fi

# run NAME UID ARGS...: runs dev-env.sh as user UID (0 = root), output in $work/NAME.out/.err
run() {
    local name="$1" uid="$2"
    shift 2
    FAKE_UID="$uid" PIR_VENV="$venv" bash "$devenv" "$@" >"$work/$name.out" 2>"$work/$name.err"
    echo $? >"$work/$name.rc"
}
rc() { cat "$work/$1.rc"; }
show() { echo "  --- $1: exit $(rc "$1"); stderr:"; sed 's/^/  | /' "$work/$1.err" | head -30; }
pip_works() { "$venv/bin/python" -m pip --version >/dev/null 2>&1; }

# Debian's own python is what a new user has; the python3-venv cases need it.
debian_python=""
if [ -x /usr/bin/python3 ] &&
   /usr/bin/python3 -c 'import sys, ensurepip, venv; sys.exit(sys.version_info < (3, 11))' 2>/dev/null
then
    debian_python=/usr/bin/python3
fi

# -- 1. a half-made venv (python, no pip) is rebuilt ------------------------------------------

venv="$work/venv1"
python_for_venv=$(PIR_PYTHON="" bash -c 'for c in python3.13 python3.12 python3.11 python3; do
    command -v $c >/dev/null && $c -c "import sys; sys.exit(sys.version_info < (3, 11))" 2>/dev/null &&
    { echo $c; exit; }; done')
"$python_for_venv" -m venv --without-pip "$venv"
if [ -x "$venv/bin/python" ] && ! pip_works; then
    run halfmade 0 pir --version
    if [ "$(rc halfmade)" = 0 ] && grep -q "^PIR " "$work/halfmade.out" && pip_works; then
        ok "a venv left without pip (python3 -m venv failed half-way) is detected and rebuilt"
    else
        bad "half-made venv not repaired"; show halfmade
    fi
else
    skip "half-made venv (could not make a venv without pip with $python_for_venv)"
fi

# -- 2. a second run reuses it, installs nothing and prints nothing ---------------------------

run again 0 pir --version
if [ "$(rc again)" = 0 ] && [ ! -s "$work/again.err" ] && [ "$(cat "$work/again.out")" = "PIR $(
        sed -n 's/^__version__ = "\(.*\)"/\1/p' "$repo/pir/__init__.py")" ]; then
    ok "a second run reuses the venv silently"
else
    bad "second run was not silent or failed"; show again
fi

# -- 3. a venv whose python no longer runs is rebuilt ------------------------------------------

rm -f "$venv/bin/python" "$venv/bin/python3"
ln -s /nonexistent/python3 "$venv/bin/python"
run deadpython 0 pir --version
if [ "$(rc deadpython)" = 0 ] && pip_works; then
    ok "a venv whose python is gone (python upgraded or removed) is rebuilt"
else
    bad "venv with a dead python not repaired"; show deadpython
fi

# -- 4. a changed pyproject.toml installs again; the output stays quiet -------------------------

echo "# changed" >>"$repo/pyproject.toml"
run changed 0 pir --version
lines=$(wc -l <"$work/changed.err")
if [ "$(rc changed)" = 0 ] && [ "$lines" -le 2 ] && ! grep -qi "deprecat\|warning" "$work/changed.err"
then
    ok "a changed pyproject.toml reinstalls, printing $lines line(s) (pip output kept out of sight)"
else
    bad "reinstall after a pyproject change failed or was noisy ($lines lines)"; show changed
fi
if grep -ls "$venv" "${TMPDIR:-/tmp}"/pir-setup.*.log >/dev/null 2>&1; then
    bad "a successful set-up left its log file behind"
else
    ok "a successful set-up removes its log file"
fi

# -- 5-8. missing Debian packages, with Debian's python ----------------------------------------

if [ -z "$debian_python" ]; then
    skip "missing python3-venv cases (need Debian's /usr/bin/python3 >= 3.11 with venv)"
else
    export PIR_PYTHON="$debian_python"

    # 5. not root, python3-venv missing, no venv yet: one line to paste, and no venv made.
    venv="$work/venv5"
    echo python3-venv >"$state/missing"
    echo libgl1 >>"$state/missing"
    run nonroot 1000 pir --version
    hint=$(grep "apt-get install" "$work/nonroot.err" || true)
    if [ "$(rc nonroot)" != 0 ] && [ ! -e "$venv" ] && [ "$(printf '%s\n' "$hint" | wc -l)" = 1 ] &&
       [[ "$hint" == *python3-venv* ]] && [[ "$hint" != *libgl1* ]] && [ ! -f "$state/apt-calls" ]
    then
        ok "not root, python3-venv missing: stops before making a venv, with one line: $hint"
    else
        bad "non-root missing-package case"; show nonroot
    fi

    # 6. `app` needs the Qt libraries too, and names what the tests need: all on one line.
    echo poppler-utils >>"$state/missing"
    run nonroot_app 1000 app
    hint=$(grep "apt-get install" "$work/nonroot_app.err" || true)
    if [ "$(rc nonroot_app)" != 0 ] && [ ! -e "$venv" ] &&
       [ "$(printf '%s\n' "$hint" | wc -l)" = 1 ] &&
       [[ "$hint" == *python3-venv* && "$hint" == *libgl1* && "$hint" == *poppler-utils* ]]; then
        ok "app mode names every missing package on one line: $hint"
    else
        bad "app mode missing-package line"; show nonroot_app
    fi

    # 7. the printed line, pasted as it is, installs them; then the same command works.
    (cd "$work" && FAKE_UID=0 bash -c "$hint") >/dev/null 2>&1
    run after_paste 1000 pir --version
    if [ ! -s "$state/missing" ] && [ "$(rc after_paste)" = 0 ] && pip_works; then
        ok "pasting the printed line installs the packages, and the next run makes a working venv"
    else
        bad "the pasted line did not lead to a working venv"; show after_paste
    fi

    # 8. root: installs the missing packages itself (quietly), then makes the venv.
    venv="$work/venv8"
    rm -f "$state/apt-calls"
    echo python3-venv >"$state/missing"
    "$debian_python" -m venv --without-pip "$venv"  # the trap the issue describes
    run asroot 0 pir --version
    if [ "$(rc asroot)" = 0 ] && pip_works && grep -q "install .*python3-venv" "$state/apt-calls" &&
       [ "$(wc -l <"$work/asroot.err")" -le 4 ] && ! grep -q noise "$work/asroot.err"; then
        ok "as root: installs python3-venv first (apt output kept out of sight), then rebuilds the venv"
    else
        bad "root install case"; show asroot
    fi

    # 9. apt fails: exit 1, the log's path and its last lines are printed, no venv is made.
    venv="$work/venv9"
    echo python3-venv >"$state/missing"
    touch "$state/apt-fails"
    run aptfails 0 pir --version
    logfile=$(sed -n 's/.*whole log is kept in \([^ ]*\) .*/\1/p' "$work/aptfails.err" | head -1)
    if [ "$(rc aptfails)" = 1 ] && [ ! -e "$venv" ] && [ -n "$logfile" ] && [ -f "$logfile" ] &&
       grep -q "Unable to locate" "$logfile" && grep -q "Unable to locate" "$work/aptfails.err"; then
        ok "a failing apt-get stops the set-up and names its log ($logfile)"
    else
        bad "apt failure case"; show aptfails
    fi
    [ -z "$logfile" ] || rm -f "$logfile"
    rm -f "$state/apt-fails"
    : >"$state/missing"
    unset PIR_PYTHON
fi

# -- 10. a PIR_VENV that is not a venv is never deleted -----------------------------------------

venv="$work/not-a-venv"
mkdir -p "$venv"
echo keep >"$venv/precious.txt"
run notvenv 0 pir --version
if [ "$(rc notvenv)" != 0 ] && [ -f "$venv/precious.txt" ]; then
    ok "a PIR_VENV folder that is not a venv is left alone, with a message"
else
    bad "a non-venv folder was touched"; show notvenv
fi

exit "$failed"
