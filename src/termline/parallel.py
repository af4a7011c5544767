"""Parallel stage: run a build step over many documents on every core.

Takes a function of an index and how many processes to use; gives its results in order. Workers
are forked, so they start with everything the build gathered (no pickling of the site), and each
runs ``setup`` first (to open its own ``git cat-file`` process: a pipe must not be shared). With
one process, or too few items to pay for the fork, the function runs here, in order.
``alongside`` runs two steps at once: one in a forked process, the other here.
"""

import multiprocessing
import os
import signal
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, TypeVar

Result = TypeVar("Result")
Other = TypeVar("Other")

MIN_ITEMS = 8  # fewer items than this run in this process: forking would cost more than it saves

_task: Callable[[int], object] | None = None


def cores() -> int:
    """Return how many cores this process may use."""
    return len(os.sched_getaffinity(0))


def run(
    function: Callable[[int], Result],
    count: int,
    jobs: int,
    setup: Callable[[], None] | None = None,
    cost: Callable[[int], int] | None = None,
    *,
    fresh: bool = False,
) -> list[Result]:
    """Return ``[function(0), …, function(count - 1)]``, computed by ``jobs`` forked workers.

    With ``cost``, the costliest items are handed out first, so that no worker is left alone
    with a long one at the end (a document of thousands of versions); results keep their order.
    With ``fresh``, each item gets a worker forked for it alone, which ends with it: what an item
    took (a heap Python keeps once grown, the ``setup``'s git process and its cache) is given
    back before the next, instead of adding up in every worker.
    """
    if jobs <= 1 or count < MIN_ITEMS:
        return [function(index) for index in range(count)]
    order = handed_out(count, cost)
    global _task  # noqa: PLW0603 - forked workers inherit the task; it is never pickled
    _task = function
    try:
        context = multiprocessing.get_context("fork")
        with context.Pool(jobs, _start, (setup,), maxtasksperchild=1 if fresh else None) as pool:
            done: list[Result] = pool.map(_call, order, chunksize=1)  # type: ignore[arg-type]
    finally:
        _task = None
    results: list[Result] = [None] * count  # type: ignore[list-item]
    for index, result in zip(order, done, strict=True):
        results[index] = result
    return results


def handed_out(count: int, cost: Callable[[int], int] | None = None) -> list[int]:
    """Return the order items are handed to workers: costliest first, else as they come."""
    return sorted(range(count), key=lambda index: -cost(index)) if cost else list(range(count))


def _start(setup: Callable[[], None] | None) -> None:
    """Start a worker: SIGTERM ends it at once, as the pool's ``terminate`` expects, even when
    it was forked from an ``alongside`` step (whose handler would have it raise, which could
    leave it holding the pool's queue lock and the step waiting on it forever); then ``setup``."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if setup is not None:
        setup()


def _call(index: int) -> object:
    assert _task is not None
    return _task(index)


def alongside(
    forked: Callable[[], Result], here: Callable[[], Other], fork: bool = True
) -> tuple[Result, Other]:
    """Return ``(forked(), here())``, forked computed in a forked process while here runs here.

    The forked process is not a pool's daemon, so it may fork workers of its own; what it raises
    is raised here. Without ``fork``, both run here, ``here`` first.
    """
    if not fork:
        other = here()
        return forked(), other
    receiving, sending = multiprocessing.Pipe(duplex=False)
    process = multiprocessing.get_context("fork").Process(target=_send, args=(sending, forked))
    process.start()
    sending.close()
    try:
        other = here()
        failed, result = _receive(receiving, process)
    except BaseException:
        process.terminate()  # here failed: the forked step's work is not wanted
        raise
    finally:
        receiving.close()
        process.join()
    if failed:
        raise result
    return result, other


def _receive(connection: Connection, process: multiprocessing.process.BaseProcess) -> Any:
    try:
        return connection.recv()
    except EOFError:  # it died without a word: killed, or out of memory
        process.join()
        raise RuntimeError(f"a forked build step died (exit code {process.exitcode})") from None


def _send(connection: Connection, step: Callable[[], object]) -> None:
    """Run a step in the forked process and send back what it gave or raised (with its
    traceback as a note); a SIGTERM from the parent ends the step's own workers with it."""
    signal.signal(signal.SIGTERM, _stop)
    try:
        sent: tuple[bool, object] = (False, step())
    except BaseException as error:  # raised again in the parent
        error.add_note(traceback.format_exc())
        sent = (True, error)
    try:
        connection.send(sent)
    except OSError:
        pass  # the parent failed first and stopped listening
    except Exception as error:  # what was sent cannot be pickled
        connection.send((True, RuntimeError(f"a forked build step gave {sent[1]!r}: {error}")))
    finally:
        connection.close()


def _stop(_signal: int, _frame: object) -> None:
    raise SystemExit(1)  # leaves the step's ``with Pool``, which terminates its workers
