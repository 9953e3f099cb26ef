"""Regression: with --workers, uvicorn's listening socket left Nagle on (+40 ms a request)."""

import socket

from app.sockets import nodelay_on_listening_sockets


def test_listening_socket_and_its_connections_get_tcp_nodelay():
    listener = socket.socket(family=socket.AF_INET)  # as uvicorn creates it: no protocol named
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    try:
        assert listener.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 0
        assert nodelay_on_listening_sockets() >= 1
        assert listener.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
        client = socket.create_connection(listener.getsockname())
        conn, _ = listener.accept()
        try:
            assert conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0  # inherited on accept
        finally:
            conn.close()
            client.close()
    finally:
        listener.close()


def test_it_leaves_no_file_descriptor_behind():
    """Regression: a failed socket() on a copied descriptor leaked the copy, doubling the open files per call."""
    import os

    before = len(os.listdir("/proc/self/fd"))
    for _ in range(5):
        nodelay_on_listening_sockets()
    assert len(os.listdir("/proc/self/fd")) == before
