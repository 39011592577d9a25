"""``deploy/render-nginx``: a configuration nginx accepts for the documented Debian layout, and a
clear refusal of values that would make a broken or unsafe one."""

import subprocess

import pytest

from ..system_packages import require
from .front import NGINX, RENDER, certificate


@pytest.fixture
def cert(tmp_path):
    require("openssl")
    return certificate(tmp_path)


def render(*args):
    return subprocess.run([str(RENDER), *args], capture_output=True, text=True, timeout=60)


def test_the_site_file_for_debian_is_accepted_by_nginx(cert, tmp_path):
    require("nginx")
    site = tmp_path / "archive.conf"
    done = render(
        "--host",
        "archive.example.org",
        "--replica",
        "10.0.0.11:8000",
        "--replica",
        "10.0.0.12:8000",
        "--certificate",
        str(cert[0]),
        "--key",
        str(cert[1]),
        "--output",
        str(site),
    )
    assert done.returncode == 0, done.stderr
    text = site.read_text()
    assert "server 10.0.0.11:8000 max_fails=1 fail_timeout=5s;" in text and "server 10.0.0.12:8000" in text
    assert "return 301 https://archive.example.org$request_uri;" in text  # port 443: none in the address
    assert "access_log /var/log/nginx/archive.access.log archive;" in text
    # as Debian's nginx.conf includes it: inside http { }, with the logs under the test's folder
    (tmp_path / "logs").mkdir()
    main = tmp_path / "nginx.conf"
    main.write_text(
        f"pid {tmp_path}/nginx.pid; error_log {tmp_path}/logs/error.log; events {{}}\n"
        f"http {{ include /etc/nginx/mime.types; include {site}; }}\n"
    )
    text = site.read_text().replace("/var/log/nginx/", f"{tmp_path}/logs/")
    site.write_text(text)
    checked = subprocess.run([NGINX, "-t", "-p", str(tmp_path), "-c", str(main)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr


@pytest.mark.parametrize(
    "args, message",
    [
        (["--host", "archive example.org"], "--host takes a host name"),
        (["--replica", "10.0.0.11"], "--replica takes HOST:PORT"),
        (["--rate", "lots"], "--rate takes a number of requests"),
        (["--fail-timeout", "5 s;"], "--fail-timeout takes a time"),
        (["--https-port", "70000"], "--https-port takes a port number"),
        (["--static", "/tmp/nothing;here"], "may not hold spaces"),
        (["--certificate", "/nonexistent.pem"], "--certificate: no file"),
    ],
)
def test_bad_values_are_refused_with_a_reason(cert, args, message):
    base = {
        "--host": "archive.example.org",
        "--replica": "10.0.0.11:8000",
        "--certificate": str(cert[0]),
        "--key": str(cert[1]),
    }
    merged = []
    given = dict(zip(args[::2], args[1::2], strict=True))  # option, value
    for name, value in {**base, **given}.items():
        merged += [name, value]
    done = render(*merged)
    assert done.returncode == 2 and message in done.stderr, done.stderr
    assert done.stdout == ""
