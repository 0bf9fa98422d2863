"""Nothing in a post's body is lost to Liquid: logic is evaluated where its values are known,
includes arrive as Jekyll rendered them, and what cannot be converted is kept, noted."""

from datetime import date, datetime, timedelta, timezone

import pytest
from helpers import run_command

from posts import markup
from posts.models import Post
from transfer.liquid import LiquidContext, convert
from transfer.sitedata import SiteData

SITE = {"baseurl": "/blog", "url": "https://example.org"}


def run(body, **context):
    context.setdefault("site", SITE)
    context.setdefault("page", {})
    return convert(body, LiquidContext(**context))


def text_of(body, **context):
    text, _ = run(body, **context)
    return text


def write(root, files: dict):
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def site_data(tmp_path, **files):
    """The data folder of a site holding `files` (path under _data -> text)."""
    write(tmp_path, {f"_data/{name}": text for name, text in files.items()})
    return SiteData.of(tmp_path, {})


# A theme's includes, written the way such themes write them.

FIGURE = """\
<figure class="{{ include.class }}">
  {%- if include.link -%}<a href="{{ include.link }}">{%- endif -%}
  <img src="{% if include.image_path contains '://' %}{{ include.image_path }}{% else %}{{
include.image_path | relative_url }}{% endif %}"
       alt="{% if include.alt %}{{ include.alt | escape }}{% endif %}">
  {%- if include.link -%}</a>{%- endif -%}

  {%- if include.caption -%}
    <figcaption>
      {{ include.caption | markdownify | remove: "<p>" | remove: "</p>" }}
    </figcaption>
  {%- endif -%}
</figure>
"""
PLAYER = """\
{% capture clip %}{{ include.id }}{% endcapture %}
{% capture host %}{{ include.provider }}{% endcapture %}

{% capture address %}
{% case host %}
{% when "vimeo" %}
https://player.vimeo.com/video/{{ clip }}?dnt=true
{% when "youtube" %}
https://www.youtube-nocookie.com/embed/{{ clip }}
{% endcase %}
{% endcapture %}
{% assign address = address | strip %}

<!-- a responsive frame -->
{% unless address == "" %}
  <div class="video-frame">
    <iframe src="{{ address }}" frameborder="0" allowfullscreen></iframe>
  </div>
{% endunless %}
"""
EPIGRAPH = """\
<blockquote class="epigraph">
  <p>{{ include.quote }}</p>
  {% if include.author %}
    <footer>{{ include.author }}{% if include.source %},
      <cite>{{ include.source }}</cite>{% endif %}</footer>
  {% endif %}
</blockquote>
"""


@pytest.fixture
def includes(tmp_path):
    return (
        write(
            tmp_path,
            {
                "_includes/figure": FIGURE,
                "_includes/video": PLAYER,
                "_includes/epigraph.html": EPIGRAPH,
            },
        )
        / "_includes"
    )


# Conditions


@pytest.mark.parametrize(
    ("condition", "held"),
    [
        ("page.n == 3", True),
        ("page.n != 3", False),
        ("page.n < 4", True),
        ("page.n > 4", False),
        ("page.n <= 3", True),
        ("page.n >= 3.5", False),
        ("page.title contains 'Ports'", True),
        ("page.tags contains 'sea'", True),
        ("page.tags contains 'air'", False),
        ("page.blank_title", True),  # only nil and false are false in Liquid
        ("page.zero", True),
        ("page.off", False),
        ("page.none", False),
        ("page.tags == empty", False),
        ("page.blank_title == empty", True),
        # Liquid groups and/or from the right: true or (false and false).
        ("true or false and false", True),
        ("false and false or true", False),
    ],
)
def test_a_condition_on_known_values_is_evaluated(condition, held):
    page = {
        "n": 3,
        "title": "Ports and Power",
        "tags": ["sea", "trade"],
        "blank_title": "",
        "zero": 0,
        "off": False,
        "none": None,
    }
    body = f"{{% if {condition} %}}yes{{% else %}}no{{% endif %}}"
    assert run(body, page=page) == ("yes" if held else "no", [])


