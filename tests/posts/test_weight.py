"""A reader on a slow phone connection gets the article in one small download."""

import gzip
import re

import pytest
from django.core.management import call_command
from helpers import REPO

pytestmark = pytest.mark.django_db

BUDGET = 60 * 1024  # bytes, compressed: HTML, CSS and JavaScript before any image


def test_an_article_weighs_under_60_kb_compressed_before_images(client):
    call_command("loaddata", "demo", verbosity=0)
    html = client.get("/posts/undersea-cables/").content
    sheets = re.findall(rb'<link rel="stylesheet" href="/static/([^"]+)"', html)
    scripts = re.findall(rb'<script[^>]+src="/static/([^"]+)"', html)
    assert sheets and not scripts
    assets = [(REPO / "static" / name.decode()).read_bytes() for name in sheets]
    weight = sum(len(gzip.compress(part, 9)) for part in [html, *assets])
    assert weight < BUDGET, f"{weight:,} bytes"
