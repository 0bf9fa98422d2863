"""The old site's people: author data in the shapes themes write it, made into an Author's
links (as the author's page shows them) and photo."""

import io
from pathlib import Path

import pytest
from helpers import write_site
from PIL import Image as PillowImage

from posts.models import Author
from transfer.documents import FrontMatterError
from transfer.jekyll import Site, author_profile
from transfer.people import avatar_file, store_avatar


def make_site(root, files: dict[str, str | bytes]):
    return Site.at(write_site(root, files))


def png(colour="red", size=(8, 8)) -> bytes:
    buffer = io.BytesIO()
    PillowImage.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def shown_links(links: dict) -> list[tuple[str, str]]:
    """What the author's page lists."""
    return Author(name="x", links=links).profile_links


# Links


def test_handles_under_a_networks_name_become_its_profile_pages(tmp_path):
    site = make_site(
        tmp_path,
        {
            "_data/authors.yml": (
                "mina:\n  name: Mina Okafor\n  twitter: '@minaokafor'\n  x: mina_x\n"
                "  github: mina-o\n  linkedin: mina-okafor\n  mastodon: '@mina@social.example'\n"
                "  orcid: 0000-0002-1825-0097\n  email: mina@example.org\n"
            )
        },
    )
    assert shown_links(author_profile(site, "mina")["links"]) == [
        ("Twitter", "https://twitter.com/minaokafor"),
        ("X", "https://x.com/mina_x"),
        ("Github", "https://github.com/mina-o"),
        ("Linkedin", "https://www.linkedin.com/in/mina-okafor"),
        ("Mastodon", "https://social.example/@mina"),
        ("Orcid", "https://orcid.org/0000-0002-1825-0097"),
        ("Email", "mailto:mina@example.org"),
    ]
    assert site.notes == []


def test_addresses_under_any_name_are_kept_as_written(tmp_path):
    site = make_site(
        tmp_path,
        {
            "_data/authors.yml": (
                "ana:\n  name: Ana Lima\n  website: https://ana.example\n  uri: http://a.example/me\n"
                "  twitter: https://twitter.com/ana\n  location: Lisbon\n"
            )
        },
    )
    profile = author_profile(site, "ana")
    assert profile["links"] == {
        "website": "https://ana.example",
        "uri": "http://a.example/me",
        "twitter": "https://twitter.com/ana",
        # Kept for the export; the page shows addresses only.
        "location": "Lisbon",
    }
    assert [label for label, _ in shown_links(profile["links"])] == ["Website", "Uri", "Twitter"]


def test_minimal_mistakes_links_lists_are_read_by_their_labels(tmp_path):
    site = make_site(
        tmp_path,
        {
            "_data/authors.yml": (
                "bo:\n  name: Bo Chen\n  links:\n"
                "    - {label: Website, icon: fas fa-link, url: 'https://bo.example'}\n"
                "    - {label: Email, icon: fas fa-envelope, url: 'mailto:bo@example.org'}\n"
                "    - url: https://code.example/bo\n"
                "    - {label: Broken, url: 'not a link'}\n"
            )
        },
    )
    assert author_profile(site, "bo")["links"] == {
        "Website": "https://bo.example",
        "Email": "bo@example.org",
        "code.example": "https://code.example/bo",
    }
    assert site.notes == [
        f"{tmp_path / '_data/authors.yml'}:1: author 'bo': Broken 'not a link' is not a web or "
        "e-mail address, so it was left out"
    ]


def test_links_that_are_no_addresses_are_noted_and_left_out(tmp_path):
    site = make_site(
        tmp_path,
        {
            "_data/authors.yml": (
                "cy:\n  name: Cy\n  website: www.cy.example\n  github: not a handle!\n"
                "  email: cy-at-example\n  skype: '@cy'\n  links: https://cy.example\n"
            )
        },
    )
    assert author_profile(site, "cy")["links"] == {}
    # A profile is read once per import, however many posts name the author.
    author_profile(site, "cy")
    where = f"{tmp_path / '_data/authors.yml'}:1: author 'cy'"
    assert site.notes == [
        f"{where}: links must be a list of label and url, not 'https://cy.example'",
        f"{where}: website 'www.cy.example' is not a web or e-mail address, so it was left out",
        f"{where}: github 'not a handle!' is not a web or e-mail address, so it was left out",
        f"{where}: email 'cy-at-example' is not a web or e-mail address, so it was left out",
        f"{where}: skype '@cy' is not a web or e-mail address, so it was left out",
    ]


