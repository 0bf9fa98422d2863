"""Markdown imported from Jekyll reads as kramdown rendered it there: its typography and nothing
more, markdown="1" HTML blocks, emphasis beside CJK text, a lone list marker as text."""

import pytest
from markdown_it import MarkdownIt

from posts.markup import plain_text, render

# Typography


@pytest.mark.parametrize(
    "typed",
    [
        "(c) 2024 (tm) (r) (C)",
        "Really!!!!! Why????",
        "One,, two,,, three",
        "+-5 and 2 +- 1",
        "Wait.. and so on..",
    ],
)
def test_characters_kramdown_leaves_stay_as_typed(typed):
    assert render(typed) == f"<p>{typed}</p>\n"


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("1990---2000, pp. 3--7", "1990—2000, pp. 3–7"),
        ("Then... and", "Then… and"),
        # kramdown converts each "...", so a six-dot ellipsis is two and a fourth dot stays.
        ("他说......然后", "他说……然后"),
        ("End....", "End…."),
        ("a----b", "a—-b"),
        ("a-----b", "a—–b"),
        ("Already …… typed", "Already …… typed"),
    ],
)
def test_dashes_and_ellipses_as_kramdown_converts_them(typed, read):
    assert render(typed) == f"<p>{read}</p>\n"


def test_guillemets_take_a_no_break_space_from_the_space_beside_them():
    assert render("<< Bonjour >> et <<1>>") == "<p>«&nbsp;Bonjour&nbsp;» et «1»</p>\n"


def test_escaped_symbols_stay_as_typed():
    assert render(r"\<< a \>> b \... c \-\- d") == "<p>&lt;&lt; a &gt;&gt; b ... c -- d</p>\n"


def test_code_html_and_urls_keep_their_characters():
    html = render(
        '`a -- b...` and <abbr title="x -- y">XY</abbr> at <https://example.org/a--b...>'
        " or [here](https://example.org/c--d)\n\n```\nx -- y...\n```\n"
    )
    assert "<code>a -- b...</code>" in html
    assert '<abbr title="x -- y">XY</abbr>' in html
    assert '<a href="https://example.org/a--b..." rel="noopener noreferrer">' in html
    assert "https://example.org/a--b...</a>" in html
    assert '<a href="https://example.org/c--d"' in html
    assert "<pre><code>x -- y...\n</code></pre>" in html


def test_headings_and_link_text_get_typography_and_quotes_curl():
    html = render('## War -- and peace\n\n["Read" this...](/x)\n')
    assert '<h2 id="war--and-peace">War – and peace</h2>' in html
    assert ">“Read” this…</a>" in html


def test_cjk_quotation_marks_stay():
    assert render("他说「你好」，『好』。") == "<p>他说「你好」，『好』。</p>\n"


# Smart quotes, each expectation as kramdown 2.4 (GFM input) renders the text, read as plain text.
# Some look odd (a quote after CJK text closes, one before "~~" too): Jekyll's readers saw them so.


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ('He said "we should leave."', "He said “we should leave.”"),
        ('She wrote "...we will see" and left', "She wrote “…we will see” and left"),
        ('It was the wrong move."', "It was the wrong move.”"),
        ("Back in the '80s and '90s", "Back in the ’80s and ’90s"),
        ("'We were told,' she said.", "‘We were told,’ she said."),
        ('The so-called "stalking" horse', "The so-called “stalking” horse"),
        ('"It was his problem,""', "“It was his problem,””"),
        ('As Smith argued (2014)"9 in the paper', "As Smith argued (2014)”9 in the paper"),
        (
            '"The first paragraph opens.\n\n"The second one opens too.\n\n"The last one closes."',
            "“The first paragraph opens. “The second one opens too. “The last one closes.”",
        ),
        (
            "He said, \"'Quoted' words in a larger quote.\"",
            "He said, “‘Quoted’ words in a larger quote.”",
        ),
        ("'\"Nested\" the other way,' she said", "‘“Nested” the other way,’ she said"),
        ("Don't say it's over, isn't it?", "Don’t say it’s over, isn’t it?"),
        ("Rock 'n' roll", "Rock ‘n’ roll"),
        ("The '80s", "The ’80s"),
        ('"*Emphasis*" and "_this_" inside', "“Emphasis” and “this” inside"),
        ("*\"Quoted emphasis\"* and **'strong'** ones", "“Quoted emphasis” and ‘strong’ ones"),
        ('"[A link](/x)" and ["quoted" text](/y)', "“A link” and “quoted” text"),
        ('"`code`" and `"kept"` as typed', '“code” and "kept" as typed'),
        ("\\\"Escaped\\\" stay \\'straight\\'", "\"Escaped\" stay 'straight'"),
        ('他说"你好"。', "他说”你好”。"),
        ('「"引用"」です', "「”引用”」です"),
        ('"Quote at the start and the end"', "“Quote at the start and the end”"),
        ('Ends with a quote "', "Ends with a quote “"),
        ("'", "’"),
        ('""', "””"),
        ("Custer's Last Stand and the 1980s' music", "Custer’s Last Stand and the 1980s’ music"),
        ("*Custer*'s Last Stand", "Custer’s Last Stand"),
        ('"Wait"--she said--"no"', "“Wait”–she said–“no”"),
        ('Then..."now"', "Then…“now”"),
        ('A line\n"quoted on the next"', "A line “quoted on the next”"),
        ("5'10\" tall", "5’10” tall"),
        ("'Tis the season", "‘Tis the season"),
        ('"A"."B"', "“A”.”B”"),
        ("He asked: \"why?\" and 'how?'", "He asked: “why?” and ‘how?’"),
        ('## "Quoted" heading', "“Quoted” heading"),
        ('| "a" | \'b\' |\n|---|---|\n| "c" | d\'s |', "“a” ‘b’ “c” d’s"),
        ('> "Quoted\n> over two lines"', "“Quoted over two lines”"),
        ("- \"one\"\n- 'two'", "“one” ‘two’"),
        ('<< "Bonjour" >>', "« “Bonjour” »"),
        ('A claim"[^1] here\n\n[^1]: "The note"', "A claim”1 here “The note” ↩"),
        ('"~~Struck~~" text', "”Struck” text"),
        ('Naïve "é" and l\'été', "Naïve “é” and l’été"),
        ('x"y"z', "x”y”z"),
        ("('80s) and ['90s]", "(‘80s) and [’90s]"),
        ("\"!\" or '?'", "”!” or ‘?’"),
        ('""Double"" quoted', '"”Double”” quoted'),
    ],
)
def test_quotes_turn_as_kramdown_turns_them(typed, read):
    assert plain_text(render(typed)) == read


