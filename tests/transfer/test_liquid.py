"""Jekyll post bodies to plain Markdown: what Liquid and kramdown become, and what is noted."""

from transfer.liquid import LiquidContext, convert

POSTS = {"2010-07-21-name": "/2010/07/21/name/"}
PAGES = {"_posts/2010-07-21-name.md": "/2010/07/21/name/"}


def run(body, **context):
    context.setdefault("site", {"baseurl": "/blog", "url": "https://example.org"})
    context.setdefault("page", {})
    return convert(body, LiquidContext(**context))


def with_includes(tmp_path, **files):
    """An _includes folder holding `files` (name -> text)."""
    folder = tmp_path / "_includes"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


# Text with nothing to convert


def test_text_without_liquid_or_kramdown_comes_back_identical():
    body = "# Title\r\n\nSome *text* with {braces}, `code` and % signs.\n\n```\n{ }\n```"
    assert run(body) == (body, [])


def test_text_around_converted_syntax_is_kept_byte_for_byte():
    body = "A [link]({{ site.baseurl }}/x).\n\n```\ncode\n```\n\nLast line\n"
    assert run(body) == ("A [link](/blog/x).\n\n```\ncode\n```\n\nLast line\n", [])


# highlight


def test_highlight_becomes_a_fenced_code_block():
    body = (
        "Before.\n\n{% highlight ruby %}\ndef hello\n  puts 'hi'\nend\n{% endhighlight %}\n\nAfter."
    )
    text, notes = run(body)
    assert text == "Before.\n\n```ruby\ndef hello\n  puts 'hi'\nend\n```\n\nAfter."
    assert notes == ["line 3: {% highlight ruby %} became a fenced code block"]


def test_highlight_options_are_dropped_and_noted():
    body = '{% highlight python linenos mark_lines="1 2" %}\nx = 1\n{% endhighlight %}\n'
    text, notes = run(body)
    assert text == "```python\nx = 1\n```\n"
    assert notes == [
        'line 1: {% highlight python linenos mark_lines="1 2" %} became a fenced code block'
        ' (without linenos mark_lines="1 2")'
    ]


def test_highlight_fence_is_longer_than_any_backtick_run_inside():
    body = "{% highlight md %}\nUse ```` for a fence of ```.\n{% endhighlight %}"
    text, _ = run(body)
    assert text == "`````md\nUse ```` for a fence of ```.\n`````"


def test_inline_highlight_fences_stand_on_lines_of_their_own():
    text, _ = run("Run {% highlight sh %}ls -l{% endhighlight %} now.")
    assert text == "Run \n```sh\nls -l\n```\n now."


def test_indented_highlight_keeps_its_indent_on_both_fences():
    body = "1. Step\n\n   {% highlight sh %}\n   ls -l\n   {% endhighlight %}\n\n2. Next"
    text, _ = run(body)
    assert text == "1. Step\n\n   ```sh\n   ls -l\n   ```\n\n2. Next"


def test_liquid_inside_highlight_is_rendered_as_jekyll_does():
    body = (
        "{% highlight html %}\n"
        '<a href="{{ site.baseurl }}/">{% raw %}{{ x }}{% endraw %}</a>\n'
        "{% endhighlight %}"
    )
    text, _ = run(body)
    assert text == '```html\n<a href="/blog/">{{ x }}</a>\n```'


# raw


def test_raw_block_is_kept_verbatim_without_its_tags():
    body = "{% raw %}\n{{ page.title }} {% if x %}y{% endif %}\n{: .class}\n{% endraw %}\n"
    text, notes = run(body)
    assert text == "{{ page.title }} {% if x %}y{% endif %}\n{: .class}\n"
    assert notes == []


def test_inline_raw_is_kept_verbatim():
    text, notes = run("Write `{% raw %}{{ site.url }}{% endraw %}` in a template.")
    assert text == "Write `{{ site.url }}` in a template."
    assert notes == []


def test_raw_protects_a_fenced_block_holding_liquid():
    body = "{% raw %}\n```liquid\n{% include x.html %}\n```\n{% endraw %}"
    text, notes = run(body)
    assert text == "```liquid\n{% include x.html %}\n```"
    assert notes == []


def test_whitespace_control_on_raw_trims_outside_only():
    text, notes = run("a \n{%- raw -%}  {{ x }}  {%- endraw -%}\n b")
    assert text == "a  {{ x }}  b"
    assert notes == []


