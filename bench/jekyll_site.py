"""How faithfully a real Jekyll site moves in: the share of the posts Jekyll builds that import,
the share whose body text is exactly Jekyll's, and the share of old URLs answering 301.

The site is copied and built by Debian's Jekyll without its theme or layouts, so that each page
Jekyll writes for a document is exactly that document's rendered content; a page the copy gains,
`quire-manifest.json`, lists every document Jekyll writes (its path and URL). The site is then
imported into a new SQLite database and each document compared:
- imported: a post whose source is the document's path;
- same text: the plain text (tags out, entities decoded, whitespace collapsed) of the post's body
  is the plain text of Jekyll's page;
- old URLs: the document's URL, with and without the site's baseurl, answers 301 to the post.
The first differences are printed, word by word, for the rest.

Run: .venv/bin/python bench/jekyll_site.py SITE_DIR [--show N] [--sample K] [-- IMPORT_OPTIONS...]
     SITE_DIR is a work tree (a `git worktree` or export of a public site's repository).
     --sample K keeps every Kth post of the copy, for a site too large to build in minutes; the
     copy is then what is imported.
     Jekyll is Debian's package with the plugins it ships (apt-get install -y jekyll
     ruby-jekyll-redirect-from ruby-jekyll-paginate ruby-jekyll-archives).
"""

import argparse
import difflib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
MANIFEST = """---
layout: null
permalink: /quire-manifest.json
---
[{% for c in site.collections %}{% if c.output %}{% for d in c.docs %}\
{"collection": {{ c.label | jsonify }}, "path": {{ d.relative_path | jsonify }}, \
"url": {{ d.url | jsonify }}},{% endfor %}{% endif %}{% endfor %}null]
"""
# Plugins Debian ships; others a site names are dropped from the copy's config.
AVAILABLE_PLUGINS = {
    "jekyll-feed", "jekyll-seo-tag", "jekyll-redirect-from", "jekyll-paginate",
    "jekyll-archives", "jekyll-sitemap", "jekyll-include-cache", "jekyll-gist",
}  # fmt: skip
_REQUIRE = re.compile(r"^require ['\"]([\w/-]+)['\"]", re.MULTILINE)
_REGISTERED_TAG = re.compile(r"register_tag\(\s*['\"](\w+)['\"]")
_SKIPPED = shutil.ignore_patterns(".git", "node_modules", "_site", ".jekyll-cache", "vendor")


def buildable_copy(site: Path, folder: Path, sample: int) -> dict:
    """The site copied without theme, layouts or plugins Debian lacks (and, sampled, with every
    `sample`th post only); its config as changed."""
    shutil.copytree(site, folder, ignore=_SKIPPED, symlinks=True)
    if sample > 1:
        posts = sorted(p for p in folder.rglob("_*/**/*") if p.suffix in (".md", ".html"))
        posts = [p for p in posts if "_layouts" not in p.parts and "_includes" not in p.parts]
        for index, path in enumerate(posts):
            if index % sample:
                path.unlink()
    shutil.rmtree(folder / "_layouts", ignore_errors=True)
    config_path = folder / "_config.yml"
    config = yaml.safe_load(config_path.read_text()) if config_path.exists() else {}
    config = config or {}
    config.pop("theme", None)
    config.pop("remote_theme", None)
    config["plugins"] = [p for p in config.get("plugins") or [] if p in AVAILABLE_PLUGINS]
    config_path.write_text(yaml.safe_dump(config, allow_unicode=True))
    (folder / "quire-manifest.json").write_text(MANIFEST)
    without_missing_gems(folder / "_plugins")
    return config


def without_missing_gems(plugins: Path):
    """A site plugin needing a gem Debian lacks is left out, its Liquid tags printing nothing:
    the posts using them differ, and are counted so, rather than the whole build failing."""
    tags = []
    for plugin in sorted(plugins.glob("*.rb")):
        text = plugin.read_text()
        missing = [
            gem
            for gem in _REQUIRE.findall(text)
            if subprocess.run(["ruby", "-e", f"require '{gem}'"], capture_output=True).returncode
        ]
        if missing:
            print(f"left out {plugin.name}: needs {', '.join(missing)}")
            tags += _REGISTERED_TAG.findall(text)
            plugin.unlink()
    if tags:
        stub = "class QuireMissingTag < Liquid::Tag\n  def render(_context) = ''\nend\n"
        register = "Liquid::Template.register_tag('{}', QuireMissingTag)\n"
        stub += "".join(register.format(tag) for tag in tags)
        (plugins / "quire_missing_tags.rb").write_text(stub)


