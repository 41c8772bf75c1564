#!/usr/bin/env bash
# Builds PIR for Linux from a clone:
#   dist/PIR/                         the one-folder PyInstaller bundle (pir-desktop, pir)
#   dist/PIR-VERSION-linux-ARCH.tar.gz  the same folder as a tarball
#   dist/pir_VERSION-1_ARCH.deb       the Debian package (installer/linux/make-deb.sh)
# and runs the bundled `pir self-test`. Usage: bash installer/build.sh [--no-deb]
#
# What it needs is set up first by `installer/dev-env.sh setup build`: as root it installs the
# Debian packages (binutils for objdump, the shared libpython, the Qt libraries PyInstaller's
# hooks load), otherwise it prints the one apt-get line to run. Output is quiet; PyInstaller's
# log is kept in dist/build.log.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${PIR_VENV:-$root/.venv}"
make_deb=1
[ "${1:-}" = "--no-deb" ] && make_deb=0

say() { echo "pir build: $*" >&2; }

bash "$root/installer/dev-env.sh" setup build
cd "$root"
mkdir -p dist
log="$root/dist/build.log"
say "PyInstaller: building dist/PIR (a few minutes; log in $log)"
started=$(date +%s)
if ! "$venv/bin/python" -m PyInstaller --noconfirm --clean --log-level WARN \
        --distpath dist --workpath build/pyinstaller installer/pir.spec >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    say "FAILED: PyInstaller (the whole log is in $log)"
    exit 1
fi
say "bundle built in $(( $(date +%s) - started )) s: $(du -sh dist/PIR | cut -f1)"

# The bundle must work on its own: no display, no network, no venv.
if ! env -i HOME="${HOME:-/tmp}" PATH=/usr/bin:/bin QT_QPA_PLATFORM=offscreen \
        dist/PIR/pir self-test >dist/self-test.txt 2>&1; then
    cat dist/self-test.txt >&2
    say "FAILED: the bundled pir self-test"
    exit 1
fi
say "bundled pir self-test: $(tail -n 1 dist/self-test.txt)"

version=$("$venv/bin/python" -c 'import pir; print(pir.__version__)')
tarball="dist/PIR-$version-linux-$(uname -m).tar.gz"
tar -C dist -czf "$tarball" PIR
say "wrote $tarball"

if [ "$make_deb" = 1 ]; then
    if command -v dpkg-deb >/dev/null 2>&1; then
        bash installer/linux/make-deb.sh dist/PIR "$version" dist
    else
        say "no dpkg-deb here: the .deb is not built"
    fi
fi
