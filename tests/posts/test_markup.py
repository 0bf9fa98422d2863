"""What readers get from Markdown: the rendered features and Jekyll's excerpt rules."""

import re

import pytest
from helpers import SHARED

from posts.markup import (
    DEFAULT_EXCERPT_SEPARATOR,
    first_paragraph,
    render,
    render_html,
    render_post,
    render_posts,
    rendered_ahead,
    split_excerpt,
)

SEED = SHARED / "seed" / "transatlantic-strategic-security.md"


# Rendering


def test_footnotes_link_both_ways():
    html = render("A claim.[^src]\n\n[^src]: The source.\n")
    assert '<sup class="footnote-ref"><a href="#fn1" id="fnref1"' in html
    assert '<li id="fn1" class="footnote-item">' in html
    assert '<a href="#fnref1" class="footnote-backref"' in html
    assert '<section class="footnotes">' in html and '<hr class="footnotes-sep">' in html


def test_footnote_references_read_as_kramdown_numbers_them():
    html = render("One.[^a] Two.[^b] One again.[^a]\n\n[^a]: First.\n[^b]: Second.\n")
    assert '<a href="#fn1" id="fnref1" rel="noopener noreferrer">1</a></sup> Two.' in html
    assert '<a href="#fn2" id="fnref2" rel="noopener noreferrer">2</a>' in html
    assert '<a href="#fn1" id="fnref1:1" rel="noopener noreferrer">1</a>' in html
    assert "[1]" not in html and "\ufe0e" not in html


def test_footnote_back_links_are_kramdowns_arrows():
    html = render("One.[^a] Again.[^a]\n\n[^a]: The note.\n")
    assert (
        '<p>The note.&nbsp;<a href="#fnref1" class="footnote-backref" rel="noopener noreferrer">'
        '↩</a>&nbsp;<a href="#fnref1:1" class="footnote-backref" rel="noopener noreferrer">'
        "↩<sup>2</sup></a></p>"
    ) in html


def test_tables_keep_alignment():
    html = render("| Ally | Share |\n|:-----|------:|\n| BE | 1.3 |\n")
    assert "<table>" in html and "<thead>" in html and "<tbody>" in html
    assert '<th style="text-align:left">Ally</th>' in html
    assert '<td style="text-align:right">1.3</td>' in html


def test_fenced_code_keeps_language_class():
    html = render("```python\nprint('<hi>')\n```\n")
    assert html == ("<pre><code class=\"language-python\">print('&lt;hi&gt;')\n</code></pre>\n")


def test_headings_get_unique_ids():
    html = render("# Outlook\n\n## Outlook\n\n### Outlook\n\n###### NATO’s Summit\n")
    assert '<h1 id="outlook">' in html
    assert '<h2 id="outlook-1">' in html
    assert '<h3 id="outlook-2">' in html
    assert '<h6 id="natos-summit">' in html


def test_typography():
    html = render("\"Deterrence\" and 'defence' -- 2024 --- now...")
    assert html == "<p>“Deterrence” and ‘defence’ – 2024 — now…</p>\n"


def test_lists_and_strikethrough():
    html = render("1. one\n2. ~~two~~\n\n- a\n- b\n\n3. three\n")
    assert "<ol>\n<li>one</li>\n<li><s>two</s></li>\n</ol>" in html
    assert "<ul>\n<li>a</li>\n<li>b</li>\n</ul>" in html
    assert '<ol start="3">' in html


def test_allowed_raw_html_survives():
    html = render(
        'The <abbr title="North Atlantic Treaty Organization">NATO</abbr> <kbd>Ctrl</kbd>'
    )
    assert '<abbr title="North Atlantic Treaty Organization">NATO</abbr>' in html
    assert "<kbd>Ctrl</kbd>" in html


def test_attribute_list_syntax_is_text():
    html = render('## Plans\n{: onclick="alert(1)" }\n\nBody\n{: .lead onclick="alert(1)"}')
    assert html == (
        '<h2 id="plans">Plans</h2>\n<p>{: onclick=”alert(1)” }</p>\n'
        "<p>Body\n{: .lead onclick=”alert(1)”}</p>\n"
    )


# Excerpt rules


def test_split_excerpt_cuts_at_first_exact_separator():
    assert split_excerpt("Lead.\n<excerpt/>\nRest.") == ("Lead.\n", "Lead.\n\nRest.")
    assert split_excerpt("Lead. <Excerpt/> Rest.") == (None, "Lead. <Excerpt/> Rest.")
    assert split_excerpt("Lead.\n\nRest.", "") == (None, "Lead.\n\nRest.")


def test_explicit_excerpt_wins():
    body_html, excerpt_html = render_post("Lead.\n\n<excerpt/>\n\nRest.", excerpt="*Chosen* text.")
    assert excerpt_html == "<p><em>Chosen</em> text.</p>\n"
    assert body_html == "<p>Lead.</p>\n<p>Rest.</p>\n"


