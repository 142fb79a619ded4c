"""balita_cli.net: one safe way to fetch a URL, attacked from every side it exposes.

A real HTTP server on 127.0.0.1 (pytest-httpserver, threaded) and the real network stack: httpx
is never mocked. Only name resolution is faked, and only for made-up names, in the tests that
need a name to resolve to a given address.
"""

from __future__ import annotations

import gzip
import pickle
import socket
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from ipaddress import ip_address
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from balita_cli.net import (
    Fetched,
    FetchError,
    FetchPolicy,
    Validators,
    fetch,
    fetch_many,
    next_attempt_delay,
    parse_retry_after,
)
from balita_cli.net.addresses import refusal
from balita_cli.net.retry import BACKOFF_CAP, RETRY_AFTER_CEILING

MB = 1024 * 1024
LOCAL = FetchPolicy(allow_private=True, deadline=5.0)
FEED = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Balita</title></channel></rss>'


@pytest.fixture
def release() -> Iterator[threading.Event]:
    """Set when the test ends, so a handler that hangs or trickles lets its thread go."""
    event = threading.Event()
    yield event
    event.set()


@pytest.fixture
def site(http_server: HTTPServer, release: threading.Event) -> Iterator[HTTPServer]:
    http_server.clear()
    yield http_server
    release.set()
    http_server.clear()


def refused(url: str, policy: FetchPolicy = LOCAL, validators: Validators | None = None) -> FetchError:
    """The FetchError the fetch must raise, checked to be one line about this URL."""
    with pytest.raises(FetchError) as caught:
        fetch(url, policy, validators)
    message = str(caught.value)
    assert message.startswith("cannot fetch ") and "\n" not in message and "Traceback" not in message
    assert caught.value.exit_code == 1
    return caught.value


