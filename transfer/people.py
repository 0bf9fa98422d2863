"""The old site's people: an author's data, as Jekyll themes write it in `_data/authors.yml` or
on the pages of an `authors` collection, made into an Author's fields, links and photo.

Themes write links in several shapes: a handle under a network's name (`twitter: mina`), an
address (`website: https://…`, `uri:`, `email:`), or minimal-mistakes' list of
`links: [{label, icon, url}]`. Each becomes what `Author.profile_links` shows, a web address or a
bare e-mail address, by its label; a value meant as a link that is none is left out and noted.
Other text (`location: Lagos`) is kept as it is, for the export, and shown nowhere.

An avatar is a file of the site, stored through the media library's intake like any upload; one
on another site is not fetched.
"""

import re
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.validators import URLValidator, validate_email
from django.db import transaction

from media.intake import reencode_upload
from posts.models import Author

from .documents import FrontMatterError

if TYPE_CHECKING:
    from .jekyll import Site

# Profile pages on the networks themes name, from a handle.
NETWORKS = {
    "twitter": "https://twitter.com/{}",
    "x": "https://x.com/{}",
    "github": "https://github.com/{}",
    "gitlab": "https://gitlab.com/{}",
    "linkedin": "https://www.linkedin.com/in/{}",
    "facebook": "https://www.facebook.com/{}",
    "instagram": "https://www.instagram.com/{}",
    "keybase": "https://keybase.io/{}",
    "bluesky": "https://bsky.app/profile/{}",
}
# Keys whose value is a link, whatever it is: one that is no address is a mistake.
LINK_KEYS = {*NETWORKS, "mastodon", "orcid", "website", "web", "url", "uri", "homepage", "email"}
# Where themes put an author's picture, the one that wins first.
AVATAR_KEYS = ("avatar", "picture", "image", "photo")
# Keys that are fields of the Author or belong to the old page only, never links.
NOT_LINKS = {
    "name", "full_name", "title", "bio", "affiliation", "layout", "permalink", "published",
    "links", *AVATAR_KEYS,
}  # fmt: skip
_HANDLE = re.compile(r"@?([A-Za-z0-9_.-]+)")
_MASTODON = re.compile(r"@?([A-Za-z0-9_.-]+)@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")
_ORCID = re.compile(r"\d{4}-\d{4}-\d{4}-\d{3}[\dX]")
_is_web_address = URLValidator(schemes=["http", "https"])


def profile(path: Path, line: int | None, key: str, data, notes: list[str]) -> dict:
    """An author's data as Author fields (name, bio, affiliation, links) and the avatar as the
    data gives it; its text fields must be text. Links that are none are noted."""
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else repr(data)
        message = f"author {key!r} must be keys such as name and bio, not {kind}"
        raise FrontMatterError(path, line, message)
    for name in ("name", "bio", "affiliation"):
        value = data.get(name)
        if value is not None and not isinstance(value, str):
            message = f"author {key!r}: {name} must be text, not {value!r}"
            raise FrontMatterError(path, line, message)
    where = path if line is None else f"{path}:{line}"
    return {
        "name": str(data.get("name") or key),
        "bio": data.get("bio") or "",
        "affiliation": data.get("affiliation") or "",
        "links": links(data, lambda text: note(notes, f"{where}: author {key!r}: {text}")),
        "avatar": next((data[k] for k in AVATAR_KEYS if isinstance(data.get(k), str)), ""),
    }


def links(data: dict, complain) -> dict[str, str]:
    """Label -> address, from the data's own keys and then its `links:` list; `complain` is
    told of each value meant as a link that is none."""
    entries = [(str(name), value, False) for name, value in data.items() if name not in NOT_LINKS]
    listed = data.get("links") or []
    if isinstance(listed, list):
        entries += [(*labelled(entry), True) for entry in listed]
    else:
        complain(f"links must be a list of label and url, not {listed!r}")
    found = {}
    for name, value, meant in entries:
        if not isinstance(value, str | int) or not str(value).strip() or name in found:
            continue
        text = str(value).strip()
        address = link(name.lower(), text)
        if address is not None:
            found[name] = address
        elif meant or is_meant_as_link(name.lower(), text):
            complain(f"{name} {text!r} is not a web or e-mail address, so it was left out")
        else:
            found[name] = text
    return found


