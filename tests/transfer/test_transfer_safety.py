"""Imports and exports that meet changing files, bad site data, links out and odd text."""

import io
from pathlib import Path

import pytest
from helpers import run_command
from test_import import refused, write
from test_jekyll_import import make_site

from posts.models import Post
from transfer import exporter

pytestmark = pytest.mark.django_db


def test_a_file_changed_during_the_import_is_stored_as_it_was_validated(tmp_path, monkeypatch):
    path = write(tmp_path, "2024-05-01-steady.md", "title: As validated\n")
    changed = f"---\ntitle: {'x' * 300}\npublished: false\n---\nChanged.\n"
    real_open = Path.open
    reads = []

    def read_then_change(self, mode="r", *args, **kwargs):
        if self != path or mode != "rb":
            return real_open(self, mode, *args, **kwargs)
        reads.append(self)
        with real_open(self, mode) as file:
            content = file.read()
        path.write_text(changed, encoding="utf-8")
        return io.BytesIO(content)

    monkeypatch.setattr(Path, "open", read_then_change)
    assert run_command("import_posts", tmp_path).startswith("1 created, 0 updated")
    post = Post.objects.get()
    assert (post.title, post.status, post.body) == (
        "As validated",
        Post.Status.PUBLISHED,
        "_Lead._\n\n<excerpt/>\n\nRest.\n",
    )
    assert reads == [path]
    assert path.read_text(encoding="utf-8") == changed


def make_posts(make_post, number=3):
    for _ in range(number):
        make_post()


def fail_after(monkeypatch, files: int):
    """Make the export stop with an error once it has written `files` posts."""
    written = []

    def post_file(post):
        if len(written) == files:
            raise RuntimeError("disk full")
        written.append(post)
        return real(post)

    real = exporter.post_file
    monkeypatch.setattr(exporter, "post_file", post_file)


def test_a_failed_export_leaves_no_folder_and_nothing_beside_it(tmp_path, monkeypatch, make_post):
    make_posts(make_post)
    parent = tmp_path / "exports"
    fail_after(monkeypatch, 2)
    with pytest.raises(RuntimeError, match="disk full"):
        run_command("export_posts", parent / "site")
    assert list(parent.iterdir()) == []
    monkeypatch.undo()
    assert (
        run_command("export_posts", parent / "site") == f"3 posts exported to {parent / 'site'}\n"
    )
    assert [path.name for path in parent.iterdir()] == ["site"]
    assert len(list((parent / "site" / "_posts").iterdir())) == 3


def test_a_failed_export_into_an_empty_folder_leaves_it_empty(tmp_path, monkeypatch, make_post):
    make_posts(make_post)
    folder = tmp_path / "site"
    folder.mkdir()
    fail_after(monkeypatch, 2)
    with pytest.raises(RuntimeError, match="disk full"):
        run_command("export_posts", folder)
    assert [path.name for path in tmp_path.iterdir()] == ["site"]
    assert list(folder.iterdir()) == []
    monkeypatch.undo()
    run_command("export_posts", folder)
    assert sorted(path.name for path in folder.iterdir()) == ["_data", "_posts"]


@pytest.mark.parametrize(
    "authors, where, message",
    [
        ("mina:\n  name: [Mina\n", 3, "invalid YAML"),
        ("- mina\n- guest\n", 1, "front matter must be keys and values, not a list"),
        ("mina:\n  name: [Mina, Okafor]\n", 1, "author 'mina': name must be text, not"),
        ("mina: Mina Okafor\n", 1, "author 'mina' must be keys such as name and bio"),
    ],
)
def test_bad_author_data_is_an_error_at_its_line(tmp_path, authors, where, message):
    site = make_site(tmp_path / "site")
    (site / "_data" / "authors.yml").write_text(authors, encoding="utf-8")
    error = refused(site)
    assert f"{site / '_data' / 'authors.yml'}:{where}: {message}" in error


def test_a_link_to_a_post_outside_the_site_is_skipped_unread(tmp_path):
    site = make_site(tmp_path / "site")
    secret = write(tmp_path, "2024-04-01-secret.md", "title: Secret\n", body="Not for import.\n")
    link = site / "_posts" / "2024-04-01-secret.md"
    link.symlink_to(secret)
    output = run_command("import_posts", site)
    assert f"skipped {link}: a link to a file outside the folder being imported: not read" in output
    assert not Post.objects.filter(title="Secret").exists()
    assert Post.objects.filter(title="First light").exists()


def test_a_link_to_author_data_outside_the_site_is_refused(tmp_path):
    site = make_site(tmp_path / "site")
    data = site / "_data" / "authors.yml"
    outside = tmp_path / "private.yml"
    outside.write_text(data.read_text(encoding="utf-8"), encoding="utf-8")
    data.unlink()
    data.symlink_to(outside)
    error = refused(site)
    assert f"{data}: a link to a file outside the site: it is not read" in error


@pytest.mark.parametrize("date", ["9999-12-31 23:00:00 -05:00", "9999-12-31 23:00:00 -0500"])
def test_a_date_past_the_last_one_in_utc_is_an_error_at_its_line(tmp_path, date):
    path = write(tmp_path, "late.md", f"title: Late\ndate: {date}\n")
    error = refused(tmp_path)
    assert f"{path}:3: date 9999-12-31 23:00:00-05:00 is out of range" in error


def test_the_last_day_in_every_zone_is_imported(tmp_path):
    write(tmp_path, "late.md", "title: Late\ndate: 9999-12-30 12:00:00 -05:00\n")
    run_command("import_posts", tmp_path)
    assert Post.objects.get().published_at.year == 9999


def test_a_nul_character_is_an_error_at_its_line(tmp_path):
    path = write(tmp_path, "nul.md", "title: Nul\n", body="Lead.\n\nA \x00 here.\n")
    error = refused(tmp_path)
    assert f"{path}:6: the file holds a NUL character (U+0000)" in error


def test_a_canonical_url_is_imported_into_its_field(tmp_path):
    write(
        tmp_path, "first.md", "title: First\ncanonical_url: https://origin.example/a\nlayout: x\n"
    )
    run_command("import_posts", tmp_path)
    post = Post.objects.get()
    assert post.canonical_url == "https://origin.example/a"
    assert post.front_matter == {"layout": "x"}


def test_a_canonical_url_that_is_not_http_is_an_error_at_its_line(tmp_path):
    path = write(tmp_path, "first.md", "title: First\ncanonical_url: javascript:alert(1)\n")
    error = refused(tmp_path)
    assert f"{path}:3: canonical_url: Enter a valid URL." in error
