"""Whatever an author types, render() emits no script vector, and a video embeds only as the
importer writes it: a privacy-enhanced player in a sandboxed frame.

The oracle below is written independently of posts/markup.py: it parses the output and checks
every element and attribute against the allowlist the project agreed on.
"""

import re
from html.parser import HTMLParser

import pytest

from posts.markup import render

HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
ALLOWED = {
    **dict.fromkeys(
        [
            "p", "br", "hr", "strong", "em", "b", "i", "u", "s", "del", "ins", "mark", "sub",
            "sup", "small", "blockquote", "q", "cite", "abbr", "code", "pre", "kbd", "samp",
            "var", "ul", "ol", "li", "dl", "dt", "dd", "a", "img", "figure", "figcaption",
            "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "section", "span",
            "div", "iframe",
        ],
        frozenset(),
    ),
    **{h: {"id"} for h in HEADINGS},
    "a": {"href", "title", "id", "class", "rel"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
    "ol": {"start", "class"},
    "li": {"id", "class"},
    "th": {"style"},
    "td": {"style"},
    "code": {"class"},
    "sup": {"class"},
    "section": {"class"},
    "hr": {"class"},
    "figure": {"class"},
    "iframe": {"src", "title", "loading", "allowfullscreen", "sandbox", "referrerpolicy"},
}  # fmt: skip
PLAYERS = re.compile(
    r"https://www\.youtube-nocookie\.com/embed/[\w-]{6,20}(\?start=\d+)?"
    r"|https://player\.vimeo\.com/video/\d+\?dnt=1"
)
SANDBOX = "allow-scripts allow-same-origin allow-presentation allow-popups"
SAFE_SCHEMES = {"http", "https", "mailto"}
SCHEME = re.compile(r"([a-z][a-z0-9+.-]*):", re.IGNORECASE)
# Browsers drop whitespace and control characters from URLs; dropping all of them is stricter.
IGNORED_IN_URL = re.compile(r"[\x00-\x20\x7f-\x9f]")


class Inventory(HTMLParser):
    """Collects every element, attribute and comment of an HTML fragment, entities decoded."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements = []
        self.comments = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, attrs))

    def handle_comment(self, data):
        self.comments.append(data)

    def unknown_decl(self, data):
        self.comments.append(data)


def problems(html):
    """Every reason the fragment is unsafe; empty when it is safe."""
    inventory = Inventory()
    inventory.feed(html)
    inventory.close()
    found = [f"comment {c!r}" for c in inventory.comments]
    for tag, attrs in inventory.elements:
        if tag not in ALLOWED:
            found.append(f"element <{tag}>")
            continue
        if tag == "iframe":
            found += frame_problems(dict(attrs))
        for name, value in attrs:
            if name.startswith("on") or name not in ALLOWED[tag]:
                found.append(f"attribute {name} on <{tag}>")
            elif name in {"href", "src"}:
                scheme = SCHEME.match(IGNORED_IN_URL.sub("", value or ""))
                if scheme and scheme.group(1).lower() not in SAFE_SCHEMES:
                    found.append(f"{name}={value!r} on <{tag}>")
            elif name == "style" and value not in {
                "text-align:left",
                "text-align:right",
                "text-align:center",
            }:
                found.append(f"style={value!r} on <{tag}>")
            elif name == "class" and not (
                "footnote" in value
                or value.startswith("language-")
                or (tag, value) == ("figure", "video")
            ):
                found.append(f"class={value!r} on <{tag}>")
    return found


def frame_problems(attrs):
    """A frame is safe only showing a privacy-enhanced player, sandboxed, sending no full URL."""
    found = []
    if not PLAYERS.fullmatch(attrs.get("src") or ""):
        found.append(f"iframe src={attrs.get('src')!r}")
    if attrs.get("sandbox") != SANDBOX:
        found.append(f"iframe sandbox={attrs.get('sandbox')!r}")
    if attrs.get("referrerpolicy") != "strict-origin-when-cross-origin":
        found.append(f"iframe referrerpolicy={attrs.get('referrerpolicy')!r}")
    return found


PAYLOADS = [
    # script elements, in many spellings
    "<script>alert(1)</script>",
    "<SCRIPT>alert(1)</SCRIPT>",
    "<ScRiPt>alert(1)</sCrIpT>",
    '<script src="https://evil.example/x.js"></script>',
    "<script/xss src=https://evil.example/x.js></script>",
    "<<script>alert(1)//<</script>",
    "<scr<script>ipt>alert(1)</script>",
    "paragraph\n\n<script>\nalert(1)\n</script>\n",
    # event handlers
    "<img src=x onerror=alert(1)>",
    '<IMG SRC="x" ONERROR="alert(1)">',
    "<img src=x onerror\t=\talert(1)>",
    '<img """><script>alert(1)</script>">',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<math href="javascript:alert(1)">x</math>',
    '<body onload="alert(1)">',
    '<details open ontoggle="alert(1)">x</details>',
    '<video><source onerror="alert(1)"></video>',
    '<audio src=x onerror="alert(1)"></audio>',
    '<video poster="javascript:alert(1)"></video>',
    "<input autofocus onfocus=alert(1)>",
    "<marquee onstart=alert(1)>x</marquee>",
    '<div onmouseover="alert(1)">hover</div>',
    '<p style="x" onclick="alert(1)">x</p>',
    # embedding elements
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>',
    '<iframe src="https://evil.example/embed/abcdefgh"></iframe>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="data:text/html,<script>alert(1)</script>">',
    '<form action="javascript:alert(1)"><button>go</button></form>',
    '<form><button formaction="javascript:alert(1)">go</button></form>',
    '<base href="javascript:alert(1)//">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    "<textarea><script>alert(1)</script></textarea>",
    "<xmp><script>alert(1)</script></xmp>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<template><script>alert(1)</script></template>",
    "<title><script>alert(1)</script></title>",
    # CSS
    "<style>body{background:url(javascript:alert(1))}</style>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<span style="behavior:url(x.htc)">x</span>',
    '<td style="text-align:left;background:url(javascript:alert(1))">x</td>',
    # javascript: and friends in raw HTML links
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<a href="&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;:alert(1)">x</a>',
    '<a href="&#0000106&#0000097vascript:alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href="jav\tascript:alert(1)">x</a>',
    '<a href="jav\nascript:alert(1)">x</a>',
    '<a href=" &#14; javascript:alert(1)">x</a>',
    '<a href="javascript&colon;alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
    '<img src="javascript:alert(1)">',
    '<img srcset="javascript:alert(1) 1x">',
    '<img src="x.png" usemap="#m"><map name="m"><area href="javascript:alert(1)"></map>',
    '<a href="https://ok.example" target="_blank" ping="https://evil.example">x</a>',
    # Markdown syntax
    "[x](javascript:alert(1))",
    "[x](JAVASCRIPT:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](javascript&#58;alert(1))",
    "[x](<javascript:alert(1)>)",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](data:image/png;base64,iVBORw0KGgo=)",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    '![x](javascript:alert(1) "title")',
    "[x][evil]\n\n[evil]: javascript:alert(1)",
    "![x][evil]\n\n[evil]: data:image/svg+xml,<svg/onload=alert(1)>",
    "<javascript:alert(1)>",
    "<vbscript:msgbox(1)>",
    "<data:text/html,<script>alert(1)</script>>",
    '[x](https://ok.example "a" onclick="alert(1)")',
    '## Heading {: onclick="alert(1)"}',
    'Paragraph\n{: onclick="alert(1)" }',
    '{: #id .class onmouseover="alert(1)"}\nParagraph',
    "```html\n<script>alert(1)</script>\n```",
    '```" onmouseover="alert(1)\ncode\n```',
    '```js class="x" onclick=alert(1)\ncode\n```',
    "`<script>alert(1)</script>`",
    '<h2 id="x" onclick="alert(1)">x</h2>',
    '<code class="language-js x-evil" onclick="alert(1)">x</code>',
    # comments and oddities
    "<!--<script>alert(1)</script>-->",
    "<!-- --!><img src=x onerror=alert(1)> -->",
    "<![CDATA[<script>alert(1)</script>]]>",
    '<?xml version="1.0"?><script>alert(1)</script>',
    "<plaintext><script>alert(1)</script>",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payload_is_neutralised(payload):
    html = render(payload)
    assert problems(html) == [], html


