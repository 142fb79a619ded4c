"""Feeds as the W3C Feed Validation Service judges them, offline; JSON Feed against its schema.

The W3C service (validator.w3.org/feed) is not on PyPI or npm, and its source is a large
Python 2-era tree (and its code may not be copied here), so this module re-states its rules
for what balita writes. Problems carry the service's message names (InvalidRFC2822Date,
InvalidHttpGUID, MissingAtomSelfLink, ...) so a finding can be looked up in its documentation;
SelfLinkType and DuplicateIds are this module's own. Errors are what makes a feed invalid;
warnings are the "recommendations" (where the service only informs, this module warns).

What is checked (everything else the W3C service knows, e.g. iTunes, Media RSS, OPML, RSS
0.9x/1.0, HTTP headers and the full ISO 639 code list, is not):

All feeds
  error   SAXError (not well-formed XML), ContainsSystemEntity (a DOCTYPE declaring entities)
  warning ObscureEncoding (an encoding other than UTF-8/UTF-16/US-ASCII)
  In every HTML field (RSS description, content:encoded; Atom html/xhtml text and content):
  warning SecurityRisk (script, iframe, object, embed, applet, frame, frameset, meta, link,
          style, base tags; on* attributes; javascript: URLs)
  warning ContainsRelRef (relative href/src/poster/cite/srcset URLs; in Atom only where no
          xml:base is in scope)

RSS 2.0 (the RSS Advisory Board's specification)
  error   root is <rss version="2.0"> with one <channel>; MissingElement (channel title, link,
          description; image url/title/link; textInput title/description/name/link);
          DuplicateElement (a single-valued element twice); UndefinedElement (an element in no
          namespace that RSS 2.0 does not define); ItemMustContainTitleOrDescription;
          InvalidFullLink (link, docs, comments, image url/link: absolute http(s)/ftp URLs);
          InvalidRFC2822Date (pubDate, lastBuildDate: RFC 822 grammar, real calendar date,
          hours/minutes/seconds/zone in range); IncorrectDOW (the weekday does not match the
          date); InvalidContact (managingEditor, webMaster, author hold no e-mail address);
          InvalidHttpGUID (a permalink guid that is not a full URL); InvalidBooleanAttribute
          (isPermaLink); DuplicateValue (a guid used twice); MissingAttribute and
          InvalidURLAttribute / InvalidIntegerAttribute / InvalidMIMEAttribute (enclosure url,
          length, type; source url; cloud); InvalidInteger (ttl, image width/height, skipHours);
          InvalidWidth/InvalidHeight (image); InvalidHour, InvalidDay, NotEnoughHoursInTheDay,
          EightDaysAWeek; InvalidLanguage (language, dc:language: the shape of a language tag);
          InvalidW3DTFDate (dc:date); NotBlank (title, guid, category)
  warning MissingAtomSelfLink (no atom:link rel="self" on the channel); MissingGuid;
          NotSufficientlyUnique (a guid that is a small integer); ProblematicalRFC822Date
          (a two-digit year or a military zone letter); ContainsHTML (markup or an entity
          reference left in a title: double-escaped or HTML where text is expected);
          DuplicateItemSemantics (author and dc:creator); DuplicateEnclosure; W3DTFDateNoTimezone;
          InvalidContact (an address not written as "email (Name)")

Atom 1.0 (RFC 4287, the rules of its RELAX NG schema and its prose)
  error   root is atom:feed; MissingElement (feed and entry id, title, updated; an author on the
          feed or on every entry; person name); DuplicateElement (single-valued elements);
          UndefinedElement (an unknown element in the Atom namespace); InvalidRFC3339Date
          (updated, published: RFC 3339 with uppercase T and Z and a real date); InvalidURI,
          InvalidTAG (ids and other IRIs; tag: URIs per RFC 4151); MissingHref;
          MissingAlternateLink (an entry without content needs rel="alternate");
          DuplicateAtomLink (two alternate links with the same type and hreflang);
          MissingSummary (content with src); InvalidTextType (not text, html or xhtml);
          MissingXhtmlDiv (xhtml text needs one xhtml:div); InvalidMIMEType (content and link
          type); MissingAttribute (category term); InvalidLanguage (xml:lang, hreflang);
          InvalidContact (person email); InvalidIntegerAttribute (link length);
          DuplicateEntries (two entries with the same id and updated)
  warning MissingSelf (no link rel="self" on the feed); InvalidAtomLinkRel (a rel neither
          registered nor an IRI); AtomLinkNotEmpty; ContainsUndeclaredHTML (markup in a
          type="text" construct); DuplicateIds (one id on entries with different updated);
          ContainsRelRef (a relative link href, icon, logo or uri with no xml:base in scope)

JSON Feed 1.1: the community JSON Schema in the shared corpora (Draft 7), with the "uri" and
"date-time" formats enforced, plus the spec's rule that item ids are unique.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import re
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import lxml.etree as etree
import lxml.html

from tests.helpers.corpora import corpora_path

Severity = Literal["error", "warning"]
FeedKind = Literal["rss", "atom"]

ATOM = "http://www.w3.org/2005/Atom"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
DC = "http://purl.org/dc/elements/1.1/"
XML = "http://www.w3.org/XML/1998/namespace"
XHTML = "http://www.w3.org/1999/xhtml"
PREFIXES = {ATOM: "atom", CONTENT: "content", DC: "dc", XML: "xml", XHTML: "xhtml"}
JSONFEED_SCHEMA = ("schemas", "jsonfeed", "schema-v1.1.json")

# ---------------------------------------------------------------- value grammars

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
RFC822 = re.compile(
    r"^(?:(?P<dow>[A-Za-z]+),\s*)?(?P<day>\d{1,2})\s+(?P<month>[A-Za-z]+)\s+(?P<year>\d{2}|\d{4})\s+"
    r"(?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?\s+(?P<zone>[+-]\d{4}|UT|GMT|[ECMP][SD]T|[A-IK-Z])$"
)
RFC3339 = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})T(?P<hour>\d{2}):(?P<minute>\d{2}):(?P<second>\d{2})(?:\.\d+)?"
    r"(?:Z|[+-](?P<zh>\d{2}):(?P<zm>\d{2}))$"
)
W3CDTF = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?P<zone>Z|[+-]\d{2}:\d{2})?)?)?)?$")
LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$|^[ix]-[A-Za-z0-9-]+$")
MIME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*(?:\s*;.*)?$")
IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]+$")
TAG_URI = re.compile(r"^tag:(?:[A-Za-z0-9.-]+|[^@\s,]+@[A-Za-z0-9.-]+),\d{4}(?:-\d{2}(?:-\d{2})?)?:\S*$")
EMAIL = re.compile(r"[^@\s()<>]+@[^@\s()<>]+\.[^@\s()<>]+")
RSS_CONTACT = re.compile(r"^[^@\s()<>]+@[^@\s()<>]+\.[^@\s()<>]+(?: \(.+\))?$")
MARKUP = re.compile(r"<\s*/?\s*[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>|&(?:#\d+|#x[0-9A-Fa-f]+|[A-Za-z][A-Za-z0-9]*);")
RISKY_TAGS = frozenset(
    {"script", "iframe", "object", "embed", "applet", "frame", "frameset", "meta", "link", "style", "base"}
)
URL_ATTRIBUTES = ("href", "src", "poster", "cite", "action", "background", "longdesc")
ATOM_RELS = frozenset(
    {"alternate", "related", "self", "enclosure", "via", "edit", "edit-media", "replies", "license", "payment",
     "next", "previous", "prev", "first", "last", "current", "hub", "search", "service"}
)  # fmt: skip


def rfc822_problems(value: str) -> list[tuple[Severity, str, str]]:
    """(severity, code, text) for an RSS date; [] when it is a good RFC 822 date-time."""
    match = RFC822.match(value.strip())
    if match is None:
        return [("error", "InvalidRFC2822Date", f"must be an RFC-822 date-time: {value!r}")]
    found: list[tuple[Severity, str, str]] = []
    month_name, dow = match["month"], match["dow"]
    if month_name not in MONTHS or (dow is not None and dow not in DAYS):
        return [("error", "InvalidRFC2822Date", f"month and weekday are written Jan..Dec, Mon..Sun: {value!r}")]
    year = int(match["year"])
    if len(match["year"]) == 2:
        year += 2000 if year < 50 else 1900
        found.append(("warning", "ProblematicalRFC822Date", f"use a four-digit year: {value!r}"))
    month, day = MONTHS.index(month_name) + 1, int(match["day"])
    hour, minute, second = int(match["hour"]), int(match["minute"]), int(match["second"] or 0)
    zone = match["zone"]
    if not 1 <= day <= calendar.monthrange(year, month)[1] or hour > 23 or minute > 59 or second > 60:
        return [("error", "InvalidRFC2822Date", f"not a real date and time: {value!r}")]
    if zone[0] in "+-" and int(zone[3:]) > 59:
        return [("error", "InvalidRFC2822Date", f"the zone's minutes are out of range: {value!r}")]
    if len(zone) == 1:
        found.append(("warning", "ProblematicalRFC822Date", f"a military zone letter is ambiguous: {value!r}"))
    if dow is not None and DAYS.index(dow) != dt.date(year, month, day).weekday():
        found.append(("error", "IncorrectDOW", f"{year}-{month:02d}-{day:02d} is not a {dow}: {value!r}"))
    return found


def is_rfc3339(value: str) -> bool:
    """An RFC 3339 date-time (uppercase T and Z, as RFC 4287 requires) naming a real instant."""
    match = RFC3339.match(value)
    if match is None:
        return False
    try:
        dt.date.fromisoformat(match["date"])
    except ValueError:
        return False
    zone_ok = match["zh"] is None or (int(match["zh"]) <= 23 and int(match["zm"]) <= 59)
    return int(match["hour"]) <= 23 and int(match["minute"]) <= 59 and int(match["second"]) <= 60 and zone_ok


def is_full_url(value: str) -> bool:
    """An absolute http(s) or ftp URL with a host, and no spaces."""
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in ("http", "https", "ftp") and bool(parts.hostname) and not re.search(r"\s", value)


def is_iri(value: str) -> bool:
    return bool(IRI.match(value)) and (not value.startswith("tag:") or bool(TAG_URI.match(value)))


def _is_relative(url: str) -> bool:
    url = url.strip()
    return bool(url) and not re.match(r"^[A-Za-z][A-Za-z0-9+.\-]*:", url)


# ---------------------------------------------------------------- problems


@dataclass(frozen=True)
class FeedProblem:
    """One finding: how bad, the W3C validator's name for it, where, what."""

    severity: Severity
    code: str
    line: int | None
    where: str
    text: str

    def __str__(self) -> str:
        return f"{self.severity} {self.code} line {self.line or '?'} {self.where}: {self.text}"