def test_cut_at_default_separator():
    body_html, excerpt_html = render_post("Lead one.\n\nLead two.\n\n<excerpt/>\n\nRest.")
    assert excerpt_html == "<p>Lead one.</p>\n<p>Lead two.</p>\n"
    assert body_html == "<p>Lead one.</p>\n<p>Lead two.</p>\n<p>Rest.</p>\n"


@pytest.mark.parametrize("separator", ["<!--more-->", "<!-- more -->"])
def test_custom_separators(separator):
    body = f"Lead sentence. {separator} More of it.\n\nRest."
    body_html, excerpt_html = render_post(body, separator=separator)
    assert excerpt_html == "<p>Lead sentence.</p>\n"
    assert body_html == "<p>Lead sentence.  More of it.</p>\n<p>Rest.</p>\n"


def test_separator_must_match_exactly():
    body = "Lead. <!--more--> Rest.\n\nSecond paragraph."
    _, excerpt_html = render_post(body, separator="<!-- more -->")
    assert excerpt_html == "<p>Lead.  Rest.</p>\n"


def test_separator_twice_cuts_at_first_and_removes_only_it():
    body = "One.\n\nSEP\n\nTwo.\n\nSEP\n\nThree."
    excerpt, body_source = split_excerpt(body, "SEP")
    assert excerpt == "One.\n\n"
    assert body_source == "One.\n\n\n\nTwo.\n\nSEP\n\nThree."
    body_html, excerpt_html = render_post(body, separator="SEP")
    assert excerpt_html == "<p>One.</p>\n"
    assert body_html == "<p>One.</p>\n<p>Two.</p>\n<p>SEP</p>\n<p>Three.</p>\n"


def test_no_marker_takes_the_first_run_of_non_blank_lines_as_jekyll_does():
    body = "\n\nThe first\nparagraph.\n\nSecond paragraph.\n"
    assert first_paragraph(body) == "The first\nparagraph."
    _, excerpt_html = render_post(body)
    assert excerpt_html == "<p>The first\nparagraph.</p>\n"


def test_a_leading_heading_or_quote_is_the_first_paragraph():
    assert first_paragraph("## Headings\n\nText.\n") == "## Headings"
    _, excerpt_html = render_post("> *The lead.*\n\nText.\n")
    assert excerpt_html == "<blockquote>\n<p><em>The lead.</em></p>\n</blockquote>\n"


def test_first_paragraph_counts_lines_as_markdown_does():
    crlf_and_line_separator = "Lead\u2028still lead.\r\n \t\r\nRest."
    assert first_paragraph(crlf_and_line_separator) == "Lead\u2028still lead."
    assert first_paragraph("\n  \n") == ""


def test_excerpt_resolves_reference_links_from_the_body():
    _, excerpt_html = render_post(
        "See [the plan][p].\n\n<excerpt/>\n\n[p]: https://example.org/plan\n"
    )
    assert excerpt_html == (
        '<p>See <a href="https://example.org/plan" rel="noopener noreferrer">the plan</a>.</p>\n'
    )


def test_marker_never_reaches_body_html():
    body_html, _ = render_post(f"Lead {DEFAULT_EXCERPT_SEPARATOR} inline.\n\nRest.")
    assert "excerpt" not in body_html
    assert "Lead" in body_html and "inline." in body_html and "Rest." in body_html
    body_html, _ = render_post(f"Lead.\n\n{DEFAULT_EXCERPT_SEPARATOR}\n\nRest.", excerpt="Own.")
    assert "excerpt" not in body_html
    assert "Lead." in body_html and "Rest." in body_html


@pytest.mark.parametrize("separator", ["\n\n", "\r\n\r\n", "\n\n\n"])
def test_a_blank_line_separator_cuts_the_excerpt_and_stays_in_the_body(separator):
    body = separator.join(["## The heading", "The first paragraph.", "The second."])
    assert split_excerpt(body, separator) == ("## The heading", body)
    body_html, excerpt_html = render_post(body, separator=separator)
    assert excerpt_html == '<h2 id="the-heading">The heading</h2>\n'
    assert body_html == (
        '<h2 id="the-heading">The heading</h2>\n<p>The first paragraph.</p>\n<p>The second.</p>\n'
    )


@pytest.mark.parametrize("separator", ["<!--more-->", "\n<!--more-->\n", "<!--more-->\n"])
def test_a_marker_on_its_own_line_goes_without_joining_what_it_parted(separator):
    body = "## The heading\n<!--more-->\nThe text.\n\nMore."
    body_html, excerpt_html = render_post(body, separator=separator)
    assert excerpt_html == '<h2 id="the-heading">The heading</h2>\n'
    assert body_html == '<h2 id="the-heading">The heading</h2>\n<p>The text.</p>\n<p>More.</p>\n'
    _, body_source = split_excerpt("Lead.\n<!--more-->\nRest.", separator)
    assert body_source == "Lead.\n\nRest."


