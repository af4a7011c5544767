"""The parallel stage: forked workers, results in order, the costliest items handed out first."""

import os

from termline import parallel


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
