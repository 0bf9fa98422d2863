"""Uploaded files, when Django serves them, cannot be sniffed into anything but what they are."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

pytestmark = pytest.mark.django_db  # a 404 looks for an old URL to redirect


@pytest.fixture
def stored():
    return default_storage.save("images/sample.png", ContentFile(b"\x89PNG not really"))


def test_media_are_served_with_nosniff_and_a_sandboxing_policy(client, settings, stored):
    settings.QUIRE_SERVE_MEDIA = True
    response = client.get(f"/media/{stored}")
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; img-src 'self'; sandbox"
    assert response["Cross-Origin-Resource-Policy"] == "same-site"


def test_without_serving_media_django_answers_404(client, settings, stored):
    settings.QUIRE_SERVE_MEDIA = False
    assert client.get(f"/media/{stored}").status_code == 404
    settings.QUIRE_SERVE_MEDIA = True
    assert client.get(f"/media/{stored}").status_code == 200


def test_media_paths_cannot_climb_out_of_the_media_folder(client, settings, stored):
    settings.QUIRE_SERVE_MEDIA = True
    for path in ("/media/../cms/settings.py", "/media/%2e%2e/cms/settings.py"):
        response = client.get(path)
        assert response.status_code in (400, 404) and b"SECRET_KEY" not in response.content
    assert b"".join(client.get(f"/media/{stored}").streaming_content) == b"\x89PNG not really"
