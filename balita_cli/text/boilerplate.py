"""A channel's promotion in a feed entry, told from the news: what a desk excerpt leaves out.

Video platforms' feeds (ABS-CBN News and GMA on YouTube) append the same blocks to every
description: calls to subscribe or follow ("Subscribe to the ABS-CBN News channel!"), lists of
links ("Facebook: https://… Twitter: https://…", bit.ly lines) and hashtag lines ("#TVPatrol
#ABSCBNNews"). ``is_boilerplate`` reads one plain-text paragraph; a paragraph of news that
mentions a link or a hashtag is kept; ``news_text`` also cuts the promotion a paragraph of news
ends with. ``cut_suffix`` takes a source's programme label ("| TV
Patrol") off a title.
"""

from __future__ import annotations

import re

_URL = re.compile(r"(?:https?://|www\.)\S+|\b(?:bit\.ly|tinyurl\.com|goo\.gl|t\.co|fb\.me|youtu\.be)/\S*", re.I)
_HASHTAG = re.compile(r"#[^\W_][\w-]*")
_ONLY_HASHTAGS = re.compile(r"(?:#[^\W_][\w-]*[\s,.;·|]*)+")
# Calls to act that open a promotion, in English and Filipino ("I-subscribe", "Panoorin ang buong").
_CALL_AT_START = re.compile(
    r"(?:subscribe|follow us|like us|like and follow|don'?t forget to|do not forget to|click|tap|visit|"
    r"stay (?:updated|tuned)|check out|catch (?:up|the (?:latest|full))|watch (?:the|more|full|our)|"
    r"for more\b.{0,60}\b(?:videos?|updates|news|episodes?|highlights|stories)|to watch\b|get access|"
    r"download (?:the|our)|tune in|listen to|share this|join (?:us|our)|"
    r"(?:i-|mag-?)(?:subscribe|follow|like|click)|sundan|panoorin|bisitahin|tumutok)\b",
    re.I,
)
# The same calls anywhere in a short paragraph.
_CALL_ANYWHERE = re.compile(
    r"\b(?:subscribe to (?:our|the|[\w.’'-]+['’]s?) .{0,60}channel|click the (?:bell|link|button)|"
    r"hit the (?:bell|like)|follow us on|like us on|visit (?:us|our (?:website|page|site))|"
    r"(?:our|the) (?:official )?(?:youtube|facebook|tiktok|instagram) (?:channel|page|account))",
    re.I,
)
_LABEL = re.compile(r"[\w .&’'-]{1,30}:")  # "Facebook:", "Twitter:", "Visit our website at"-free labels
MAX_PROMOTION_WORDS = 80  # a call to act runs short; a longer paragraph that names one is news


def _words(text: str) -> list[str]:
    return [word for word in text.split() if any(char.isalnum() for char in word)]


def is_boilerplate(paragraph: str) -> bool:
    """A call to subscribe or follow, a list of links, or a line of hashtags (one plain-text paragraph)."""
    text = " ".join(paragraph.split())
    if not text:
        return False
    if _ONLY_HASHTAGS.fullmatch(text):
        return True
    links = len(_URL.findall(text))
    rest = _HASHTAG.sub(" ", _URL.sub(" ", text))
    words = _words(_LABEL.sub(" ", rest))
    if links and len(words) <= 2 * links:  # bare links, or "Facebook: … Twitter: …"
        return True
    if len(_words(rest)) > MAX_PROMOTION_WORDS:
        return False
    opening = rest.lstrip(" -–—•*>\"'“‘(")
    return bool(_CALL_AT_START.match(opening) and (links or _CALL_ANYWHERE.search(rest) or _promotes(opening)))


def _promotes(opening: str) -> bool:
    """An opening call to act that is about the channel, not the story ("Subscribe to…", "I-follow…")."""
    return bool(
        re.match(r"(?:subscribe|follow us|like us|(?:i-|mag-?)(?:subscribe|follow)|don'?t forget)", opening, re.I)
    )


_SENTENCE_START = re.compile(r"(?<=[.!?…])\s+(?=[\"“‘'(#]?[^\W\d_])")


def news_text(paragraph: str) -> str:
    """The paragraph less the promotion it ends with ("… 24 oras. For more news click here: https://…"),
    or "" when it is all promotion."""
    if is_boilerplate(paragraph):
        return ""
    ends = [match.start() for match in _SENTENCE_START.finditer(paragraph)]
    end = len(paragraph)
    for start in reversed(ends):
        if not is_boilerplate(paragraph[start:end]):
            break
        end = start
    return paragraph[:end].rstrip()


def cut_suffix(title: str, suffix: str) -> str:
    """``title`` less ``suffix`` at its end (spacing and case aside) and the separator before it;
    unchanged when that would leave nothing."""
    words, label = " ".join(title.split()), " ".join(suffix.split())
    if not label or len(words) <= len(label) or not words.casefold().endswith(label.casefold()):
        return title
    rest = words[: len(words) - len(label)].rstrip(" |-–—:·•/")
    return rest if any(char.isalnum() for char in rest) else title
