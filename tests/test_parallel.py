"""The parallel stage: forked workers, results in order, the costliest items handed out first."""

import multiprocessing
import os
import signal
import time

import pytest

from termline import parallel
from termline.errors import TermlineError


def test_costliest_items_are_handed_out_first_and_results_keep_their_order(tmp_path):
    costs = [3, 1, 40, 2, 7, 1, 0, 25, 5, 9]
    assert parallel.handed_out(len(costs), costs.__getitem__)[:4] == [2, 7, 9, 4]
    assert parallel.handed_out(3) == [0, 1, 2]
    log = tmp_path / "started"

    def task(index: int) -> tuple[int, int]:
        with log.open("a") as file:  # one short line a write: lines do not interleave
            file.write(f"{index}\n")
        return index * index, os.getpid()

    results = parallel.run(task, len(costs), 2, cost=costs.__getitem__)
    assert [square for square, _pid in results] == [index * index for index in range(10)]
    assert {pid for _square, pid in results} - {os.getpid()}  # computed by forked workers
    assert sorted(int(line) for line in log.read_text().split()) == list(range(10))  # each once


def test_fresh_workers_take_one_item_each_and_start_from_what_was_forked():
    grown: list[int] = []  # what an item leaves in its worker

    def task(index: int) -> tuple[int, int, int]:
        grown.append(index)
        return index, os.getpid(), len(grown)

    fresh = parallel.run(task, 10, 2, fresh=True)
    assert [index for index, _pid, _grown in fresh] == list(range(10))
    assert len({pid for _index, pid, _grown in fresh}) == 10  # a worker per item
    assert {left for _index, _pid, left in fresh} == {1}  # none saw another item's leftovers
    kept = parallel.run(task, 10, 2)
    assert len({pid for _index, pid, _grown in kept}) <= 2
    assert max(left for _index, _pid, left in kept) > 1  # the test can tell them apart


def test_alongside_runs_one_step_in_a_fork_while_the_other_runs_here(tmp_path):
    """The forked step may fork workers of its own (it is no pool's daemon); both results come."""
    forked, here = parallel.alongside(
        lambda: (os.getpid(), parallel.run(lambda i: os.getpid(), 8, 2)),
        os.getpid,
    )
    child, workers = forked
    assert here == os.getpid() != child
    assert set(workers) - {child, os.getpid()}  # its own workers
    assert parallel.alongside(lambda: 1, lambda: 2, fork=False) == (1, 2)


def test_workers_of_a_forked_step_end_at_sigterm_as_their_pool_expects():
    # They inherited the step's handler, which raises: a full test run once hung for minutes in
    # the pool's terminate, one worker left waiting on the queue's lock.
    def default(_index: int) -> bool:
        return signal.getsignal(signal.SIGTERM) == signal.SIG_DFL

    forked, _here = parallel.alongside(lambda: parallel.run(default, 8, 2), os.getpid)
    assert forked == [True] * 8


def test_what_the_forked_step_raises_is_raised_here():
    def fails() -> None:
        raise TermlineError("archive/x.md: bad")

    with pytest.raises(TermlineError, match=r"archive/x\.md: bad"):
        parallel.alongside(fails, lambda: None)


def test_a_forked_step_that_dies_is_reported_and_a_failing_step_here_stops_it():
    with pytest.raises(RuntimeError, match="died"):
        parallel.alongside(lambda: os._exit(3), lambda: None)
    with pytest.raises(ValueError, match="here"):
        parallel.alongside(lambda: time.sleep(60), _fail_here)


def _fail_here() -> None:
    raise ValueError("here")


def test_when_the_step_here_fails_the_forked_step_and_its_own_workers_are_stopped(tmp_path):
    """A failing build must not leave workers writing into its staging folder afterwards."""
    context = multiprocessing.get_context("fork")
    started = context.Semaphore(0)
    pids = tmp_path / "pids"

    def worker(index: int) -> None:
        with pids.open("a") as file:
            file.write(f"{os.getpid()}\n")
        started.release()
        time.sleep(600)

    def here() -> None:
        for _ in range(2):
            assert started.acquire(timeout=60)  # both workers of the forked step are running
        raise ValueError("here")

    with pytest.raises(ValueError, match="here"):
        parallel.alongside(lambda: parallel.run(worker, 8, 2), here)
    for pid in {int(line) for line in pids.read_text().split()}:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)  # gone, not left sleeping
