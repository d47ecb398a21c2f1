"""A loopback TCP proxy that adds a fixed delay to each direction of traffic.

    python bench/latency_proxy.py [--delay-ms 1] [--target 127.0.0.1:3306] [--port 0]
                                  [--idle-timeout 60] [--max-lifetime 3600]

prints the port it listens on (one line, then flushes) and forwards every connection to the
target. Each chunk read from one side is written to the other no earlier than its receive time
plus the delay: chunks wait in a per-direction queue with their due times, so order is kept and
several chunks can be in flight at once (the delay adds latency, not a throughput cap). A request
and its answer therefore take 2 x delay more than direct.

Both the listening address and the target must be loopback addresses. The proxy stops by itself
after --idle-timeout seconds with no open connection, and after --max-lifetime seconds in any case.

As a library:

    with latency_proxy(delay_ms=1.0, target=("127.0.0.1", 3306)) as port:
        ...  # connect to 127.0.0.1:port

runs the proxy on an event loop in a background thread and stops it at the end of the block.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ipaddress
import socket
import sys
import threading
import time
from collections.abc import Iterator

CHUNK = 65536
_EOF = b""


def require_loopback(host: str) -> None:
    """Raise ValueError unless every address host resolves to is a loopback address."""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except socket.gaierror as error:
        raise ValueError(f"cannot resolve {host!r}: {error}") from None
    addresses = {info[4][0] for info in infos}
    if not addresses or not all(ipaddress.ip_address(a.split("%")[0]).is_loopback for a in addresses):
        raise ValueError(f"{host!r} is not a loopback address ({', '.join(sorted(addresses))}); refused")


def parse_target(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit():
        raise ValueError(f"target must be HOST:PORT, got {text!r}")
    return host.strip("[]"), int(port)


class LatencyProxy:
    """The proxy's state; `serve()` runs it on the current event loop until it stops."""

    def __init__(self, delay_ms: float = 1.0, target: tuple[str, int] = ("127.0.0.1", 3306),
                 listen_host: str = "127.0.0.1", port: int = 0,
                 idle_timeout: float = 60.0, max_lifetime: float = 3600.0) -> None:
        require_loopback(listen_host)
        require_loopback(target[0])
        if delay_ms < 0:
            raise ValueError("delay must not be negative")
        self.delay = delay_ms / 1000.0
        self.target = target
        self.listen_host = listen_host
        self.requested_port = port
        self.idle_timeout = idle_timeout
        self.max_lifetime = max_lifetime
        self.port: int | None = None
        self.connections = 0
        self._last_close = time.monotonic()
        self._tasks: set[asyncio.Task] = set()
        self._stop: asyncio.Event | None = None

    async def serve(self, started: threading.Event | None = None) -> None:
        self._stop = asyncio.Event()
        server = await asyncio.start_server(self._handle, self.listen_host, self.requested_port)
        self.port = server.sockets[0].getsockname()[1]
        if started is not None:
            started.set()
        watchdog = asyncio.create_task(self._watchdog())
        try:
            await self._stop.wait()
        finally:
            watchdog.cancel()
            server.close()
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
            await server.wait_closed()

    def stop(self) -> None:
        """Ask the proxy to stop (call from its own event loop)."""
        if self._stop is not None:
            self._stop.set()

    async def _watchdog(self) -> None:
        born = time.monotonic()
        while True:
            await asyncio.sleep(0.25)
            now = time.monotonic()
            if now - born >= self.max_lifetime:
                print("latency_proxy: maximum lifetime reached, stopping", file=sys.stderr)
                break
            if self.connections == 0 and now - self._last_close >= self.idle_timeout:
                break
        self.stop()

    async def _handle(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        self._tasks.add(task)
        self.connections += 1
        try:
            try:
                server_reader, server_writer = await asyncio.open_connection(*self.target)
            except OSError as error:
                print(f"latency_proxy: cannot reach {self.target[0]}:{self.target[1]}: {error}", file=sys.stderr)
                return
            try:
                pipes = [asyncio.create_task(self._pipe(client_reader, server_writer)),
                         asyncio.create_task(self._pipe(server_reader, client_writer))]
                try:  # both directions until each ends; if one fails, the other stops too
                    await asyncio.wait(pipes, return_when=asyncio.FIRST_EXCEPTION)
                finally:
                    for pipe in pipes:
                        pipe.cancel()
                    await asyncio.gather(*pipes, return_exceptions=True)
            finally:
                server_writer.close()
        except (asyncio.CancelledError, ConnectionError):
            pass
        finally:
            client_writer.close()
            self.connections -= 1
            self._last_close = time.monotonic()
            self._tasks.discard(task)

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Forward reader to writer, each chunk no earlier than its arrival plus the delay."""
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

        async def receive() -> None:
            try:
                while True:
                    data = await reader.read(CHUNK)
                    queue.put_nowait((loop.time() + self.delay, data))
                    if not data:
                        return
            except ConnectionError:
                queue.put_nowait((loop.time(), _EOF))

        receiver = asyncio.create_task(receive())
        try:
            while True:
                due, data = await queue.get()
                wait = due - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                if not data:
                    if writer.can_write_eof():
                        writer.write_eof()
                    return
                writer.write(data)
                await writer.drain()
        finally:
            receiver.cancel()


@contextlib.contextmanager
def latency_proxy(delay_ms: float = 1.0, target: tuple[str, int] = ("127.0.0.1", 3306), port: int = 0,
                  idle_timeout: float = 60.0, max_lifetime: float = 3600.0) -> Iterator[int]:
    """Run a LatencyProxy in a background thread; yields the port it listens on (127.0.0.1)."""
    proxy = LatencyProxy(delay_ms, target, port=port, idle_timeout=idle_timeout, max_lifetime=max_lifetime)
    loop = asyncio.new_event_loop()
    started = threading.Event()
    failure: list[BaseException] = []

    def run() -> None:
        try:
            loop.run_until_complete(proxy.serve(started))
        except BaseException as error:  # reported to the caller below
            failure.append(error)
            started.set()
        finally:
            loop.close()

    thread = threading.Thread(target=run, name="latency-proxy", daemon=True)
    thread.start()
    started.wait()
    if failure:
        raise failure[0]
    try:
        yield proxy.port
    finally:
        if not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(proxy.stop)
        thread.join(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--delay-ms", type=float, default=1.0, help="delay added to each direction (default 1)")
    parser.add_argument("--target", default="127.0.0.1:3306", help="loopback HOST:PORT to forward to")
    parser.add_argument("--listen", default="127.0.0.1", help="loopback address to listen on")
    parser.add_argument("--port", type=int, default=0, help="port to listen on (0: any free port)")
    parser.add_argument("--idle-timeout", type=float, default=60.0,
                        help="stop after this many seconds with no connection (default 60)")
    parser.add_argument("--max-lifetime", type=float, default=3600.0,
                        help="stop after this many seconds in any case (default 3600)")
    args = parser.parse_args()
    try:
        proxy = LatencyProxy(args.delay_ms, parse_target(args.target), args.listen, args.port,
                             args.idle_timeout, args.max_lifetime)
    except ValueError as error:
        parser.error(str(error))

    async def run() -> None:
        task = asyncio.create_task(proxy.serve())
        while proxy.port is None and not task.done():
            await asyncio.sleep(0.01)
        if proxy.port is not None:
            print(proxy.port, flush=True)
        await task

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run())


if __name__ == "__main__":
    main()
