"""requirements.lock, what `make setup` installs, pins every package pyproject.toml names at the
version pyproject.toml pins, with hashes: a clean machine gets exactly what the tests ran with.
After changing a dependency in pyproject.toml, `make lock` writes the lock again."""

import re
import tomllib

from index.config import PROJECT_ROOT

LOCK = PROJECT_ROOT / "requirements.lock"


def _name(text: str) -> str:
    return re.sub(r"[-_.]+", "-", text).lower()


def locked() -> dict[str, str]:
    """Package -> version, from the lock's requirement lines (extras dropped)."""
    pins = {}
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==([^\s\\]+)", line)
        if match:
            pins[_name(match.group(1))] = match.group(3)
    return pins


def pinned() -> dict[str, str]:
    """Package -> version, for every dependency pyproject.toml names (all of them are pinned)."""
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = list(project["dependencies"])
    for group in project.get("optional-dependencies", {}).values():
        requirements += group
    pins = {}
    for requirement in requirements:
        match = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==(\S+)$", requirement.strip())
        assert match, f"pyproject.toml: {requirement!r} is not pinned with =="
        pins[_name(match.group(1))] = match.group(3)
    return pins


def test_the_lock_pins_every_dependency_at_the_version_pyproject_names():
    lock = locked()
    differing = {name: (version, lock.get(name)) for name, version in pinned().items() if lock.get(name) != version}
    assert not differing, f"requirements.lock is out of date (pyproject, lock): {differing}; run make lock"


def test_every_locked_package_has_a_hash():
    entries: list[list[str]] = []
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        if re.match(r"^[A-Za-z0-9]", line):
            entries.append([line])
        elif line.startswith(" ") and entries:
            entries[-1].append(line)
    assert len(entries) == len(locked()) > 50
    unhashed = [entry[0] for entry in entries if not any("--hash=sha256:" in line for line in entry)]
    assert not unhashed
