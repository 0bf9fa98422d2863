"""Outside tests, static files get hashed, compressed names that browsers may cache for a year."""

import pytest
from django.core.management import call_command

MANIFEST = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}


@pytest.mark.django_db
def test_collectstatic_writes_hashed_compressed_files_that_pages_use(settings, tmp_path, client):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {**settings.STORAGES, "staticfiles": MANIFEST}
    call_command("collectstatic", interactive=False, verbosity=0)
    hashed = [p for p in (tmp_path / "static" / "css").glob("site.*.css")]
    assert len(hashed) == 1
    assert hashed[0].with_name(hashed[0].name + ".gz").exists()
    page = client.get("/").content.decode()
    assert f'href="/static/css/{hashed[0].name}"' in page
