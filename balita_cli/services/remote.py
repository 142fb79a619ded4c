"""Addresses balita reaches out to (a source's feed, a webhook, a partner's endpoint): http or
https, no user name or password in them, and no loopback or private address unless the newsroom
allows it for that one. A name is judged again each time it is resolved (it may point anywhere);
an address written as an IP literal is judged here, before anything is stored."""

from __future__ import annotations

from balita_cli.errors import InvalidInput
from balita_cli.schema import check_url

LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain"})


def remote_url(url: str, *, allow_private: bool, what: str, doing: str) -> str:
    """``url`` checked, for ``what`` ("a feed URL", "a webhook URL") that balita ``doing``
    ("fetches from", "sends to")."""
    from ipaddress import ip_address
    from urllib.parse import urlsplit

    from balita_cli.net.addresses import a_kind, refusal

    checked = check_url("url", url)
    if not checked:
        raise InvalidInput(f"{what} is needed")
    parts = urlsplit(checked)
    if parts.username is not None or parts.password is not None:
        raise InvalidInput(f"{what} with a user name or password is not supported")
    host = (parts.hostname or "").strip("[]")
    literal = "127.0.0.1" if host.lower() in LOCAL_NAMES else host
    try:
        kind = refusal(ip_address(literal), allow_private=allow_private)
    except ValueError:  # a name: judged when it is resolved, at every connection
        kind = None
    if kind is not None:
        hint = " (add --allow-private for one on your own network)" if kind in {"loopback", "private"} else ""
        raise InvalidInput(f"{host} is {a_kind(kind)}: balita {doing} no such address{hint}")
    return checked
