"""TCP_NODELAY for connections accepted by this process (Linux; harmless elsewhere).

With `--workers N`, uvicorn creates the listening socket itself without naming the protocol, so asyncio
does not recognise the accepted connections as TCP and leaves Nagle's algorithm on: a response written in
two parts (headers, then body) then waits for the client's delayed ACK, about 40 ms on every request.
Accepted sockets inherit TCP_NODELAY from the listening socket, so setting it there at start-up fixes all
connections of the worker.
"""

from __future__ import annotations

import os
import socket
import stat


def _bound_unconnected(sock: socket.socket) -> bool:
    """A server socket not listening yet: with `--workers`, the socket reaches each worker bound, and the
    first worker to start serving calls listen(), so at the first worker's start-up it is not listening."""
    if sock.getsockname()[1] == 0:
        return False
    try:
        sock.getpeername()
    except OSError:
        return True
    return False


def _listening_tcp_sockets():
    """(socket copy, inode) for every listening (or bound, about to listen) TCP socket of this process;
    the copies are closed after use."""
    try:
        fds = [int(n) for n in os.listdir("/proc/self/fd")]
    except OSError:
        return
    for fd in fds:
        try:
            info = os.fstat(fd)
            if not stat.S_ISSOCK(info.st_mode):
                continue
            sock = socket.socket(fileno=os.dup(fd))  # closing this copy leaves the original open
        except OSError:
            continue
        try:
            if (sock.family in (socket.AF_INET, socket.AF_INET6) and sock.type == socket.SOCK_STREAM
                    and (sock.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN) or _bound_unconnected(sock))):
                yield sock, info.st_ino
        except OSError:
            pass
        finally:
            sock.close()


def nodelay_on_listening_sockets() -> int:
    """Sets TCP_NODELAY on every listening TCP socket of this process; returns how many."""
    count = 0
    for sock, _ in _listening_tcp_sockets():
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            count += 1
        except OSError:
            pass
    return count