@dataclass
class _Report:
    problems: list[FeedProblem] = field(default_factory=list)

    def add(self, severity: Severity, code: str, element: etree._Element | None, text: str) -> None:
        line = element.sourceline if element is not None and isinstance(element.sourceline, int) else None
        self.problems.append(FeedProblem(severity, code, line, _where(element), text))

    def error(self, code: str, element: etree._Element | None, text: str) -> None:
        self.add("error", code, element, text)

    def warning(self, code: str, element: etree._Element | None, text: str) -> None:
        self.add("warning", code, element, text)


def _name(element: etree._Element) -> str:
    qname = etree.QName(element)
    prefix = PREFIXES.get(qname.namespace or "", "")
    if (
        qname.namespace == ATOM
        and element.getparent() is not None
        and etree.QName(element.getparent()).namespace == ATOM
    ):
        prefix = ""
    return f"{prefix}:{qname.localname}" if prefix else qname.localname


def _where(element: etree._Element | None) -> str:
    if element is None:
        return "(document)"
    names = []
    for node in [element, *element.iterancestors()]:
        name = _name(node)
        parent = node.getparent()
        if parent is not None:
            same = [c for c in parent if c.tag == node.tag]
            if len(same) > 1:
                name += f"[{same.index(node) + 1}]"
        names.append(name)
    return "/".join(reversed(names))