def test_oracle_catches_what_it_should():
    assert problems('<a href="&#106;avascript:x">x</a><img onerror=x><script></script>') == [
        "href='javascript:x' on <a>",
        "attribute onerror on <img>",
        "element <script>",
    ]


def test_benign_content_survives():
    html = render(
        "## Results\n\n"
        'See [the report](https://example.org/report "Report") and [below](#results), '
        "or [write](mailto:desk@example.org).\n\n"
        "![A chart](/media/chart.png)\n"
    )
    assert problems(html) == []
    assert '<h2 id="results">Results</h2>' in html
    assert '<a href="https://example.org/report" title="Report"' in html
    assert '<a href="#results"' in html
    assert '<a href="mailto:desk@example.org"' in html
    assert '<img src="/media/chart.png" alt="A chart">' in html


def test_attribute_syntax_stays_text():
    html = render('Paragraph\n{: onclick="alert(1)" }')
    assert "onclick=" in html and "<p onclick" not in html
    assert problems(html) == []


# Video embeds

YOUTUBE = "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"
POLICY = f'sandbox="{SANDBOX}" referrerpolicy="strict-origin-when-cross-origin"'


@pytest.mark.parametrize(
    "src", [YOUTUBE, f"{YOUTUBE}?start=42", "https://player.vimeo.com/video/76979871?dnt=1"]
)
def test_an_embedded_player_is_kept_sandboxed(src):
    html = render(
        f'<figure class="video"><iframe src="{src}" title="The &quot;talk&quot;" loading="lazy" '
        "allowfullscreen></iframe><figcaption>The talk, <em>filmed</em></figcaption></figure>\n"
    )
    assert html == (
        f'<figure class="video"><iframe src="{src}" title="The &quot;talk&quot;" loading="lazy" '
        f'allowfullscreen="" {POLICY}></iframe><figcaption>The talk, <em>filmed</em></figcaption>'
        "</figure>\n"
    )
    assert problems(html) == []


