"""The SQLite backend queues writers on a file lock (tailorkit/core/sqlite/base.py): a second writer
waits for the first to finish and then goes on at once, nothing waits past the timeout, and the lock
is always given back."""

import threading
import time

import pytest
from django.db import OperationalError
from django.db.utils import ConnectionHandler


def _handler(path, timeout=20):
    return ConnectionHandler({"default": {
        "ENGINE": "tailorkit.core.sqlite", "NAME": str(path),
        "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": timeout,
                    "init_command": "PRAGMA journal_mode=WAL;"}}})


def _begin(connection):
    connection.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)


def _end(connection, commit=True):
    connection.commit() if commit else connection.rollback()
    connection.set_autocommit(True)


@pytest.fixture(autouse=True)
def _own_databases(django_db_blocker):
    """These tests open databases of their own, outside the test database."""
    with django_db_blocker.unblock():
        yield


@pytest.fixture
def database(tmp_path):
    path = tmp_path / "queue.sqlite3"
    handler = _handler(path)
    with handler["default"].cursor() as cursor:
        cursor.execute("CREATE TABLE t (n integer)")
    handler["default"].close()
    return path


def _in_thread(path, work, timeout=20):
    """Run ``work(connection)`` on a connection of its own in another thread; its result or error."""
    out = {}

    def run():
        connection = _handler(path, timeout)["default"]
        try:
            out["result"] = work(connection)
        except Exception as exc:  # noqa: BLE001 (handed back to the test)
            out["error"] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, out


def test_a_second_writer_waits_for_the_first_and_then_sees_its_row(database):
    first = _handler(database)["default"]
    _begin(first)
    assert first._queued
    with first.cursor() as cursor:
        cursor.execute("INSERT INTO t VALUES (1)")

    def second(connection):
        _begin(connection)
        entered = time.monotonic()
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM t")
            seen = cursor.fetchone()[0]
            cursor.execute("INSERT INTO t VALUES (2)")
        _end(connection)
        return entered, seen

    thread, out = _in_thread(database, second)
    time.sleep(0.3)
    assert thread.is_alive() and not out  # still queued behind the first writer
    committed = time.monotonic()
    _end(first)
    assert not first._queued
    thread.join(5)
    entered, seen = out["result"]
    assert entered >= committed
    assert seen == 1
    with first.cursor() as cursor:
        cursor.execute("SELECT n FROM t ORDER BY n")
        assert [n for (n,) in cursor.fetchall()] == [1, 2]
    first.close()


def test_a_rollback_gives_the_lock_back(database):
    first = _handler(database)["default"]
    _begin(first)
    _end(first, commit=False)
    assert not first._queued
    thread, out = _in_thread(database, lambda c: (_begin(c), _end(c), "done")[-1])
    thread.join(5)
    assert out == {"result": "done"}
    first.close()


def test_nothing_waits_past_the_timeout(database):
    first = _handler(database)["default"]
    _begin(first)
    started = time.monotonic()
    thread, out = _in_thread(database, _begin, timeout=0.2)
    thread.join(5)
    assert isinstance(out.get("error"), OperationalError)
    assert "locked" in str(out["error"])
    assert time.monotonic() - started < 3
    _end(first)
    first.close()


def test_closing_a_connection_gives_the_lock_back(database):
    first = _handler(database)["default"]
    _begin(first)
    first.close()
    thread, out = _in_thread(database, lambda c: (_begin(c), _end(c), "done")[-1], timeout=1)
    thread.join(5)
    assert out == {"result": "done"}


def test_an_in_memory_database_has_no_queue():
    connection = ConnectionHandler({"default": {"ENGINE": "tailorkit.core.sqlite", "NAME": ":memory:",
                                           "OPTIONS": {"transaction_mode": "IMMEDIATE"}}})["default"]
    _begin(connection)
    assert connection._queue is None and not connection._queued
    _end(connection)
    connection.close()