# Posts written in HTML

HTML_BODY = (
    '<h2 id="opening">Opening</h2>\n<p>A *starred* word -- (c) ... "quoted"</p>\n'
    '<h3 id="not an id">Then</h3>\n<script>alert(1)</script>\n\n    <p>Indented</p>\n'
)


def test_an_html_body_is_sanitised_and_not_read_as_markdown():
    body_html, excerpt_html = render_post(HTML_BODY, body_format="html")
    assert body_html == (
        '<h2 id="opening">Opening</h2>\n<p>A *starred* word -- (c) ... "quoted"</p>\n'
        "<h3>Then</h3>\n\n\n    <p>Indented</p>\n"
    )
    assert excerpt_html == '<h2 id="opening">Opening</h2>'
    assert render_html(HTML_BODY) == body_html


@pytest.mark.parametrize(
    ("body", "excerpt", "wanted"),
    [
        ("<p>One</p>\n<p>Two</p>", "", "<p>One</p>"),
        ("Bare <em>text</em> first\n<p>Then</p>", "", "Bare <em>text</em> first\n"),
        (
            "<hr>\n<div><p>In</p>\n<p>Side</p></div>\n<p>Out</p>",
            "",
            "<hr>\n<div><p>In</p>\n<p>Side</p></div>",
        ),
        ("<p>Lead</p>\n<excerpt/>\n<p>Rest</p>", "", "<p>Lead</p>\n"),
        ("<p>Lead</p>", "<b>Own</b> <i onclick='x'>words</i>", "<b>Own</b> <i>words</i>"),
    ],
)
def test_an_html_posts_excerpt(body, excerpt, wanted):
    assert render_post(body, excerpt, body_format="html")[1] == wanted


def test_an_html_posts_marker_goes_from_its_body():
    body_html, _ = render_post("<p>Lead</p><!--more--><p>Rest</p>", "", "<!--more-->", "html")
    assert body_html == "<p>Lead</p><p>Rest</p>"


def test_a_body_format_is_markdown_or_html():
    with pytest.raises(ValueError, match="markdown or html, not 'textile'"):
        render_post("Text.", body_format="textile")


def test_a_batch_renders_each_source_in_its_format():
    body = "*Lead* -- text"
    assert render_posts([(body, "", "<excerpt/>"), (body, "", "<excerpt/>", "html")]) == [
        ("<p><em>Lead</em> – text</p>\n", "<p><em>Lead</em> – text</p>\n"),
        ("*Lead* -- text", "*Lead* -- text"),
    ]


def test_renderings_made_ahead_are_found_by_format():
    body = "*Lead*"
    made = {(body, "", "<excerpt/>"): ("markdown ahead", ""), (body, "", "", "html"): ("html", "")}
    with rendered_ahead(made):
        assert render_post(body) == ("markdown ahead", "")
        assert render_post(body, separator="", body_format="html") == ("html", "")
        assert render_post(body, body_format="html") == ("*Lead*", "*Lead*")


# The seed post


@pytest.fixture
def seed_body():
    if not SEED.exists():
        pytest.skip(f"seed post not found: {SEED} (expects shared/ beside the repository)")
    _, _front_matter, body = re.split(r"^---[ \t]*$", SEED.read_text(), maxsplit=2, flags=re.M)
    return body


def test_seed_excerpt_is_the_italic_lead(seed_body):
    _, excerpt_html = render_post(seed_body)
    assert excerpt_html == (
        "<p><em>European security is under strain as Russian aggression persists and US "
        "commitment appears to waver. With NATO-burden sharing under renewed scrutiny, European "
        "allies are being forced to reassess defence responsibilities ahead of the Alliance’s "
        "upcoming Hague Summit.</em></p>\n"
    )


def test_seed_body_has_sections_and_ends_with_the_bio(seed_body):
    body_html, _ = render_post(seed_body)
    assert re.findall(r'<h3 id="([^"]+)">', body_html) == [
        "natos-conventional-force-build-up-gets-underway",
        "the-case-for-nuclear-posture-adaptation",
        "skyrocketing-defence-industrial-demand-is-challenging-supply-chains",
        "the-importance-of-nato-cohesion",
    ]
    assert body_html.startswith("<p><em>European security is under strain")
    assert body_html.endswith(
        "<hr>\n<p><strong>Alexander Mattelaer</strong> is an Associate Professor in International "
        "Security at the Centre for Security, Diplomacy and Strategy of the Brussels School of "
        "Governance and a Senior Research Fellow at Egmont – the Belgian Royal Institute for "
        "International Relations.</p>\n"
    )
    assert "excerpt" not in body_html