def test_code_html_urls_and_escapes_keep_straight_quotes():
    html = render(
        "Say <abbr title=\"it's\">'x'</abbr> at <https://example.org/it's> or"
        ' ["here"](https://example.org/a\'b "Its \'title\'")\n\n```\nprint("it\'s")\n```\n'
    )
    assert '<abbr title="it\'s">‘x’</abbr>' in html
    assert ">https://example.org/it's</a>" in html
    assert 'href="https://example.org/a\'b" title="Its \'title\'"' in html
    assert ">“here”</a>" in html
    assert '<pre><code>print("it\'s")\n</code></pre>' in html


# markdown="1" blocks


def test_markdown_in_a_div_reads_as_blocks_and_the_attribute_goes():
    html = render(
        '<div class="notice" markdown="1">\n**Note:** see [this](/x).\n\n- one\n- two\n</div>\n'
    )
    assert html == (
        '<div>\n<p><strong>Note:</strong> see <a href="/x" rel="noopener noreferrer">this</a>.</p>'
        "\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n</div>\n"
    )


@pytest.mark.parametrize("tag", ["section", "figure", "blockquote"])
def test_block_elements_read_their_markdown(tag):
    html = render(f"<{tag} markdown='block'>\n## A heading\n\n*Text.*\n</{tag}>\n")
    assert html == f'<{tag}>\n<h2 id="a-heading">A heading</h2>\n<p><em>Text.</em></p>\n</{tag}>\n'


@pytest.mark.parametrize(
    ("source", "tag"),
    [
        ('<p markdown="1">An *inline* run</p>\n', "p"),
        ('<div markdown="span">\nAn *inline* run\n</div>\n', "div"),
    ],
)
def test_span_content_reads_as_one_inline_run(source, tag):
    assert render(source) == f"<{tag}>An <em>inline</em> run</{tag}>\n"


@pytest.mark.parametrize(
    "source",
    ['<div markdown="0">\n*raw*\n</div>\n', "<div>\n*raw*\n</div>\n"],
)
def test_without_markdown_the_content_stays_raw(source):
    assert render(source) == "<div>\n*raw*\n</div>\n"


def test_nested_elements_of_the_same_name_find_the_right_end():
    html = render(
        '<div markdown="1">\n<div markdown="1">\n*inner*\n</div>\n\n*outer*\n</div>\n\n*after*\n'
    )
    assert html == (
        "<div>\n<div>\n<p><em>inner</em></p>\n</div>\n<p><em>outer</em></p>\n</div>\n"
        "<p><em>after</em></p>\n"
    )


def test_an_unclosed_element_closes_where_its_container_ends():
    html = render('<section markdown="1">\n*open*\n')
    assert html == "<section>\n<p><em>open</em></p>\n</section>\n"
    html = render('> <div markdown="1">\n> *quoted*\n\nAfter.\n')
    assert html == (
        "<blockquote>\n<div>\n<p><em>quoted</em></p>\n</div>\n</blockquote>\n<p>After.</p>\n"
    )