def test_elsif_picks_the_first_branch_that_holds():
    body = (
        "{% if include.size == 's' %}small{% elsif include.size == 'm' %}medium"
        "{% elsif include.size %}other{% endif %}"
    )
    assert [text_of(body.replace("include.size", f"'{size}'")) for size in "sml"] == [
        "small",
        "medium",
        "other",
    ]


def test_branch_lines_leave_no_empty_lines():
    body = "A\n{% if page.on %}\nB\n{% else %}\nC\n{% endif %}\nD"
    assert text_of(body, page={"on": True}) == "A\nB\nD"
    assert text_of(body, page={"on": False}) == "A\nC\nD"


def test_unless_holds_when_its_condition_does_not():
    assert text_of("{% unless page.draft %}out{% endunless %}", page={"draft": False}) == "out"


def test_case_renders_every_when_that_matches_or_else():
    body = (
        "{% case page.kind %}{% when 'essay', 'review' %}long{% when 'note' or 'brief' %}short"
        "{% else %}other{% endcase %}"
    )
    assert [text_of(body, page={"kind": kind}) for kind in ("review", "brief", "x")] == [
        "long",
        "short",
        "other",
    ]


def test_a_condition_that_needs_an_unknown_value_keeps_the_whole_block():
    body = "{% if page.featured and site.show_badges %}\n**Featured**\n{% endif %}\nText"
    text, notes = run(body, page={"featured": True})
    assert text == (
        "<!-- {% if page.featured and site.show_badges %}\n**Featured**\n{% endif %} -->\nText"
    )
    assert notes == [
        "line 1: {% if page.featured and site.show_badges %} … {% endif %} could not be"
        " converted: site.show_badges is not set in the site config; kept in the source as a"
        " comment, through line 3"
    ]


def test_an_unknown_value_liquid_does_not_need_is_not_asked_for():
    body = "{% if page.draft and site.show_drafts %}draft{% else %}out{% endif %}"
    assert run(body, page={"draft": False}) == ("out", [])


def test_what_a_kept_block_would_set_is_unknown_after_it():
    body = "{% if site.wide %}{% assign width = 'full' %}{% endif %}\n{{ width }}"
    text, notes = run(body)
    assert text == (
        "<!-- {% if site.wide %}{% assign width = 'full' %}{% endif %} -->\n<!-- {{ width }} -->"
    )
    assert notes[1] == (
        "line 2: {{ width }} could not be converted: width is set in Liquid that could not be"
        " converted (line 1); kept in the source as a comment"
    )


# Loops


def test_a_loop_over_site_data_with_forloop_values(tmp_path):
    data = site_data(tmp_path, **{"team.yml": "- name: Ann\n- name: Bo\n- name: Cy\n"})
    body = (
        "{% for person in site.data.team %}{{ forloop.index }}/{{ forloop.length }} "
        "{{ person.name }}{% unless forloop.last %}, {% endunless %}{% endfor %}"
    )
    assert run(body, data=data) == ("1/3 Ann, 2/3 Bo, 3/3 Cy", [])


def test_loop_limit_offset_and_reversed():
    body = "{% for n in page.ns limit: 3 offset: 1 reversed %}{{ n }}{% endfor %}"
    assert text_of(body, page={"ns": [1, 2, 3, 4, 5]}) == "432"


def test_loop_over_a_range_with_break_and_continue():
    body = (
        "{% for n in (1..9) %}{% if n == 2 %}{% continue %}{% endif %}"
        "{% if n > 4 %}{% break %}{% endif %}{{ n }}{% endfor %}"
    )
    assert text_of(body) == "134"


def test_loop_else_renders_for_nothing_to_loop_over():
    body = "{% for t in page.tags %}{{ t }}{% else %}untagged{% endfor %}"
    assert text_of(body, page={"tags": []}) == "untagged"


def test_loop_over_keys_and_values(tmp_path):
    data = site_data(tmp_path, **{"links.json": '{"home": "/", "feed": "/feed.xml"}'})
    body = "{% for link in site.data.links %}[{{ link[0] }}]({{ link[1] }}) {% endfor %}"
    assert text_of(body, data=data) == "[home](/) [feed](/feed.xml) "