def fake_dns(monkeypatch: pytest.MonkeyPatch, answers: dict[str, list[list[str]]]) -> list[str]:
    """Names in ``answers`` resolve to the next list of addresses (the last one repeats); every
    other name, IP literals included, goes to the real resolver. Returns the names looked up."""
    real = socket.getaddrinfo
    asked: list[str] = []

    def getaddrinfo(host: str, port: int, *args: Any, **kwargs: Any) -> list[tuple[Any, ...]]:
        if host not in answers:
            return list(real(host, port, *args, **kwargs))
        asked.append(host)
        addresses = answers[host][min(asked.count(host), len(answers[host])) - 1]
        return [
            (socket.AF_INET6, socket.SOCK_STREAM, 6, "", (a, port, 0, 0))
            if ":" in a
            else (socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
            for a in addresses
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return asked


# ---------------------------------------------------------------- success and conditional GET


def test_200_then_304_with_etag(site: HTTPServer) -> None:
    site.expect_ordered_request("/feed").respond_with_data(
        FEED, content_type="application/RSS+xml; charset=utf-8", headers={"ETag": '"v1"'}
    )
    site.expect_ordered_request("/feed", headers={"If-None-Match": '"v1"'}).respond_with_data(b"", status=304)

    first = fetch(site.url_for("/feed"), LOCAL)
    second = fetch(site.url_for("/feed"), LOCAL, first.validators)

    assert first == Fetched(site.url_for("/feed"), 200, FEED, "application/rss+xml", Validators(etag='"v1"'))
    assert not first.not_modified
    assert second.not_modified and second.status == 304 and second.body == b""
    assert second.validators == first.validators
    assert [request.headers.get("If-None-Match") for request, _ in site.log] == [None, '"v1"']


def test_last_modified_round_trip_and_a_new_etag_on_304(site: HTTPServer) -> None:
    date = "Wed, 21 Oct 2025 07:28:00 GMT"
    site.expect_ordered_request("/feed").respond_with_data(FEED, headers={"Last-Modified": date})
    site.expect_ordered_request("/feed").respond_with_data(b"", status=304, headers={"ETag": 'W/"v2"'})

    first = fetch(site.url_for("/feed"), LOCAL)
    second = fetch(site.url_for("/feed"), LOCAL, first.validators)

    assert first.validators == Validators(last_modified=date)
    assert second.not_modified and second.validators == Validators(etag='W/"v2"', last_modified=date)
    assert site.log[1][0].headers.get("If-Modified-Since") == date


def test_user_agent_accept_and_encodings_are_sent(site: HTTPServer) -> None:
    site.expect_request("/feed").respond_with_data(FEED)
    policy = FetchPolicy(allow_private=True, user_agent="balita/0.1.0 (+mailto:desk@balita.example)")

    fetch(site.url_for("/feed"), policy)

    headers = site.log[0][0].headers
    assert headers["User-Agent"] == "balita/0.1.0 (+mailto:desk@balita.example)"
    assert headers["Accept"] == policy.accept
    assert headers["Accept-Encoding"] == "gzip, deflate"
    assert "If-None-Match" not in headers and "Cookie" not in headers and "Authorization" not in headers


def test_redirects_are_followed_and_the_final_url_kept(site: HTTPServer) -> None:
    site.expect_request("/old").respond_with_data("", status=301, headers={"Location": "/new"})
    site.expect_request("/new").respond_with_data("", status=307, headers={"Location": site.url_for("/feed")})
    site.expect_request("/feed").respond_with_data(FEED)

    fetched = fetch(site.url_for("/old"), LOCAL)

    assert fetched.url == site.url_for("/feed") and fetched.body == FEED
    assert [request.path for request, _ in site.log] == ["/old", "/new", "/feed"]


def test_a_304_to_a_request_that_was_not_conditional_is_an_error(site: HTTPServer) -> None:
    site.expect_request("/feed").respond_with_data(b"", status=304)
    assert "unexpected answer 304 Not Modified" in refused(site.url_for("/feed")).reason


def test_hostile_validators_are_neither_kept_nor_sent(site: HTTPServer) -> None:
    site.expect_request("/feed").respond_with_data(FEED, headers={"ETag": '"caf\u00e9"'})
    fetched = fetch(site.url_for("/feed"), LOCAL, Validators(etag='"a"\r\nX-Injected: 1', last_modified="x" * 5000))
    assert fetched.validators == Validators()
    sent = site.log[0][0].headers
    assert "If-None-Match" not in sent and "If-Modified-Since" not in sent and "X-Injected" not in sent


# ---------------------------------------------------------------- HTTP errors and Retry-After


def test_500_is_a_fetch_error_with_the_status(site: HTTPServer) -> None:
    site.expect_request("/feed").respond_with_data("oops", status=500)
    error = refused(site.url_for("/feed"))
    assert (error.status, error.retry_after) == (500, None)
    assert str(error) == f"cannot fetch {site.url_for('/feed')}: the server answered 500 Internal Server Error"


@pytest.mark.parametrize("status", [503, 429])
@pytest.mark.parametrize("form", ["seconds", "date"])
def test_retry_after_in_both_forms(site: HTTPServer, status: int, form: str) -> None:
    value = "120" if form == "seconds" else format_datetime(datetime.now(UTC) + timedelta(seconds=120), usegmt=True)
    site.expect_request("/feed").respond_with_data("busy", status=status, headers={"Retry-After": value})
    error = refused(site.url_for("/feed"))
    assert error.status == status
    assert error.retry_after is not None and 110 <= error.retry_after <= 120


def test_garbage_retry_after_is_none(site: HTTPServer) -> None:
    site.expect_request("/feed").respond_with_data("busy", status=503, headers={"Retry-After": "soon"})
    error = refused(site.url_for("/feed"))
    assert (error.status, error.retry_after) == (503, None)


# ---------------------------------------------------------------- the one deadline


@pytest.mark.slow
def test_a_server_that_hangs_is_cut_off_at_the_deadline(site: HTTPServer, release: threading.Event) -> None:
    def hang(request: Request) -> Response:
        release.wait(30)
        return Response("too late")

    site.expect_request("/feed").respond_with_handler(hang)
    policy = FetchPolicy(allow_private=True, deadline=1.0)
    error = refused(site.url_for("/feed"), policy)

    assert "1 s deadline" in error.reason


@pytest.mark.slow
def test_a_server_that_trickles_is_cut_off_at_the_deadline(site: HTTPServer, release: threading.Event) -> None:
    def trickle() -> Iterator[bytes]:
        for _ in range(500):  # one byte per 0.2 s: 100 s if nobody stopped it
            yield b"x"
            if release.wait(0.2):
                return

    site.expect_request("/feed").respond_with_handler(lambda request: Response(trickle()))
    policy = FetchPolicy(allow_private=True, deadline=1.0)
    error = refused(site.url_for("/feed"), policy)

    assert "1 s deadline" in error.reason


@pytest.mark.slow
def test_the_deadline_covers_every_redirect_not_each_one(site: HTTPServer) -> None:
    def slow_redirect(request: Request) -> Response:
        time.sleep(0.4)
        return Response("", status=302, headers={"Location": f"/hop{int(request.path[4:]) + 1}"})

    for hop in range(5):
        site.expect_request(f"/hop{hop}").respond_with_handler(slow_redirect)
    policy = FetchPolicy(allow_private=True, deadline=1.0, max_redirects=5)
    error = refused(site.url_for("/hop0"), policy)

    assert "1 s deadline" in error.reason
    assert len(site.log) <= 3


@pytest.mark.slow
def test_a_name_lookup_that_hangs_is_cut_off_at_the_deadline(
    monkeypatch: pytest.MonkeyPatch, release: threading.Event
) -> None:
    real = socket.getaddrinfo

    def getaddrinfo(host: str, *args: Any, **kwargs: Any) -> Any:
        if host == "slow-dns.example":
            release.wait(30)
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    error = refused("http://slow-dns.example/rss", FetchPolicy(deadline=1.0))

    assert "1 s deadline" in error.reason


# ---------------------------------------------------------------- size limits and encodings


def test_a_huge_streamed_body_is_refused_before_it_is_read_to_the_end(
    site: HTTPServer, release: threading.Event
) -> None:
    chunk = b"<item/>" * (64 * 1024 // 7)
    sent = [0]

    def fifty_megabytes() -> Iterator[bytes]:
        while sent[0] * len(chunk) < 50 * MB and not release.is_set():
            sent[0] += 1
            yield chunk

    site.expect_request("/feed").respond_with_handler(lambda request: Response(fifty_megabytes()))
    policy = FetchPolicy(allow_private=True, max_bytes=1 * MB)
    error = refused(site.url_for("/feed"), policy)

    assert error.reason == "the body is larger than the 1 MB limit"
    assert sent[0] * len(chunk) < 25 * MB  # stopped early, not read to the end


def test_content_length_over_the_limit_is_refused_before_the_body(site: HTTPServer, release: threading.Event) -> None:
    def body_that_never_comes() -> Iterator[bytes]:
        yield b"<"
        release.wait(30)

    site.expect_request("/photo.jpg").respond_with_handler(
        lambda request: Response(body_that_never_comes(), headers={"Content-Length": str(50 * MB)})
    )
    policy = FetchPolicy(allow_private=True, max_bytes=1 * MB, deadline=5.0)
    error = refused(site.url_for("/photo.jpg"), policy)

    assert error.reason == f"the body is larger than the 1 MB limit (Content-Length: {50 * MB})"


GZIP_BOMB_PROBE = """
import gzip, socket, threading, tracemalloc
from balita_cli.net import FetchError, FetchPolicy, fetch

MB = 1024 * 1024
bomb = gzip.compress(bytes(10 * MB), compresslevel=9)
answer = b"HTTP/1.1 200 OK\\r\\nContent-Encoding: gzip\\r\\nContent-Length: %d\\r\\n\\r\\n%s" % (len(bomb), bomb)
listener = socket.create_server(("127.0.0.1", 0))

def serve():
    while True:
        connection, _ = listener.accept()
        with connection:
            connection.recv(65536)
            connection.sendall(answer)

threading.Thread(target=serve, daemon=True).start()
url = "http://127.0.0.1:%d/feed" % listener.getsockname()[1]
policy = FetchPolicy(allow_private=True, max_bytes=MB)
for measured in (False, True):  # the first run imports httpx
    tracemalloc.start()
    try:
        fetch(url, policy)
    except FetchError as error:
        reason = error.reason
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
print(len(bomb), peak, reason)
"""


@pytest.mark.slow
def test_a_gzip_bomb_is_refused_without_inflating_it() -> None:
    """In a process of its own, so no other thread's allocations (werkzeug allocates ~10 MB per
    request) blur the measurement."""
    result = subprocess.run([sys.executable, "-c", GZIP_BOMB_PROBE], capture_output=True, text=True, check=True)
    compressed, peak, reason = result.stdout.strip().split(" ", 2)
    assert int(compressed) < 20 * 1024  # 10 MB of zeros
    assert reason == "the body is larger than the 1 MB limit"
    assert int(peak) < 3 * MB, peak  # inflating the bomb whole would take 10 MB (httpx's decoder: 24 MB)


@pytest.mark.parametrize(
    ("coding", "encode"),
    [
        ("gzip", gzip.compress),
        ("x-gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda data: zlib.compress(data)[2:-4]),  # raw deflate, as some servers send
        ("identity", lambda data: data),
    ],
)
def test_compressed_bodies_are_decoded(site: HTTPServer, coding: str, encode: Callable[[bytes], bytes]) -> None:
    body = FEED * 1000
    site.expect_request("/feed").respond_with_data(encode(body), headers={"Content-Encoding": coding})
    assert fetch(site.url_for("/feed"), LOCAL).body == body


def test_a_body_just_at_the_limit_is_accepted(site: HTTPServer) -> None:
    site.expect_request("/feed").respond_with_data(gzip.compress(bytes(MB)), headers={"Content-Encoding": "gzip"})
    assert len(fetch(site.url_for("/feed"), FetchPolicy(allow_private=True, max_bytes=MB)).body) == MB


@pytest.mark.parametrize(
    ("coding", "body", "reason"),
    [
        ("br", b"\x8b\x02\x80hi\x03", "unsupported Content-Encoding 'br'"),
        ("gzip, gzip", gzip.compress(gzip.compress(FEED)), "unsupported Content-Encoding 'gzip, gzip'"),
        ("gzip", b"this is not gzip at all", "the body is not valid gzip"),
    ],
)
def test_unusable_encodings_are_refused(site: HTTPServer, coding: str, body: bytes, reason: str) -> None:
    site.expect_request("/feed").respond_with_data(body, headers={"Content-Encoding": coding})
    assert refused(site.url_for("/feed")).reason.startswith(reason)


# ---------------------------------------------------------------- schemes and redirects


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://ftp.example.com/feed.xml", "gopher://example.com/", "data:,hello"]
)
def test_other_schemes_are_refused(url: str) -> None:
    scheme = url.split(":", 1)[0]
    assert refused(url).reason == f"scheme {scheme!r} is not allowed (http and https only)"


@pytest.mark.parametrize(
    "location", ["file:///etc/passwd", "ftp://ftp.example.com/feed.xml", "gopher://example.com/", "data:,hello"]
)
def test_redirects_to_other_schemes_are_refused(site: HTTPServer, location: str) -> None:
    site.expect_request("/feed").respond_with_data("", status=302, headers={"Location": location})
    scheme = location.split(":", 1)[0]
    error = refused(site.url_for("/feed"))
    assert error.reason == f"redirected to {location}: scheme {scheme!r} is not allowed (http and https only)"


def test_a_redirect_to_the_cloud_metadata_service_is_refused_even_with_allow_private(site: HTTPServer) -> None:
    location = "http://169.254.169.254/latest/meta-data/"
    site.expect_request("/feed").respond_with_data("", status=302, headers={"Location": location})
    error = refused(site.url_for("/feed"), LOCAL)
    assert error.reason == f"redirected to {location}: 169.254.169.254 is a link-local address"


def test_a_redirect_loop_stops_at_max_redirects(site: HTTPServer) -> None:
    site.expect_request("/loop").respond_with_data("", status=302, headers={"Location": "/loop"})
    policy = FetchPolicy(allow_private=True, max_redirects=3)
    assert refused(site.url_for("/loop"), policy).reason == "more than 3 redirects"
    assert len(site.log) == 4


def test_a_redirect_without_location_is_an_error(site: HTTPServer) -> None:
    site.expect_request("/feed").respond_with_data("", status=302)
    assert refused(site.url_for("/feed")).reason == "redirect 302 without a Location"


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("feeds.example/rss", "scheme '(none)' is not allowed (http and https only)"),
        ("http:///rss.xml", "the URL has no host"),
        ("http://[::1", "not a valid URL"),
        ("http://bad\nhost/", "not a valid URL"),
    ],
)
def test_malformed_urls_are_refused(url: str, reason: str) -> None:
    assert refused(url).reason.startswith(reason)


def test_a_password_in_the_url_is_not_shown() -> None:
    error = refused("http://editor:s3cret@127.0.0.1:9/feed", FetchPolicy())
    assert "s3cret" not in str(error) and "http://editor:***@127.0.0.1:9/feed" in str(error)


# ---------------------------------------------------------------- addresses, real network stack


def loopback_forms(port: int) -> list[str]:
    return [
        f"http://127.0.0.1:{port}/feed",
        f"http://localhost:{port}/feed",
        f"http://[::1]:{port}/feed",
        f"http://2130706433:{port}/feed",  # 127.0.0.1 as one number
        f"http://127.1:{port}/feed",
        f"http://0x7f.1:{port}/feed",
        f"http://[::ffff:127.0.0.1]:{port}/feed",
    ]


def test_loopback_is_refused_without_allow_private(site: HTTPServer) -> None:
    site.expect_request("/feed").respond_with_data(FEED)
    for url in loopback_forms(site.port):
        assert "a loopback address" in refused(url, FetchPolicy()).reason, url
    assert site.log == []  # nothing reached the server
    assert fetch(site.url_for("/feed"), LOCAL).body == FEED
    assert fetch(f"http://localhost:{site.port}/feed", LOCAL).body == FEED


def test_the_unspecified_address_is_refused_even_with_allow_private(site: HTTPServer) -> None:
    site.expect_request("/feed").respond_with_data(FEED)
    assert refused(f"http://0.0.0.0:{site.port}/feed", LOCAL).reason == "0.0.0.0 is an unspecified address"
    assert site.log == []


def test_a_name_resolving_to_a_private_address_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_dns(monkeypatch, {"feeds.example": [["10.0.0.1"]], "mixed.example": [["93.184.215.14", "10.0.0.1"]]})
    assert refused("http://feeds.example/rss", FetchPolicy()).reason == (
        "feeds.example resolves to a private address (10.0.0.1)"
    )
    # one bad address among good ones is enough: the client may pick any
    assert refused("https://mixed.example/rss", FetchPolicy()).reason == (
        "mixed.example resolves to a private address (10.0.0.1)"
    )


def test_the_checked_address_is_the_one_connected_to(site: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """DNS rebinding: the name answers an allowed address once, then the metadata service. The
    fetch must connect to the address it checked, without asking again."""
    asked = fake_dns(monkeypatch, {"rebind.example": [["127.0.0.1"], ["169.254.169.254"]]})
    site.expect_request("/feed").respond_with_data(FEED)

    fetched = fetch(f"http://rebind.example:{site.port}/feed", LOCAL)

    assert fetched.body == FEED
    assert asked == ["rebind.example"]
    assert site.log[0][0].headers["Host"] == f"rebind.example:{site.port}"


def test_a_name_that_does_not_resolve_is_an_error() -> None:
    assert refused("http://nowhere.invalid/rss").reason.startswith("cannot resolve host nowhere.invalid")


@pytest.mark.parametrize(
    ("address", "private_ok", "always"),
    [
        ("93.184.215.14", None, None),
        ("2606:4700::6810:84e5", None, None),
        ("::ffff:93.184.215.14", None, None),
        ("127.0.0.1", "loopback", None),
        ("::1", "loopback", None),
        ("::ffff:127.0.0.1", "loopback", None),
        ("10.0.0.1", "private", None),
        ("172.16.5.4", "private", None),
        ("192.168.1.1", "private", None),
        ("fd12:3456::1", "private", None),
        ("2002:c0a8:0101::1", "private", None),  # 6to4 around 192.168.1.1
        ("169.254.169.254", "link-local", "link-local"),
        ("::ffff:169.254.169.254", "link-local", "link-local"),
        ("fe80::1", "link-local", "link-local"),
        ("224.0.0.1", "multicast", "multicast"),
        ("ff02::1", "multicast", "multicast"),
        ("0.0.0.0", "unspecified", "unspecified"),
        ("::", "unspecified", "unspecified"),
        ("240.0.0.1", "reserved", "reserved"),
        ("255.255.255.255", "reserved", "reserved"),
        ("fec0::1", "site-local", "site-local"),
        ("64:ff9b::a9fe:a9fe", "link-local", "link-local"),  # NAT64 around 169.254.169.254
        ("100.100.100.200", "non-public", "non-public"),  # CGNAT: Alibaba Cloud's metadata service
        ("192.0.2.1", "non-public", "non-public"),
        ("2001:db8::1", "non-public", "non-public"),
    ],
)
def test_address_policy(address: str, private_ok: str | None, always: str | None) -> None:
    assert refusal(ip_address(address), allow_private=False) == private_ok
    assert refusal(ip_address(address), allow_private=True) == always


# ---------------------------------------------------------------- TLS


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[HTTPServer, Path]]:
    trustme = pytest.importorskip("trustme")
    import ssl

    authority = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("localhost").configure_cert(context)
    ca_file = tmp_path_factory.mktemp("tls") / "ca.pem"
    authority.cert_pem.write_to_path(str(ca_file))
    server = HTTPServer(host="127.0.0.1", port=0, ssl_context=context, threaded=True)
    server.expect_request("/feed").respond_with_data(FEED)
    server.start()
    yield server, ca_file
    server.stop()


def test_https_verifies_the_host_name_on_the_pinned_address(
    tls_server: tuple[HTTPServer, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    server, ca_file = tls_server
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
    assert fetch(f"https://localhost:{server.port}/feed", LOCAL).body == FEED
    # the certificate names localhost, not 127.0.0.1
    assert "TLS certificate not accepted" in refused(f"https://127.0.0.1:{server.port}/feed").reason


def test_an_untrusted_certificate_is_one_line(tls_server: tuple[HTTPServer, Path]) -> None:
    server, _ = tls_server
    assert refused(f"https://localhost:{server.port}/feed").reason.startswith("TLS certificate not accepted (")


# ---------------------------------------------------------------- broken servers, never a traceback


@pytest.fixture
def raw_server() -> Iterator[Callable[[bytes], str]]:
    """Serve these exact bytes to one connection, then close it; returns its URL."""
    listener = socket.create_server(("127.0.0.1", 0))
    threads: list[threading.Thread] = []

    def serve(answer: bytes) -> str:
        def run() -> None:
            connection, _ = listener.accept()
            with connection:
                connection.recv(65536)
                connection.sendall(answer)

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        threads.append(thread)
        return f"http://127.0.0.1:{listener.getsockname()[1]}/feed"

    yield serve
    listener.close()
    for thread in threads:
        thread.join(5)


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (b"SSH-2.0-OpenSSH_9.6\r\n", "not a valid HTTP answer"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort", "not a valid HTTP answer"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\nhello", "not a valid HTTP answer"),
        (b"HTTP/1.1 200 OK\r\nX: a\x00b\r\n\r\n", "not a valid HTTP answer"),
        (b"", "not a valid HTTP answer"),
    ],
)
def test_broken_answers_are_one_line_errors(raw_server: Callable[[bytes], str], answer: bytes, reason: str) -> None:
    assert refused(raw_server(answer)).reason.startswith(reason)


def test_a_closed_port_is_one_line() -> None:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    assert refused(f"http://127.0.0.1:{port}/feed").reason == "cannot connect (Connection refused)"


# ---------------------------------------------------------------- many at once


@pytest.fixture
def outlets(release: threading.Event) -> Iterator[tuple[list[HTTPServer], list[int]]]:
    """Five outlets, each a server of its own (an origin), whose /slow/<status>?sleep=<seconds>
    answers after a while; the list holds [in flight, most in flight] over all five."""
    counts = [0, 0]
    lock = threading.Lock()

    def slow(request: Request) -> Response:
        with lock:
            counts[0] += 1
            counts[1] = max(counts)
        release.wait(float(request.args.get("sleep", "0.5")))
        with lock:
            counts[0] -= 1
        status = int(request.path.rsplit("/", 1)[1])
        return Response(FEED if status == 200 else "no", status=status)

    servers = []
    for _ in range(5):
        outlet = HTTPServer(host="127.0.0.1", port=0, threaded=True)
        outlet.start()
        for status in (200, 404, 503):
            outlet.expect_request(f"/slow/{status}").respond_with_handler(slow)
        servers.append(outlet)
    yield servers, counts
    release.set()
    for outlet in servers:
        outlet.clear()
        outlet.stop()


@pytest.mark.slow
def test_fetch_many_runs_outlets_concurrently_and_keeps_every_outcome(
    outlets: tuple[list[HTTPServer], list[int]],
) -> None:
    servers, counts = outlets
    names = ["rappler", "inquirer", "philstar", "abs-cbn", "gma"]
    paths = ["/slow/200", "/slow/404", "/slow/200", "/slow/503", "/slow/200"]
    requests = [
        (name, outlet.url_for(path), Validators(etag='"x"') if name == "philstar" else None)
        for name, outlet, path in zip(names, servers, paths, strict=True)
    ]
    outcomes = fetch_many(requests, LOCAL, concurrency=5)

    assert list(outcomes) == names
    fetched = [key for key, outcome in outcomes.items() if isinstance(outcome, Fetched)]
    failed = {key: outcome.status for key, outcome in outcomes.items() if isinstance(outcome, FetchError)}
    assert fetched == ["rappler", "philstar", "gma"] and failed == {"inquirer": 404, "abs-cbn": 503}
    assert counts[1] == 5  # all five outlets were asked at once


@pytest.mark.slow
def test_fetch_many_stays_within_its_concurrency(outlets: tuple[list[HTTPServer], list[int]]) -> None:
    servers, counts = outlets
    requests = [(number, outlet.url_for("/slow/200") + "?sleep=0.2", None) for number, outlet in enumerate(servers)]
    outcomes = fetch_many(requests, LOCAL, concurrency=2)
    assert all(isinstance(outcome, Fetched) for outcome in outcomes.values()) and len(outcomes) == 5
    assert counts[1] == 2


@pytest.fixture
def keep_alive_outlet() -> Iterator[tuple[str, dict[str, tuple[int, bytes, dict[str, str]]], list[tuple[str, int]]]]:
    """An outlet that keeps connections alive (HTTP/1.1, as real servers do; pytest-httpserver's
    closes each one): its base URL, the answers by path, and (path, client port) as they came."""
    answers: dict[str, tuple[int, bytes, dict[str, str]]] = {}
    seen: list[tuple[str, int]] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
            seen.append((self.path, self.client_address[1]))
            status, body, headers = answers[self.path]
            self.send_response(status)
            for name, value in {**headers, "Content-Length": str(len(body))}.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", answers, seen
    server.shutdown()
    server.server_close()


def test_one_outlets_feeds_come_one_after_another_over_one_connection(
    keep_alive_outlet: tuple[str, dict[str, tuple[int, bytes, dict[str, str]]], list[tuple[str, int]]],
) -> None:
    """Five feeds of one outlet: asked in turn over one connection, kept alive through a 200 and
    a 304 and closed after an error status (its body unread), every outcome in order."""
    base, answers, seen = keep_alive_outlet
    answers.update({
        "/news": (200, FEED, {"ETag": '"n1"'}),
        "/nation": (304, b"", {"ETag": '"n2"'}),
        "/business": (200, FEED, {}),
        "/gone": (500, b"x" * 100_000, {}),
        "/sports": (200, FEED, {}),
    })  # fmt: skip
    paths = list(answers)
    requests = [(path, base + path, Validators(etag='"n2"') if path == "/nation" else None) for path in paths]

    outcomes = fetch_many(requests, LOCAL, concurrency=4)

    assert list(outcomes) == paths
    assert [getattr(outcome, "status", None) for outcome in outcomes.values()] == [200, 304, 200, 500, 200]
    assert [path for path, _ in seen] == paths
    ports = dict(seen)
    assert ports["/news"] == ports["/nation"] == ports["/business"] == ports["/gone"]
    assert ports["/sports"] != ports["/gone"]  # the error's unread body closed the connection


@pytest.mark.slow
def test_each_fetch_of_a_session_has_a_deadline_of_its_own(site: HTTPServer, release: threading.Event) -> None:
    def slow(request: Request) -> Response:
        release.wait(0.7)
        return Response(FEED)

    site.expect_request("/first").respond_with_handler(slow)
    site.expect_request("/second").respond_with_handler(slow)
    policy = FetchPolicy(allow_private=True, deadline=1.0)
    outcomes = fetch_many([(path, site.url_for(path), None) for path in ("/first", "/second")], policy)
    assert all(isinstance(outcome, Fetched) for outcome in outcomes.values()), outcomes  # 1.4 s in all


def test_fetch_many_refuses_duplicate_keys_and_accepts_none() -> None:
    assert fetch_many([], LOCAL) == {}
    with pytest.raises(ValueError, match="same key"):
        fetch_many([("a", "http://x.example/", None), ("a", "http://y.example/", None)], LOCAL)


# ---------------------------------------------------------------- retry schedule


NOW = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("120", 120.0),
        (" 0 ", 0.0),
        ("Thu, 01 Jan 2026 00:02:00 GMT", 120.0),
        ("Thursday, 01-Jan-26 00:02:00 GMT", 120.0),  # RFC 850
        ("Thu Jan  1 00:02:00 2026", 120.0),  # asctime
        ("Wed, 31 Dec 2025 23:00:00 GMT", 0.0),  # already past
        ("99999999999999999999999", RETRY_AFTER_CEILING),
        ("9" * 5000, RETRY_AFTER_CEILING),
        ("", None),
        ("-5", None),
        ("1.5", None),
        ("\u0661\u0662", None),  # Arabic-Indic digits
        ("soon", None),
        ("Thu, 01 Jan 2026 00:02:00 GMT\r\nX-Evil: 1", None),
    ],
)
def test_parse_retry_after(value: str, seconds: float | None) -> None:
    assert parse_retry_after(value, NOW) == seconds


