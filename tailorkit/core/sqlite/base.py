"""Django's SQLite backend, with writers that queue on a file lock instead of sleeping.

SQLite lets one connection write at a time. Django's ``transaction_mode = "IMMEDIATE"`` takes the
write lock when a transaction begins, and a second writer then waits in SQLite's busy handler,
which *sleeps* (1, 2, 5, 10 … ms) and tries again: it cannot be woken when the lock is released.
With two web workers writing short transactions (a respondent's submit holds the lock for a
fraction of a millisecond), the waiting worker sleeps longer than the writer needs, and a core
stands idle: intake measured 0.40 of a bare page's rate while the CPU it used allowed 0.52
(docs/performance.md, issue 11).

Here a writer first takes an exclusive ``flock`` on a file beside the database, which the kernel
hands to the next waiter the moment it is released, and only then begins SQLite's transaction, so
it almost never meets SQLite's busy handler. SQLite's own lock stays the real guarantee: a writer
that does not pass here (the ``sqlite3`` shell, an autocommit statement outside a transaction)
is still serialised by SQLite, and waits in its busy handler as before.

Hand-written because neither Python's ``sqlite3`` module nor Django lets a program set SQLite's busy
handler (``sqlite3_busy_handler``); packages that do (apsw) replace the whole driver Django uses.
The wait for the file lock keeps SQLite's limit: a writer that cannot have it within the
connection's ``timeout`` goes on to SQLite, whose busy handler then fails it as "database is
locked" as before, so nothing waits forever.
"""

import fcntl
import time

from django.db.backends.sqlite3 import base

# Waiting for the file lock: short naps at first (a submit's transaction is well under a
# millisecond), never longer than 2 ms.
FIRST_NAP, LONGEST_NAP = 0.00005, 0.002


class DatabaseWrapper(base.DatabaseWrapper):
    _queue = None  # the open lock file, for a file database in IMMEDIATE mode
    _queued = False  # this connection holds the lock

    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        name = str(self.settings_dict["NAME"])
        options = self.settings_dict.get("OPTIONS", {})
        if options.get("transaction_mode") == "IMMEDIATE" and not self.is_in_memory_db():
            self._close_queue()
            self._queue = open(f"{name}-writers", "a+b")  # noqa: SIM115 (kept open with the connection)
            self._timeout = float(options.get("timeout", 5))
        return connection

    def _start_transaction_under_autocommit(self):
        self._enter_queue()
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._leave_queue()
            raise

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self._leave_queue()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._leave_queue()

    def _close(self):
        try:
            return super()._close()
        finally:
            self._close_queue()

    def _enter_queue(self):
        if self._queue is None or self._queued:
            return
        fd = self._queue.fileno()
        deadline, nap = time.monotonic() + self._timeout, FIRST_NAP
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    return  # SQLite's own busy handler decides from here
                time.sleep(nap)
                nap = min(nap * 1.5, LONGEST_NAP)
                continue
            self._queued = True
            return

    def _leave_queue(self):
        if self._queued:
            self._queued = False
            fcntl.flock(self._queue.fileno(), fcntl.LOCK_UN)

    def _close_queue(self):
        self._leave_queue()
        if self._queue is not None:
            self._queue.close()
            self._queue = None


__all__ = ["DatabaseWrapper"]