# Variables and filters


def test_baseurl_in_a_markdown_image():
    text, notes = run("![A chart]({{ site.baseurl }}/assets/chart.png)")
    assert text == "![A chart](/blog/assets/chart.png)"
    assert notes == []


def test_baseurl_without_spaces_in_an_html_attribute():
    text, _ = run('<img src="{{site.baseurl}}/assets/chart.png" alt="">')
    assert text == '<img src="/blog/assets/chart.png" alt="">'


def test_absent_baseurl_becomes_empty_and_is_noted_once():
    text, notes = run("[a]({{ site.baseurl }}/a)\n[b]({{ site.baseurl }}/b)", site={})
    assert text == "[a](/a)\n[b](/b)"
    assert notes == [
        'line 1: site.baseurl is not set in the site config; it was taken as "",'
        " so the links made with it are site-relative (2 in all)"
    ]


def test_relative_url_filter_prefixes_baseurl():
    text, _ = run("[a]({{ \"/about/\" | relative_url }}) [b]({{ 'x.pdf' | relative_url }})")
    assert text == "[a](/blog/about/) [b](/blog/x.pdf)"


def test_absolute_url_filter_prefixes_url_and_baseurl():
    text, notes = run('[a]({{ "/about/" | absolute_url }})')
    assert text == "[a](https://example.org/blog/about/)"
    assert notes == []


def test_absolute_url_without_site_url_is_site_relative_and_noted():
    text, notes = run('[a]({{ "/about/" | absolute_url }})', site={"baseurl": "/blog"})
    assert text == "[a](/blog/about/)"
    assert notes == [
        'line 1: site.url is not set in the site config; it was taken as "",'
        " so the links made with it are site-relative"
    ]


def test_url_filters_keep_a_url_that_has_a_scheme():
    text, _ = run('{{ "https://other.org/x" | absolute_url }}')
    assert text == "https://other.org/x"


def test_string_filters_chain():
    text, _ = run('{{ site.baseurl | append: "/Tags" | downcase }} {{ "a&b" | escape }}')
    assert text == "/blog/tags a&amp;b"


def test_site_value_from_the_config():
    text, _ = run(
        "By {{ site.author.name }}, {{ site.year }}.",
        site={"author": {"name": "Ann"}, "year": 2020},
    )
    assert text == "By Ann, 2020."


def test_page_value_from_the_front_matter():
    text, notes = run("# {{ page.title }}", page={"title": "On Deterrence"})
    assert text == "# On Deterrence"
    assert notes == []


def test_unknown_site_value_is_kept_as_a_comment_and_noted():
    text, notes = run("Contact: {{ site.email }}.")
    assert text == "Contact: <!-- {{ site.email }} -->."
    assert notes == [
        "line 1: {{ site.email }} could not be converted: site.email is not set in the site"
        " config; kept in the source as a comment"
    ]


def test_date_filter_formats_a_front_matter_date():
    text, notes = run("{{ page.date | date: '%Y' }} ago", page={"date": "2020-01-01"})
    assert text == "2020 ago"
    assert notes == []


def test_unknown_filter_keeps_the_value_as_a_comment():
    text, notes = run("{{ page.title | smartify }}", page={"title": "A"})
    assert text == "<!-- {{ page.title | smartify }} -->"
    assert notes == [
        "line 1: {{ page.title | smartify }} could not be converted: smartify is not a filter"
        " Quire reproduces; kept in the source as a comment"
    ]


def test_whitespace_control_trims_around_a_value():
    text, _ = run("[x](\n  {{- site.baseurl -}}  \n/y)")
    assert text == "[x](/blog/y)"


# include


def test_include_is_inlined_with_its_parameters(tmp_path):
    folder = with_includes(
        tmp_path,
        **{"figure.html": '<img src="{{ include.src | relative_url }}" alt="{{ include.alt }}">\n'},
    )
    body = "Intro.\n\n{% include figure.html src='/img/a.png' alt=page.title %}\n\nOutro."
    text, notes = run(body, page={"title": "A map"}, includes_dir=folder)
    assert text == 'Intro.\n\n<img src="/blog/img/a.png" alt="A map">\n\nOutro.'
    assert notes == ["line 3: {% include figure.html src='/img/a.png' alt=page.title %} inlined"]