def _text(element: etree._Element) -> str:
    return "".join(str(text) for text in element.itertext()).strip()


def _children(element: etree._Element, tag: str) -> list[etree._Element]:
    return [c for c in element if c.tag == tag]


def _load(source: Path | bytes) -> bytes:
    return Path(source).read_bytes() if isinstance(source, Path | str) else bytes(source)


def _parse(data: bytes, report: _Report) -> etree._Element | None:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        report.problems.append(FeedProblem("error", "SAXError", error.lineno, "(document)", f"not XML: {error.msg}"))
        return None
    docinfo = root.getroottree().docinfo
    if docinfo.internalDTD is not None and re.search(rb"<!ENTITY", data):
        report.error("ContainsSystemEntity", None, "feeds must not declare entities in a DOCTYPE")
    encoding = (docinfo.encoding or "UTF-8").upper()
    if encoding not in ("UTF-8", "UTF-16", "US-ASCII", "ASCII"):
        report.warning("ObscureEncoding", None, f"an encoding other than UTF-8: {docinfo.encoding}")
    return root


def feed_report(source: Path | bytes, kind: FeedKind) -> list[FeedProblem]:
    """Every problem in an RSS 2.0 or Atom 1.0 feed (a file or its bytes), errors and warnings."""
    report = _Report()
    root = _parse(_load(source), report)
    if root is not None:
        (_check_rss if kind == "rss" else _check_atom)(root, report)
    return report.problems


def feed_problems(source: Path | bytes, kind: FeedKind, *, warnings: bool = True) -> list[str]:
    """`assert feed_problems(public / "feed.xml", "rss") == []`; warnings=False keeps errors only."""
    return [str(p) for p in feed_report(source, kind) if warnings or p.severity == "error"]


# ---------------------------------------------------------------- HTML in feeds


