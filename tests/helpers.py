"""What tests in several apps share: where things are, and turning admin pages into the POSTs
a browser would send. Fixtures (the factories) are in conftest.py."""

import re
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django import forms
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.core.management import call_command
from django.forms.widgets import ChoiceWidget

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SEED = SHARED / "seed" / "transatlantic-strategic-security.md"

# The editorial roles (auth groups made by migration), and a superuser in none of them.
CONTRIBUTOR, AUTHOR, EDITOR, ADMINISTRATOR = "Contributor", "Author", "Editor", "Administrator"
SUPERUSER = "superuser"


def needs_shared():
    """Tests that read ../shared/ skip, saying why, in a clone that does not have it."""
    return pytest.mark.skipif(
        not SHARED.is_dir(), reason=f"{SHARED} is absent (it sits beside the repository in CI)"
    )


def run_command(name, *args, **options) -> str:
    """What a management command prints, its arguments given as on the command line (its
    standard error is kept apart unless `stderr` is passed)."""
    out = StringIO()
    options.setdefault("stderr", StringIO())
    call_command(name, *map(str, args), stdout=out, **options)
    return out.getvalue()


# Turning an admin page into the POST a browser would send


def widget_data(widget, name, value) -> dict:
    """What `widget` showing `value` submits as `name`, the way a browser would send it."""
    while isinstance(widget, RelatedFieldWidgetWrapper):
        widget = widget.widget
    if isinstance(widget, forms.MultiWidget):
        values = value if isinstance(value, list | tuple) else widget.decompress(value)
        data = {}
        for suffix, part, part_value in zip(
            widget.widgets_names, widget.widgets, values, strict=True
        ):
            data.update(widget_data(part, f"{name}{suffix}", part_value))
        return data
    if isinstance(widget, forms.FileInput):
        return {}  # a file is never re-sent
    if isinstance(widget, forms.CheckboxInput):
        return {name: "on"} if widget.check_test(value) else {}
    formatted = widget.format_value(value)
    if isinstance(widget, ChoiceWidget) and isinstance(formatted, list):
        if widget.allow_multiple_selected:
            return {name: formatted}
        return {name: formatted[0] if formatted else ""}
    return {name: "" if formatted is None else formatted}


def form_fields_data(form, changes=None) -> dict:
    changes = changes or {}
    data = {}
    for bound in form:
        value = changes[bound.name] if bound.name in changes else bound.value()
        data.update(widget_data(bound.field.widget, bound.html_name, value))
    return data


def admin_form_data(response, **changes) -> dict:
    """The POST data of a GET'd admin add or change page: the main form as shown, with `changes`
    (field name -> Python value), and every inline formset as shown, management form included."""
    assert response.status_code == 200, response.status_code
    data = form_fields_data(response.context["adminform"].form, changes)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(form_fields_data(formset.management_form))
        for form in formset.forms:
            data.update(form_fields_data(form))
    return data


# The post form as an editor fills it in

POST_BODY = (
    "_A lead for readers._\n\n<excerpt/>\n\n### The argument\n\nIt goes <script>x</script>here."
)


def add_form(author, **fields):
    data = {
        "title": "Ports and Power",
        "slug": "ports-and-power",
        "description": "Why harbours matter.",
        "body": POST_BODY,
        "body_format": "markdown",
        "status": "published",
        "published_at_0": "2025-03-01",
        "published_at_1": "09:30:00",
        "tags": 'maritime, "grand strategy"',
        "excerpt_separator": "<excerpt/>",
        "bylines-TOTAL_FORMS": "1",
        "bylines-INITIAL_FORMS": "0",
        "bylines-0-author": str(author.pk),
        "bylines-0-position": "",
        "redirects-TOTAL_FORMS": "0",
        "redirects-INITIAL_FORMS": "0",
    }
    return {**data, **fields}


# With nothing cached, a public page also asks when the next scheduled post is due.
SCHEDULE_LOOKUP = 1


def assert_queries_cold_and_cached(client, url, queries, assert_num_queries):
    """A public page costs `queries` (and the schedule lookup) with nothing cached, and no query
    at all once cached, answering the same bytes."""
    with assert_num_queries(queries + SCHEDULE_LOOKUP):
        first = client.get(url)
    assert first.status_code == 200
    assert first["X-Page-Cache"] == "miss"
    with assert_num_queries(0):
        again = client.get(url)
    assert again["X-Page-Cache"] == "hit"
    assert again.content == first.content


def write_site(root, files: dict[str, str | bytes]):
    """A Jekyll site of these files (path -> text or bytes) under `root`; gives `root`."""
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


# Browser tests

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

BROWSER = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM, reason="no Chromium installed (apt-get install chromium)"),
]


def screenshot(page, url, size, name, tmp_path):
    """The page at `url` in a window of `size`, saved as `name`.png: in docs/ (the README's
    screenshots) with QUIRE_UPDATE_SCREENSHOTS=1, else under `tmp_path`."""
    import os

    from PIL import Image

    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.goto(url)
    page.wait_for_load_state("networkidle")
    folder = REPO / "docs" if os.environ.get("QUIRE_UPDATE_SCREENSHOTS") else tmp_path
    path = folder / f"{name}.png"
    page.screenshot(path=path)
    with Image.open(path) as shot:
        assert shot.size == size


def role_group(role: str):
    """The role's group as migration 0005 makes it; made again where a transactional test's
    flush emptied the table."""
    from django.contrib.auth.models import Group, Permission

    from editorial import roles

    group, made = Group.objects.get_or_create(name=role)
    if made:
        names = roles.ROLES[role]
        permissions = Permission.objects.all()
        if roles.ALL not in names:
            permissions = [
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
                for app_label, codename in (name.split(".") for name in names)
            ]
        group.permissions.set(permissions)
    return group


def log_in(page, base_url, username, password):
    """Signs in through the admin's login form, as a person would; returns the page."""
    page.goto(f"{base_url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    page.wait_for_url(f"{base_url}/admin/")
    return page


def preview_links_in(html: str) -> list:
    """The preview links a page offers to copy, read back from their signed addresses: a
    token is signed as the page is made, so its text differs from one made a second later."""
    from editorial import previews

    return [
        previews.link_for_token(token)
        for token in re.findall(r'value="http://testserver/preview/([^/"]+)/"', html)
    ]