def test_include_named_by_a_variable_and_with_crlf_endings(tmp_path):
    folder = with_includes(tmp_path)
    (folder / "box.html").write_bytes(b"<div>\r\n{{ include.body }}\r\n</div>\r\n")
    text, _ = run(
        "{% include {{ page.box }} body='Hi' %}\nNext",
        page={"box": "box.html"},
        includes_dir=folder,
    )
    assert text == "<div>\nHi\n</div>\n\nNext"


def test_notes_inside_an_include_name_it_and_the_tags_line(tmp_path):
    folder = with_includes(tmp_path, **{"note.html": "<p>{{ site.missing }}!</p>"})
    text, notes = run("\n{% include note.html %}", includes_dir=folder)
    assert text == "\n<p><!-- {{ site.missing }} -->!</p>"
    assert notes == [
        "line 2: in note.html: {{ site.missing }} could not be converted: site.missing is not set"
        " in the site config; kept in the source as a comment",
        "line 2: {% include note.html %} inlined",
    ]


def test_an_include_parameter_not_given_is_nil(tmp_path):
    folder = with_includes(tmp_path, **{"note.html": "<p>{{ include.missing }}!</p>"})
    assert run("{% include note.html %}", includes_dir=folder) == (
        "<p>!</p>",
        ["line 1: {% include note.html %} inlined"],
    )


def test_missing_include_is_kept_as_a_comment_and_noted(tmp_path):
    folder = with_includes(tmp_path)
    text, notes = run("A\n{% include nope.html %}\nB", includes_dir=folder)
    assert text == "A\n<!-- {% include nope.html %} -->\nB"
    assert notes == [
        "line 2: {% include nope.html %} could not be converted: there is no such file in the"
        " includes folder; kept in the source as a comment"
    ]


def test_include_that_is_not_utf8_is_kept_as_a_comment_and_noted(tmp_path):
    folder = with_includes(tmp_path)
    (folder / "latin.html").write_bytes("café".encode("latin-1"))
    text, notes = run("{% include latin.html %}", includes_dir=folder)
    assert text == "<!-- {% include latin.html %} -->"
    assert notes[0].startswith(
        "line 1: {% include latin.html %} could not be converted: the file cannot be read:"
        " 'utf-8' codec"
    )


def test_include_relative_is_kept_as_a_comment_and_noted():
    text, notes = run("{% include_relative chart.svg %}")
    assert text == "<!-- {% include_relative chart.svg %} -->"
    assert notes == [
        "line 1: {% include_relative chart.svg %} could not be converted: files beside the post"
        " cannot be inlined; kept in the source as a comment"
    ]


def test_include_without_an_includes_folder_is_kept_as_a_comment_and_noted():
    text, notes = run("{% include toc.html %}")
    assert text == "<!-- {% include toc.html %} -->"
    assert notes == [
        "line 1: {% include toc.html %} could not be converted: the site has no includes folder;"
        " kept in the source as a comment"
    ]


def test_include_outside_the_includes_folder_is_refused(tmp_path):
    folder = with_includes(tmp_path)
    (tmp_path / "secret.html").write_text("secret", encoding="utf-8")
    body = f"{{% include ../secret.html %}}\n{{% include {tmp_path / 'secret.html'} %}}"
    text, notes = run(body, includes_dir=folder)
    assert text == body.replace("{%", "<!-- {%").replace("%}", "%} -->")
    assert len(notes) == 2
    assert all("it names a file outside the includes folder, which is refused" in n for n in notes)


def test_include_through_a_symlink_out_of_the_folder_is_refused(tmp_path):
    folder = with_includes(tmp_path)
    (tmp_path / "secret.html").write_text("secret", encoding="utf-8")
    (folder / "link.html").symlink_to(tmp_path / "secret.html")
    text, notes = run("{% include link.html %}", includes_dir=folder)
    assert text == "<!-- {% include link.html %} -->"
    assert "which is refused" in notes[0]


def test_include_that_includes_itself_stops_at_the_depth_limit(tmp_path):
    folder = with_includes(tmp_path, **{"loop.html": "x{% include loop.html %}"})
    text, notes = run("{% include loop.html %}", includes_dir=folder)
    assert text == "x" * 10 + "<!-- {% include loop.html %} -->"
    assert notes[0] == (
        "line 1: in loop.html: {% include loop.html %} could not be converted: it is nested more"
        " than 10 includes deep (does an include include itself?); kept in the source as a comment"
    )


# post_url and link