def labelled(entry) -> tuple[str, object]:
    """A minimal-mistakes link, `{label, icon, url}` (or an address alone), as label and
    address; unlabelled, it is known by its host."""
    url = entry.get("url") if isinstance(entry, dict) else entry
    label = entry.get("label") if isinstance(entry, dict) else None
    return str(label or urlsplit(str(url or "")).hostname or "link"), url


def link(name: str, text: str) -> str | None:
    """The address a link's value gives: a web address, or a bare e-mail address (as
    Author.profile_links reads it); None when it gives none."""
    if name in NETWORKS and (handle := _HANDLE.fullmatch(text)):
        return NETWORKS[name].format(handle[1])
    if name == "mastodon" and (account := _MASTODON.fullmatch(text)):
        return f"https://{account[2]}/@{account[1]}"
    if name == "orcid" and _ORCID.fullmatch(text):
        return f"https://orcid.org/{text}"
    return address(text.removeprefix("mailto:"))


def address(text: str) -> str | None:
    """The text if it is a web address or an e-mail address."""
    for validate in (_is_web_address, validate_email):
        try:
            validate(text)
        except ValidationError:
            continue
        return text
    return None


def is_meant_as_link(name: str, text: str) -> bool:
    """A value under a link's name, or one that looks like an address (Author.profile_links
    would show any text with an @ as an e-mail address): kept, it would mislead."""
    return name in LINK_KEYS or "@" in text or "://" in text


def note(notes: list[str], text: str):
    """Notes about a site's own files are said once, however often they are read."""
    if text not in notes:
        notes.append(text)


def avatar_file(site: "Site", profile: dict) -> Path | None:
    """The file of the `site` an author's avatar names, as a path of the site (`/assets/a.jpg`,
    `assets/a.jpg`, with or without the baseurl); None, noted on the site, when it names a
    picture elsewhere, a file the site does not have, or a link out of the site."""
    value = profile.get("avatar") or ""
    if not value or site.root is None:
        return None
    said = f"author {profile['name']!r}: the avatar {value!r}"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        note(site.notes, f"{said} is on another site, so it was not fetched")
        return None
    path = "/" + unquote(parts.path).lstrip("/")
    below = path.removeprefix(site.baseurl) if path.startswith(site.baseurl + "/") else path
    for candidate in dict.fromkeys((below, path)):
        file = site.root / candidate.lstrip("/")
        if not file.is_file():
            continue
        if not file.resolve().is_relative_to(site.root.resolve()):
            note(site.notes, f"{said} is a link to a file outside the site: not read")
            return None
        return file
    note(site.notes, f"{said} is not a file of the site")
    return None


def store_avatar(author: Author, path: Path | None, notes: list[str]):
    """The picture at `path` becomes the stored author's photo, decoded, checked and re-encoded
    as an upload is; a photo already the same is left alone, and a refused picture is noted."""
    if path is None:
        return
    try:
        with path.open("rb") as handle:
            clean = reencode_upload(File(handle, name=path.name))
    except (ValidationError, OSError) as error:
        reason = (
            " ".join(error.messages)
            if isinstance(error, ValidationError)
            else f"it cannot be read ({error.strerror})"
        )
        note(notes, f"author {author.name!r}: the avatar {path} was not stored: {reason}")
        return
    content = clean.read()
    if same_photo(author, content):
        return
    replaced = author.photo.name
    author.photo.save(clean.name, ContentFile(content), save=False)
    author.save(update_fields=["photo"])
    if replaced:
        storage = author.photo.storage
        transaction.on_commit(lambda: storage.delete(replaced))


def same_photo(author: Author, content: bytes) -> bool:
    """Whether the author's stored photo holds these bytes: a re-import re-encodes the same
    picture to the same bytes, and changes nothing."""
    if not author.photo:
        return False
    try:
        with author.photo.storage.open(author.photo.name, "rb") as stored:
            return stored.read() == content
    except OSError:
        return False