@given(st.text(max_size=80))
def test_parse_retry_after_never_raises(value: str) -> None:
    seconds = parse_retry_after(value, NOW)
    assert seconds is None or 0 <= seconds <= RETRY_AFTER_CEILING


@pytest.mark.parametrize(
    ("failures", "retry_after", "delay"),
    [
        (0, None, 0.0),
        (1, None, 900.0),
        (2, None, 1800.0),
        (3, None, 3600.0),
        (7, None, 57600.0),
        (8, None, BACKOFF_CAP),
        (10**9, None, BACKOFF_CAP),
        (1, 3600.0, 3600.0),
        (3, 60.0, 3600.0),
        (8, 3 * 86400.0, 3 * 86400.0),
        (1, float("inf"), RETRY_AFTER_CEILING),
        (1, float("nan"), 900.0),
        (1, -5.0, 900.0),
    ],
)
def test_next_attempt_delay(failures: int, retry_after: float | None, delay: float) -> None:
    assert next_attempt_delay(failures, retry_after) == delay


@given(st.integers(min_value=0, max_value=10**6), st.none() | st.floats(min_value=0, max_value=10**7))
def test_back_off_grows_and_never_undercuts_retry_after(failures: int, retry_after: float | None) -> None:
    delay = next_attempt_delay(failures, retry_after)
    assert next_attempt_delay(failures + 1, retry_after) >= delay
    assert delay >= min(retry_after or 0.0, RETRY_AFTER_CEILING)
    assert delay <= max(BACKOFF_CAP, RETRY_AFTER_CEILING)


# ---------------------------------------------------------------- the package itself


@pytest.mark.parametrize(
    "policy",
    [
        {"deadline": 0},
        {"deadline": float("nan")},
        {"max_bytes": 0},
        {"max_redirects": -1},
        {"user_agent": "balita\r\nX: 1"},
        {"user_agent": ""},
    ],
)
def test_a_nonsense_policy_is_a_programming_error(policy: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        FetchPolicy(**policy)  # type: ignore[arg-type]


def test_importing_the_package_does_not_import_httpx() -> None:
    code = "import sys, balita_cli.net; print(sorted({'httpx', 'httpcore'} & set(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_a_fetch_error_crosses_processes_whole() -> None:
    """An import's reader may be a forked process: what it raises is pickled to the writer."""
    error = FetchError("https://user:secret@example.ph/feed", "the server answered 503", status=503, retry_after=60.0)
    again = pickle.loads(pickle.dumps(error))  # noqa: S301  (made here)
    assert (again.message, again.url, again.reason, again.status, again.retry_after) == (
        error.message,
        error.url,
        error.reason,
        503,
        60.0,
    )
    assert "secret" not in again.message
