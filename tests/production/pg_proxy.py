"""A TCP proxy between the production stack and PostgreSQL that can fail the way a restarting server does.

Why a proxy and not `pg_ctlcluster … restart`: the real server is shared with other test runs on this machine
(their connections would break too), and a restart cannot be timed to land inside one transaction. The proxy
cuts every connection at an exact point (say, when the handoff's outbox row is sent), refuses new connections
for a while, and then lets them through again: what the stack sees of a restart, and nothing else is touched.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from dataclasses import dataclass, field
from typing import List, Optional, Set, Tuple


@dataclass
class Trigger:
    """Cut everything when `start` passes; with `then`, when `then` later passes on the same connection."""

    start: bytes
    then: Optional[bytes]
    down_seconds: float
    forward_last: bool  # pass the triggering chunk on before cutting (the server gets it, the answer is lost)
    fired: threading.Event = field(default_factory=threading.Event)


class PostgresProxy:
    def __init__(self, target_host: str = "127.0.0.1", target_port: int = 5432) -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self.down_until = 0.0
        self.cuts = 0
        self._trigger: Optional[Trigger] = None
        # Connections are known by a number of their own: a Python id() is reused once a connection is gone, and a
        # new connection that inherited a muted id would wait for answers forever (a hang seen in CI).
        self._numbers = itertools.count()
        self._marked: Set[int] = set()
        self._muted: Set[int] = set()  # connections whose answers from the server are dropped
        self._pairs: List[Tuple[asyncio.StreamWriter, asyncio.StreamWriter]] = []
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True, name="pg-proxy")
        self._server: Optional[asyncio.AbstractServer] = None

    def start(self) -> "PostgresProxy":
        self._thread.start()
        self._server = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._accept, "127.0.0.1", 0), self._loop
        ).result(10)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    def stop(self) -> None:
        async def close() -> None:
            assert self._server is not None
            self._server.close()
            self._cut_all()

        asyncio.run_coroutine_threadsafe(close(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def restart(self, down_seconds: float) -> None:
        """Now: every connection is cut and new ones are turned away for `down_seconds`."""
        asyncio.run_coroutine_threadsafe(self._go_down(down_seconds), self._loop).result(10)

    def arm(
        self, start: bytes, down_seconds: float, then: Optional[bytes] = None, forward_last: bool = False
    ) -> Trigger:
        """Restart at a point in the traffic instead of now (one shot)."""
        self._trigger = Trigger(start, then, down_seconds, forward_last)
        self._marked.clear()
        return self._trigger

    @property
    def is_down(self) -> bool:
        return time.monotonic() < self.down_until

    async def _go_down(self, down_seconds: float) -> None:
        self.down_until = time.monotonic() + down_seconds
        self.cuts += 1
        self._cut_all()

    def _cut_all(self) -> None:
        for client, server in self._pairs:
            for writer in (client, server):
                writer.transport.abort()
        self._pairs.clear()

    async def _accept(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        if self.is_down:  # a server that is still starting up: the connection ends at once
            client_writer.transport.abort()
            return
        try:
            server_reader, server_writer = await asyncio.open_connection(*self.target)
        except Exception:  # the server is really gone: the client sees a refused line, as it would without us
            client_writer.transport.abort()
            raise
        pair, key = (client_writer, server_writer), next(self._numbers)
        self._pairs.append(pair)
        await asyncio.gather(
            self._pump(client_reader, server_writer, key, watch=True),
            self._pump(server_reader, client_writer, key, watch=False),
            return_exceptions=True,
        )
        if pair in self._pairs:
            self._pairs.remove(pair)
        self._marked.discard(key)
        self._muted.discard(key)
        for writer in pair:
            writer.transport.abort()

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, key: int, watch: bool) -> None:
        while True:
            chunk = await reader.read(65536)
            if not chunk:  # one side hung up (a killed client, say): so does the other, as with a direct line
                writer.transport.abort()
                break
            trigger = self._trigger if watch else None
            if trigger and self._fires(trigger, chunk, key):
                self._trigger = None
                if trigger.forward_last:
                    self._muted.add(key)
                    writer.write(chunk)
                    await writer.drain()
                    await asyncio.sleep(0.2)  # the server reads and acts on it before the line drops
                await self._go_down(trigger.down_seconds)
                trigger.fired.set()
                return
            if not watch and key in self._muted:
                continue
            writer.write(chunk)
            await writer.drain()

    def _fires(self, trigger: Trigger, chunk: bytes, key: int) -> bool:
        if trigger.then is None:
            return trigger.start in chunk
        if key in self._marked and trigger.then in chunk:
            return True
        if trigger.start in chunk:
            self._marked.add(key)
        return False