def test_loop_over_what_jekyll_builds_is_kept():
    text, notes = run("{% for p in site.posts limit: 3 %}{{ p.title }}{% endfor %}")
    assert text == "<!-- {% for p in site.posts limit: 3 %}{{ p.title }}{% endfor %} -->"
    assert "site.posts is made by Jekyll as it builds the site" in notes[0]


def test_a_loop_too_long_to_write_out_is_kept():
    text, notes = run("{% for n in (1..20000) %}{{ n }}{% endfor %}")
    assert text.startswith("<!-- {% for n in (1..20000) %}")
    assert "the range (1..20000) is too long to write out" in notes[0]


# Scope


def test_assign_and_capture_as_liquid_scopes_them(tmp_path):
    folder = (
        write(
            tmp_path,
            {"_includes/set.html": "{% assign shade = include.colour %}{{ include.colour }}"},
        )
        / "_includes"
    )
    body = (
        "{% for n in (1..2) %}{% assign last = n %}{% endfor %}"
        "{% capture heading %}Part {{ last }}{% endcapture %}"
        "{{ heading }}|{{ n }}|{% include set.html colour='red' %}|{{ shade }}|{{ include.colour }}"
    )
    # Assigned in a loop or an include, a value outlives them; the loop's variable and the
    # include's parameters do not.
    assert text_of(body, includes_dir=folder) == "Part 2||red|red|"


def test_a_variable_nothing_set_is_nil_unless_a_missing_include_could_have():
    assert run("[{{ shade }}]") == ("[]", [])
    text, notes = run("{% include palette.html %}\n[{{ shade }}]")
    assert text == "<!-- {% include palette.html %} -->\n[<!-- {{ shade }} -->]"
    assert notes[1] == (
        "line 2: {{ shade }} could not be converted: shade is not set, unless by palette.html,"
        " which could not be inlined; kept in the source as a comment"
    )


def test_increment_cycle_and_echo():
    body = (
        "{% increment c %}{% increment c %}{% decrement d %} "
        "{% for n in (1..3) %}{% cycle 'odd', 'even' %} {% endfor %}{% echo page.t | upcase %}"
    )
    assert text_of(body, page={"t": "x"}) == "01-1 odd even odd X"


# Filters


@pytest.mark.parametrize(
    ("expression", "printed"),
    [
        ("page.subtitle | default: 'None'", "None"),
        ("page.title | default: 'None'", "Ports &amp; Power"),
        ("page.day | date: '%B %-d, %Y'", "March 5, 2024"),
        ("page.day | date: '%a %d %b %y, %j'", "Tue 05 Mar 24, 065"),
        ("page.day | date_to_string", "05 Mar 2024"),
        ("page.day | date_to_string: 'ordinal', 'US'", "Mar 5th, 2024"),
        ("page.day | date_to_long_string: 'ordinal'", "5th March 2024"),
        ("page.moment | date_to_xmlschema", "2024-03-05T09:00:00+00:00"),
        ("page.moment | date: '%H:%M %z'", "10:00 +0100"),
        ("'2024-03-05 10:00:00 +0100' | date: '%-I %p'", "10 AM"),
        (
            "'Source: [X](https://x.org)' | markdownify | remove: '<p>' | remove: '</p>' | strip",
            'Source: <a href="https://x.org" rel="noopener noreferrer">X</a>',
        ),
        ("'  a b  ' | strip | replace: 'a', 'z' | append: '!' | prepend: '¡'", "¡z b!"),
        ("'<em>Hi</em> <!-- x -->there' | strip_html", "Hi there"),
        ("page.title | escape", "Ports &amp;amp; Power"),
        ("'a,b,c' | split: ',' | join: ' + '", "a + b + c"),
        ("'a,b,c' | split: ',' | last", "c"),
        ("page.tags | first", "sea"),
        ("page.tags | size", "2"),
        ("'The Café: Notes!' | slugify", "the-café-notes"),
        ("'The Café: Notes!' | slugify: 'latin'", "the-cafe-notes"),
        ("'/about/' | absolute_url", "https://example.org/blog/about/"),
        ("10 | divided_by: 4 | plus: 0.5 | times: 2", "5.0"),
        ("page.tags | jsonify", '["sea","trade"]'),
        ("2.5 | round", "3"),
        ("0.5 | round", "1"),
        ("2.345 | round: 2", "2.35"),
    ],
)
def test_filters_print_as_jekyll_does(expression, printed):
    page = {
        "title": "Ports &amp; Power",
        "tags": ["sea", "trade"],
        "day": date(2024, 3, 5),
        "moment": datetime(2024, 3, 5, 10, 0, tzinfo=timezone(timedelta(hours=1))),
    }
    assert run(f"{{{{ {expression} }}}}", page=page) == (printed, [])


