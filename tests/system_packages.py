"""The Debian packages some tests need, as ``scripts/system-packages.txt`` lists them: a test
that needs a missing one fails, naming it and the command that installs it (``make test`` runs
that command first, so under it nothing is missing)."""

from pathlib import Path

import pytest

LIST = Path(__file__).resolve().parent.parent / "scripts" / "system-packages.txt"


def probes() -> dict[str, Path]:
    """Each package, and the file whose presence shows it is installed."""
    out = {}
    for line in LIST.read_text(encoding="utf-8").splitlines():
        words = line.split("#", 1)[0].split()
        if len(words) >= 2:
            out[words[0]] = Path(words[1])
    return out


def require(*packages: str) -> None:
    """Fail the calling test (or module) unless these packages are installed."""
    found = probes()
    missing = [p for p in packages if not found[p].exists()]
    if missing:
        pytest.fail(
            f"needs the Debian package{'s' if len(missing) > 1 else ''} {' '.join(missing)}: run "
            "scripts/system-deps (make test does)",
            pytrace=False,
        )
