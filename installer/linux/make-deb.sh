#!/usr/bin/env bash
# Packs the PyInstaller bundle into a Debian package with dpkg-deb (no debhelper needed):
#   /opt/pir/                        the bundle (pir, pir-desktop, _internal/)
#   /usr/bin/pir, /usr/bin/pir-desktop  links into it
#   /usr/share/applications/pir.desktop and the hicolor icons (menu entry)
#   /usr/share/doc/pir/copyright
# Depends: every Debian package holding a shared library the bundle loads from the system
# (found with ldd and dpkg -S on the build machine), plus the few listed under "always".
# Usage: bash installer/linux/make-deb.sh BUNDLE_DIR VERSION OUT_DIR
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
bundle="$(cd "$1" && pwd)"
version="$2"
out="$3"
arch=$(dpkg --print-architecture)
deb="$out/pir_${version}-1_${arch}.deb"

say() { echo "pir build: $*" >&2; }

for exe in pir pir-desktop; do
    [ -x "$bundle/$exe" ] || { say "FAILED: $bundle/$exe is missing"; exit 1; }
done

# -- Depends: the system libraries the bundle's ELF files link to ------------------------------
# The GTK platform theme plugin is left out: it only loads on a GTK desktop, which has GTK.
ldd_all=$(find "$bundle" -path '*/plugins/platformthemes' -prune -o \
               -type f \( -name '*.so*' -o -perm -u+x \) -print | while IFS= read -r f; do
    [ "$(head -c 4 "$f" | od -An -tx1 | tr -d ' \n')" = 7f454c46 ] || continue  # ELF files
    LD_LIBRARY_PATH="$bundle/_internal" ldd "$f" 2>/dev/null || true
done)
libs=$(sed -n 's/.*=> \(\/[^ ]*\) (0x.*/\1/p' <<<"$ldd_all" | { grep -v "^$bundle/" || true; } | sort -u)
missing=$(sed -n 's/^[[:space:]]*\([^ ]*\) => not found/\1/p' <<<"$ldd_all" | sort -u | paste -sd' ')
packages=()
unowned=()
while IFS= read -r lib; do
    [ -n "$lib" ] || continue
    owner=$(dpkg -S "$lib" 2>/dev/null || dpkg -S "$(readlink -f "$lib")" 2>/dev/null || true)
    if [ -n "$owner" ]; then
        packages+=("$(echo "$owner" | head -1 | cut -d: -f1)")
    else
        unowned+=("$lib")
    fi
done <<<"$libs"
[ ${#unowned[@]} = 0 ] || say "note: the bundle links to ${unowned[*]}, which no Debian package" \
    "on this build machine installed, so the .deb cannot ask for it (Depends): the target machine" \
    "must have it some other way."
[ -z "$missing" ] || say "note: some of the bundle's optional plugins need libraries this build" \
    "machine does not have ($missing). The .deb asks for them only if they are in the fixed list" \
    "below; otherwise those plugins are simply not used on the target. Nothing to do unless one is" \
    "needed."
# Always, whatever the build machine has: libxkbcommon is bundled but reads the keyboard maps of
# xkb-data, which libxkbcommon0 brings; fontconfig brings its configuration and a font; GL, EGL
# and the Wayland client libraries are never bundled.
always=(fontconfig libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libwayland-client0
        libwayland-cursor0 libwayland-egl1)
depends=$(printf '%s\n' "${packages[@]}" "${always[@]}" | sort -u | paste -sd, | sed 's/,/, /g')

# -- the tree -----------------------------------------------------------------------------------
stage=$(mktemp -d "${TMPDIR:-/tmp}/pir-deb.XXXXXX")
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/DEBIAN" "$stage/opt" "$stage/usr/bin" "$stage/usr/share/applications" \
         "$stage/usr/share/icons/hicolor/256x256/apps" "$stage/usr/share/icons/hicolor/scalable/apps" \
         "$stage/usr/share/doc/pir"
cp -a "$bundle" "$stage/opt/pir"
ln -s /opt/pir/pir "$stage/usr/bin/pir"
ln -s /opt/pir/pir-desktop "$stage/usr/bin/pir-desktop"
install -m 644 "$here/pir.desktop" "$stage/usr/share/applications/pir.desktop"
install -m 644 "$root/resources/icons/pir.png" "$stage/usr/share/icons/hicolor/256x256/apps/pir.png"
install -m 644 "$root/resources/icons/pir.svg" "$stage/usr/share/icons/hicolor/scalable/apps/pir.svg"
{
    echo "PIR, the post-incident recorder. Proprietary (LicenseRef-Proprietary): see the force's"
    echo "licence agreement. The bundle includes third-party components under their own licences"
    echo "(Qt/PySide6: LGPLv3; SQLCipher and OpenSSL; ReportLab; pyHanko; Python); their licence"
    echo "texts are inside /opt/pir/_internal. The DejaVu fonts' licence follows."
    echo
    cat "$root/resources/fonts/LICENSE"
} >"$stage/usr/share/doc/pir/copyright"
chmod -R u+rwX,go+rX,go-w "$stage"
installed_kb=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
cat >"$stage/DEBIAN/control" <<CONTROL
Package: pir
Version: ${version}-1
Architecture: ${arch}
Maintainer: PIR maintainers <pir@localhost>
Installed-Size: ${installed_kb}
Depends: ${depends}
Section: misc
Priority: optional
Homepage: https://localhost/pir
Description: post-incident recorder for UK police post-incident procedures
 PIR walks a Post-Incident Manager through the post-incident procedure, keeps
 the record in an encrypted, append-only, hash-chained local database and
 exports a signed PDF log. Works offline. Includes the pir command line
 (pir self-test checks an installation).
CONTROL

mkdir -p "$out"
rm -f "$deb"
dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >/dev/null
say "wrote $deb ($(du -h "$deb" | cut -f1); Depends: $depends)"
