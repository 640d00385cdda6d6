"""What load.py and chaos.py share: a database (a fresh PostgreSQL schema or a SQLite file), the
starter KB indexed and published, fake Slack and Telegram APIs in a process of their own,
`aftercare serve` replicas and workers, haproxy in front, and clients that post signed Slack
events and Telegram updates at a fixed rate and retry until acknowledged, as the platforms do.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import itertools
import json
import os
import random
import signal
import socket
import sys
import time
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import aiohttp
import httpx

ROOT = Path(__file__).resolve().parent.parent
AFTERCARE = str(Path(sys.executable).with_name("aftercare"))
PG_BASE = os.environ.get(
    "AFTERCARE_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
SLACK_SECRET = "bench-signing-secret"
TG_TOKEN = "123456789:AAbench-token-for-the-fake-bot-api-0001"
TG_SECRET = "bench-webhook-secret"


def questions() -> list[str]:
    """Realistic client questions about the starter KB (the in-scope kb_eval test lines)."""
    path = ROOT / "benchmarks" / "data" / "kb_eval" / "queries_test.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return [r["query"] for r in rows if r.get("gold_id")]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Child:
    """One process; stdout and stderr go to a log file; peak RSS is read from /proc."""

    def __init__(self, name: str, args: Sequence[str], env: dict[str, str], logs: Path) -> None:
        self.name = name
        self.args = list(args)
        self.env = env
        self.log_path = logs / f"{name}.log"
        self.process: asyncio.subprocess.Process | None = None
        self.peak_rss_mb = 0.0
        self._watch: asyncio.Task[None] | None = None

    async def start(self) -> None:
        log = self.log_path.open("ab")
        self.process = await asyncio.create_subprocess_exec(
            *self.args, env=self.env, stdout=log, stderr=log, stdin=asyncio.subprocess.DEVNULL
        )
        log.close()
        self._watch = asyncio.create_task(self._rss())

    async def _rss(self) -> None:
        assert self.process is not None
        status = Path(f"/proc/{self.process.pid}/status")
        while self.process.returncode is None:
            with contextlib.suppress(OSError, ValueError):
                for line in status.read_text().splitlines():  # noqa: ASYNC240 (procfs)
                    if line.startswith("VmHWM:"):
                        self.peak_rss_mb = max(self.peak_rss_mb, int(line.split()[1]) / 1024)
            await asyncio.sleep(0.5)

    def signal(self, number: int) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(number)

    async def wait(self, seconds: float = 60) -> int | None:
        if self.process is None:
            return None
        try:
            return await asyncio.wait_for(self.process.wait(), seconds)
        except TimeoutError:
            self.signal(signal.SIGKILL)
            return await self.process.wait()

    async def stop(self) -> None:
        self.signal(signal.SIGTERM)
        await self.wait(40)
        if self._watch is not None:
            self._watch.cancel()

    def has_logged(self, text: str) -> bool:
        return text in self.log_path.read_text(encoding="utf-8", errors="replace")


@dataclass
class Stack:
    """The system under test, on `db` ("postgresql" or "sqlite")."""

    db: str
    work: Path
    env: dict[str, str] = field(default_factory=dict)
    children: list[Child] = field(default_factory=list)
    slack_api: str = ""
    telegram_api: str = ""
    pg_port: int | None = None  # reach PostgreSQL through this port (a TcpProxy)
    _schema: str = ""
    _fakes: Child | None = None

    @property
    def logs(self) -> Path:
        path = self.work / "logs"
        path.mkdir(parents=True, exist_ok=True)
        return path

    async def setup(self, extra_env: dict[str, str] | None = None) -> None:
        self.work.mkdir(parents=True, exist_ok=True)
        if self.db == "postgresql":
            self._schema = f"bench_{uuid.uuid4().hex[:10]}"
            await _psql(f'CREATE SCHEMA "{self._schema}"')
            sep = "&" if "?" in PG_BASE else "?"
            base = PG_BASE
            if self.pg_port is not None:
                base = base.replace(":5432/", f":{self.pg_port}/")
            url = f"{base}{sep}options={quote(f'-csearch_path={self._schema}')}"
        else:
            url = f"sqlite:///{self.work / 'aftercare.db'}"
        fakes_log = (self.logs / "fakes.log").open("ab")
        fakes = await asyncio.create_subprocess_exec(
            sys.executable,
            str(ROOT / "benchmarks" / "fake_platforms.py"),
            stdout=asyncio.subprocess.PIPE,
            stderr=fakes_log,
        )
        assert fakes.stdout is not None
        urls = json.loads(await asyncio.wait_for(fakes.stdout.readline(), 30))
        self.slack_api, self.telegram_api = urls["slack"], urls["telegram"]
        self._fakes = Child("fakes", [], {}, self.logs)
        self._fakes.process = fakes
        self.env = {
            **os.environ,
            "AFTERCARE_DATABASE_URL": url,
            "AFTERCARE_DATA_DIR": str(self.work / "var"),
            "AFTERCARE_KB_DIR": str(ROOT / "knowledge"),
            "AFTERCARE_INDEX_DIR": str(ROOT / "var" / "bench-index"),
            "AFTERCARE_SLACK_BOT_TOKEN": "xoxb-bench",
            "AFTERCARE_SLACK_SIGNING_SECRET": SLACK_SECRET,
            "AFTERCARE_SLACK_API_URL": f"{self.slack_api}/api/",
            "AFTERCARE_TELEGRAM_TOKEN": TG_TOKEN,
            "AFTERCARE_TELEGRAM_WEBHOOK_SECRET": TG_SECRET,
            "AFTERCARE_TELEGRAM_API_URL": f"{self.telegram_api}/bot",
            "AFTERCARE_LOG_LEVEL": "WARNING",
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
            **(extra_env or {}),
        }
        await self.command("db", "upgrade")
        await self.command("index")  # incremental: a no-op after the first run; published

    async def command(self, *args: str) -> None:
        process = await asyncio.create_subprocess_exec(
            AFTERCARE,
            *args,
            env=self.env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        out, _ = await process.communicate()
        if process.returncode != 0:
            raise RuntimeError(f"aftercare {' '.join(args)} failed:\n{out.decode()[-2000:]}")

    async def serve(self, name: str, port: int, env: dict[str, str] | None = None) -> Child:
        child = Child(
            name,
            [AFTERCARE, "serve", "--host", "127.0.0.1", "--port", str(port)],
            {**self.env, **(env or {})},
            self.logs,
        )
        self.children.append(child)
        await child.start()
        await wait_healthy(f"http://127.0.0.1:{port}")
        return child

    async def worker(self, name: str, env: dict[str, str] | None = None) -> Child:
        child = Child(
            name,
            [AFTERCARE, "worker", "--interval", "0.5"],
            {**self.env, **(env or {})},
            self.logs,
        )
        self.children.append(child)
        await child.start()
        return child

    async def haproxy(self, ports: Sequence[int]) -> tuple[Child, int]:
        """Round robin over the replicas; a replica failing /healthz or refusing connections
        is taken out, and a connection that fails is tried on the other one."""
        port = free_port()
        servers = "\n".join(
            f"    server r{i} 127.0.0.1:{p} check inter 1s fall 3 rise 1"
            for i, p in enumerate(ports)
        )
        config = self.work / "haproxy.cfg"
        config.write_text(
            f"""global
    maxconn 4096
