"""The load board shared by the workers of one server, and the connections a busy worker closes."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest

from app import balance
from app.balance import LoadBoard
from app.sockets import listening_socket_key


def test_workers_of_one_server_see_each_others_load(tmp_path):
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        me = LoadBoard("k1", str(tmp_path))
        them = LoadBoard("k1", str(tmp_path), pid=other.pid)
        stranger = LoadBoard("k2", str(tmp_path))              # another server: another file
        assert me.slot != them.slot and me.least_other() == 0 and stranger.least_other() is None
        them.set(7)
        me.set(3)
        assert me.least_other() == 7 and them.least_other() == 3
    finally:
        other.kill()
        other.wait()
    assert me.least_other() is None                              # a dead worker's slot does not count
    again = LoadBoard("k1", str(tmp_path), pid=os.getppid())     # and its slot is taken again
    assert again.slot == them.slot
    for board in (me, them, again, stranger):
        board.close()
    assert not list(tmp_path.iterdir())                          # the last one out removes the file


class Busy:
    """A stand-in board: the least busy other worker has `least` requests in progress."""

    def __init__(self, least):
        self.least, self.values = least, []

    def set(self, n):
        self.values.append(n)

    def least_other(self):
        return self.least


@pytest.mark.parametrize("least, closes", [(-1, True), (0, False), (None, False)])
def test_a_busier_worker_closes_the_connection(client, monkeypatch, least, closes):
    from app.config import settings

    monkeypatch.setattr(settings, "keepalive_requests", 0)
    board = Busy(least)
    monkeypatch.setattr(balance, "board", board)
    r = client.get("/api/examples")          # one request in progress here: 1 - least >= 2 sheds it
    assert r.status_code == 200 and (r.headers.get("connection") == "close") == closes
    assert board.values == [1, 0]            # in progress while served, then done


def test_the_server_socket_is_found_before_and_after_listen():
    with socket.socket() as server, socket.socket() as other:
        server.bind(("127.0.0.1", 0))
        before = listening_socket_key()        # bound, not listening yet: how the first worker finds it
        assert before is not None and str(os.fstat(server.fileno()).st_ino) in before.split("-")
        server.listen()
        assert str(os.fstat(server.fileno()).st_ino) in listening_socket_key().split("-")
        other.connect(server.getsockname())    # a connected socket is not a server socket
        assert str(os.fstat(other.fileno()).st_ino) not in listening_socket_key().split("-")
