"""Real faults for the runner's tests: a private MariaDB server the tests may kill, and a
loopback TCP proxy that cuts chosen connections.

The shared server at 127.0.0.1:3306 is never killed or restarted: a test that must kill
a server starts its own `mariadbd` (mariadb-install-db, then mariadbd --no-defaults with
a temporary data directory and port) and stops it afterwards.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrivateServer:
    """A mariadbd of its own: data directory under `root`, a free port, root without a password;
    `options`: more mariadbd options (e.g. --sql-mode=...)."""

    def __init__(self, root: Path, options: tuple[str, ...] | list[str] = ()):
        self.root = root
        self.options = list(options)
        self.datadir = root / "data"
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        install = shutil.which("mariadb-install-db") or shutil.which("mysql_install_db")
        if install is None or shutil.which("mariadbd") is None:
            raise RuntimeError("mariadb-install-db and mariadbd are needed for the fault tests "
                               "(Debian: apt-get install mariadb-server)")
        result = subprocess.run([install, "--no-defaults", f"--datadir={self.datadir}", "--user=root",
                                 "--auth-root-authentication-method=normal", "--skip-test-db"],
                                capture_output=True, text=True, timeout=120)
        if result.returncode:
            raise RuntimeError(f"mariadb-install-db failed: {result.stderr[-2000:]}")

    def start(self) -> None:
        log = open(self.root / "server.log", "ab")
        self.process = subprocess.Popen(
            ["mariadbd", "--no-defaults", f"--datadir={self.datadir}", f"--port={self.port}",
             "--bind-address=127.0.0.1", f"--socket={self.root / 'sock'}", "--user=root", "--skip-log-bin",
             "--innodb-buffer-pool-size=64M", "--max-connections=200", f"--pid-file={self.root / 'pid'}",
             *self.options],
            stdout=log, stderr=log)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("the private mariadbd exited: " + (self.root / "server.log").read_text()[-2000:])
            try:
                self.query("SELECT 1")
                return
            except Exception:
                time.sleep(0.1)
        raise RuntimeError("the private mariadbd did not start within 60 s")

    def kill(self) -> None:
        """kill -9, and wait until it is gone."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(30)
        self.process = None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.kill()
        self.process = None

    def url(self, database: str = "", port: int | None = None, query: str = "") -> str:
        return f"mysql+pymysql://root@127.0.0.1:{port or self.port}/{database}{query}"

    def query(self, sql: str, database: str | None = None) -> list[tuple]:
        import pymysql

        connection = pymysql.connect(host="127.0.0.1", port=self.port, user="root", database=database,
                                     autocommit=True, connect_timeout=5)
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql)
                return list(cursor.fetchall())
        finally:
            connection.close()


class CuttingProxy:
    """Forwards 127.0.0.1:<port> to a server; `cut(n)` drops the n-th connection it accepted
    (0 = the first), both ways at once, as a failing network would."""

    def __init__(self, target_port: int):
        self.target_port = target_port
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self.connections: list[tuple[socket.socket, socket.socket]] = []
        self.lock = threading.Lock()
        self.closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", self.target_port))
            with self.lock:
                self.connections.append((client, server))
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                sink.sendall(data)
        except OSError:
            pass
        for end in (source, sink):
            try:
                end.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def count(self) -> int:
        with self.lock:
            return len(self.connections)

    def cut(self, index: int) -> None:
        with self.lock:
            pair = self.connections[index]
        for end in pair:
            try:
                end.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            end.close()

    def close(self) -> None:
        self.closed = True
        self.listener.close()
        with self.lock:
            pairs = list(self.connections)
        for pair in pairs:
            for end in pair:
                try:
                    end.close()
                except OSError:
                    pass


def wait_for(predicate, timeout: float = 30, what: str = "the condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def sqlgen_process(*args: str, cwd: Path) -> subprocess.Popen:
    """`sqlgen ARGS` as a child process of its own, so that a test can kill -9 it."""
    import sys

    env = dict(os.environ, PYTHONUNBUFFERED="1")
    return subprocess.Popen([sys.executable, "-m", "sqlgen", *args], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