def test_where_and_where_exp_select_data(tmp_path):
    data = site_data(
        tmp_path,
        **{"people.csv": "name,role,year\nAnn,editor,2019\nBo,writer,2022\nCy,editor,2023\n"},
    )
    body = (
        "{{ site.data.people | where: 'role', 'editor' | map: 'name' | join: ', ' }}; "
        "{% assign recent = site.data.people | where_exp: 'p', 'p.year > \"2020\"' %}"
        "{{ recent | map: 'name' | array_to_sentence_string }}"
    )
    assert run(body, data=data) == ("Ann, Cy; Bo and Cy", [])


# Values as Jekyll prints them


def test_dates_and_times_print_as_jekyll_prints_them():
    page = {
        "last_modified": date(2024, 3, 5),
        "reviewed": datetime(2024, 3, 5, 10, 0, tzinfo=timezone(timedelta(hours=1))),
        "date": date(2024, 3, 5),
        "score": 4.0,
        "authors": ["Ann", "Bo"],
    }
    body = (
        "{{ page.last_modified }} | {{ page.reviewed }} | {{ page.date }} | {{ page.score }}"
        " | {{ page.authors }} | {{ page.last_modified | date: '%B %-d, %Y' }}"
    )
    assert run(body, page=page) == (
        "2024-03-05 | 2024-03-05 10:00:00 +0100 | 2024-03-05 00:00:00 +0000 | 4.0 | AnnBo"
        " | March 5, 2024",
        [],
    )


def test_page_date_is_a_time_in_the_sites_zone():
    text = text_of(
        "{{ page.date }}", site={"timezone": "Europe/Paris"}, page={"date": date(2024, 3, 5)}
    )
    assert text == "2024-03-05 00:00:00 +0100"


def test_a_set_of_keys_and_values_is_not_printed():
    text, notes = run("{{ page.author }}", page={"author": {"name": "Ann"}})
    assert text == "<!-- {{ page.author }} -->"
    assert notes == [
        "line 1: {{ page.author }} could not be converted: a set of keys and values is printed"
        " by Ruby in its own way; kept in the source as a comment"
    ]


# Site data


def test_site_data_from_yaml_json_csv_tsv_and_nested_folders(tmp_path):
    data = site_data(
        tmp_path,
        **{
            "site.yml": "owner: Ann\nfounded: 2001-02-03\n",
            "counts.json": '{"issues": 12}',
            "rows.csv": "a,b\n1,2\n",
            "cells.tsv": "x\ty\nleft\tright\n",
            "people/editors.yml": "- Bo\n- Cy\n",
        },
    )
    body = (
        "{{ site.data.site.owner }} {{ site.data.site.founded }} {{ site.data.counts.issues }}"
        " {{ site.data.rows[0].b }} {{ site.data.cells.first.y }}"
        " {{ site.data.people.editors | join: '+' }}"
    )
    assert run(body, data=data) == ("Ann 2001-02-03 12 2 right Bo+Cy", [])


def test_a_data_folder_is_keyed_by_its_whole_name_sanitised_as_jekyll_does(tmp_path):
    data = site_data(tmp_path, **{"v1.2/notes.yml": "lead: Ann\n"})
    assert run("{{ site.data.v12.notes.lead }}", data=data) == ("Ann", [])


