"""A TCP proxy on 127.0.0.1 in front of a real server (PostgreSQL in the tests), to simulate its
outages without touching it: `refuse()` closes the listener and every connection (connection
refused, as when the server is down), `hang()` keeps connections open but forwards nothing (a server
that does not answer), `forward()` restores normal service on the same port."""

from __future__ import annotations

import contextlib
import select
import socket
import threading


class TcpProxy:
    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.mode = "forward"
        self._lock = threading.Lock()
        self._conns: list[socket.socket] = []
        self._listener = self._listen(0)
        self.port = int(self._listener.getsockname()[1])
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept_loop, daemon=True)

    def start(self) -> TcpProxy:
        self._thread.start()
        return self

    def _listen(self, port: int) -> socket.socket:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))
        sock.listen(64)
        sock.settimeout(0.1)
        return sock

    def refuse(self) -> None:
        with self._lock:
            self.mode = "refuse"
            self._listener.close()
            for conn in self._conns:
                _close(conn)
            self._conns.clear()

    def hang(self) -> None:
        with self._lock:
            self.mode = "hang"

    def forward(self) -> None:
        with self._lock:
            if self.mode == "refuse":
                self._listener = self._listen(self.port)
            self.mode = "forward"

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.refuse()

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            with self._lock:
                listener = self._listener if self.mode != "refuse" else None
            if listener is None:
                self._stop.wait(0.05)
                continue
            try:
                client, _ = listener.accept()
            except (TimeoutError, OSError):
                continue
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        while self.mode == "hang" and not self._stop.is_set():  # accepted, never answered
            self._stop.wait(0.05)
        try:
            server = socket.create_connection(self.target, timeout=5)
        except OSError:
            _close(client)
            return
        with self._lock:
            self._conns += [client, server]
        threading.Thread(target=self._pump, args=(client, server), daemon=True).start()
        self._pump(server, client)

    def _pump(self, src: socket.socket, dst: socket.socket) -> None:
        while not self._stop.is_set():
            if self.mode == "hang":
                self._stop.wait(0.05)
                continue
            try:
                readable, _, _ = select.select([src], [], [], 0.1)
                if not readable:
                    continue
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
            except (OSError, ValueError):  # closed by refuse() or by the other side
                break
        _close(src)
        _close(dst)


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # not connected any more
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()
