"""The body-read deadline: a timeout per awaitable, kept by one sweeper instead of a timer each."""

from __future__ import annotations

import asyncio

import pytest

from refserver._deadline import Deadline

pytestmark = pytest.mark.anyio


async def _never() -> None:
    await asyncio.Event().wait()


async def _soon(value: int) -> int:
    await asyncio.sleep(0)
    return value


async def test_an_awaitable_that_finishes_in_time_returns_its_result() -> None:
    assert await Deadline(5).run(_soon(7)) == 7


async def test_one_that_does_not_is_stopped_with_timeout_error_and_the_task_goes_on() -> None:
    deadline = Deadline(0.2)
    loop = asyncio.get_running_loop()
    started = loop.time()
    with pytest.raises(TimeoutError):
        await deadline.run(_never())
    waited = loop.time() - started
    assert 0.2 <= waited < 5  # at most a tick late; the upper bound only catches a hang
    task = asyncio.current_task()
    assert task is not None
    assert task.cancelling() == 0  # the cancellation was the deadline's, and is taken back
    assert await _soon(1) == 1


async def test_many_reads_share_one_sweeper_and_only_the_slow_ones_time_out() -> None:
    deadline = Deadline(0.2)

    async def read(slow: bool) -> str:
        try:
            await deadline.run(_never() if slow else _soon(0))
        except TimeoutError:
            return "timed out"
        return "read"

    outcomes = await asyncio.gather(*(read(i % 2 == 0) for i in range(40)))
    assert outcomes == ["timed out", "read"] * 20


async def test_a_cancellation_from_elsewhere_stays_a_cancellation() -> None:
    deadline = Deadline(30)
    reading = asyncio.create_task(deadline.run(_never()))
    await asyncio.sleep(0.01)
    reading.cancel()
    with pytest.raises(asyncio.CancelledError):
        await reading


def test_a_deadline_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        Deadline(0)