def built_page(output: Path, url: str) -> Path:
    path = output / url.lstrip("/")
    return path / "index.html" if url.endswith("/") or path.is_dir() else path


def words(fragment: str) -> list[str]:
    from posts.markup import plain_text

    return plain_text(fragment).split()


def first_difference(expected: list[str], got: list[str]) -> str:
    """The first differing stretch, with a few words of context."""
    matcher = difflib.SequenceMatcher(a=expected, b=got, autojunk=False)
    for tag, a1, a2, b1, b2 in matcher.get_opcodes():
        if tag != "equal":
            before = " ".join(expected[max(0, a1 - 4) : a1])
            return (
                f"…{before} [Jekyll: {' '.join(expected[a1:a2][:12])!r}]"
                f" [Quire: {' '.join(got[b1:b2][:12])!r}]"
            )
    return ""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("site", type=Path)
    parser.add_argument("--show", type=int, default=15, help="differences to print")
    parser.add_argument("--keep", action="store_true", help="keep the build and database")
    parser.add_argument("--sample", type=int, default=1, help="keep every Kth post only")
    parser.add_argument("import_options", nargs="*")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="quire-site-"))
    copy, output = work / "site", work / "site" / "_site"
    config = buildable_copy(args.site.resolve(), copy, args.sample)
    build = subprocess.run(
        ["jekyll", "build", "--quiet", "-s", str(copy), "-d", str(output)],
        capture_output=True,
        text=True,
    )
    if build.returncode:
        sys.exit(f"jekyll build failed:\n{build.stderr[-3000:]}")
    documents = json.loads((output / "quire-manifest.json").read_text())
    # An authors collection is read for bylines, not imported as posts.
    documents = [d for d in documents if d and d["collection"] != "authors"]

    database = work / "db.sqlite3"
    os.environ.update(
        DATABASE_URL=f"sqlite:///{database}",
        DJANGO_MEDIA_ROOT=str(work / "media"),
        QUIRE_PAGE_CACHE_DIR=str(work / "cache"),
        DJANGO_SETTINGS_MODULE="cms.settings",
        DJANGO_DEBUG="1",
    )
    manage = [sys.executable, str(REPO / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], check=True)
    # The site as published, unless sampled: the import reads what a publication would give it.
    source = copy if args.sample > 1 else args.site
    imported = subprocess.run(
        [*manage, "import_posts", str(source), *args.import_options],
        capture_output=True,
        text=True,
    )
    summary = (imported.stdout.strip().splitlines() or [""])[-1]
    print(f"import: exit {imported.returncode}; {summary}")
    if imported.returncode:
        print(imported.stderr[-3000:])

    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from django.test import Client

    from posts.models import Post

    posts = {post.source: post for post in Post.objects.all()}
    baseurl = str(config.get("baseurl") or "").rstrip("/")
    client = Client(HTTP_HOST="localhost", raise_request_exception=False)
    found = same = urls = answered = 0
    differences = []
    # Jekyll names a document from its collections_dir; Quire keys it from the site's root.
    within = str(config.get("collections_dir") or "").strip("/")
    for document in documents:
        post = posts.get(f"{within}/{document['path']}" if within else document["path"])
        if post is None:
            differences.append(f"{document['path']}: not imported")
            continue
        found += 1
        page = built_page(output, document["url"])
        expected = words(page.read_text(errors="replace")) if page.is_file() else []
        got = words(post.body_html)
        if expected == got:
            same += 1
        else:
            differences.append(f"{document['path']}: {first_difference(expected, got)}")
        for old in dict.fromkeys([baseurl + document["url"], document["url"]]):
            urls += 1
            response = client.get(old)
            answered += response.status_code == 301 and response["Location"].endswith(
                post.get_absolute_url()
            )
    total = len(documents)
    print(f"documents Jekyll builds: {total}")
    print(f"imported: {found} ({found / max(total, 1):.1%})")
    print(f"same body text as Jekyll: {same} ({same / max(found, 1):.1%} of imported)")
    print(f"old URLs answering 301: {answered} of {urls} ({answered / max(urls, 1):.1%})")
    for line in differences[: args.show]:
        print("  " + line)
    if args.keep:
        print(f"kept in {work}")
    else:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
