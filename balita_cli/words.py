"""The site's own words in English and Filipino, chosen by each page's language, and its dates.

Dates are written as Philippine outlets write them, through Babel's CLDR data (no hand-written
month tables): "November 27, 2026, 10:00 AM PHT" in English, "Nobyembre 27, 2026, 10:00 AM PHT"
in Filipino. CLDR has no short name for the Philippines' zone (Babel gives "+0800"), so
``ZONE_ABBREVIATIONS`` names the zones it lacks; any other zone gets Babel's short name ("EST"),
else its GMT offset ("GMT+8").
"""

from __future__ import annotations

from datetime import datetime

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "read_more": "Read more on",
        "correction": "Correction",
        "corrections": "Corrections",
        "retraction": "Retraction",
        "retracted": "This article has been retracted.",
        "retracted_label": "Retracted",
        "published": "Published",
        "updated": "Updated",
        "by": "By",
        "by_many": "By",
        "from_outlet": "From",
        "and": "and",
        "tags": "Tags",
        "section": "Section",
        "tag": "Tag",
        "author": "Author",
        "latest": "Latest news",
        "latest_short": "Latest",
        "top_stories": "Top stories",
        "more_from": "More from",
        "newer": "Newer",
        "older": "Older",
        "page": "page",
        "page_title": "Page",
        "of": "of",
        "moved": "This page has moved to",
        "feeds": "Feeds",
        "feed_of": "feed",
        "contact": "Contact",
        "address": "Address",
        "publisher": "Publisher",
        "name": "Name",
        "legal_name": "Legal name",
        "registration": "Registration number",
        "registry": "Registered with",
        "country": "Country",
        "email": "E-mail",
        "phone": "Phone",
        "corrections_policy": "How we correct mistakes",
        "no_articles": "No articles yet.",
        "photo": "Photo",
        "also_reported": "Also reported by",
        "related": "Related stories",
        "previous": "Previous in",
        "next": "Next in",
        "in_section": "More in this section",
        "sections": "Sections",
        "pages": "Pages",
        "search": "Search",
        "search_label": "Search the news",
        "search_heading": "Search",
        "search_button": "Search",
        "search_needs_js": "Search runs in your browser and needs JavaScript. "
        "Every story is also listed by section, tag and author.",
        "search_none": "No stories match",
        "search_results": "stories found for",
        "search_result_one": "story found for",
        "not_found": "Page not found",
        "not_found_text": "There is no page at this address. It may have moved, or the link may be mistyped.",
        "go_home": "Go to the front page",
        "skip": "Skip to the main content",
        "site_navigation": "Sections",
        "pagination": "Pages of this list",
        "article_navigation": "More in this section",
        "footer_navigation": "About this site",
        "preview": "PREVIEW",
        "draft_label": "DRAFT",
        "preview_note": "Not published: readers cannot see this page.",
        "scheduled_for": "Scheduled for",
        "home": "Front page",
        "nl_stories": "The stories",
        "nl_notices": "Corrections and retractions",
        "nl_no_stories": "No new stories in this issue.",
        "nl_retracted": "Retracted",
        "nl_why": "You get this because you subscribed to",
        "nl_unsubscribe": "Unsubscribe",
        "nl_read": "Read the story",
        "nl_confirm_title": "Confirm your subscription",
        "nl_confirm_text": "Press the button to receive",
        "nl_confirm_button": "Confirm",
        "nl_confirmed": "You are subscribed to",
        "nl_unsubscribe_title": "Unsubscribe",
        "nl_unsubscribe_text": "Press the button to stop receiving",
        "nl_unsubscribe_button": "Unsubscribe",
        "nl_unsubscribed": "You will receive no more mail from",
        "nl_bad_link": "This link is not valid any more.",
    },
    "fil": {
        "read_more": "Basahin ang buong balita sa",
        "correction": "Pagwawasto",
        "corrections": "Mga pagwawasto",
        "retraction": "Pagbawi",
        "retracted": "Binawi na ang balitang ito.",
        "retracted_label": "Binawi",
        "published": "Inilathala",
        "updated": "Binago",
        "by": "Ni",
        "by_many": "Nina",
        "from_outlet": "Mula sa",
        "and": "at",
        "tags": "Mga tag",
        "section": "Seksiyon",
        "tag": "Tag",
        "author": "Awtor",
        "latest": "Pinakabagong balita",
        "latest_short": "Pinakabago",
        "top_stories": "Mga pangunahing balita",
        "more_from": "Iba pa mula sa",
        "newer": "Mas bago",
        "older": "Mas luma",
        "page": "pahina",
        "page_title": "Pahina",
        "of": "ng",
        "moved": "Inilipat ang pahinang ito sa",
        "feeds": "Mga feed",
        "feed_of": "feed",
        "contact": "Makipag-ugnayan",
        "address": "Address",
        "publisher": "Tagapaglathala",
        "name": "Pangalan",
        "legal_name": "Rehistradong pangalan",
        "registration": "Numero ng rehistro",
        "registry": "Nakarehistro sa",
        "country": "Bansa",
        "email": "E-mail",
        "phone": "Telepono",
        "corrections_policy": "Paano namin itinatama ang mga mali",
        "no_articles": "Wala pang balita.",
        "photo": "Larawan",
        "also_reported": "Iniulat din ng",
        "related": "Kaugnay na balita",
        "previous": "Nauna sa",
        "next": "Kasunod sa",
        "in_section": "Iba pa sa seksiyong ito",
        "sections": "Mga seksiyon",
        "pages": "Mga pahina",
        "search": "Hanapin",
        "search_label": "Maghanap ng balita",
        "search_heading": "Maghanap",
        "search_button": "Hanapin",
        "search_needs_js": "Tumatakbo ang paghahanap sa iyong browser at kailangan nito ang JavaScript. "
        "Nakalista rin ang bawat balita ayon sa seksiyon, tag at awtor.",
        "search_none": "Walang balitang tumugma sa",
        "search_results": "balita ang nakita para sa",
        "search_result_one": "balita ang nakita para sa",
        "not_found": "Hindi nakita ang pahina",
        "not_found_text": "Walang pahina sa address na ito. Maaaring inilipat ito, o mali ang link.",
        "go_home": "Pumunta sa unang pahina",
        "skip": "Lumaktaw sa pangunahing nilalaman",
        "site_navigation": "Mga seksiyon",
        "pagination": "Mga pahina ng listahang ito",
        "article_navigation": "Iba pa sa seksiyong ito",
        "footer_navigation": "Tungkol sa site na ito",
        "preview": "PREVIEW",
        "draft_label": "DRAFT",
        "preview_note": "Hindi pa nailathala: hindi ito nakikita ng mga mambabasa.",
        "scheduled_for": "Nakatakda sa",
        "home": "Unang pahina",
        "nl_stories": "Ang mga balita",
        "nl_notices": "Mga pagwawasto at pagbawi",
        "nl_no_stories": "Walang bagong balita sa isyung ito.",
        "nl_retracted": "Binawi",
        "nl_why": "Natanggap mo ito dahil nag-subscribe ka sa",
        "nl_unsubscribe": "Mag-unsubscribe",
        "nl_read": "Basahin ang balita",
        "nl_confirm_title": "Kumpirmahin ang iyong subscription",
        "nl_confirm_text": "Pindutin ang button para matanggap ang",
        "nl_confirm_button": "Kumpirmahin",
        "nl_confirmed": "Naka-subscribe ka na sa",
        "nl_unsubscribe_title": "Mag-unsubscribe",
        "nl_unsubscribe_text": "Pindutin ang button para hindi na matanggap ang",
        "nl_unsubscribe_button": "Mag-unsubscribe",
        "nl_unsubscribed": "Wala ka nang matatanggap na sulat mula sa",
        "nl_bad_link": "Hindi na gumagana ang link na ito.",
    },
}
# Tagalog is the base of Filipino: "tl" and "fil-PH" read as "fil"; anything unknown as English.
ALIASES = {"tl": "fil", "tgl": "fil", "fil": "fil", "en": "en"}
# Babel locales for each key: its CLDR data gives the month names and the AM/PM markers.
LOCALES = {"en": "en_PH", "fil": "fil_PH"}
DATE_PATTERN = "MMMM d, y"
TIME_PATTERN = "MMMM d, y, h:mm a"
# Zones whose short name CLDR lacks (Babel answers "+0800" for Asia/Manila): as outlets write them.
ZONE_ABBREVIATIONS = {"Asia/Manila": "PHT"}


