"""The C allocator of a site process set to give back the memory of a search's large arrays.

A search allocates arrays of one entry per release (scores, masks, facet counts), megabytes at
100,000 releases, and frees them when it is answered.  glibc's malloc serves such a block from
the heap once its "dynamic mmap threshold" has grown past the block's size (it grows each time
a mapped block is freed, up to 32 MB), and memory freed inside the heap is seldom returned; it
also gives each thread an arena of its own (up to 8 per core).  Under distinct searches a
worker's resident memory then grows by well over 100 MB that Python no longer uses
(docs/benchmarks.md).  A fixed threshold keeps every block of 1 MiB or more in its own
mapping, returned to the system when freed, and two arenas bound what the threads keep.  A
lower threshold (128 KiB) saved little more memory, while mapping and faulting in each smaller
array afresh added about a quarter to a request's CPU time (docs/benchmarks.md).

The settings are made in the master before it loads the site, so every worker inherits them.
glibc's own variables (MALLOC_ARENA_MAX, MALLOC_MMAP_THRESHOLD_) win where they are set; on a
C library without ``mallopt`` (musl, macOS) nothing is changed.
"""

import ctypes
import ctypes.util
import os

M_MMAP_THRESHOLD = -3  # glibc's malloc.h
M_ARENA_MAX = -8
MMAP_THRESHOLD = 1024 * 1024
ARENA_MAX = 2


def tune() -> dict[str, int]:
    """Set the threshold and the arenas where the environment does not; return what was set."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return {}
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    wanted = {
        "MALLOC_MMAP_THRESHOLD_": (M_MMAP_THRESHOLD, MMAP_THRESHOLD),
        "MALLOC_ARENA_MAX": (M_ARENA_MAX, ARENA_MAX),
    }
    done = {}
    for variable, (option, value) in wanted.items():
        if os.environ.get(variable, "").strip():
            continue
        if mallopt(option, value) == 1:  # mallopt answers 1 on success
            done[variable] = value
    return done
