"""A "Redis" that accepts connections, reads every command and never answers.

The failure mode of issue 14 item 6 (a wedged Redis, a full disk under AOF fsync, a
paused VM): TCP works, so a client without a read timeout waits forever. The server
counts connections and the chunks of commands it received, so tests can assert how
often a client *tried*, without timing anything.
"""

from __future__ import annotations

import contextlib
import socket
import threading


class HungRedis:
    def __init__(self) -> None:
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self._listener.settimeout(0.1)
        self.port = self._listener.getsockname()[1]
        self.connections = 0
        self.commands = 0
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._running = True
        self._threads = [threading.Thread(target=self._accept_loop, daemon=True)]
        self._threads[0].start()

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    @property
    def attempts(self) -> tuple[int, int]:
        with self._lock:
            return self.connections, self.commands

    def _accept_loop(self) -> None:
        while self._running:
            try:
                conn, _addr = self._listener.accept()
            except (TimeoutError, OSError):
                continue
            with self._lock:
                self.connections += 1
                self._sockets.append(conn)
            thread = threading.Thread(target=self._swallow, args=(conn,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _swallow(self, conn: socket.socket) -> None:
        conn.settimeout(0.1)
        while self._running:
            try:
                data = conn.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                return
            if not data:
                return
            with self._lock:
                # One RESP command starts with "*" (an array); count those.
                self.commands += max(data.count(b"\r\n*") + data.startswith(b"*"), 1)

    def close(self) -> None:
        self._running = False
        with contextlib.suppress(OSError):
            self._listener.close()
        with self._lock:
            for conn in self._sockets:
                with contextlib.suppress(OSError):
                    conn.close()
        for thread in self._threads:
            thread.join(1)