def _check_html(report: _Report, element: etree._Element, html: str, *, base: bool = False) -> None:
    """SecurityRisk and ContainsRelRef in an HTML string carried by `element`."""
    if not html.strip():
        return
    try:
        fragment = lxml.html.fragment_fromstring(html, create_parent="div")
    except (etree.ParserError, ValueError) as error:
        report.warning("NotHtml", element, f"unreadable HTML: {error}")
        return
    name = _name(element)
    for node in fragment.iter():
        if not isinstance(node.tag, str):
            continue
        tag = node.tag.rsplit("}", 1)[-1].lower()
        if tag in RISKY_TAGS:
            report.warning("SecurityRisk", element, f"{name} should not contain a {tag} tag")
        for attribute, value in node.attrib.items():
            attribute = attribute.lower()
            if attribute.startswith("on"):
                report.warning("SecurityRisk", element, f"{name} should not contain a {attribute} attribute")
            urls = [part.split()[0] for part in value.split(",") if part.split()] if attribute == "srcset" else [value]
            if attribute not in URL_ATTRIBUTES and attribute != "srcset":
                continue
            for url in urls:
                if url.strip().lower().startswith(("javascript:", "vbscript:")):
                    report.warning("SecurityRisk", element, f"{name} should not contain a {url.split(':')[0]}: URL")
                elif not base and _is_relative(url):
                    report.warning("ContainsRelRef", element, f"{name} has a relative URL in {tag}@{attribute}: {url}")


def _check_plain(report: _Report, element: etree._Element, code: str = "ContainsHTML") -> None:
    text = _text(element)
    found = MARKUP.search(text)
    if found:
        report.warning(code, element, f"{_name(element)} should not contain HTML: {found.group(0)!r} in {text[:80]!r}")


# ---------------------------------------------------------------- RSS 2.0

_CHANNEL_ONCE = (
    "title link description language copyright managingEditor webMaster pubDate lastBuildDate generator docs"
    " cloud ttl image rating textInput skipHours skipDays"
)
RSS_CHANNEL = dict.fromkeys(_CHANNEL_ONCE.split(), 1) | dict.fromkeys(("category", "item"), 0)  # 1: at most once
RSS_ITEM = dict.fromkeys("title link description author comments guid pubDate source".split(), 1) | dict.fromkeys(
    "category enclosure".split(), 0
)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _check_rss(root: etree._Element, report: _Report) -> None:
    if root.tag != "rss":
        report.error("UndefinedElement", root, f"an RSS 2.0 feed's root is <rss>, not <{_name(root)}>")
        return
    if root.get("version") != "2.0":
        report.error("InvalidValue", root, f"rss version must be 2.0, not {root.get('version')!r}")
    channels = _children(root, "channel")
    if len(channels) != 1:
        report.error("MissingElement" if not channels else "DuplicateElement", root, "rss must hold one channel")
        return
    channel = channels[0]
    _check_rss_structure(report, channel, RSS_CHANNEL, ("title", "link", "description"))
    for element in channel:
        _check_rss_channel_element(report, element)
    _check_rss_self_link(report, channel)
    items = _children(channel, "item")
    guids: Counter[str] = Counter()
    for item in items:
        _check_rss_item(report, item, guids)
    for guid, count in guids.items():
        if count > 1:
            report.error("DuplicateValue", channel, f"guid values must not be duplicated: {guid!r} used {count} times")


def _check_rss_structure(
    report: _Report, parent: etree._Element, known: Mapping[str, int], required: tuple[str, ...]
) -> None:
    name = _name(parent)
    counts = Counter(c.tag for c in parent if isinstance(c.tag, str))
    for tag in required:
        if counts[tag] == 0:
            report.error("MissingElement", parent, f"Missing {name} element: {tag}")
    for tag, count in counts.items():
        if etree.QName(tag).namespace is None and tag not in known:
            report.error("UndefinedElement", parent, f"Undefined {name} element: {tag}")
        elif known.get(tag) == 1 and count > 1:
            report.error("DuplicateElement", parent, f"{name} contains more than one {tag}")
    for child in parent:
        if isinstance(child.tag, str) and child.tag in ("title", "guid", "category") and not _text(child):
            report.error("NotBlank", child, f"{child.tag} can not be blank")


def _check_rss_date(report: _Report, element: etree._Element) -> None:
    for severity, code, text in rfc822_problems(_text(element)):
        report.add(severity, code, element, f"{_name(element)} {text}")


def _check_link(report: _Report, element: etree._Element, value: str | None = None) -> None:
    value = _text(element) if value is None else value
    if not is_full_url(value):
        report.error("InvalidFullLink", element, f"{_name(element)} must be a full and valid URL: {value!r}")