def test_contains_on_a_data_file_that_cannot_be_read_keeps_the_liquid(tmp_path):
    data = site_data(tmp_path, **{"team.yml": "a: &x 1\n"})
    body = '{% if site.data contains "team" %}Team{% endif %}'
    converted, notes = run(body, data=data)
    assert converted == f"<!-- {body} -->"
    assert "_data/team.yml:1: YAML anchors and aliases" in notes[0]


def test_a_key_data_does_not_have_is_nil(tmp_path):
    data = site_data(tmp_path, **{"site.yml": "owner: Ann\n"})
    body = "[{{ site.data.site.editor }}][{{ site.data.nothing.here }}]"
    assert run(body, data=data) == ("[][]", [])


@pytest.mark.parametrize(
    ("name", "text", "fault"),
    [
        ("a.yml", "a: &x 1\nb: *x\n", "_data/a.yml:1: YAML anchors and aliases (& and *) are not"),
        ("a.yml", "a: 1\nb: [2\n", "_data/a.yml:3: invalid YAML"),
        ("a.json", '{\n  "a": 1,\n}', "_data/a.json:3: invalid JSON"),
        ("a.csv", 'a,b\nx,y\n"1"x,2\n', "_data/a.csv:3: invalid CSV"),
    ],
)
def test_a_data_file_that_cannot_be_read_is_named_in_the_note(tmp_path, name, text, fault):
    data = site_data(tmp_path, **{name: text})
    body = "Intro.\n{% for x in site.data.a %}{{ x }}{% endfor %}"
    converted, notes = run(body, data=data)
    assert converted == "Intro.\n<!-- {% for x in site.data.a %}{{ x }}{% endfor %} -->"
    assert notes[0].startswith(
        "line 2: {% for x in site.data.a %} … {% endfor %} could not be converted: " + fault
    )


def test_a_data_file_is_read_only_when_used(tmp_path):
    data = site_data(tmp_path, **{"broken.yml": "a: &x 1\n", "fine.yml": "a: 1\n"})
    assert run("{{ site.data.fine.a }}", data=data) == ("1", [])


def test_a_data_file_linking_out_of_the_site_is_not_read(tmp_path):
    site = tmp_path / "site"
    (tmp_path / "secret.yml").write_text("password: hunter2\n")
    (site / "_data").mkdir(parents=True)
    (site / "_data" / "leak.yml").symlink_to(tmp_path / "secret.yml")
    text, notes = run("{{ site.data.leak.password }}", data=SiteData.of(site, {}))
    assert "hunter2" not in text
    assert "_data/leak.yml: a link to a file outside the site: not read" in notes[0]


# What cannot be converted is kept exactly, where it stood


def test_a_kept_block_stays_a_valid_comment_of_as_many_lines():
    body = "Para.\n{% if site.x %}\n<!-- a note -->\n\nText\n{% endif %}\n{: .lead}"
    text, notes = run(body)
    assert text == (
        "Para.\n<!-- {% if site.x %}\n<!-&#45; a note -&#45;>\n\u00a0\nText\n{% endif %} -->"
    )
    assert notes[-1] == "line 7: kramdown block attribute list {: .lead} removed"
    html = markup.render(text)
    assert html == "<p>Para.</p>\n"


def test_a_kept_block_that_starts_inside_a_line_starts_a_line_of_its_own():
    text = text_of("Intro {% if site.x %}\n# Heading\n{% endif %}")
    assert text == "Intro \n<!-- {% if site.x %}\n# Heading\n{% endif %} -->"
    assert markup.render(text) == "<p>Intro</p>\n"


def test_unknown_liquid_in_code_is_kept_as_written():
    body = (
        "```\n{{ site.cdn }}\n```\n\nRun `{{ site.cdn }}` and "
        "{% highlight sh %}{% gist a %}{% endhighlight %}"
    )
    text, notes = run(body)
    assert text == (
        "```\n{{ site.cdn }}\n```\n\nRun `{{ site.cdn }}` and \n```sh\n{% gist a %}\n```"
    )
    assert notes[0] == (
        "line 2: {{ site.cdn }} could not be converted: site.cdn is not set in the site config;"
        " kept as written, since it stands in code"
    )


