"""Mail out through any SMTP server (``[smtp]`` in balita.toml): STARTTLS, SSL, or plain to this
machine only, with a login when one is named; and the message itself, multipart (plain text and
HTML) with the headers mailbox providers ask of bulk mail (RFC 2369 and RFC 8058 unsubscribing).

A message's last line (the lone ``.`` that tells the server to take it) is held back until the
caller has written down that it is going (``before_last_line``): a process killed at any moment
leaves either a message the server never took or a record saying it was handed over, never an
unrecorded message that a rerun would send twice.
"""

from __future__ import annotations

import re
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from email.charset import QP, Charset
from email.errors import HeaderParseError
from email.header import Header
from email.headerregistry import Address
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import compat32
from email.utils import format_datetime, formataddr, getaddresses, parseaddr

from balita_cli.config import Smtp
from balita_cli.errors import BalitaError, InvalidInput

SECURITIES = ("starttls", "ssl", "none")
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
_LINE_START_DOT = re.compile(rb"(?m)^\.")
WIRE = compat32.clone(linesep="\r\n")


class MailError(BalitaError):
    """The SMTP server cannot be reached or refused the login: nothing more can be sent now."""


@dataclass(frozen=True)
class Refused(Exception):
    """The server refused one message: 4xx (try again later) or 5xx (do not)."""

    code: int
    reply: str

    @property
    def temporary(self) -> bool:
        return 400 <= self.code < 500

    def __str__(self) -> str:
        return f"{self.code} {self.reply}".strip()


@dataclass(frozen=True)
class Letter:
    sender: str  # "Name <address>"
    recipient: str
    subject: str
    text: str
    html: str
    message_id: str
    date: datetime
    list_id: tuple[str, str]  # (the list's title, its id: name.domain)
    unsubscribe_https: str
    unsubscribe_mailto: str

    def as_bytes(self) -> bytes:
        """The message, multipart/alternative (plain text first, then HTML), quoted-printable.

        Built with the email package's compat32 API: the modern one parses and folds every header
        again for each message, four times the work for a list of thousands."""
        message = MIMEMultipart("alternative")
        sender_name, sender_address = parseaddr(self.sender)
        message["From"] = formataddr((sender_name, sender_address), charset="utf-8")
        message["To"] = self.recipient
        message["Subject"] = self.subject if self.subject.isascii() else Header(self.subject, "utf-8")  # type: ignore[assignment]
        message["Date"] = format_datetime(self.date)
        message["Message-ID"] = self.message_id
        list_name, list_id = self.list_id
        message["List-Id"] = formataddr((list_name, list_id), charset="utf-8")
        message["List-Unsubscribe"] = f"<{self.unsubscribe_https}>, <{self.unsubscribe_mailto}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        message["Auto-Submitted"] = "auto-generated"
        charset = Charset("utf-8")
        charset.body_encoding = QP
        message.attach(MIMEText(self.text, "plain", charset))  # type: ignore[arg-type]
        message.attach(MIMEText(self.html, "html", charset))  # type: ignore[arg-type]
        return message.as_bytes(policy=WIRE)


def mailbox(text: str, what: str) -> tuple[str, str]:
    """("Name <address>", address) of one mailbox, or a one-line refusal."""
    if "\n" in text or "\r" in text:
        raise InvalidInput(f"{what} contains a line break")
    try:
        found = getaddresses([text])
        if len(found) != 1 or not found[0][1]:
            raise ValueError(text)
        name, spec = found[0]
        address = Address(display_name=name, addr_spec=spec)
    except (ValueError, IndexError, HeaderParseError, TypeError):
        raise InvalidInput(f"{what} is not a mail address: {text[:80]!r}") from None
    if not address.domain or "." not in address.domain:
        raise InvalidInput(f"{what} is not a mail address: {text[:80]!r}")
    return str(address), address.addr_spec