def test_an_authors_text_fields_must_be_text(tmp_path):
    site = make_site(tmp_path, {"_data/authors.yml": "ok:\n  name: Ok\nbad:\n  name: [a, b]\n"})
    with pytest.raises(FrontMatterError, match=r"authors.yml:3: author 'bad': name must be text"):
        author_profile(site, "ok")


def test_a_key_without_data_is_the_authors_name(tmp_path):
    site = make_site(tmp_path, {"_data/authors.yml": "ok:\n  name: Ok\n"})
    assert author_profile(site, "Guest Writer") == {"slug": "guest-writer", "name": "Guest Writer"}


# Avatars


@pytest.fixture
def with_avatars(tmp_path):
    root = tmp_path / "site"
    (tmp_path / "secret.jpg").write_bytes(png())
    site = make_site(
        root,
        {
            "_config.yml": "baseurl: /name\n",
            "_data/authors.yml": (
                "a:\n  avatar: /assets/img/a.png\nb:\n  picture: assets/b.png\n"
                "c:\n  image: /name/assets/c.png\nd:\n  photo: https://gravatar.example/d.png\n"
                "e:\n  avatar: /assets/missing.png\nf:\n  avatar: ../secret.jpg\n"
                "g:\n  avatar: /assets/link.png\n"
            ),
            "assets/img/a.png": png(),
            "assets/b.png": png(),
            "assets/c.png": png(),
        },
    )
    (root / "assets" / "link.png").symlink_to(tmp_path / "secret.jpg")
    return site


def test_an_avatar_is_a_file_of_the_site_with_or_without_the_baseurl(with_avatars):
    root = with_avatars.root
    found = {key: avatar_file(with_avatars, author_profile(with_avatars, key)) for key in "abc"}
    assert found == {
        "a": root / "assets/img/a.png",
        "b": root / "assets/b.png",
        "c": root / "assets/c.png",
    }
    assert with_avatars.notes == []


def test_an_avatar_elsewhere_or_outside_the_site_is_not_read(with_avatars):
    for key in "defg":
        assert avatar_file(with_avatars, author_profile(with_avatars, key)) is None
    assert with_avatars.notes == [
        "author 'd': the avatar 'https://gravatar.example/d.png' is on another site, so it was "
        "not fetched",
        "author 'e': the avatar '/assets/missing.png' is not a file of the site",
        "author 'f': the avatar '../secret.jpg' is a link to a file outside the site: not read",
        "author 'g': the avatar '/assets/link.png' is a link to a file outside the site: not read",
    ]


@pytest.mark.django_db
def test_an_avatar_is_stored_reencoded_once(tmp_path, make_author):
    picture = tmp_path / "me.png"
    picture.write_bytes(png())
    author, notes = make_author("Mina"), []
    store_avatar(author, picture, notes)
    author.refresh_from_db()
    stored = author.photo.name
    assert stored.startswith("images/") and stored.endswith(".png")
    assert PillowImage.open(author.photo.path).size == (8, 8)
    store_avatar(author, picture, notes)  # imported again: the same picture
    author.refresh_from_db()
    assert (author.photo.name, notes) == (stored, [])


@pytest.mark.django_db
def test_a_new_avatar_replaces_the_old_one_once_the_import_is_committed(
    tmp_path, make_author, django_capture_on_commit_callbacks
):
    picture = tmp_path / "me.png"
    picture.write_bytes(png("red"))
    author = make_author("Mina")
    store_avatar(author, picture, [])
    old_path = author.photo.path
    picture.write_bytes(png("blue"))
    with django_capture_on_commit_callbacks(execute=True):
        store_avatar(author, picture, [])
    author.refresh_from_db()
    assert author.photo.path != old_path
    assert PillowImage.open(author.photo.path).getpixel((0, 0)) == (0, 0, 255)
    assert not Path(old_path).exists()


@pytest.mark.django_db
def test_a_refused_avatar_is_noted_with_its_reason(tmp_path, make_author):
    picture = tmp_path / "me.jpg"
    picture.write_text("<svg></svg>")
    author, notes = make_author("Mina"), []
    store_avatar(author, picture, notes)
    store_avatar(author, None, notes)  # no avatar file: nothing to do
    author.refresh_from_db()
    assert not author.photo
    assert notes == [
        f"author 'Mina': the avatar {picture} was not stored: me.jpg: not a JPEG, PNG, GIF or "
        "WebP image."
    ]
