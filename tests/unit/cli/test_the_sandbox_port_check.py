"""The sandbox asks whether its port is free the way the daemon binds it, with
SO_REUSEADDR: a port held only by a connection in TIME_WAIT (a sandbox that just stopped)
is free; one something listens on is not."""

from __future__ import annotations

import socket

from controller.cli._sandbox import _port_is_free


def test_a_port_with_a_connection_in_time_wait_is_free() -> None:
    with socket.socket() as server:
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port)) as client:
            accepted, _ = server.accept()
            accepted.close()  # the server side closes first: its end waits in TIME_WAIT
            client.recv(1)

    assert _port_is_free(port)


def test_a_port_something_listens_on_is_taken() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()

        assert not _port_is_free(server.getsockname()[1])
