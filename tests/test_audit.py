"""scripts/audit.py: what fails the audit (a known vulnerability with a fix) and what only warns
(no fix yet; a vulnerability service that cannot be reached or gives no data)."""

import importlib.util
import json
import os
import subprocess
import sys

from index.config import PROJECT_ROOT
from web.served import free_port

SCRIPT = PROJECT_ROOT / "scripts" / "audit.py"
_spec = importlib.util.spec_from_file_location("audit_script", SCRIPT)
audit = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(audit)


def report(*dependencies) -> str:
    return json.dumps({"dependencies": list(dependencies), "fixes": []})


FLASK_OK = {"name": "flask", "version": "3.1.3", "vulns": []}
JINJA_FIXABLE = {
    "name": "jinja2",
    "version": "2.10",
    "vulns": [
        {
            "id": "PYSEC-2019-217",
            "fix_versions": ["2.10.1"],
            "aliases": ["CVE-2019-10906"],
            "description": "sandbox escape",
        }
    ],
}
UNFIXED = {
    "name": "somepkg",
    "version": "1.0",
    "vulns": [{"id": "GHSA-xxxx-yyyy-zzzz", "fix_versions": [], "aliases": [], "description": "no fix yet"}],
}
NOT_FOUND = {"name": "babel", "skip_reason": "Dependency not found on PyPI and could not be audited: babel (2.18.0)"}


def test_a_vulnerability_with_a_fix_fails_and_names_the_fix():
    status, lines = audit.judge(report(FLASK_OK, JINJA_FIXABLE), "Found 1 known vulnerability", 1)
    assert status == 1
    text = "\n".join(lines)
    assert "jinja2 2.10: PYSEC-2019-217, CVE-2019-10906; fixed in 2.10.1" in text
    assert "2 packages audited" in text


def test_a_vulnerability_without_a_fix_is_listed_but_does_not_fail():
    status, lines = audit.judge(report(FLASK_OK, UNFIXED), "Found 1 known vulnerability", 1)
    assert status == 0
    assert any("somepkg 1.0: GHSA-xxxx-yyyy-zzzz; no fixed version yet" in line for line in lines)


def test_no_vulnerability_passes():
    status, lines = audit.judge(report(FLASK_OK), "No known vulnerabilities found", 0)
    assert status == 0 and lines[-1] == "no known vulnerability with a fix available."


def test_some_packages_not_found_are_named_and_the_rest_audited():
    status, lines = audit.judge(report(FLASK_OK, NOT_FOUND, JINJA_FIXABLE), "", 1)
    assert status == 1 and "(1 could not be looked up: babel)" in lines[0]


def test_a_service_with_no_data_for_any_package_warns_without_failing():
    status, lines = audit.judge(report(NOT_FOUND, dict(NOT_FOUND, name="flask")), "No known vulnerabilities found", 0)
    assert status == 0 and lines[0].startswith("WARNING") and "NOT audited" in lines[0]
    assert audit.judge(report(NOT_FOUND), "", 0, required=True)[0] == 3


def test_an_unreachable_service_warns_without_failing():
    stderr = (
        "Traceback (most recent call last):\n  ...\nrequests.exceptions.ConnectionError: "
        "HTTPSConnectionPool(host='pypi.org', port=443): Max retries exceeded\n"
    )
    status, lines = audit.judge("", stderr, 1)
    assert status == 0 and lines[0].startswith("WARNING") and "could not be reached" in lines[0]
    assert audit.judge("", stderr, 1, required=True)[0] == 3


def test_any_other_failure_of_pip_audit_fails():
    status, lines = audit.judge("", "pip-audit: error: unrecognized arguments: --bogus\n", 2)
    assert status == 2 and "pip-audit failed" in lines[0]


def test_with_no_network_to_the_service_the_audit_warns_and_passes(tmp_path):
    """pip-audit itself, with every HTTPS request sent to a closed local port."""
    closed = free_port()
    env = {k: v for k, v in os.environ.items() if k.lower() not in ("no_proxy", "https_proxy", "http_proxy")}
    env.update(HTTPS_PROXY=f"http://127.0.0.1:{closed}", HTTP_PROXY=f"http://127.0.0.1:{closed}")
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("flask==3.1.3\n", encoding="utf-8")
    done = subprocess.run(
        [
            sys.executable,
            str(SCRIPT),
            "--no-deps",
            "--disable-pip",
            "-r",
            str(requirements),
            "--cache-dir",
            str(tmp_path / "cache"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "audit: WARNING: the vulnerability service could not be reached" in done.stdout
    assert "NOT audited" in done.stdout
