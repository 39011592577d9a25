"""The site served as ``scripts/serve`` serves it, in a child process on a local port, for the
benchmarks (``scripts/bench``), the soak (``scripts/soak``) and the tests that need the real
server (gunicorn, its workers, its sockets)::

    with running_site(index_dir, workers=2, env={"RATE_LIMIT": "off"}) as site:
        site.get("/healthz")          # (200, b'{...}')
        site.url, site.port, site.pid  # http://127.0.0.1:PORT; the gunicorn master

``running_site`` starts gunicorn with ``web/gunicorn.conf.py`` in its own process group, waits
until ``/healthz`` answers (200, or any answer with ``healthy=False``) and every worker is
up, and stops the whole group when the block ends (SIGTERM, then SIGKILL).  If the server
exits or does not answer in time it raises :class:`SiteDidNotStart` with the tail of its logs.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from http.client import HTTPConnection
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVE = ROOT / "scripts" / "serve"
HOST = "127.0.0.1"


class SiteDidNotStart(RuntimeError):
    """The server exited, or did not answer /healthz in time; the message ends with its logs."""


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now (nothing listens on it until someone binds it)."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def get(port: int, path: str, timeout: float = 30) -> tuple[int, bytes]:
    """One GET on a fresh connection (so that consecutive requests may reach any worker)."""
    conn = HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Connection": "close"})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def worker_pids(master: int) -> set[int]:
    """The children of a process (a gunicorn master's workers), from /proc."""
    pids = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                stat = handle.read()
        except OSError:
            continue
        # pid (comm) state ppid ...; comm may hold spaces and parentheses
        if int(stat[stat.rindex(")") + 2 :].split()[1]) == master:
            pids.add(int(entry))
    return pids


def stop_group(process: subprocess.Popen | None, timeout: float = 30) -> None:
    """Stop a process started in its own session, and everything in that session: SIGTERM,
    then SIGKILL if it has not exited within ``timeout`` seconds."""
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    except ProcessLookupError:
        pass


class Site:
    """A running server: its port and base URL, its master process, its logs."""

    def __init__(self, process: subprocess.Popen, port: int, logs: list[Path]):
        self.process = process
        self.port = port
        self.url = f"http://{HOST}:{port}"
        self.logs = logs  # the files its output and error log go to, if any

    @property
    def pid(self) -> int:
        """The gunicorn master's."""
        return self.process.pid

    def get(self, path: str, timeout: float = 30) -> tuple[int, bytes]:
        return get(self.port, path, timeout)

    def workers_now(self) -> set[int]:
        return worker_pids(self.pid)

    def log_tail(self, chars: int = 4000) -> str:
        """The end of each of its log files."""
        tails = []
        for log in self.logs:
            try:
                text = log.read_text(errors="replace")
            except OSError:
                continue
            if len(text) > chars:  # from the first whole line
                text = text[-chars:].partition("\n")[2]
            tails.append(text)
        return "\n".join(tails)

    def wait_ready(self, timeout: float, healthy: bool = True, workers: int | None = None) -> None:
        """Until /healthz answers (200; any status unless ``healthy``) and ``workers`` workers are up."""
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                self._fail(f"the server exited with {self.process.returncode}")
            try:
                status, _ = self.get("/healthz", timeout=5)
                if (status == 200 or not healthy) and len(self.workers_now()) >= (workers or 0):
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                self._fail(
                    f"the server did not answer /healthz{' with 200' if healthy else ''}"
                    + (f" (and have its {workers} workers up)" if workers else "")
                    + f" within {timeout:g} s"
                )
            time.sleep(0.2)

    def _fail(self, what: str) -> None:
        tail = self.log_tail()
        where = ", ".join(map(str, self.logs)) or "no log file: its output went to the caller's"
        raise SiteDidNotStart(f"{what} ({self.url}; logs: {where})" + (f":\n{tail}" if tail.strip() else ""))

    def stop(self, timeout: float = 30) -> None:
        stop_group(self.process, timeout)


@contextmanager
def running_site(
    index_dir: Path | None,
    *,
    port: int | None = None,
    workers: int | None = 2,
    env: dict[str, str | None] | None = None,
    args=(),
    output: Path | None = None,
    healthy: bool = True,
    timeout: float = 60,
    stop_timeout: float = 30,
):
    """``scripts/serve`` on 127.0.0.1, yielding the :class:`Site` once it is ready; stopped at the end.

    ``index_dir``: its INDEX_DIR (None: the caller's environment's); ``port``: None for a
    free one; ``workers``: WEB_WORKERS, waited for at start (None: ``scripts/serve``'s default,
    not waited for; WEB_WORKERS and WEB_CONCURRENCY are never taken from the caller's
    environment); ``env``: more variables for the server, None to remove one; ``args``: more
    gunicorn options; ``output``: a file for its standard output and error (None: the caller's);
    ``healthy``: False to be ready on any answer of /healthz (an index missing: 503);
    ``timeout``: seconds it has to be ready; ``stop_timeout``: seconds it has to stop once told.
    """
    port = free_port() if port is None else port
    server_env = {**os.environ, "PORT": str(port), "HOST": HOST}
    for name in ("WEB_WORKERS", "WEB_CONCURRENCY"):
        server_env.pop(name, None)
    if workers is not None:
        server_env["WEB_WORKERS"] = str(workers)
    if index_dir is not None:
        server_env["INDEX_DIR"] = str(Path(index_dir).absolute())
    for name, value in (env or {}).items():
        if value is None:
            server_env.pop(name, None)
        else:
            server_env[name] = value
    if (ROOT / ".venv" / "bin" / "gunicorn").exists():
        command = [str(SERVE), *args]
    else:  # gunicorn installed elsewhere (a CI image): what scripts/serve runs, with this Python
        command = [sys.executable, "-m", "gunicorn", "--config", "web/gunicorn.conf.py", *args]
    logs = [output] if output is not None else []
    error_log = server_env.get("ERROR_LOG", "-")
    if error_log not in ("", "-"):
        logs.append(Path(error_log))
    out = output.open("wb") if output is not None else None
    try:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=server_env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT if out else None,
            start_new_session=True,
        )
    finally:
        if out is not None:
            out.close()  # the child has its own copy
    site = Site(process, port, logs)
    try:
        site.wait_ready(timeout, healthy, workers)
        yield site
    finally:
        site.stop(stop_timeout)