def test_a_frame_keeps_no_permission_or_content_of_its_own():
    html = render(
        f'<iframe src="{YOUTUBE}" sandbox="allow-top-navigation" referrerpolicy="unsafe-url" '
        'loading="eager" allowfullscreen="false" style="x" onload="x()">&lt;p&gt;Fallback'
        "<b>text</b></iframe>"
    )
    assert html == f'<iframe src="{YOUTUBE}" {POLICY}></iframe>'


@pytest.mark.parametrize(
    "src",
    [
        "https://www.youtube.com/embed/dQw4w9WgXcQ",
        "http://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
        "https://www.youtube-nocookie.com/embed/abc",
        "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1",
        "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?start=1&autoplay=1",
        "https://player.vimeo.com/video/76979871",
        "https://player.vimeo.com/video/76979871?dnt=1&autoplay=1",
        "//player.vimeo.com/video/76979871?dnt=1",
        "https://evil.example/?https://player.vimeo.com/video/1?dnt=1",
        "",
    ],
)
def test_any_other_frame_goes_with_its_content(src):
    html = render(f'Before <iframe src="{src}">Fallback <b>text</b></iframe> after.')
    assert html == "<p>Before  after.</p>\n"


@pytest.mark.parametrize(
    "payload",
    [
        f'<iframe src="{YOUTUBE}" sandbox="allow-top-navigation" onload="alert(1)">'
        "<script>alert(1)</script></iframe>",
        f'<iframe src="{YOUTUBE}" srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>',
        f'<iframe src="{YOUTUBE}">&lt;/iframe&gt;<img src=x onerror=alert(1)></iframe>',
        f'<iframe src="{YOUTUBE}" title="&quot; onload=&quot;alert(1)"></iframe>',
    ],
)
def test_a_kept_frame_carries_nothing_hostile(payload):
    html = render(payload)
    assert "<iframe" in html and problems(html) == [], html


def test_the_video_class_is_kept_on_a_figure_only():
    html = render('<figure class="video wide"><div class="video">x</div></figure>')
    assert html == '<figure class="video"><div>x</div></figure>'
