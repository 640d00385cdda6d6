"""`aftercare serve` / `aftercare worker` as child processes on loopback, for tests that go
through the real entry point (and fault tests that stop or kill it)."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from collections.abc import Mapping
from pathlib import Path

_LISTENING = re.compile(r"Uvicorn running on (http://127\.0\.0\.1:\d+)")


def aftercare_command() -> list[str]:
    """The installed `aftercare` entry point next to this interpreter."""
    script = Path(sys.executable).with_name("aftercare")
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-c", "from adapters.cli.main import main; main()"]


class Child:
    """One aftercare process; stderr is collected (and checked by the fault tests)."""

    def __init__(self, args: list[str], env: Mapping[str, str]) -> None:
        self.args = args
        self.env = {**os.environ, **env, "PYTHONUNBUFFERED": "1"}
        self.process: asyncio.subprocess.Process | None = None
        self.lines: list[str] = []
        self._reader: asyncio.Task[None] | None = None
        self._url: asyncio.Future[str] | None = None

    async def start(self) -> None:
        self._url = asyncio.get_running_loop().create_future()
        self.process = await asyncio.create_subprocess_exec(
            *aftercare_command(),
            *self.args,
            env=self.env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        self._reader = asyncio.create_task(self._read())

    async def url(self, seconds: float = 60.0) -> str:
        """The base URL `serve` listens on (it binds port 0 and logs the port it got)."""
        assert self._url is not None
        try:
            return await asyncio.wait_for(asyncio.shield(self._url), seconds)
        except asyncio.CancelledError:
            raise RuntimeError("exited before listening:\n" + self.output[-3000:]) from None

    async def _read(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        async for raw in self.process.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            self.lines.append(line)
            found = _LISTENING.search(line)
            if found and self._url is not None and not self._url.done():
                self._url.set_result(found.group(1))
        if self._url is not None and not self._url.done():
            self._url.cancel()  # exited without listening (or never meant to: a worker)

    def signal(self, number: int) -> None:
        assert self.process is not None
        self.process.send_signal(number)

    async def wait(self, seconds: float = 60.0) -> int:
        assert self.process is not None
        code = await asyncio.wait_for(self.process.wait(), seconds)
        if self._reader is not None:
            await self._reader
        return code

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.signal(signal.SIGTERM)
            try:
                await self.wait(30)
            except TimeoutError:
                self.signal(signal.SIGKILL)
                await self.wait(10)

    @property
    def output(self) -> str:
        return "\n".join(self.lines)


def serve(env: Mapping[str, str]) -> Child:
    return Child(["serve", "--host", "127.0.0.1", "--port", "0"], env)


def worker(env: Mapping[str, str]) -> Child:
    return Child(["worker", "--interval", "0.2"], env)


async def cli(env: Mapping[str, str], *args: str, seconds: float = 300.0) -> str:
    """Run `aftercare ARGS` as its own process (as an operator would) and return its stdout;
    a non-zero exit fails the test with what it printed."""
    process = await asyncio.create_subprocess_exec(
        *aftercare_command(),
        *args,
        env={**os.environ, **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), seconds)
    assert process.returncode == 0, err.decode() or out.decode()
    return out.decode()
