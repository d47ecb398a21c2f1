"""The runner splits the next statements in a second thread while the server works."""

from __future__ import annotations

import threading

import pytest

from sqlgen.errors import SqlgenError
from sqlgen.mysql.runner import read_ahead
from sqlgen.splitter import Statement


def numbered(count: int, fail_at: int | None = None, size: int = 10):
    for number in range(1, count + 1):
        if number == fail_at:
            raise SqlgenError(f"broken at {number}")
        yield number, Statement("x" * size, number)


@pytest.mark.parametrize("batch_chars", [1, 25, 10_000])
def test_every_statement_comes_through_once_and_in_order(batch_chars):
    assert [number for number, _ in read_ahead(numbered(1000), batch_chars)] == list(range(1, 1001))


def test_a_splitting_error_is_raised_after_the_statements_before_it():
    seen = []
    with pytest.raises(SqlgenError, match="broken at 77"):
        for number, _ in read_ahead(numbered(200, fail_at=77), batch_chars=30):
            seen.append(number)
    assert seen == list(range(1, 77))


def test_stopping_early_closes_the_source_and_ends_the_thread():
    closed = threading.Event()

    def source():
        try:
            yield from numbered(10_000)
        finally:
            closed.set()

    before = threading.active_count()
    for number, _ in read_ahead(source(), batch_chars=10):
        if number == 5:
            break
    assert closed.wait(2)
    assert threading.active_count() == before
