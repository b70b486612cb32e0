"""Answers on a kept-alive connection without the 40 ms wait: TCP_NODELAY on the server's listening sockets.

`streamlit run` binds its listening socket itself and hands it to uvicorn. A socket made that way reports
protocol 0, so asyncio (which turns Nagle's algorithm off only for sockets that report IPPROTO_TCP) leaves it
on for every connection accepted from it. Uvicorn writes a response's headers and its body separately, so from
the second request on a kept-alive connection the body waits for the client's delayed ACK: about 40 ms on Linux
for every API answer and every file of the app (the first request on a new connection is not delayed). The same
bug in uvicorn's own pre-bound sockets: https://github.com/Kludex/uvicorn/issues/3149.

Connections accepted on Linux inherit TCP_NODELAY from the listening socket, so app.py sets it on the process's
listening TCP sockets once, as the server starts (the socket is bound before app.py is imported). Elsewhere, or
where /proc is not there, nothing changes.
"""

from __future__ import annotations

import os
import socket
import stat


def no_delay_on_listening_sockets() -> int:
    """Set TCP_NODELAY on every listening TCP socket of this process; how many were set."""
    try:
        descriptors = [int(name) for name in os.listdir("/proc/self/fd")]
    except (OSError, ValueError):
        return 0
    changed = 0
    for descriptor in descriptors:
        try:
            if not stat.S_ISSOCK(os.fstat(descriptor).st_mode):
                continue
            copy = socket.socket(fileno=os.dup(descriptor))  # the same socket; closing the copy leaves it open
        except OSError:
            continue
        try:
            if (copy.family in (socket.AF_INET, socket.AF_INET6) and copy.type == socket.SOCK_STREAM
                    and copy.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN)):
                copy.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                changed += 1
        except OSError:
            pass
        finally:
            copy.close()
    return changed
