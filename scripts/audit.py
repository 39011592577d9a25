"""Audit the installed dependencies for known vulnerabilities with pip-audit.

Runs ``pip-audit`` over the project's environment (every package installed from the pins
in pyproject.toml, and what they pulled in; the project itself is skipped) against PyPI's
vulnerability data, and:

- fails (exit 1) when a package has a known vulnerability with a fixed version, naming
  the package, the advisory and the version to move to;
- lists vulnerabilities that have no fix yet, without failing;
- warns, without failing, when the vulnerability service cannot be reached or gives no
  data for any package (exit 0), unless ``AUDIT_REQUIRED=1`` is set (exit 3 then).

Extra arguments are passed to pip-audit (for example ``-r requirements.txt``).
"""

import json
import os
import re
import subprocess
import sys

# pip-audit's own failures that mean the service did not answer, not that something is wrong here
UNREACHABLE = re.compile(
    r"ConnectionError|ConnectTimeout|ReadTimeout|Timeout|ProxyError|NameResolution|"
    r"Max retries exceeded|Could not connect|Temporary failure in name resolution|"
    r"ServiceError|SSLError|not redirecting properly",
    re.I,
)
NOT_FOUND = "not found on PyPI"


def say(message: str) -> None:
    print(f"audit: {message}", flush=True)


def judge(stdout: str, stderr: str, returncode: int, required: bool = False) -> tuple[int, list[str]]:
    """The exit status and the lines to print, from one pip-audit run (``--format json``)."""
    try:
        report = json.loads(stdout)
        dependencies = report["dependencies"]
    except (ValueError, KeyError, TypeError):
        last = next((line.strip() for line in reversed(stderr.splitlines()) if line.strip()), "no output")
        if UNREACHABLE.search(stderr):
            return (3 if required else 0), [
                f"WARNING: the vulnerability service could not be reached ({last[:300]}); "
                "the dependencies were NOT audited" + ("." if required else "; the tests go on.")
            ]
        return 2, [f"pip-audit failed (exit {returncode}): {last[:500]}"]

    dependencies = [d for d in dependencies if "editable" not in d.get("skip_reason", "")]  # the project itself
    audited = [d for d in dependencies if "skip_reason" not in d]
    skipped = [d for d in dependencies if "skip_reason" in d]
    if not audited and skipped:
        not_found = sum(1 for d in skipped if NOT_FOUND in d["skip_reason"])
        return (3 if required else 0), [
            f"WARNING: the vulnerability service gave no data for any of the {len(skipped)} packages "
            f"(every one{'' if not_found == len(skipped) else f' but {len(skipped) - not_found}'} answered "
            "'not found': the registry reached does not serve the per-version JSON "
            "that carries PyPI's vulnerability data); the dependencies were NOT audited"
            + ("." if required else "; the tests go on.")
        ]

    fixable, unfixable = [], []
    for dep in audited:
        for vuln in dep.get("vulns", []):
            names = ", ".join([vuln["id"], *vuln.get("aliases", [])])
            if vuln.get("fix_versions"):
                fixable.append(f"{dep['name']} {dep['version']}: {names}; fixed in {', '.join(vuln['fix_versions'])}")
            else:
                unfixable.append(f"{dep['name']} {dep['version']}: {names}; no fixed version yet")
    lines = [
        f"{len(audited)} packages audited against PyPI's vulnerability data"
        + (
            f" ({len(skipped)} could not be looked up: {', '.join(sorted(d['name'] for d in skipped))})"
            if skipped
            else ""
        )
    ]
    lines += [f"VULNERABLE, fix available: {line}" for line in fixable]
    lines += [f"known vulnerability without a fix (not failing): {line}" for line in unfixable]
    if fixable:
        lines.append(
            f"{len(fixable)} known vulnerabilities with a fix: move the pins in pyproject.toml "
            "(or the package that pulls them in) to a fixed version."
        )
        return 1, lines
    lines.append("no known vulnerability with a fix available.")
    return 0, lines


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in ("-h", "--help"):
        print("usage: scripts/audit [PIP-AUDIT OPTIONS]\n\n" + __doc__.strip())
        return 0
    command = [
        sys.executable,
        "-m",
        "pip_audit",
        "--format",
        "json",
        "--progress-spinner",
        "off",
        "--skip-editable",
        *argv,
    ]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    except subprocess.TimeoutExpired:
        done = subprocess.CompletedProcess(command, 124, "", "ReadTimeout: pip-audit took more than 600 s")
    if done.returncode != 0 and "No module named pip_audit" in done.stderr:
        say("pip-audit is not installed: run 'make setup' (it is in the test extras)")
        return 2
    status, lines = judge(done.stdout, done.stderr, done.returncode, os.environ.get("AUDIT_REQUIRED") == "1")
    for line in lines:
        say(line)
    return status


if __name__ == "__main__":
    raise SystemExit(main())