def language_key(language: str) -> str:
    base = language.strip().lower().replace("_", "-").split("-")[0]
    return ALIASES.get(base, "en")


def locale_of(language: str) -> str:
    """The CLDR locale of a language as OpenGraph's ``og:locale`` names it: fil_PH, en_PH."""
    return LOCALES[language_key(language)]


def words_for(language: str) -> dict[str, str]:
    return WORDS[language_key(language)]


def zone_abbreviation(value: datetime) -> str:
    """ "PHT" for Asia/Manila; Babel's short name where CLDR has one ("EST"), else "GMT+9"."""
    from babel.dates import get_timezone_name  # here: Babel only for a date in words

    zone = getattr(value.tzinfo, "key", None)
    if zone in ZONE_ABBREVIATIONS:
        return ZONE_ABBREVIATIONS[str(zone)]
    if zone is not None and zone != "UTC":
        name = str(get_timezone_name(value, "short", locale="en"))
        if name[:1].isalpha() and not name.startswith(("GMT", "UTC")):
            return name
    offset = value.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    if not minutes:
        return "UTC"
    sign, minutes = ("+" if minutes > 0 else "-"), abs(minutes)
    return f"GMT{sign}{minutes // 60}" + (f":{minutes % 60:02d}" if minutes % 60 else "")


def display_time(value: datetime, language: str) -> str:
    """ "November 27, 2026, 10:00 AM PHT" / "Nobyembre 27, 2026, 10:00 AM PHT"."""
    from babel.dates import format_datetime  # here: Babel only for a date in words

    text = format_datetime(value, TIME_PATTERN, tzinfo=value.tzinfo, locale=LOCALES[language_key(language)])
    return f"{text} {zone_abbreviation(value)}"


def display_date(value: datetime, language: str) -> str:
    """ "November 27, 2026" / "Nobyembre 27, 2026"."""
    from babel.dates import format_datetime  # here: Babel only for a date in words

    return str(format_datetime(value, DATE_PATTERN, tzinfo=value.tzinfo, locale=LOCALES[language_key(language)]))


def byline(names: list[str], language: str) -> str:
    """ "By Ana Reyes and Mark Villanueva" / "Nina Ana Reyes at Mark Villanueva"."""
    if not names:
        return ""
    words = words_for(language)
    joined = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} {words['and']} {names[-1]}"
    return f"{words['by' if len(names) == 1 else 'by_many']} {joined}"