def test_post_url_is_resolved():
    text, notes = run("[Earlier]({% post_url 2010-07-21-name %})", resolve_post_url=POSTS.get)
    assert text == "[Earlier](/2010/07/21/name/)"
    assert notes == []


def test_unresolved_post_url_is_kept_as_a_comment_after_the_link():
    text, notes = run("[Earlier]({% post_url 2001-01-01-gone %}).", resolve_post_url=POSTS.get)
    assert text == "[Earlier](). <!-- {% post_url 2001-01-01-gone %} -->"
    assert notes == [
        "line 1: {% post_url 2001-01-01-gone %} could not be converted: no post imported now or"
        " before has that name; kept in the source as a comment"
    ]


def test_link_is_resolved():
    text, notes = run("[Earlier]({% link _posts/2010-07-21-name.md %})", resolve_link=PAGES.get)
    assert text == "[Earlier](/2010/07/21/name/)"
    assert notes == []


def test_unresolved_link_is_kept_as_a_comment_after_the_link():
    text, notes = run("[Earlier]({% link _posts/gone.md %})\nNext")
    assert text == "[Earlier]() <!-- {% link _posts/gone.md %} -->\nNext"
    assert notes == [
        "line 1: {% link _posts/gone.md %} could not be converted: no post imported now or before"
        " has that name; kept in the source as a comment"
    ]


# Logic, comments and plugin tags


def test_logic_on_an_unknown_value_is_kept_whole_as_a_comment():
    body = (
        "A\n"
        "{% if site.show %}\n"
        "{% for post in site.posts %}\n- {{ post.title }}\n{% endfor %}\n"
        "{% endif %}\n"
        "B"
    )
    text, notes = run(body)
    assert text == (
        "A\n<!-- {% if site.show %}\n{% for post in site.posts %}\n- {{ post.title }}\n"
        "{% endfor %}\n{% endif %} -->\nB"
    )
    assert notes == [
        "line 2: {% if site.show %} … {% endif %} could not be converted: site.show is not set in"
        " the site config; kept in the source as a comment, through line 6"
    ]


def test_assign_and_capture_leave_no_line_behind():
    body = "{% assign n = 3 %}\n{% capture x %}hidden{% endcapture %}\nText {{ n }} {{ x }}"
    assert run(body) == ("Text 3 hidden", [])


def test_inline_logic_keeps_the_rest_of_the_line():
    text, _ = run("Hello{% unless page.x %}, world{% endunless %}.", page={"x": True})
    assert text == "Hello."


def test_inline_logic_on_an_unknown_value_is_kept_inline():
    text, _ = run("Hello{% unless site.x %}, world{% endunless %}.")
    assert text == "Hello<!-- {% unless site.x %}, world{% endunless %} -->."


def test_an_end_tag_inside_raw_does_not_close_a_block():
    text, _ = run("{% if true %}{% raw %}{% endif %}{% endraw %}{% endif %}kept")
    assert text == "{% endif %}kept"


def test_unclosed_block_keeps_its_tag_as_a_comment():
    text, notes = run("{% if x %}\nText")
    assert text == "<!-- {% if x %} -->\nText"
    assert notes == [
        "line 1: {% if x %} could not be converted: it is never closed; kept in the source as a"
        " comment"
    ]


def test_liquid_comment_becomes_an_html_comment():
    body = "A\n{% comment %}\nTODO: {{ page.x }}\n{% endcomment %}\nB"
    text, notes = run(body)
    assert text == "A\n<!-- {% comment %}\nTODO: {{ page.x }}\n{% endcomment %} -->\nB"
    assert notes == [
        "line 2: Liquid comment {% comment %} … {% endcomment %} kept as an HTML comment"
        " through line 4"
    ]


def test_plugin_tag_is_kept_as_a_comment_and_noted():
    text, notes = run("See:\n\n{% gist 1a2b3c %}\n\nThen read.")
    assert text == "See:\n\n<!-- {% gist 1a2b3c %} -->\n\nThen read."
    assert notes == [
        "line 3: {% gist 1a2b3c %} could not be converted: it is not a Liquid or Jekyll tag Quire"
        " knows (a plugin?); kept in the source as a comment"
    ]


def test_a_long_tag_is_shortened_in_its_note():
    _, notes = run("{% gist " + "a" * 100 + " %}")
    assert notes == [
        "line 1: {% gist " + "a" * 51 + "… could not be converted: it is not a Liquid or Jekyll"
        " tag Quire knows (a plugin?); kept in the source as a comment"
    ]


