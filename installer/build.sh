#!/usr/bin/env bash
# Builds the one-folder PIR bundle (dist/PIR/) and a tarball of it, using the project's venv.
# On the target Linux machine the bundle still needs: libgl1 libegl1 fontconfig-config.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${PIR_VENV:-$root/.venv}"
bash "$root/installer/dev-env.sh" pir --version >/dev/null  # creates/updates the venv
"$venv/bin/python" -m pip install -q -e "$root[installer]"
cd "$root"
"$venv/bin/python" -m PyInstaller --noconfirm --clean --distpath dist --workpath build \
    installer/pir.spec
version=$("$venv/bin/python" -c 'import pir; print(pir.__version__)')
tar -C dist -czf "dist/PIR-$version-linux-$(uname -m).tar.gz" PIR
echo "Built dist/PIR (run dist/PIR/pir-desktop or dist/PIR/pir) and the tarball beside it."