def _check_contact(report: _Report, element: etree._Element) -> None:
    value = _text(element)
    if not EMAIL.search(value):
        report.error("InvalidContact", element, f"{_name(element)} must include an email address: {value!r}")
    elif not RSS_CONTACT.match(value):
        report.warning("InvalidContact", element, f"{_name(element)} should read 'email (Name)': {value!r}")


def _check_language(report: _Report, element: etree._Element, value: str) -> None:
    if value and not LANGUAGE.match(value):
        report.error("InvalidLanguage", element, f"{_name(element)} must be a language tag: {value!r}")


def _check_integer(report: _Report, element: etree._Element, low: int = 0, high: int | None = None) -> int | None:
    value = _text(element)
    if not value.isdigit() or int(value) < low or (high is not None and int(value) > high):
        limits = f"between {low} and {high}" if high is not None else f"an integer of at least {low}"
        report.error("InvalidInteger", element, f"{_name(element)} must be {limits}: {value!r}")
        return None
    return int(value)


def _check_w3cdtf(report: _Report, element: etree._Element) -> None:
    value = _text(element)
    match = W3CDTF.match(value)
    if match is None:
        report.error("InvalidW3DTFDate", element, f"{_name(element)} must be a W3CDTF date: {value!r}")
    elif "T" in value and not match["zone"]:
        report.warning("W3DTFDateNoTimezone", element, f"{_name(element)} should include a timezone: {value!r}")


def _require_attributes(report: _Report, element: etree._Element, *names: str) -> None:
    for attribute in names:
        if not (element.get(attribute) or "").strip():
            report.error("MissingAttribute", element, f"Missing {_name(element)} attribute: {attribute}")


def _check_rss_channel_element(report: _Report, element: etree._Element) -> None:
    tag = element.tag
    if tag in ("link", "docs"):
        _check_link(report, element)
    elif tag in ("pubDate", "lastBuildDate"):
        _check_rss_date(report, element)
    elif tag in ("managingEditor", "webMaster"):
        _check_contact(report, element)
    elif tag == "language" or tag == f"{{{DC}}}language":
        _check_language(report, element, _text(element))
    elif tag == "title":
        _check_plain(report, element)
    elif tag == "ttl":
        _check_integer(report, element)
    elif tag == "image":
        _check_rss_structure(
            report,
            element,
            {"url": 1, "title": 1, "link": 1, "width": 1, "height": 1, "description": 1},
            ("url", "title", "link"),
        )  # noqa: E501
        for child in element:
            if child.tag in ("url", "link"):
                _check_link(report, child)
            elif child.tag == "width" and _check_integer(report, child, 1, 144) is None:
                report.error("InvalidWidth", child, "image width must be between 1 and 144")
            elif child.tag == "height" and _check_integer(report, child, 1, 400) is None:
                report.error("InvalidHeight", child, "image height must be between 1 and 400")
    elif tag == "textInput":
        _check_rss_structure(
            report,
            element,
            {"title": 1, "description": 1, "name": 1, "link": 1},
            ("title", "description", "name", "link"),
        )  # noqa: E501
    elif tag == "cloud":
        _require_attributes(report, element, "domain", "port", "path", "registerProcedure", "protocol")
    elif tag == "skipHours":
        hours = _children(element, "hour")
        if len(hours) > 24:
            report.error("NotEnoughHoursInTheDay", element, "skipHours can not contain more than 24 hour elements")
        for hour in hours:
            if _check_integer(report, hour, 0, 23) is None:
                report.error("InvalidHour", hour, "hour must be between 0 and 23")
    elif tag == "skipDays":
        days = _children(element, "day")
        if len(days) > 7:
            report.error("EightDaysAWeek", element, "skipDays can not contain more than 7 day elements")
        for day in days:
            if _text(day) not in WEEKDAYS:
                report.error("InvalidDay", day, f"day must be Monday .. Sunday: {_text(day)!r}")
    elif tag == f"{{{DC}}}date":
        _check_w3cdtf(report, element)


def _check_rss_self_link(report: _Report, channel: etree._Element) -> None:
    links = [link for link in _children(channel, f"{{{ATOM}}}link") if link.get("rel") == "self"]
    if not links:
        report.warning("MissingAtomSelfLink", channel, 'Missing atom:link with rel="self"')
    for link in links:
        _check_link(report, link, link.get("href") or "")
        if link.get("type") not in (None, "application/rss+xml"):
            report.warning(
                "SelfLinkType", link, f"the self link's type should be application/rss+xml: {link.get('type')}"
            )