def check_settings(settings: Smtp) -> Smtp:
    if settings.security not in SECURITIES:
        raise InvalidInput(f"[smtp] security is one of {', '.join(SECURITIES)}, not {settings.security[:20]!r}")
    if settings.security == "none" and settings.host.lower() not in LOCAL_HOSTS:
        raise InvalidInput(
            f"[smtp] security = none sends in the clear: only to this machine (localhost), not {settings.host[:80]!r}"
        )
    if not settings.host.strip() or not 0 <= settings.port <= 65535:
        raise InvalidInput("[smtp] needs a host and a port between 1 and 65535")
    if not 1 <= settings.connections <= 32:
        raise InvalidInput("[smtp] connections is between 1 and 32")
    return settings


class Postman:
    """One connection to the SMTP server, opened on the first message and kept for the others."""

    def __init__(self, settings: Smtp, password: str | None) -> None:
        self.settings = check_settings(settings)
        self.password = password
        self._smtp: smtplib.SMTP | None = None

    def _open(self) -> smtplib.SMTP:
        settings = self.settings
        port = settings.port or DEFAULT_PORTS[settings.security]
        where = f"{settings.host}:{port}"
        try:
            if settings.security == "ssl":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                    settings.host, port, timeout=settings.timeout, context=ssl.create_default_context()
                )
            else:
                smtp = smtplib.SMTP(settings.host, port, timeout=settings.timeout)
            smtp.ehlo()
            if settings.security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if settings.user:
                if self.password is None:
                    raise MailError(
                        "[smtp] user is set but no password: set BALITA_SMTP_PASSWORD or [smtp] credentials_file"
                    )
                smtp.login(settings.user, self.password)
        except smtplib.SMTPAuthenticationError as exc:
            raise MailError(f"the SMTP server {where} refused the login: {exc.smtp_code}") from None
        except smtplib.SMTPNotSupportedError:
            raise MailError(f"the SMTP server {where} does not offer STARTTLS (or a login)") from None
        except (smtplib.SMTPException, OSError, ssl.SSLError) as exc:
            raise MailError(f"cannot reach the SMTP server {where}: {_reason(exc)}") from None
        return smtp

    def send(self, sender: str, recipient: str, data: bytes, before_last_line: Callable[[], None]) -> None:
        """Hand one message over; ``Refused`` when the server will not take it, ``MailError``
        when the connection is gone (``before_last_line`` may or may not have run)."""
        if self._smtp is None:
            self._smtp = self._open()
        smtp = self._smtp
        try:
            self._envelope(smtp, sender, recipient)
            body = _LINE_START_DOT.sub(b"..", data)
            if not body.endswith(b"\r\n"):
                body += b"\r\n"
            smtp.send(body)
            try:
                before_last_line()
            except BaseException:
                self.abandon()  # the server never gets the last line: it drops the message
                raise
            smtp.send(b".\r\n")
            code, reply = smtp.getreply()
        except (smtplib.SMTPException, OSError) as exc:
            self.abandon()
            raise MailError(f"the SMTP server went away: {_reason(exc)}") from None
        if code != 250:
            raise Refused(code, reply.decode("utf-8", "replace"))

    def _envelope(self, smtp: smtplib.SMTP, sender: str, recipient: str) -> None:
        for step in ("mail", "rcpt", "data"):
            if step == "mail":
                code, reply = smtp.mail(sender)
            elif step == "rcpt":
                code, reply = smtp.rcpt(recipient)
            else:
                code, reply = smtp.docmd("DATA")
            if code not in (250, 251, 354):
                smtp.rset()
                raise Refused(code, reply.decode("utf-8", "replace"))

    def abandon(self) -> None:
        if self._smtp is not None:
            self._smtp.close()
            self._smtp = None

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                pass
            self.abandon()


def _reason(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        said = exc.smtp_error
        return f"{exc.smtp_code} {said.decode('utf-8', 'replace') if isinstance(said, bytes) else said}"
    return str(getattr(exc, "strerror", None) or exc or type(exc).__name__).splitlines()[0]
