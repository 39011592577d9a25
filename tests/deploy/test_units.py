"""The systemd units in deploy/systemd: systemd's own checker accepts them (with the checkout in
place of /srv/archive), and each runs a command of this checkout with the settings it documents."""

import shutil
import subprocess

import pytest

from .front import ROOT

UNITS = ROOT / "deploy" / "systemd"


def test_systemd_accepts_the_units(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.fail("needs systemd-analyze (Debian's systemd package)", pytrace=False)
    names = sorted(p.name for p in UNITS.iterdir())
    assert names == ["archive-reindex.service", "archive-reindex.timer", "archive-sync.service", "archive-web.service"]
    for name in names:
        (tmp_path / name).write_text((UNITS / name).read_text().replace("/srv/archive", str(ROOT)))
    done = subprocess.run(
        [analyze, "verify", "--man=no", *(str(tmp_path / n) for n in names)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0 and done.stderr.strip() == "", done.stderr


def test_each_unit_runs_the_commands_the_docs_describe():
    web = (UNITS / "archive-web.service").read_text()
    assert "ExecStart=/srv/archive/scripts/serve\n" in web and "Type=notify" in web and "KillMode=mixed" in web
    sync = (UNITS / "archive-sync.service").read_text()
    assert "ExecStart=/srv/archive/scripts/publish --follow ${INDEX_SOURCE}" in sync
    reindex = (UNITS / "archive-reindex.service").read_text()
    assert reindex.index("scripts/reindex --incremental") < reindex.index("ExecStart=/srv/archive/scripts/publish")
    for text in (web, sync, reindex):
        assert "EnvironmentFile=/etc/archive/archive.env" in text and "User=archive" in text
    example = (ROOT / "deploy" / "archive.env.example").read_text()
    for name in ("PUBLIC_URL", "TRUSTED_PROXIES", "RATE_LIMIT", "INDEX_SOURCE", "ARCHIVE_SOURCES"):
        assert f"\n{name}=" in example