def test_an_element_ends_a_paragraph_and_works_in_a_list_item():
    assert render('Text\n<div markdown="1">\n*a*\n</div>\n') == (
        "<p>Text</p>\n<div>\n<p><em>a</em></p>\n</div>\n"
    )
    html = render('- item\n\n  <div markdown="1">\n  *a*\n  </div>\n')
    assert html == "<ul>\n<li>\n<p>item</p>\n<div>\n<p><em>a</em></p>\n</div>\n</li>\n</ul>\n"


def test_the_sanitiser_still_applies_inside():
    html = render('<div markdown="1" onclick="x()">\n<script>alert(1)</script>\n\n*ok*\n</div>\n')
    assert html == "<div>\n\n<p><em>ok</em></p>\n</div>\n"


# Emphasis beside CJK text


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("**「法庭線」**報道", "<strong>「法庭線」</strong>報道"),
        ("这是**重要：**内容", "这是<strong>重要：</strong>内容"),
        ("*「強調」*です", "<em>「強調」</em>です"),
        ("**（注）**参照", "<strong>（注）</strong>参照"),
        ("**한국어(괄호)**를", "<strong>한국어(괄호)</strong>를"),
        ("文_「強調」_。", "文<em>「強調」</em>。"),
    ],
)
def test_emphasis_beside_cjk_text_as_kramdown_reads_it(typed, read):
    assert render(typed) == f"<p>{read}</p>\n"


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("中_文_字", "中_文_字"),  # an underscore inside a word is no emphasis in kramdown either
        ("** 中**", "** 中**"),
        ("2*3*4", "2<em>3</em>4"),
        ("snake_case_name", "snake_case_name"),
        ('**"quoted"**text', "**“quoted”**text"),
    ],
)
def test_other_emphasis_reads_as_commonmark(typed, read):
    assert render(typed) == f"<p>{read}</p>\n"


# Lone list markers


@pytest.mark.parametrize("marker", ["*", "+", "-", "1.", "1)"])
def test_a_lone_list_marker_is_text(marker):
    assert render(f"Before.\n\n{marker}\n\nAfter.\n") == (
        f"<p>Before.</p>\n<p>{marker}</p>\n<p>After.</p>\n"
    )


def test_a_lone_marker_after_a_list_is_no_empty_item():
    assert render("* one\n\n*\n\nAfter.\n") == (
        "<ul>\n<li>one</li>\n</ul>\n<p>*</p>\n<p>After.</p>\n"
    )
    # Right under an item it continues the item's text, as kramdown reads it.
    assert render("* one\n*\n* two\n") == "<ul>\n<li>one\n*</li>\n<li>two</li>\n</ul>\n"


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("* * *", "<hr>\n"),
        ("***", "<hr>\n"),
        ("Title\n-\n", '<h2 id="title">Title</h2>\n'),
        ("* item", "<ul>\n<li>item</li>\n</ul>\n"),
    ],
)
def test_rules_headings_and_lists_read_as_before(typed, read):
    assert render(typed) == read


# An HTML block ends where its element does: the lines after it are Markdown, as in kramdown.


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        (
            '<div class="label">Approach</div>\n### Serving more agencies\n',
            '<div>Approach</div>\n<h3 id="serving-more-agencies">Serving more agencies</h3>\n',
        ),
        ("<br/>\n## The third sprint\n", '<br>\n<h2 id="the-third-sprint">The third sprint</h2>\n'),
        (
            "<div>\n<div>kept as it is</div>\n</div>\nAfter *it*\n",
            "<div>\n<div>kept as it is</div>\n</div>\n<p>After <em>it</em></p>\n",
        ),
        ("</aside>\n# Next\n", '\n<h1 id="next">Next</h1>\n'),
    ],
)
def test_an_html_block_ends_where_its_element_does(typed, read):
    assert render(typed) == read


@pytest.mark.parametrize(
    "typed",
    [
        "<div>\nraw *text*\n\n</div>\n",  # a blank line ends it first, as before
        "<div>open, never closed\n### not a heading yet\n",
        "<div>x</div> and more\n# h\n",  # something after the closing tag: CommonMark's block
        "<pre>\nlet a = 1;\n</pre>\n# h\n",  # ends at its own end tag already
        "<span>inline</span>\n# h\n",  # a paragraph, not a block
        "<table><tr>\n<td>a</td>\n\n</td>\n    <td>indented, not code</td>\n</tr></table>\n",
    ],
)
def test_other_html_blocks_read_as_commonmark_reads_them(typed):
    commonmark = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    assert plain_text(render(typed)) == plain_text(commonmark.render(typed))
