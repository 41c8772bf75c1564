"""The set-up script, `pir self-test`, the packaging files, the bundle and the .deb.

Fast:
- tests/setup/test_dev_env.sh: dev-env.sh repairs broken venvs and handles missing Debian
  packages, in a temporary copy with fake dpkg-query/apt-get;
- `pir self-test` passes offline with no display, cleans up, and reports the first problem;
- the PyInstaller spec, the Inno Setup script, the .deb script and the desktop entry name the
  same executables; the licence string builds without setuptools' deprecation warning.
Slow (a few minutes, run every time): installer/build.sh from a clean clone of the committed
tree, the bundled `pir --version` / `pir self-test`, a grep of the bundle for developer paths
and tests, then the README's laptop commands against the built .deb (root only).
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from pir.cli import main

ROOT = Path(__file__).resolve().parents[1]


def spec_executables() -> tuple[dict[str, str], str]:
    tree = ast.parse((ROOT / "installer" / "pir.spec").read_text("utf-8"))
    values = {}
    for node in tree.body:
        if (isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
                and node.targets[0].id in ("EXECUTABLES", "BUNDLE")):
            values[node.targets[0].id] = ast.literal_eval(node.value)
    return values["EXECUTABLES"], values["BUNDLE"]


# What the pytest run put in its own environment and a started build or install must not see:
# another tree on PYTHONPATH would be bundled or run instead of the one under test.
LEAKY = ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "PYTHONUSERBASE", "VIRTUAL_ENV",
         "PIR_VENV")


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in LEAKY}
    env.update(extra)
    return env


def test_started_processes_get_no_python_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHONPATH", "/elsewhere")
    monkeypatch.setenv("VIRTUAL_ENV", "/elsewhere/venv")
    env = clean_env(LANG="C.UTF-8")
    assert not set(LEAKY) & set(env) and env["LANG"] == "C.UTF-8"


# -- the set-up script ---------------------------------------------------------------------------

@pytest.mark.timeout(600)
def test_dev_env_script_repairs_venvs_and_asks_for_packages_on_one_line() -> None:
    if shutil.which("bash") is None:
        pytest.skip("no bash here")
    result = subprocess.run(["bash", str(ROOT / "tests" / "setup" / "test_dev_env.sh")],
                            env=clean_env(), capture_output=True, text=True, timeout=590)
    report = result.stdout + result.stderr
    print(report)
    assert result.returncode == 0, report
    assert "FAIL" not in result.stdout
    if not re.search(r"^ok - ", result.stdout, re.M):
        pytest.skip(f"no case could run here:\n{report}")
    for line in result.stdout.splitlines():
        if line.startswith("skip - "):
            print(f"skipped case: {line[7:]}")


def test_dev_env_script_is_shellcheck_clean() -> None:
    if shutil.which("shellcheck") is None:
        pytest.skip("shellcheck is not installed (apt-get install shellcheck)")
    scripts = [ROOT / "installer" / "dev-env.sh", ROOT / "installer" / "build.sh",
               ROOT / "installer" / "linux" / "make-deb.sh", ROOT / ".ci" / "run",
               ROOT / "tests" / "setup" / "test_dev_env.sh"]
    result = subprocess.run(["shellcheck", *map(str, scripts)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


# -- pir self-test -------------------------------------------------------------------------------

@pytest.fixture
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """tempfile's folder is an empty one of our own, so leftovers can be seen."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def test_self_test_passes_offline_without_a_display(private_tmp: Path, capsys,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*args, **kwargs):
        raise AssertionError("self-test tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("PIR_DB", raising=False)
    monkeypatch.delenv("PIR_PASSPHRASE", raising=False)
    assert main(["self-test"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[-1].startswith("PASS"), out
    from pir.procedures.loader import load_templates

    for template_id in load_templates():
        assert any(ln.startswith(f"ok   {template_id}: ") and "both VALID" in ln
                   for ln in lines), out
    assert all(re.search(r"\(\d+\.\d\d s\)$", ln) for ln in lines[1:]), out
    assert list(private_tmp.iterdir()) == [], "the temporary database was left behind"


def test_self_test_stops_at_the_first_problem(private_tmp: Path, capsys,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from pir.export import verify

    real = verify.verify_file

    def damaged(path: Path, *args, **kwargs):
        result = real(path, *args, **kwargs)
        if path.suffix == ".pdf":
            result.fail("signature: the content does not match the signature")
        return result

    monkeypatch.setattr(verify, "verify_file", damaged)
    assert main(["self-test"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1].startswith("FAIL ") and "did not verify" in lines[-1], lines
    assert "content does not match" in lines[-1]
    assert not any(ln.startswith("PASS") for ln in lines)
    assert list(private_tmp.iterdir()) == []


def test_self_test_in_a_fresh_interpreter_loads_no_qt() -> None:
    code = ("import sys; from pir.cli import main; rc = main(['self-test']); "
            "assert not any(m.startswith('PySide6') for m in sys.modules), 'Qt was loaded'; "
            "sys.exit(rc)")
    env = {k: v for k, v in clean_env().items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=110)
    assert result.returncode == 0, result.stdout + result.stderr


# -- the packaging files agree -------------------------------------------------------------------

def test_spec_inno_script_deb_and_desktop_entry_name_the_same_programs() -> None:
    executables, bundle = spec_executables()
    assert set(executables) == {"pir", "pir-desktop"}
    for script in executables.values():
        assert (ROOT / script).is_file(), script
    iss = (ROOT / "installer" / "windows" / "pir.iss").read_text("utf-8")
    code = "\n".join(ln for ln in iss.splitlines() if not ln.lstrip().startswith(";"))
    assert re.search(r'#define Bundle "\.\.\\\.\.\\dist\\' + re.escape(bundle) + '"', code)
    sources = set(re.findall(r'Source: "\{#Bundle\}\\([^"\\*]+\.exe)"', code))
    assert sources == {f"{name}.exe" for name in executables}, sources
    assert re.search(r'Source: "\{#Bundle\}\\_internal\\\*".*recursesubdirs', code)
    referenced = set(re.findall(r"\{app\}\\([\w.-]+\.exe)", code))
    assert referenced <= sources and referenced, referenced
    assert 'Name: "{group}\\PIR"; Filename: "{app}\\pir-desktop.exe"' in code  # Start menu
    deb = (ROOT / "installer" / "linux" / "make-deb.sh").read_text("utf-8")
    assert re.search(r"for exe in (.*); do", deb).group(1).split() == sorted(executables)
    for name in executables:
        assert f"ln -s /opt/pir/{name} " in deb
    desktop = (ROOT / "installer" / "linux" / "pir.desktop").read_text("utf-8")
    assert re.search(r"^Exec=pir-desktop$", desktop, re.M)
    assert re.search(r"^Icon=pir$", desktop, re.M)
    for icon in ("pir.png", "pir.svg", "pir.ico"):
        assert (ROOT / "resources" / "icons" / icon).is_file()


def test_windows_uninstall_leaves_users_data() -> None:
    iss = (ROOT / "installer" / "windows" / "pir.iss").read_text("utf-8")
    code = [ln for ln in iss.splitlines() if not ln.lstrip().startswith(";")]
    section, deleted = "", []
    for line in code:
        if re.match(r"^\[\w+\]$", line.strip()):
            section = line.strip()
        elif section == "[UninstallDelete]" and line.strip():
            deleted.append(line)
    assert deleted and all('Name: "{app}' in ln for ln in deleted), deleted
    for constant in ("{localappdata}", "{userappdata}", "{commonappdata}", "{%USERPROFILE"):
        assert constant not in "\n".join(code).lower()


def test_licence_is_an_spdx_string_and_builds_without_deprecation_warnings(tmp_path) -> None:
    import tomllib

    data = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    assert isinstance(data["project"]["license"], str)
    assert any(re.fullmatch(r"setuptools>=(\d+)", r) and int(r.split(">=")[1]) >= 77
               for r in data["build-system"]["requires"])
    # Builds a wheel the way pip install does (isolated, newest setuptools >= 77), from a copy
    # holding the metadata and empty packages, so the clone gets no build/ or egg-info folders.
    src = tmp_path / "src"
    for package in ("pir", "ui"):
        (src / package).mkdir(parents=True)
        (src / package / "__init__.py").write_text("")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    result = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-v",
                             "--disable-pip-version-check", "-w", str(tmp_path / "wheel"),
                             str(src)], env=clean_env(), capture_output=True, text=True,
                            timeout=110)
    if result.returncode != 0 and "No matching distribution" in result.stdout + result.stderr:
        pytest.skip("setuptools>=77 cannot be fetched here (no package index)")
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    output = result.stdout + result.stderr
    assert "SetuptoolsDeprecationWarning" not in output, output
    assert "License classifiers are deprecated" not in output
    assert "`project.license` as a TOML table is deprecated" not in output


# -- slow: the real bundle and the .deb --------------------------------------------------------

def _run(cmd: list[str] | str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A clean clone of the committed tree, built with installer/build.sh (own venv)."""
    assert shutil.which("git"), "git is needed to make a clean clone (installer/dev-env.sh test)"
    clone = tmp_path_factory.mktemp("build") / "pir"
    _run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    env = clean_env()
    started = time.monotonic()
    result = _run(["bash", "installer/build.sh"], cwd=clone, env=env, timeout=2400)
    print(f"installer/build.sh: {time.monotonic() - started:.0f} s\n{result.stderr}")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return clone


@pytest.mark.timeout(2700)
def test_bundle_runs_self_test_and_holds_no_tests_or_developer_paths(built: Path) -> None:
    bundle = built / "dist" / "PIR"
    env = {"PATH": "/usr/bin:/bin", "HOME": str(built), "LANG": "C.UTF-8"}  # no venv, no display
    for args, expect in ((["--version"], "PIR "), (["self-test"], "PASS")):
        started = time.monotonic()
        result = _run([str(bundle / "pir"), *args], env=env, timeout=300)
        print(f"bundled pir {' '.join(args)}: {time.monotonic() - started:.2f} s")
        assert result.returncode == 0 and expect in result.stdout, result.stdout + result.stderr
    size = sum(p.stat().st_size for p in bundle.rglob("*") if p.is_file() and not p.is_symlink())
    print(f"bundle size: {size / 1e6:.0f} MB")
    # No test code: no tests folder, no test_*.py, no pytest.
    names = [str(p.relative_to(bundle)) for p in bundle.rglob("*")]
    assert not [n for n in names if re.search(r"(^|/)(tests?|pytest|_pytest)(/|$)|test_\w+\.py",
                                              n)]
    # No developer paths: neither the clone's nor the developer checkout's. Qt's libraries carry
    # their own build machine's paths (/home/qt/work/...), which name no PIR machine.
    hits = _run(["grep", "-raoE", r"[^[:space:]'\"]{0,40}(/work/|tests/)[^[:space:]'\"]{0,40}",
                 str(bundle)]).stdout.splitlines()
    ours = [h for h in hits if "/home/qt/work/" not in h]
    assert not ours, ours[:20]
    for path in (str(built), str(ROOT)):
        found = _run(["grep", "-rlaF", path, str(bundle)]).stdout.split()
        assert not found, f"{path} is written into {found[:5]}"


def laptop_commands() -> list[str]:
    from tests.test_readme import RUN_BY_INSTALLER_TEST, commands, section_block

    return commands(section_block(RUN_BY_INSTALLER_TEST))


@pytest.mark.timeout(2700)
def test_deb_installs_runs_self_test_and_removes_cleanly(built: Path) -> None:
    for tool in ("dpkg-deb", "apt", "dpkg-query"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed: the .deb is not built or cannot be installed")
    if os.geteuid() != 0:
        pytest.skip("installing a .deb needs root")
    leftovers = ["/opt/pir", "/usr/bin/pir", "/usr/bin/pir-desktop",
                 "/usr/share/applications/pir.desktop",
                 "/usr/share/icons/hicolor/256x256/apps/pir.png"]
    if any(os.path.lexists(p) for p in leftovers) or _run(
            ["dpkg-query", "-W", "pir"]).returncode == 0:
        pytest.skip("a pir package or /opt/pir is already on this machine; not touching it")
    debs = sorted((built / "dist").glob("pir_*.deb"))
    assert len(debs) == 1, debs
    info = _run(["dpkg-deb", "--field", str(debs[0]), "Depends"], check=True).stdout
    for needed in ("libgl1", "libegl1", "fontconfig", "libxkbcommon0"):
        assert re.search(rf"(^|, ){re.escape(needed)}(,|$)", info.strip()), info
    # apt reads the .deb as its unprivileged _apt user: a world-readable folder, as on a laptop.
    folder = Path(tempfile.mkdtemp(prefix="pir-deb-"))
    os.chmod(folder, 0o755)
    shutil.copy2(debs[0], folder)
    os.chmod(folder / debs[0].name, 0o644)
    apt_conf = folder / "apt.conf"
    apt_conf.write_text('APT::Get::Assume-Yes "true";\n')  # answers apt's "continue?" prompt
    env = clean_env(APT_CONFIG=str(apt_conf), DEBIAN_FRONTEND="noninteractive")
    env["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin"  # the installed pir, not the venv's
    try:
        outputs = []
        for command in laptop_commands():
            started = time.monotonic()
            result = _run(["bash", "-c", command], cwd=folder, env=env, timeout=900)
            print(f"{command}: exit {result.returncode}, {time.monotonic() - started:.1f} s")
            assert result.returncode == 0, f"{command}\n{result.stdout[-3000:]}{result.stderr}"
            outputs.append(result.stdout)
            if command.startswith("apt install"):
                assert Path("/usr/bin/pir").resolve() == Path("/opt/pir/pir")
                assert Path("/usr/share/applications/pir.desktop").is_file()
        assert any(o.splitlines()[-1].startswith("PASS") for o in outputs if o.strip())
        status = _run(["dpkg-query", "-W", "-f=${db:Status-Status}", "pir"]).stdout
        assert status in ("", "not-installed", "config-files"), status
        left = [p for p in leftovers if os.path.lexists(p)]
        assert not left, f"left behind after apt remove: {left}"
    finally:
        if _run(["dpkg-query", "-W", "pir"]).returncode == 0:
            _run(["apt-get", "purge", "-y", "-q", "pir"], env=env)
        shutil.rmtree(folder, ignore_errors=True)