defaults
    mode http
    timeout connect 2s
    timeout client 30s
    timeout server 30s
    timeout check 3s
    retries 3
    option redispatch
    retry-on conn-failure empty-response response-timeout
frontend aftercare
    bind 127.0.0.1:{port}
    default_backend replicas
backend replicas
    balance roundrobin
    option httpchk GET /healthz
{servers}
""",
            encoding="utf-8",
        )
        child = Child("haproxy", ["haproxy", "-f", str(config), "-db"], dict(os.environ), self.logs)
        self.children.append(child)
        await child.start()
        await asyncio.sleep(1.0)
        return child, port

    async def stats(self) -> dict[str, Any]:
        async with httpx.AsyncClient() as http:
            return dict((await http.get(f"{self.slack_api}/_stats", timeout=30)).json())

    async def teardown(self) -> None:
        for child in reversed(self.children):
            await child.stop()
        if self._fakes is not None:
            self._fakes.signal(signal.SIGTERM)
            await self._fakes.wait(10)
        if self._schema:
            await _psql(f'DROP SCHEMA "{self._schema}" CASCADE')


async def _psql(statement: str) -> None:
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(PG_BASE.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        async with engine.begin() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


async def wait_healthy(base: str, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    async with httpx.AsyncClient() as http:
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if (await http.get(f"{base}/healthz", timeout=2)).status_code == 200:
                    return
            await asyncio.sleep(0.2)
    raise RuntimeError(f"{base} did not become healthy")


# --- the platforms' side: signed events, retried until acknowledged -----------------------


def slack_event(n: int, text: str) -> str:
    return json.dumps(
        {
            "token": "legacy",
            "team_id": "T1",
            "api_app_id": "A1",
            "type": "event_callback",
            "event_id": f"Ev{n:07d}",
            "event_time": int(time.time()),
            "event": {
                "type": "message",
                "channel": f"D{n:07d}",
                "channel_type": "im",
                "user": f"U{n:07d}",
                "team": "T1",
                "text": text,
                "ts": f"{int(time.time())}.{n:06d}",
            },
        }
    )


def slack_headers(body: str, retry: int) -> dict[str, str]:
    stamp = str(int(time.time()))
    digest = hmac.new(
        SLACK_SECRET.encode(), f"v0:{stamp}:{body}".encode(), hashlib.sha256
    ).hexdigest()
    headers = {
        "Content-Type": "application/json",
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": f"v0={digest}",
    }
    if retry:
        headers["X-Slack-Retry-Num"] = str(retry)
        headers["X-Slack-Retry-Reason"] = "http_error"
    return headers


def telegram_update(n: int, text: str) -> dict[str, Any]:
    chat = 10_000_000 + n
    user = {"id": chat, "is_bot": False, "first_name": "Client"}
    return {
        "update_id": n,
        "message": {
            "message_id": n,
            "date": int(time.time()),
            "chat": {"id": chat, "type": "private", "first_name": "Client"},
            "from": user,
            "text": text,
        },
    }


@dataclass
class Sent:
    """One event as the platform saw it: when first posted, when acknowledged, how often tried."""

    n: int
    channel: str
    posted: float
    acked: float | None = None
    attempts: int = 0
    statuses: list[int] = field(default_factory=list)


class Platform:
    """Posts events to `base` the way Slack and Telegram do: each event until it gets a 2xx,
    retried after 1, 2, 4, ... s (compressed from the platforms' real schedules). aiohttp,
    not httpx: httpx's pool slows down quadratically with hundreds of requests in flight,
    which would measure the client instead of the server."""

    def __init__(self, base: str, retries: int = 8, timeout: float = 3.0) -> None:
        self.base = base
        self.retries = retries
        self.sent: dict[int, Sent] = {}
        # Slack gives up on a request after 3 seconds and retries it; so does this client.
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._http: aiohttp.ClientSession | None = None

    def _session(self) -> aiohttp.ClientSession:
        if self._http is None:
            connector = aiohttp.TCPConnector(limit=256, force_close=False)
            self._http = aiohttp.ClientSession(
                self.base, connector=connector, timeout=self._timeout
            )
        return self._http

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()

    async def post(self, n: int, channel: str, text: str) -> None:
        record = Sent(n, channel, time.time())
        self.sent[n] = record
        http = self._session()
        delay = 1.0
        for attempt in range(self.retries + 1):
            record.attempts += 1
            try:
                if channel == "slack":
                    body = slack_event(n, text)
                    request = http.post(
                        "/slack/events", data=body.encode(), headers=slack_headers(body, attempt)
                    )
                else:
                    request = http.post(
                        "/telegram/webhook",
                        json=telegram_update(n, text),
                        headers={"X-Telegram-Bot-Api-Secret-Token": TG_SECRET},
                    )
                async with request as response:
                    await response.read()
                    record.statuses.append(response.status)
                    if 200 <= response.status < 300:
                        record.acked = time.time()
                        return
            except (aiohttp.ClientError, TimeoutError):
                record.statuses.append(0)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 8.0)


async def at_rate(
    rate: float, count: int, start: int, send: Callable[[int], Any]
) -> list[asyncio.Task[None]]:
    """Start `send(n)` for n in start..start+count-1 at `rate` per second (open loop)."""
    tasks = []
    begin = time.monotonic()
    for i in range(count):
        due = begin + i / rate
        pause = due - time.monotonic()
        if pause > 0:
            await asyncio.sleep(pause)
        tasks.append(asyncio.create_task(send(start + i)))
    return tasks


def text_for(n: int, pool: Sequence[str]) -> str:
    return pool[n % len(pool)]


def chat_of(channel: str, n: int) -> str:
    return f"D{n:07d}" if channel == "slack" else str(10_000_000 + n)


def percentile(values: Sequence[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))], 4)


@contextlib.asynccontextmanager
async def stack(
    db: str, work: Path, extra_env: dict[str, str] | None = None, pg_port: int | None = None
) -> AsyncIterator[Stack]:
    built = Stack(db, work, pg_port=pg_port)
    try:
        await built.setup(extra_env)
        yield built
    finally:
        await built.teardown()


def shuffled(seed: int, items: Sequence[str]) -> list[str]:
    copy = list(items)
    random.Random(seed).shuffle(copy)
    return copy


_ids = itertools.count(1)


class TcpProxy:
    """A loopback TCP relay in front of the database, so a run can take the database away
    (every connection cut, new ones refused) and give it back, as a restart would."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = free_port()
        self._server: asyncio.Server | None = None
        self._links: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._link, "127.0.0.1", self.port)

    async def _link(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return
        self._links.update((writer, up_writer))

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(OSError, asyncio.IncompleteReadError):
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            dst.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
        self._links.difference_update((writer, up_writer))

    async def outage(self, seconds: float) -> None:
        assert self._server is not None
        self._server.close()
        for link in list(self._links):
            link.transport.abort()
        self._links.clear()
        await asyncio.sleep(seconds)
        await self.start()

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for link in list(self._links):
            link.transport.abort()
