"""The one render+sanitize path against feedparser's sanitizer corpus (745 hostile snippets)."""

from __future__ import annotations

import pytest

from balita_cli.formats.html import article_html, render_markdown, sanitize
from tests.helpers.hostile_html import assert_harmless, corpus_snippets


def test_the_whole_sanitize_corpus_comes_out_harmless() -> None:
    snippets = corpus_snippets()
    assert len({name for name, _html in snippets}) == 745
    for name, html in snippets:
        for rendered in (sanitize(html), render_markdown(html)):
            try:
                assert_harmless(rendered)
            except AssertionError as failure:
                raise AssertionError(f"{name}: {rendered!r}") from failure


@pytest.mark.parametrize(
    "body",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[click](javascript:alert(1))",
        '<a href="  JaVaScRiPt:alert(1)">x</a>',
        '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>',
        '<svg><script>alert(1)</script></svg><math><mi xlink:href="javascript:alert(1)">x</mi></math>',
        '<iframe src="https://evil.example"></iframe><style>body{}</style>',
        "<div><b>unclosed",
        "bell\x07 and nul\x00 and vertical tab\x0b",
    ],
)
def test_hostile_markdown_bodies(body: str) -> None:
    html = article_html({"status": "published", "body": body, "source_url": "javascript:alert(9)"})
    assert_harmless(html)
    assert not any(char in html for char in "\x00\x07\x0b")


def test_a_paragraph_heaped_with_markup_is_shown_as_the_text_it_is() -> None:
    heap = "*_" * 600
    html = render_markdown(f"Before, *emphasis*.\n\n{heap}<script>x</script>\n\n- **Juan** 1\n- **Ana** 2")
    assert "<p>Before, <em>emphasis</em>.</p>" in html
    assert f"<p>{heap}&lt;script&gt;x&lt;/script&gt;</p>" in html
    assert "<li><strong>Juan</strong> 1</li>" in html  # markup among words is still Markdown
    assert render_markdown("a *b* " * 300).count("<em>b</em>") == 300
