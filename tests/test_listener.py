"""The loopback listener behind every "fetches nothing" check sees a connection without being waited for."""

from __future__ import annotations

import socket
import subprocess
import sys
import urllib.request

from .conftest import Listener


def test_a_connection_made_just_before_the_check_is_seen(listener: Listener) -> None:
    assert listener.hits == []
    for n in range(1, 51):  # no sleep anywhere: the handshake has queued the connection when connect() returns
        socket.create_connection(("127.0.0.1", listener.port), timeout=5).close()
        assert len(listener.hits) == n


def test_a_connection_from_a_process_that_has_exited_is_seen(listener: Listener) -> None:
    code = f"import socket; socket.create_connection(('127.0.0.1', {listener.port}), timeout=5).close()"
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
    assert len(listener.hits) == 1


def test_a_request_is_answered_and_recorded(listener: Listener) -> None:
    with urllib.request.urlopen(listener.url + "/ctx", timeout=5) as response:  # noqa: S310 (loopback)
        assert response.read() == b"{}"
    [hit] = listener.hits
    assert hit.startswith(b"GET /ctx HTTP/1.1\r\n")