def test_unknown_liquid_inside_an_html_tag_is_kept_after_the_tag():
    body = '<img src="{{ site.cdn }}/a.png" alt="A">\nNext'
    assert text_of(body) == '<img src="/a.png" alt="A"> <!-- {{ site.cdn }} -->\nNext'


# Includes: inlined as one HTML block


def test_a_figure_include_keeps_its_alt_text_and_caption(includes):
    body = (
        "Intro.\n\n"
        '{% include figure image_path="/assets/a.png" alt="A map" '
        'caption="Source: [X](https://x.org)" %}\n'
        "Next *paragraph*."
    )
    text, notes = run(body, includes_dir=includes)
    assert notes == ['line 3: {% include figure image_path="/assets/a.png" alt="A map" ca… inlined']
    assert text == (
        'Intro.\n\n<figure class=""><img src="/blog/assets/a.png"\nalt="A map"><figcaption>\n'
        'Source: <a href="https://x.org" rel="noopener noreferrer">X</a>\n'
        "</figcaption></figure>\n\nNext *paragraph*."
    )
    html = markup.render(text)
    assert html.startswith('<p>Intro.</p>\n<figure><img src="/blog/assets/a.png"')
    assert 'alt="A map"><figcaption>\nSource: <a href="https://x.org"' in html
    assert html.endswith("</figcaption></figure>\n<p>Next <em>paragraph</em>.</p>\n")


def test_an_include_indented_in_a_list_stays_in_the_list_item(includes):
    body = "1. Step\n\n   {% include figure image_path='/a.png' caption='Here' %}\n2. Next"
    html = markup.render(text_of(body, includes_dir=includes))
    assert '<li>\n<p>Step</p>\n<figure><img src="/blog/a.png"' in html
    assert "</figcaption></figure>\n</li>" in html


def test_an_epigraph_keeps_its_attribution(includes):
    text = text_of(
        '{% include epigraph.html quote="Be brief." author="Ann" source="Notes" %}',
        includes_dir=includes,
    )
    assert text == (
        '<blockquote class="epigraph">\n<p>Be brief.</p>\n'
        "<footer>Ann,\n<cite>Notes</cite></footer>\n</blockquote>"
    )
    # Left with its blank line and indents, the attribution would have become a code block.
    html = markup.render(text)
    assert "<cite>Notes</cite>" in html
    assert "<pre>" not in html


# Videos


YOUTUBE = (
    '<figure class="video"><iframe src="https://www.youtube-nocookie.com/embed/XsxDH4HcOWA"'
    ' title="Video" loading="lazy" allowfullscreen></iframe></figure>'
)


def test_a_video_include_becomes_a_privacy_enhanced_embed(includes):
    body = 'Watch:\n\n{% include video id="XsxDH4HcOWA" provider="youtube" %}\n\nThen read.'
    text, notes = run(body, includes_dir=includes)
    assert text == f"Watch:\n\n{YOUTUBE}\n\nThen read."
    assert notes == [
        'line 3: {% include video id="XsxDH4HcOWA" provider="youtube" %} became a'
        " privacy-enhanced video embed"
    ]


def test_a_vimeo_include_asks_vimeo_not_to_track(includes):
    text = text_of('{% include video id="76979871" provider="vimeo" %}', includes_dir=includes)
    assert 'src="https://player.vimeo.com/video/76979871?dnt=1"' in text


@pytest.mark.parametrize(
    "tag",
    [
        '{% include youtube.html id="XsxDH4HcOWA" %}',
        "{% include video id=page.clip provider='youtube' %}",
        "{% youtube XsxDH4HcOWA %}",
        '{% youtube "https://www.youtube.com/watch?v=XsxDH4HcOWA" %}',
    ],
)
def test_a_video_named_without_its_include_file_becomes_an_embed(tag):
    text, notes = run(tag, page={"clip": "XsxDH4HcOWA"})
    assert text == YOUTUBE
    assert notes == [f"line 1: {tag} became a privacy-enhanced video embed"]


