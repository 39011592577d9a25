"""nginx from Debian in front of replicas, as the deployment runs it, for the tests: a certificate
made by openssl, the configuration rendered by ``deploy/render-nginx`` into a folder of its own
(pid, logs and temporary files in it), and HTTPS connections that name the site's host."""

import http.client
import socket
import ssl
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

from web.served import HOST, free_port, stop_group

from ..system_packages import require

ROOT = Path(__file__).resolve().parent.parent.parent
RENDER = ROOT / "deploy" / "render-nginx"
NGINX = "/usr/sbin/nginx"
SITE_HOST = "archive.test"


def certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for SITE_HOST, made by openssl for the test."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-subj",
            f"/CN={SITE_HOST}",
            "-addext",
            f"subjectAltName=DNS:{SITE_HOST}",
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


class Front:
    """A running nginx: its ports, certificate and logs."""

    def __init__(self, prefix: Path, process: subprocess.Popen, http_port: int, https_port: int, cert: Path):
        self.prefix, self.process = prefix, process
        self.http_port, self.https_port, self.cert = http_port, https_port, cert
        self.access_log = prefix / "logs" / "access.log"
        self.error_log = prefix / "logs" / "error.log"

    def context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(cafile=str(self.cert))
        return context

    def connection(self, timeout: float = 15) -> "SiteConnection":
        return SiteConnection(SITE_HOST, self.https_port, timeout=timeout, context=self.context())

    def get(self, path: str, headers=None, timeout: float = 15) -> tuple[int, dict, bytes]:
        conn = self.connection(timeout)
        try:
            conn.request("GET", path, headers=headers or {})
            answer = conn.getresponse()
            return answer.status, {k.lower(): v for k, v in answer.getheaders()}, answer.read()
        finally:
            conn.close()


class SiteConnection(http.client.HTTPSConnection):
    """HTTPS to nginx on 127.0.0.1, naming the site's host in TLS (SNI) and in ``Host``."""

    def connect(self):
        sock = socket.create_connection((HOST, self.port), self.timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


@contextmanager
def running_nginx(folder: Path, replicas: list[int], **options):
    """nginx with the rendered configuration on free loopback ports, in front of the replicas on
    these ports; ``options``: more ``deploy/render-nginx`` options (``rate="100r/s"``...)."""
    require("nginx", "openssl")
    folder.mkdir(parents=True, exist_ok=True)
    cert, key = certificate(folder)
    http_port, https_port = free_port(), free_port()
    prefix = folder / "nginx"
    args = [
        str(RENDER),
        "--host",
        SITE_HOST,
        "--certificate",
        str(cert),
        "--key",
        str(key),
        "--listen",
        HOST,
        "--http-port",
        str(http_port),
        "--https-port",
        str(https_port),
        "--prefix",
        str(prefix),
    ]
    for port in replicas:
        args += ["--replica", f"{HOST}:{port}"]
    for name, value in options.items():
        args += [f"--{name.replace('_', '-')}", str(value)]
    subprocess.run(args, check=True, capture_output=True)
    conf = prefix / "nginx.conf"
    checked = subprocess.run([NGINX, "-t", "-p", str(prefix), "-c", str(conf)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    process = subprocess.Popen(
        [NGINX, "-p", str(prefix), "-c", str(conf), "-g", "daemon off;"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    front = Front(prefix, process, http_port, https_port, cert)
    try:
        deadline = time.monotonic() + 20
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"nginx exited with {process.returncode}: {process.stderr.read().decode()}")
            try:
                with socket.create_connection((HOST, https_port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("nginx did not listen within 20 s") from None
                time.sleep(0.1)
        yield front
    finally:
        stop_group(process, timeout=10)
