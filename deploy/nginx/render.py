"""Render the nginx configuration of the archive site from its template (``site.conf.j2``, and
``nginx.conf.j2`` with ``--prefix``): the public host name, the replicas, the ports, the
certificate and the folder of static files are filled in; nothing else needs editing.

Debian (nginx from apt, its own /etc/nginx/nginx.conf including sites-enabled/)::

    deploy/render-nginx --host archive.example.org --replica 10.0.0.11:8000 --replica 10.0.0.12:8000 \\
        --certificate /etc/ssl/archive/fullchain.pem --key /etc/ssl/archive/privkey.pem \\
        --output /etc/nginx/sites-available/archive.conf

nginx on its own (a test, or no root), everything under one folder::

    deploy/render-nginx ... --listen 127.0.0.1 --https-port 8443 --http-port 8080 --prefix /tmp/front
    nginx -p /tmp/front -c /tmp/front/nginx.conf
"""

import argparse
import datetime as dt
import os
import pwd
import re
import sys
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
RATE = re.compile(r"^\d+r/[sm]$")
TIME = re.compile(r"^\d+(ms|s|m)?$")
HOST = re.compile(r"^(?=.{1,253}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$")
REPLICA = re.compile(r"^([a-z0-9.-]+|\[[0-9a-f:]+\]):\d{1,5}$|^unix:/[^\s;{}]+$")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="deploy/render-nginx",
        description=(
            "Render the nginx configuration of the archive site: a site file for nginx's http context, "
            "and with --prefix a whole nginx.conf for nginx -p PREFIX -c PREFIX/nginx.conf."
        ),
    )
    p.add_argument("--host", required=True, help="the public host name (archive.example.org)")
    p.add_argument(
        "--replica",
        action="append",
        required=True,
        metavar="HOST:PORT",
        help="a replica's address (scripts/serve's HOST and PORT); repeat for each",
    )
    p.add_argument("--certificate", required=True, help="TLS certificate chain (PEM)")
    p.add_argument("--key", required=True, help="its private key (PEM)")
    p.add_argument("--listen", default="", metavar="ADDRESS", help="address nginx listens on (all of them)")
    p.add_argument("--http-port", type=int, default=80, help="plain HTTP, which redirects to HTTPS (80)")
    p.add_argument("--https-port", type=int, default=443, help="HTTPS (443)")
    p.add_argument(
        "--static",
        default=str(ROOT / "web" / "static"),
        help="the site's static files, from the same release as the replicas (web/static of this checkout)",
    )
    p.add_argument("--rate", default="20r/s", help="requests a second (r/s) or minute (r/m) per client address (20r/s)")
    p.add_argument("--burst", type=int, default=100, help="requests over the rate a client may make at once (100)")
    p.add_argument("--connections", type=int, default=100, help="requests in progress per client address (100)")
    p.add_argument("--max-fails", type=int, default=1, help="failures that take a replica out (1)")
    p.add_argument("--fail-timeout", default="5s", help="for how long it is out, then tried again (5s)")
    p.add_argument("--read-timeout", default="15s", help="a replica's time to answer before the next is tried (15s)")
    p.add_argument("--access-log", help="access log file (/var/log/nginx/archive.access.log; PREFIX/logs/access.log)")
    p.add_argument("--output", "-o", help="the site file to write (standard output; PREFIX/archive.conf with --prefix)")
    p.add_argument("--prefix", help="also write PREFIX/nginx.conf, with every file nginx writes under PREFIX")
    return p


def check(p: argparse.ArgumentParser, args) -> None:
    if not HOST.match(args.host.lower()):
        p.error(f"--host takes a host name such as archive.example.org, not {args.host!r}")
    for replica in args.replica:
        if not REPLICA.match(replica.lower()):
            p.error(f"--replica takes HOST:PORT (or unix:/path), not {replica!r}")
    if not RATE.match(args.rate):
        p.error(f"--rate takes a number of requests a second or a minute (20r/s, 300r/m), not {args.rate!r}")
    for name in ("fail_timeout", "read_timeout"):
        if not TIME.match(getattr(args, name)):
            p.error(f"--{name.replace('_', '-')} takes a time such as 5s, not {getattr(args, name)!r}")
    for name in ("http_port", "https_port"):
        if not 0 < getattr(args, name) < 65536:
            p.error(f"--{name.replace('_', '-')} takes a port number")
    if min(args.burst, args.connections, args.max_fails) < 0 or args.connections == 0:
        p.error("--burst, --connections and --max-fails take whole numbers (--connections above 0)")
    if re.search(
        r"[\s;{}'\"$]",
        "".join([args.certificate, args.key, args.static, args.listen, args.access_log or "", args.prefix or ""]),
    ):
        p.error("paths and the address may not hold spaces, quotes, ';', '{', '}' or '$'")
    for name in ("certificate", "key"):
        if not Path(getattr(args, name)).is_file():
            p.error(f"--{name}: no file {getattr(args, name)}")
    if not Path(args.static, "site.css").is_file():
        p.error(f"--static: {args.static} does not hold the site's static files (no site.css)")


def render(args) -> dict[Path | None, str]:
    """The files to write (None: standard output) and their text."""
    env = Environment(
        loader=FileSystemLoader(HERE),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    prefix = Path(args.prefix).absolute() if args.prefix else None
    site_file = Path(args.output).absolute() if args.output else (prefix / "archive.conf" if prefix else None)
    access_log = args.access_log or (f"{prefix}/logs/access.log" if prefix else "/var/log/nginx/archive.access.log")
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    values = {
        "rendered_by": f"deploy/render-nginx, {stamp}",
        "host": args.host.lower(),
        "replicas": args.replica,
        "listen": f"{args.listen}:" if args.listen else "",
        "http_port": args.http_port,
        "https_port": args.https_port,
        "https_suffix": "" if args.https_port == 443 else f":{args.https_port}",
        "certificate": str(Path(args.certificate).absolute()),
        "certificate_key": str(Path(args.key).absolute()),
        "static": str(Path(args.static).absolute()).rstrip("/"),
        "rate": args.rate,
        "burst": args.burst,
        "connections": args.connections,
        "max_fails": args.max_fails,
        "fail_timeout": args.fail_timeout,
        "read_timeout": args.read_timeout,
        "access_log": access_log,
    }
    files = {site_file: env.get_template("site.conf.j2").render(values)}
    if prefix:
        if site_file is None:
            raise ValueError("a site file is needed with --prefix")
        files[prefix / "nginx.conf"] = env.get_template("nginx.conf.j2").render(
            rendered_by=values["rendered_by"],
            prefix=prefix,
            site=site_file,
            mime_types="/etc/nginx/mime.types",
            # nginx started as root switches its workers to this user; as anyone else it stays who it is
            user=pwd.getpwuid(os.geteuid()).pw_name if os.geteuid() == 0 else None,
            worker_processes=2,
        )
    return files


def main(argv=None) -> int:
    p = parser()
    args = p.parse_args(argv)
    check(p, args)
    files = render(args)
    if args.prefix:
        prefix = Path(args.prefix)
        for folder in ("logs", "tmp/body", "tmp/proxy", "tmp/fastcgi", "tmp/uwsgi", "tmp/scgi"):
            (prefix / folder).mkdir(parents=True, exist_ok=True)
    for path, text in files.items():
        if path is None:
            sys.stdout.write(text)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            print(f"render-nginx: wrote {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
