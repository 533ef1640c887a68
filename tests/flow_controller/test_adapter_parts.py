"""The adapter's pure parts on their own: the batching context manager and the shared watcher."""

from __future__ import annotations

import logging

import flow_adapter_batch
import flow_adapter_watch
import flow_spec


def test_a_batch_flushes_once_per_outer_call_and_reads_the_clock_at_most_once():
    reads, flushes = [], []
    batch = flow_adapter_batch.Batch(lambda: (reads.append(1) or 1.5, 90), lambda: flushes.append(batch.depth))
    with batch:
        with batch:
            assert batch.now() == 1.5 and batch.frame() == 90 and batch.now() == 1.5
        assert flushes == []
    assert flushes == [1] and len(reads) == 1  # flushed once, with later entries joining the flush
    with batch:
        pass
    assert flushes == [1, 1] and len(reads) == 1  # a call that needs no time reads no clock


def test_a_batch_flushes_even_when_the_call_raises():
    flushes = []
    batch = flow_adapter_batch.Batch(lambda: (0.0, 0), lambda: flushes.append(True))
    try:
        with batch:
            raise ValueError("misuse")
    except ValueError:
        pass
    assert flushes == [True] and batch.depth == 0


def test_the_watcher_schedules_one_run_for_every_controller_and_drops_gone_ones(caplog):
    scheduled = []
    watcher = flow_adapter_watch.Watcher(lambda callback, frames: scheduled.append((callback, frames)))
    calls = []
    watcher.register("a", lambda: calls.append("a") or True)
    watcher.register("gone", lambda: calls.append("gone") or False)

    def broken():
        calls.append("broken")
        raise RuntimeError("check failed")

    watcher.register("broken", broken)
    assert len(scheduled) == 1 and scheduled[0][1] == flow_spec.WATCH_FRAMES
    with caplog.at_level(logging.ERROR, logger=flow_spec.LOGGER_NAME):
        scheduled[-1][0]()
    assert calls == ["a", "gone", "broken"]
    assert watcher.keys() == ["a", "broken"] and len(scheduled) == 2
    assert any("check failed" in (record.exc_text or "") or record.exc_info for record in caplog.records)
    watcher.unregister("a")
    watcher.unregister("broken")
    scheduled[-1][0]()
    assert len(scheduled) == 2  # nothing left to watch: no run pending