def test_whitespace_control_trims_around_an_evaluated_tag():
    assert run("One\n\n{%- assign x = 1 -%}\n\nTwo") == ("OneTwo", [])


# kramdown


def test_block_attribute_list_line_leaves_no_blank_line():
    body = "A paragraph.\n{: .lead #intro data-x='' }\n\nNext.\n{:.note}\n"
    text, notes = run(body)
    assert text == "A paragraph.\n\nNext.\n"
    assert notes == [
        "line 2: kramdown block attribute list {: .lead #intro data-x='' } removed (2 in all)"
    ]


def test_inline_attribute_lists_after_link_image_and_code_are_removed():
    body = (
        '[a](https://x.org){: target="blank" rel="noopener" title="x"}, '
        '![i](/i.png){: width="972" .w-75 } and `code`{:.code-inline}.'
    )
    text, notes = run(body)
    assert text == "[a](https://x.org), ![i](/i.png) and `code`."
    assert notes == [
        'line 1: kramdown inline attribute list {: target="blank" rel="noopener" title="x"}'
        " removed (3 in all)"
    ]


def test_attribute_lists_in_code_are_kept():
    body = (
        "Use `{: .class}` after a block.\n\n"
        "```markdown\nPara\n{: .class}\n```\n\n"
        "~~~\n[a](u){: .b}\n~~~\n"
    )
    assert run(body) == (body, [])


def test_escaped_attribute_list_is_kept():
    assert run(r"Write \{: .class} to style.") == (r"Write \{: .class} to style.", [])


def test_attribute_list_definition_and_options_are_removed():
    body = '{::options parse_block_html="true" /}\n{:note: .callout}\nText\n'
    text, notes = run(body)
    assert text == "Text\n"
    assert notes == [
        'line 1: kramdown extension {::options parse_block_html="true" /} removed',
        "line 2: kramdown attribute list definition {:note: .callout} removed",
    ]


def test_kramdown_comment_is_removed():
    body = "A\n\n{::comment}\nDraft {: .x}\n{:/comment}\n\nB"
    text, notes = run(body)
    assert text == "A\n\n\nB"
    assert notes == ["line 3: kramdown comment {::comment} … {:/comment} removed"]


def test_nomarkdown_is_unwrapped_keeping_its_html():
    body = '{::nomarkdown}\n<div class="box">*not markdown*</div>\n{:/nomarkdown}\n'
    text, notes = run(body)
    assert text == '<div class="box">*not markdown*</div>\n'
    assert notes == ["line 1: kramdown {::nomarkdown} … {:/nomarkdown} unwrapped, its HTML kept"]


# Lines


def test_notes_name_file_lines_from_first_line():
    body = "{% comment %}\nOne\nTwo\n{% endcomment %}\n\nText\n{: .lead}\n{{ site.nope }}"
    _, notes = run(body, first_line=6)
    assert notes == [
        "line 6: Liquid comment {% comment %} … {% endcomment %} kept as an HTML comment"
        " through line 9",
        "line 12: kramdown block attribute list {: .lead} removed",
        "line 13: {{ site.nope }} could not be converted: site.nope is not set in the site config;"
        " kept in the source as a comment",
    ]


def test_kramdown_lines_count_past_raw_and_highlight_blocks():
    body = "{% raw %}\na\nb\n{% endraw %}\n{% highlight c %}\nx\n{% endhighlight %}\nT{: .x}"
    _, notes = run(body, first_line=3)
    assert notes[-1] == "line 10: kramdown inline attribute list {: .x} removed"


def test_with_liquid_off_only_kramdown_is_stripped():
    context = LiquidContext(site={}, page={}, liquid=False, first_line=5)
    body = "{% include x.html %} and {{ site.url }}\n{: .lead}\nText.\n"
    assert convert(body, context) == (
        "{% include x.html %} and {{ site.url }}\nText.\n",
        ["line 6: kramdown block attribute list {: .lead} removed"],
    )


def test_placeholder_characters_in_the_text_are_replaced_not_garbled():
    body, notes = convert("a\x00b\x01c {{ page.x }}\n", LiquidContext(site={}, page={"x": "y"}))
    assert (body, notes) == (
        "a\ufffdb\ufffdc y\n",
        ["line 1: control characters U+0000/U+0001 became U+FFFD"],
    )
