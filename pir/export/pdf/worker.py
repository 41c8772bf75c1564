"""A second process that lays out one copy of the PDF: `python -m pir.export.pdf.worker` reads a
pickled RenderJob from stdin and writes the pickled RenderedPdf (or the error) to stdout.

The bundle uses it to lay out the redacted copy beside the full one. It is started before the
job is ready, so it loads ReportLab and the fonts meanwhile. The export travels through the
pipe only: nothing is written to disk, and the signing key never leaves the parent.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO, Any

from pir.errors import PirError

# Set in the worker's environment. A frozen (PyInstaller) build has no interpreter to run
# `-m` with: it starts its own executable, whose entry point must then run `main()` here and
# exit (see run_if_asked) and say so by setting RUNS_LAYOUT_WORKER = True in its module.
ENV_WORKER = "PIR_LAYOUT_WORKER"
# Secrets the worker never needs: the layout gets the export, not the keys to the database or
# the signing key, so they are not passed on in its environment.
SECRET_ENV = ("PIR_PASSPHRASE", "PIR_SIGNING_PIN", "PIR_IDENTITY_PASSWORD")


def available() -> bool:
    """Whether a worker can be started: always from source; from a frozen build only when its
    entry point runs the worker (otherwise it would start a second copy of the app)."""
    if not getattr(sys, "frozen", False):
        return True
    return bool(getattr(sys.modules.get("__main__"), "RUNS_LAYOUT_WORKER", False))


def command() -> list[str]:
    if getattr(sys, "frozen", False):
        return [sys.executable]
    return [sys.executable, "-m", "pir.export.pdf.worker"]


def run_if_asked() -> None:
    """For an entry point: when this process was started as the layout worker, be it and
    exit. (Cheap: it imports nothing unless it is one.)"""
    if os.environ.get(ENV_WORKER) == "1":
        sys.exit(main())


class WorkerError(PirError):
    """The worker process failed to start or died: the caller lays the copy out itself."""


class LayoutWorker:
    """The worker process, started at once; `render(job)` sends the job and `result()` waits."""

    def __init__(self) -> None:
        package_root = str(Path(__file__).resolve().parents[3])
        env = {k: v for k, v in os.environ.items() if k not in SECRET_ENV}
        env["PYTHONPATH"] = os.pathsep.join(
            [package_root, *filter(None, [env.get("PYTHONPATH")])])
        env[ENV_WORKER] = "1"
        try:
            # Its own session: where the scheduler shares the CPU between sessions (Linux
            # autogroups), a worker in ours would only split our share on a busy machine
            # instead of using the second core. The parent stops it on any failure or interrupt.
            self.proc = subprocess.Popen(
                command(), stdin=subprocess.PIPE,
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                start_new_session=True)
        except OSError as exc:
            raise WorkerError(f"could not start the layout worker: {exc}") from None
        self._sender: threading.Thread | None = None
        self._sent = False

    def render(self, job: Any) -> None:
        data = pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL)
        # Written from a thread: the worker reads only once its imports are done.
        self._sender = threading.Thread(target=_send, args=(self.proc.stdin, data),
                                        daemon=True)
        self._sender.start()
        self._sent = True

    def result(self) -> Any:
        """The RenderedPdf; WorkerError if the worker failed in any way (the caller then lays
        the copy out itself, which raises the layout's own error if there is one)."""
        if not self._sent:
            raise WorkerError("no job was sent to the layout worker")
        if self._sender is not None:
            self._sender.join()  # the job is all sent (or the worker died)
        self.proc.stdin = None  # closed by the sender; communicate() must not flush it
        out, err = self.proc.communicate()
        if self.proc.returncode != 0 or not out:
            detail = err.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
            raise WorkerError(f"the layout worker failed ({detail[0]})")
        try:
            ok, value = pickle.loads(out)
        except Exception as exc:  # noqa: BLE001 (any unreadable answer is the same failure)
            raise WorkerError(f"the layout worker's answer was unreadable ({exc})") from None
        if not ok:
            raise WorkerError(f"the layout failed in the worker ({value})")
        return value

    def close(self) -> None:
        """Stops the worker if it is still running (an export that failed meanwhile)."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if stream is not None and not stream.closed:
                stream.close()


def _send(stream: IO[bytes] | None, data: bytes) -> None:
    if stream is None:
        return
    try:
        stream.write(data)
        stream.close()
    except (BrokenPipeError, OSError, ValueError):
        pass  # the worker died; result() says so


def main() -> int:
    from pir.export.pdf.export import render_job
    from pir.export.pdf.fonts import register_fonts

    register_fonts()  # before the job arrives
    job = pickle.loads(sys.stdin.buffer.read())
    try:
        answer: tuple[bool, Any] = (True, render_job(job))
    except Exception as exc:  # noqa: BLE001 (reported to the parent, which lays it out itself)
        answer = (False, f"{type(exc).__name__}: {exc}")
    sys.stdout.buffer.write(pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL))
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