def _check_rss_item(report: _Report, item: etree._Element, guids: Counter[str]) -> None:
    _check_rss_structure(report, item, RSS_ITEM, ())
    if not _children(item, "title") and not _children(item, "description"):
        report.error("ItemMustContainTitleOrDescription", item, "item must contain either title or description")
    if not _children(item, "guid"):
        report.warning("MissingGuid", item, "item should contain a guid element")
    if _children(item, "author") and _children(item, f"{{{DC}}}creator"):
        report.warning("DuplicateItemSemantics", item, "An item must not include both author and dc:creator")
    if len(_children(item, "enclosure")) > 1:
        report.warning("DuplicateEnclosure", item, "item contains more than one enclosure; readers take the first")
    for element in item:
        tag = element.tag
        if tag in ("link", "comments"):
            _check_link(report, element)
        elif tag == "title":
            _check_plain(report, element)
        elif tag == "description" or tag == f"{{{CONTENT}}}encoded":
            _check_html(report, element, _text(element))
        elif tag == "pubDate":
            _check_rss_date(report, element)
        elif tag == "author":
            _check_contact(report, element)
        elif tag == "guid":
            _check_guid(report, element, guids)
        elif tag == "enclosure":
            _require_attributes(report, element, "url", "length", "type")
            _check_attribute(report, element, "url", is_full_url, "InvalidURLAttribute", "a full URL")
            _check_attribute(report, element, "length", str.isdigit, "InvalidIntegerAttribute", "a positive integer")
            _check_attribute(report, element, "type", MIME.match, "InvalidMIMEAttribute", "a valid MIME type")
        elif tag == "source":
            _require_attributes(report, element, "url")
            _check_attribute(report, element, "url", is_full_url, "InvalidURLAttribute", "a full URL")
        elif tag == f"{{{DC}}}date":
            _check_w3cdtf(report, element)
        elif tag == f"{{{DC}}}language":
            _check_language(report, element, _text(element))


def _check_attribute(
    report: _Report, element: etree._Element, name: str, valid: Callable[[str], object], code: str, what: str
) -> None:
    value = element.get(name)
    if value is not None and value.strip() and not valid(value.strip()):
        report.error(code, element, f"{name} attribute of {_name(element)} must be {what}: {value!r}")


def _check_guid(report: _Report, guid: etree._Element, guids: Counter[str]) -> None:
    value = _text(guid)
    guids[value] += 1
    permalink = guid.get("isPermaLink", "true")
    if permalink not in ("true", "false"):
        report.error("InvalidBooleanAttribute", guid, f"isPermaLink must be 'true' or 'false': {permalink!r}")
    elif permalink == "true" and value and not is_full_url(value):
        report.error("InvalidHttpGUID", guid, f"guid must be a full URL, unless isPermaLink is false: {value!r}")
    if value.isdigit() and len(value) < 5:
        report.warning("NotSufficientlyUnique", guid, f"the guid {value!r} is not sufficiently unique")


# ---------------------------------------------------------------- Atom 1.0

ATOM_FEED = dict.fromkeys("generator icon id logo rights subtitle title updated".split(), 1) | dict.fromkeys(
    "author category contributor link entry".split(), 0
)
ATOM_ENTRY = dict.fromkeys("content id published rights source summary title updated".split(), 1) | dict.fromkeys(
    "author category contributor link".split(), 0
)
ATOM_SOURCE = {key: value for key, value in ATOM_FEED.items() if key != "entry"}
TEXT_CONSTRUCTS = ("title", "subtitle", "summary", "rights")
PERSON = {"name": 1, "email": 1, "uri": 1}


def _a(tag: str) -> str:
    return f"{{{ATOM}}}{tag}"


def _check_atom(root: etree._Element, report: _Report) -> None:
    if root.tag != _a("feed"):
        namespace = etree.QName(root).namespace
        code = "InvalidNamespace" if etree.QName(root).localname == "feed" else "UndefinedElement"
        report.error(code, root, f"an Atom feed's root is feed in {ATOM}, not {_name(root)} in {namespace}")
        return
    _check_atom_container(report, root, ATOM_FEED)
    entries = _children(root, _a("entry"))
    if not _children(root, _a("author")) and any(not _entry_has_author(entry) for entry in entries):
        report.error("MissingElement", root, "Missing feed element: author (needed when an entry has none)")
    if not [link for link in _children(root, _a("link")) if link.get("rel") == "self"]:
        report.warning("MissingSelf", root, 'Missing atom:link with rel="self"')
    seen: Counter[tuple[str, str]] = Counter()
    ids: dict[str, set[str]] = {}
    for entry in entries:
        _check_atom_container(report, entry, ATOM_ENTRY)
        _check_atom_entry(report, entry)
        entry_id = next((_text(e) for e in _children(entry, _a("id"))), "")
        updated = next((_text(e) for e in _children(entry, _a("updated"))), "")
        seen[(entry_id, updated)] += 1
        ids.setdefault(entry_id, set()).add(updated)
    for (entry_id, updated), count in seen.items():
        if count > 1:
            report.error("DuplicateEntries", root, f"{count} entries share id {entry_id!r} and updated {updated!r}")
    for entry_id, updates in ids.items():
        if len(updates) > 1:
            report.warning("DuplicateIds", root, f"{len(updates)} entries share the id {entry_id!r}")


