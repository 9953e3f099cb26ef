"""How busy each worker process of one server is, shared between them, so a busy worker can send clients away.

With `uvicorn --workers N` every worker accepts from the same listening socket, and the first to wake takes
every connection waiting: 32 clients connecting at once were split 31 to 1. Keep-alive connections then
stay where they landed. Each worker writes how many requests it has in progress into a slot of a small
shared file (named after the listening socket, so only workers of one server share it); a worker with two
or more requests more than the least busy other worker answers with `Connection: close`, and the client's
next connection goes to whichever worker accepts it. Only busy workers shed, so the split evens out.
A single process (no listening socket at start-up, uvicorn binds later) has no board and never sheds.
"""

from __future__ import annotations

import fcntl
import mmap
import os
import struct
import tempfile
from pathlib import Path

SLOTS = 64
SLOT = struct.Struct("<ii")  # pid, requests in progress


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class LoadBoard:
    def __init__(self, key: str, directory: str | None = None, pid: int | None = None):
        base = Path(directory or ("/dev/shm" if os.path.isdir("/dev/shm") else tempfile.gettempdir()))
        self.path = base / f"cnn-rnn-explainer-{key}.load"
        self.pid = pid or os.getpid()
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            if os.fstat(fd).st_size < SLOTS * SLOT.size:
                os.ftruncate(fd, SLOTS * SLOT.size)
            self.mm = mmap.mmap(fd, SLOTS * SLOT.size)
            self.slot = self._claim()
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    def _claim(self) -> int:
        for i in range(SLOTS):
            pid, _ = SLOT.unpack_from(self.mm, i * SLOT.size)
            if pid == 0 or pid == self.pid or not _alive(pid):
                SLOT.pack_into(self.mm, i * SLOT.size, self.pid, 0)
                return i
        raise RuntimeError("no free slot on the load board")

    def set(self, in_progress: int) -> None:
        SLOT.pack_into(self.mm, self.slot * SLOT.size, self.pid, in_progress)

    def least_other(self) -> int | None:
        """The fewest requests in progress at another live worker of this server (None: no other worker)."""
        least = None
        for i in range(SLOTS):
            if i == self.slot:
                continue
            pid, n = SLOT.unpack_from(self.mm, i * SLOT.size)
            if pid and (least is None or n < least) and _alive(pid):
                least = n
        return least

    def close(self) -> None:
        SLOT.pack_into(self.mm, self.slot * SLOT.size, 0, 0)
        empty = all(SLOT.unpack_from(self.mm, i * SLOT.size)[0] == 0 for i in range(SLOTS))
        self.mm.close()
        if empty:
            self.path.unlink(missing_ok=True)


board: LoadBoard | None = None


def open_board() -> None:
    """At a worker's start-up: join the board of this server's workers (if it has a listening socket)."""
    global board
    from app.sockets import listening_socket_key

    key = listening_socket_key()
    if key is not None:
        try:
            board = LoadBoard(key)
        except (OSError, RuntimeError):
            board = None


def close_board() -> None:
    global board
    if board is not None:
        board.close()
        board = None
