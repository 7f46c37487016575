"""Group commit: callers that arrive together share one batch, and each gets its own outcome."""

import threading
import time

import pytest

from qserve.services.combining import Combiner


class Recorder:
    """A batch function that records the batches it ran and answers each item with its double."""

    def __init__(self, *, pause_s: float = 0.0, fail_on=None) -> None:
        self.batches: list[list] = []
        self.pause_s = pause_s
        self.fail_on = fail_on

    def __call__(self, items):
        self.batches.append(list(items))
        time.sleep(self.pause_s)  # a transaction takes a while: callers arriving meanwhile wait for the next
        return [ValueError(f"no {item}") if item == self.fail_on else item * 2 for item in items]


def submit_from_threads(combiner, items):
    """Submit each item from its own thread at once; return the outcomes (or errors) by item."""
    outcomes = {}
    barrier = threading.Barrier(len(items))

    def run(item):
        barrier.wait()
        try:
            outcomes[item] = combiner.submit(item)
        except Exception as error:
            outcomes[item] = error

    threads = [threading.Thread(target=run, args=(item,)) for item in items]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert not any(thread.is_alive() for thread in threads), "a caller never got its outcome"
    return outcomes


def test_a_lone_caller_runs_a_batch_of_one():
    recorder = Recorder()
    assert Combiner(recorder).submit(21) == 42
    assert recorder.batches == [[21]]


def test_callers_arriving_together_share_batches_and_each_gets_its_own_outcome():
    recorder = Recorder(pause_s=0.02)
    outcomes = submit_from_threads(Combiner(recorder), list(range(40)))
    assert outcomes == {item: item * 2 for item in range(40)}
    assert sorted(item for batch in recorder.batches for item in batch) == list(range(40))
    assert len(recorder.batches) < 40 / 2  # most callers joined someone else's batch


def test_a_leader_waits_for_as_many_callers_as_came_last_time_even_when_they_straggle():
    """The clients of the last batch of four come back one by one, a few milliseconds apart: the leader
    sleeps until the fourth has come (within its longest wait) and runs them as one batch."""
    recorder = Recorder()
    combiner = Combiner(recorder, max_wait_s=0.5)
    combiner._recent_sizes.append(4)  # as if the last batch had held four callers
    outcomes = {}

    def run(item, delay_s):
        time.sleep(delay_s)
        outcomes[item] = combiner.submit(item)

    threads = [
        threading.Thread(target=run, args=(item, 0.02 * index)) for index, item in enumerate((5, 6, 7, 8))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert outcomes == {5: 10, 6: 12, 7: 14, 8: 16}
    assert recorder.batches == [[5, 6, 7, 8]]


def test_a_leader_waits_no_longer_than_its_longest_wait_for_callers_that_do_not_come():
    recorder = Recorder()
    combiner = Combiner(recorder, max_wait_s=0.05)
    combiner._recent_sizes.append(4)  # as if the last batch had held four callers
    assert combiner.submit(5) == 10  # the other three stay away: it goes on alone
    assert recorder.batches == [[5]]


def test_an_error_outcome_is_raised_in_its_own_caller_only():
    outcomes = submit_from_threads(Combiner(Recorder(pause_s=0.01, fail_on=3)), list(range(8)))
    assert isinstance(outcomes[3], ValueError)
    assert {item: outcome for item, outcome in outcomes.items() if item != 3} == {
        item: item * 2 for item in range(8) if item != 3
    }


def test_a_failing_batch_function_reaches_every_caller_and_the_next_batch_runs():
    calls = []

    def broken(items):
        calls.append(list(items))
        if len(calls) == 1:
            raise RuntimeError("the database went away")
        return [item for item in items]

    combiner = Combiner(broken)
    with pytest.raises(RuntimeError):
        combiner.submit(1)
    assert combiner.submit(2) == 2


def test_batches_never_exceed_their_size_and_the_lead_passes_on():
    recorder = Recorder(pause_s=0.01)
    outcomes = submit_from_threads(Combiner(recorder, max_batch=4), list(range(20)))
    assert outcomes == {item: item * 2 for item in range(20)}
    assert max(len(batch) for batch in recorder.batches) <= 4


def test_a_leader_cut_short_before_its_batch_hands_the_lead_on():
    recorder = Recorder(pause_s=0.01)
    combiner = Combiner(recorder)
    calls = []
    original = combiner._gather

    def interrupted_once():
        calls.append(1)
        if len(calls) == 1:
            raise KeyboardInterrupt  # a greenlet killed while it gathers
        original()

    combiner._gather = interrupted_once
    with pytest.raises(KeyboardInterrupt):
        combiner.submit(1)
    assert combiner.submit(2) == 4  # not stuck behind a leader that is gone
    assert recorder.batches == [[2]]