def _entry_has_author(entry: etree._Element) -> bool:
    sources = _children(entry, _a("source"))
    return bool(_children(entry, _a("author")) or any(_children(s, _a("author")) for s in sources))


def _base_in_scope(element: etree._Element) -> bool:
    return any(node.get(f"{{{XML}}}base") for node in [element, *element.iterancestors()])


def _check_atom_container(report: _Report, parent: etree._Element, known: Mapping[str, int]) -> None:
    name = _name(parent)
    counts = Counter(c.tag for c in parent if isinstance(c.tag, str))
    for tag in ("id", "title", "updated"):
        if counts[_a(tag)] == 0 and parent.tag != _a("source"):
            report.error("MissingElement", parent, f"Missing {name} element: {tag}")
    for tag, count in counts.items():
        qname = etree.QName(tag)
        if qname.namespace != ATOM:
            continue
        if qname.localname not in known:
            report.error("UndefinedElement", parent, f"Undefined {name} element: {qname.localname}")
        elif known[qname.localname] == 1 and count > 1:
            report.error("DuplicateElement", parent, f"{name} contains more than one {qname.localname}")
    alternates: Counter[tuple[str, str]] = Counter()
    for child in parent:
        if not isinstance(child.tag, str):
            continue
        language = child.get(f"{{{XML}}}lang")
        if language:
            _check_language(report, child, language)
        local = etree.QName(child).localname if etree.QName(child).namespace == ATOM else None
        if local == "id":
            _check_iri(report, child, _text(child))
        elif local in ("updated", "published"):
            if not is_rfc3339(_text(child)):
                report.error("InvalidRFC3339Date", child, f"{local} must be an RFC 3339 date-time: {_text(child)!r}")
        elif local in TEXT_CONSTRUCTS:
            _check_text_construct(report, child)
        elif local in ("author", "contributor"):
            _check_person(report, child)
        elif local == "link":
            _check_atom_link(report, child, alternates)
        elif local == "category":
            _require_attributes(report, child, "term")
            if child.get("scheme"):
                _check_iri(report, child, child.get("scheme") or "")
        elif local in ("icon", "logo"):
            _check_iri(report, child, _text(child), relative_ok=True)
        elif local == "generator" and child.get("uri"):
            _check_iri(report, child, child.get("uri") or "", relative_ok=True)
        elif local == "source":
            _check_atom_container(report, child, ATOM_SOURCE)
    for (kind, language), count in alternates.items():
        if count > 1:
            report.error(
                "DuplicateAtomLink", parent, f"{count} alternate links with type {kind!r}, hreflang {language!r}"
            )


def _check_iri(report: _Report, element: etree._Element, value: str, *, relative_ok: bool = False) -> None:
    if relative_ok and _is_relative(value):
        if not _base_in_scope(element):
            report.warning("ContainsRelRef", element, f"{_name(element)} is a relative reference: {value!r}")
        return
    if value.startswith("tag:") and not TAG_URI.match(value):
        report.error("InvalidTAG", element, f"{_name(element)} is not a valid TAG URI (RFC 4151): {value!r}")
    elif not is_iri(value):
        report.error("InvalidURI", element, f"{_name(element)} is not an absolute IRI: {value!r}")


def _check_text_construct(report: _Report, element: etree._Element) -> None:
    kind = element.get("type", "text")
    if kind == "text":
        _check_plain(report, element, "ContainsUndeclaredHTML")
    elif kind == "html":
        _check_html(report, element, _text(element), base=_base_in_scope(element))
    elif kind == "xhtml":
        _check_xhtml(report, element)
    else:
        report.error("InvalidTextType", element, f"type of {_name(element)} must be text, html or xhtml: {kind!r}")


def _check_xhtml(report: _Report, element: etree._Element) -> None:
    divs = [c for c in element if isinstance(c.tag, str)]
    stray = (element.text or "").strip() or any((c.tail or "").strip() for c in element)
    if len(divs) != 1 or divs[0].tag != f"{{{XHTML}}}div" or stray:
        report.error("MissingXhtmlDiv", element, f"xhtml {_name(element)} must hold exactly one xhtml:div")
        return
    html = etree.tostring(divs[0], encoding="unicode")
    _check_html(report, element, html, base=_base_in_scope(element))


