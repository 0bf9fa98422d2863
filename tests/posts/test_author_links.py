"""An author's links in the admin: rows of name and address, each checked, stored as before."""

import pytest

from posts.models import Author

pytestmark = pytest.mark.django_db


def author_data(**rows):
    data = {"name": "Ines Duarte", "slug": "ines-duarte", "bio": "", "affiliation": ""}
    for index, (label, address) in enumerate(rows.values()):
        data[f"links-{index}-name"], data[f"links-{index}-url"] = label, address
    return data


def test_links_are_edited_as_labelled_rows(staff_client):
    author = Author.objects.create(name="Ines", slug="ines", links={"web": "https://ines.example"})
    page = staff_client.get(f"/admin/posts/author/{author.pk}/change/").content.decode()
    assert 'name="links-0-name" value="web"' in page
    assert 'value="https://ines.example"' in page
    assert '<label class="visually-hidden" for="id_links-0-url">Link 1 address</label>' in page
    assert 'name="links-3-url"' in page and 'name="links-4-url"' not in page


def test_filled_rows_are_stored_in_order_and_empty_ones_ignored(staff_client, client):
    data = author_data(
        a=("web", "https://ines.example"), b=("", ""), c=("mail", "ines@example.org")
    )
    response = staff_client.post("/admin/posts/author/add/", data)
    assert response.status_code == 302
    author = Author.objects.get()
    assert list(author.links.items()) == [
        ("web", "https://ines.example"),
        ("mail", "ines@example.org"),
    ]
    assert author.profile_links == [
        ("Web", "https://ines.example"), ("Mail", "mailto:ines@example.org")
    ]  # fmt: skip


def test_each_bad_row_is_named(staff_client):
    data = author_data(
        a=("", "https://x.example"),
        b=("web", "javascript:alert(1)"),
        c=("Web", "https://y.example"),
        d=("site", "https://ok.example"),
        e=("SITE", "https://z.example"),
        f=("blog", ""),
    )
    response = staff_client.post("/admin/posts/author/add/", data)
    page = response.content.decode()
    assert response.status_code == 200 and not Author.objects.exists()
    assert "Link 1: give https://x.example a name." in page
    assert "Link 2: “javascript:alert(1)” is neither an http(s) address nor an e-mail" in page
    assert "Link 5: the name “SITE” is link 4&#x27;s already." in page
    assert "Link 6: enter an address for “blog”, or clear the name." in page
    # The rows come back as typed, where the errors say they are.
    assert 'name="links-5-name" value="blog"' in page
