"""``scripts/reindex`` stopped at a known stage, for the fault tests (tests/test_faults.py):

    python -m tests.paused_reindex STAGE SECONDS REINDEX-ARGUMENTS...

prints ``paused at STAGE`` and sleeps SECONDS there (the test kills it, or lets it go on):

- ``reading``: the sources read, nothing enriched, no partial generation yet;
- ``writing``: the partial generation started, its first document made;
- ``switch``: the new generation written in full, not yet sealed and made live.

The stops are wrapped around the build's own functions from here, so the indexer carries
no hook for tests.
"""

import sys
import time

from index import build, reindex
from index.store import IndexStore


def pause_at(stage: str, seconds: float) -> None:
    """Wrap the build so that it stops once at ``stage``."""
    done = set()

    def pause(at: str) -> None:
        if at == stage and at not in done:
            done.add(at)
            print(f"paused at {at}", flush=True)
            time.sleep(seconds)

    def wrapped(function, at: str, before: bool = False):
        def call(*args, **kwargs):
            if before:
                pause(at)
            result = function(*args, **kwargs)
            if not before:
                pause(at)
            return result

        return call

    build.read_sources = wrapped(build.read_sources, "reading")
    build.document = wrapped(build.document, "writing")
    IndexStore.publish = wrapped(IndexStore.publish, "switch", before=True)


if __name__ == "__main__":
    stage, seconds, *arguments = sys.argv[1:]
    pause_at(stage, float(seconds))
    sys.exit(reindex.main(arguments))