def _check_person(report: _Report, person: etree._Element) -> None:
    _check_atom_structure(report, person, PERSON, ("name",))
    for child in person:
        if child.tag == _a("email") and not re.fullmatch(EMAIL, _text(child)):
            report.error("InvalidContact", child, f"email must be an e-mail address: {_text(child)!r}")
        elif child.tag == _a("uri"):
            _check_iri(report, child, _text(child), relative_ok=True)


def _check_atom_structure(
    report: _Report, parent: etree._Element, known: Mapping[str, int], required: tuple[str, ...]
) -> None:
    counts = Counter(
        etree.QName(c).localname for c in parent if isinstance(c.tag, str) and c.tag.startswith(f"{{{ATOM}}}")
    )
    for tag in required:
        if counts[tag] == 0:
            report.error("MissingElement", parent, f"Missing {_name(parent)} element: {tag}")
    for tag, count in counts.items():
        if tag not in known:
            report.error("UndefinedElement", parent, f"Undefined {_name(parent)} element: {tag}")
        elif count > 1:
            report.error("DuplicateElement", parent, f"{_name(parent)} contains more than one {tag}")


def _check_atom_link(report: _Report, link: etree._Element, alternates: Counter[tuple[str, str]]) -> None:
    href = link.get("href")
    if not href:
        report.error("MissingHref", link, "link must have an href attribute")
    else:
        _check_iri(report, link, href, relative_ok=True)
    rel = link.get("rel", "alternate")
    if rel not in ATOM_RELS and not is_iri(rel):
        report.warning("InvalidAtomLinkRel", link, f"{rel!r} is not a registered link relation or an IRI")
    if rel == "alternate":
        alternates[(link.get("type", ""), link.get("hreflang", ""))] += 1
    if link.get("hreflang"):
        _check_language(report, link, link.get("hreflang") or "")
    if link.get("type") and not MIME.match(link.get("type") or ""):
        report.error("InvalidMIMEType", link, f"type of link must be a MIME type: {link.get('type')!r}")
    _check_attribute(report, link, "length", str.isdigit, "InvalidIntegerAttribute", "a positive integer")
    if _text(link):
        report.warning("AtomLinkNotEmpty", link, "link should not have text (all data is in attributes)")


def _check_atom_entry(report: _Report, entry: etree._Element) -> None:
    contents = _children(entry, _a("content"))
    links = _children(entry, _a("link"))
    if not contents and not any(link.get("rel", "alternate") == "alternate" for link in links):
        report.error("MissingAlternateLink", entry, 'entry must contain a link element with rel="alternate"')
    for content in contents:
        kind = content.get("type", "text")
        if content.get("src"):
            _check_iri(report, content, content.get("src") or "", relative_ok=True)
            if not _children(entry, _a("summary")):
                report.error("MissingSummary", entry, "an entry whose content has src must have a summary")
        if kind in ("text", "html", "xhtml"):
            _check_text_construct(report, content)
        elif not MIME.match(kind):
            report.error(
                "InvalidMIMEType", content, f"type of content must be text, html, xhtml or a MIME type: {kind!r}"
            )


# ---------------------------------------------------------------- JSON Feed


def jsonfeed_problems(data: Path | bytes | str | Mapping[str, Any]) -> list[str]:
    """JSON Feed 1.1 problems: schema errors ("path: message") and duplicate item ids.

    The schema is read from the shared corpora; the test is skipped where they are absent.
    """
    from jsonschema import Draft7Validator, FormatChecker

    schema = json.loads(corpora_path(*JSONFEED_SCHEMA).read_text(encoding="utf-8"))
    if isinstance(data, Mapping):
        document: Any = data
    else:
        try:
            document = json.loads(Path(data).read_bytes() if isinstance(data, Path) else data)
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            return [f"(document): not JSON: {error}"]
    formats = FormatChecker(formats=())
    formats.checks("uri")(lambda value: not isinstance(value, str) or is_iri(value))
    formats.checks("date-time")(lambda value: not isinstance(value, str) or is_rfc3339(value))
    validator = Draft7Validator(schema, format_checker=formats)
    problems = [
        f"{'/'.join(str(p) for p in error.absolute_path) or '(root)'}: {error.message}"
        for error in sorted(validator.iter_errors(document), key=lambda e: [str(p) for p in e.absolute_path])
    ]
    items = document.get("items") if isinstance(document, Mapping) else None
    if isinstance(items, list):
        ids = Counter(str(item.get("id")) for item in items if isinstance(item, Mapping) and "id" in item)
        problems += [f"items: the id {i!r} is used by {n} items" for i, n in ids.items() if n > 1]
    return problems
