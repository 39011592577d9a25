"""Work on contiguous slices of a list in forked child processes, for the two cores of a build.

A forked child starts with the parent's memory as it is (the releases read, the gazetteer and
topics loaded), so nothing is pickled on the way in; only each slice's result comes back, through
a pipe.  A child dies with its parent (a reindex killed at any stage leaves no child writing),
and an error in a child is raised again in the parent, with the child's traceback in its message.
"""

import os
import signal

# multiprocessing, ctypes and traceback are imported where they are used: a small incremental
# build, which forks nothing, would spend a few hundredths of a second importing them.

_PR_SET_PDEATHSIG = 1


class ChildFailed(RuntimeError):
    """A child process died without sending its result (killed, out of memory...)."""


def cpu_count() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def slices(count: int, parts: int) -> list[tuple[int, int]]:
    """``parts`` contiguous ``(start, end)`` ranges covering ``range(count)``, as equal as can be."""
    parts = max(1, min(parts, count))
    bounds = [count * i // parts for i in range(parts + 1)]
    return [(bounds[i], bounds[i + 1]) for i in range(parts)]


def map_slices(
    function, count: int, parts: int, min_slice: int = 1, counter=None, on_tick=None, max_slice: int = 0
) -> list:
    """``[function(start, end) for each slice]``, each slice in its own forked process.

    At most ``parts`` processes run at once, and no slice is shorter than ``min_slice`` (work
    too small to be worth a process).  With ``max_slice``, no slice is longer either: the
    slices beyond the first ``parts`` are done by further children as earlier ones end.  A
    child copies every page of its parent's memory that it touches (reading a Python object
    writes its reference count), and a child that ends gives its copies back, so the build's
    peak memory holds the copies of ``parts`` short slices rather than of the whole list.

    ``counter`` is a shared ``multiprocessing.Value`` the function may add to as it goes;
    ``on_tick(value)`` is called with it about twice a second (for a progress bar).  With one
    slice the function runs here, in this process.
    """
    parts = max(1, min(parts, count // max(1, min_slice)))
    pieces = max(parts, -(-count // max_slice)) if max_slice and parts > 1 else parts
    ranges = slices(count, pieces)
    if len(ranges) <= 1:
        return [function(*r) for r in ranges]
    import multiprocessing
    from multiprocessing.connection import wait

    context = multiprocessing.get_context("fork")
    children: list = []
    pending: dict = {}  # a running child's end of its pipe -> its slice's index
    results: dict[int, object] = {}
    waiting = list(enumerate(ranges))
    try:
        while waiting or pending:
            while waiting and len(pending) < parts:
                index, (start, end) = waiting.pop(0)
                receive, send = context.Pipe(duplex=False)
                process = context.Process(target=_child, args=(function, start, end, send), daemon=True)
                process.start()
                send.close()
                children.append((process, receive))
                pending[receive] = index
            ready = wait(list(pending), timeout=0.5)
            for receive in [r for r in pending if r in ready]:
                index = pending.pop(receive)
                try:
                    ok, value = receive.recv()
                except EOFError:
                    raise ChildFailed(
                        f"a build process (slice {index + 1} of {len(ranges)}) stopped without finishing"
                    ) from None
                if not ok:
                    raise value
                results[index] = value
            if on_tick is not None and counter is not None:
                on_tick(counter.value)
    finally:
        for process, receive in children:
            if process.is_alive() and len(results) < len(ranges):
                process.kill()
            process.join()
            receive.close()
    return [results[i] for i in range(len(ranges))]


def _child(function, start: int, end: int, send) -> None:
    _die_with_parent()
    try:
        result = (True, function(start, end))
    except BaseException as error:  # noqa: BLE001 - every failure goes back to the parent
        result = (False, _portable(error))
    try:
        send.send(result)
    finally:
        send.close()


def _portable(error: BaseException) -> BaseException:
    """The error itself when it can be pickled (an OSError keeps its errno), else a RuntimeError;
    the child's traceback goes into the message either way."""
    import pickle
    import traceback

    detail = "".join(traceback.format_exception(error)).rstrip()
    try:
        pickle.loads(pickle.dumps(error))
        error.add_note(f"in a build process:\n{detail}")
        return error
    except Exception:  # noqa: BLE001
        return RuntimeError(f"{type(error).__name__}: {error}\nin a build process:\n{detail}")


def trim_memory() -> None:
    """Give the memory freed so far back to the system (glibc's ``malloc_trim``), so that
    children forked next neither share nor count it; elsewhere, nothing is done."""
    import ctypes

    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):
        pass


def _die_with_parent() -> None:
    """Ask Linux to kill this process when its parent dies (elsewhere, nothing is done)."""
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return
    if os.getppid() == 1:  # the parent died before the request took effect
        os._exit(1)