@pytest.mark.parametrize(
    ("iframe", "src"),
    [
        (
            '<iframe width="560" height="315" src="https://www.youtube.com/embed/XsxDH4HcOWA?start=42"'
            ' title="A talk &amp; more" frameborder="0"></iframe>',
            "https://www.youtube-nocookie.com/embed/XsxDH4HcOWA?start=42",
        ),
        (
            '<iframe src="https://youtu.be/XsxDH4HcOWA" title="A talk &amp; more"></iframe>',
            "https://www.youtube-nocookie.com/embed/XsxDH4HcOWA",
        ),
        (
            "<iframe src='https://player.vimeo.com/video/76979871?h=x' title='A talk &amp; more'>"
            "</iframe>",
            "https://player.vimeo.com/video/76979871?dnt=1",
        ),
    ],
)
def test_a_video_iframe_in_the_body_becomes_an_embed(iframe, src):
    text, notes = run(f"Before.\n\n{iframe}\n\nAfter.")
    assert text == (
        f'Before.\n\n<figure class="video"><iframe src="{src}" title="A talk &amp; more"'
        ' loading="lazy" allowfullscreen></iframe></figure>\n\nAfter.'
    )
    assert notes[0].startswith("line 3: the iframe of https://")
    assert notes[0].endswith("became a privacy-enhanced video embed")


def test_an_embed_already_in_quires_form_is_left_alone():
    assert run(f"A.\n\n{YOUTUBE}\n") == (f"A.\n\n{YOUTUBE}\n", [])


def test_an_iframe_in_code_is_left_alone():
    body = '```html\n<iframe src="https://www.youtube.com/embed/XsxDH4HcOWA"></iframe>\n```'
    assert run(body) == (body, [])


def test_an_iframe_of_another_site_is_kept_as_a_comment():
    body = 'Map:\n<iframe src="https://maps.example.net/embed?x=1"></iframe>\n{: .wide}'
    text, notes = run(body)
    assert text == 'Map:\n<!-- <iframe src="https://maps.example.net/embed?x=1"></iframe> -->'
    assert notes == [
        "line 2: the iframe of https://maps.example.net/embed?x=1 could not be converted: only"
        " YouTube and Vimeo videos are embedded; kept in the source as a comment",
        "line 3: kramdown block attribute list {: .wide} removed",
    ]


# The whole way, from a Jekyll site to what readers get


@pytest.mark.django_db
def test_an_imported_post_reads_as_it_did_on_the_jekyll_site(tmp_path):
    site = write(
        tmp_path / "site",
        {
            "_config.yml": "title: The Dispatch\n",
            "_includes/figure": FIGURE,
            "_includes/video": PLAYER,
            "_posts/2024-03-01-ports.md": (
                "---\ntitle: Ports\nlast_modified: 2024-03-05\n---\n"
                "Updated {{ page.last_modified | date: '%B %-d, %Y' }}.\n\n"
                '{% include figure image_path="/assets/map.png" alt="A map of the port" '
                'caption="Source: [Port authority](https://port.example.org)" %}\n\n'
                '{% include video id="XsxDH4HcOWA" provider="youtube" %}\n\n'
                "{% gist 1a2b3c %}\n"
            ),
        },
    )
    report = run_command("import_posts", site)
    post = Post.objects.get(slug="ports")
    assert "<p>Updated March 5, 2024.</p>" in post.body_html
    assert 'alt="A map of the port"' in post.body_html
    assert '<figcaption>\nSource: <a href="https://port.example.org"' in post.body_html
    assert 'src="https://www.youtube-nocookie.com/embed/XsxDH4HcOWA"' in post.body_html
    assert "<!-- {% gist 1a2b3c %} -->" in post.body
    assert "gist" not in post.body_html
    assert (
        "line 11: {% gist 1a2b3c %} could not be converted: it is not a Liquid or Jekyll tag"
        " Quire knows (a plugin?); kept in the source as a comment"
    ) in report
