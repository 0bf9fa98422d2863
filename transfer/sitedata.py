"""A Jekyll site's data folder (`_data/`) as Liquid's `site.data`, each file read when first used.

As in Jekyll, a YAML (.yml, .yaml) or JSON file is its value, a CSV or TSV file is a list of rows
keyed by its header row, and a folder is a set of keys of its own; a file's key is its name
without the extension. Files are read as safely as front matter is: refused by size before they
are read, strict UTF-8, YAML with no anchors or aliases (so an alias bomb has nothing to expand)
and with the safe loader. A fault raises a FrontMatterError naming the file and line. Only what
a post's Liquid asks for is read, so a theme's data that no post uses, however large or broken,
costs nothing and stops nothing.
"""

import csv
import io
import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path

import yaml

from .documents import FrontMatterError, read_bytes

_TEXT_SUFFIXES = {".yml", ".yaml", ".json", ".csv", ".tsv"}
# Jekyll's sanitize_filename: what a file's name becomes as a key.
_UNSAFE_IN_KEY = re.compile(r"[^\w\s-]+")
_SPACES = re.compile(r"\s+")


class SiteData(Mapping):
    """The files and folders of one data folder, by key; each read once, when first asked for."""

    def __init__(self, folder: Path, root: Path):
        self.folder = folder
        self.root = root  # no file may lead out of the site; names are shown from its root
        self._paths: dict[str, Path] | None = None
        self._values: dict[str, object] = {}

    @classmethod
    def of(cls, root: Path | None, config: dict) -> Mapping:
        """The data of the site at `root` (its config may name another `data_dir`); empty for
        loose files and for a site without a data folder."""
        if root is None:
            return {}
        folder = root / str(config.get("data_dir") or "_data")
        return cls(folder, root) if folder.is_dir() else {}

    def __getitem__(self, key: str):
        path = self.paths[key]
        if key not in self._values:
            try:
                self._values[key] = self._read(path)
            except FrontMatterError as error:
                self._values[key] = error
        value = self._values[key]
        if isinstance(value, FrontMatterError):
            raise value
        return value

    def __iter__(self) -> Iterator[str]:
        return iter(self.paths)

    def __len__(self) -> int:
        return len(self.paths)

    @property
    def paths(self) -> dict[str, Path]:
        """Each key and the file or folder it is read from; in name order, a later name with the
        same key wins, as Jekyll reads them."""
        if self._paths is None:
            self._paths = {}
            for path in sorted(self.folder.iterdir()):
                if path.name.startswith((".", "_")):
                    continue
                if path.is_dir() or path.suffix.lower() in _TEXT_SUFFIXES:
                    # Jekyll keys a folder by its whole name, a file by its name less the extension.
                    name = path.name if path.is_dir() else path.stem
                    key = _SPACES.sub("_", _UNSAFE_IN_KEY.sub("", name).strip())
                    self._paths[key] = path
        return self._paths

    def _read(self, path: Path):
        shown = path.relative_to(self.root)
        if not path.resolve().is_relative_to(self.root.resolve()):
            raise FrontMatterError(shown, None, "a link to a file outside the site: not read")
        if path.is_dir():
            return SiteData(path, self.root)
        raw = read_bytes(path)
        try:
            text = raw.decode("utf-8").replace("\r\n", "\n")
        except UnicodeDecodeError as error:
            line = raw.count(b"\n", 0, error.start) + 1
            raise FrontMatterError(shown, line, "not UTF-8: save the file as UTF-8") from None
        suffix = path.suffix.lower()
        if suffix == ".json":
            return _json(shown, text)
        if suffix in (".csv", ".tsv"):
            return _rows(shown, text, "\t" if suffix == ".tsv" else ",")
        return _yaml(shown, text)


def _yaml(path: Path, text: str):
    """The YAML's value, read by the safe loader once no anchor or alias is found in it."""
    try:
        for event in yaml.parse(text, Loader=yaml.CSafeLoader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise FrontMatterError(
                    path,
                    event.start_mark.line + 1,
                    "YAML anchors and aliases (& and *) are not allowed in data files",
                )
        return yaml.load(text, Loader=yaml.CSafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = ", ".join(part for part in (error.context, error.problem) if part)
        line = mark.line + 1 if mark else None
        raise FrontMatterError(path, line, f"invalid YAML: {problem}") from None
    except (yaml.YAMLError, ValueError) as error:
        raise FrontMatterError(path, None, f"invalid YAML: {error}") from None
    except RecursionError:
        raise FrontMatterError(path, None, "the YAML is nested too deeply") from None


def _json(path: Path, text: str):
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise FrontMatterError(path, error.lineno, f"invalid JSON: {error.msg}") from None
    except RecursionError:
        raise FrontMatterError(path, None, "the JSON is nested too deeply") from None


def _rows(path: Path, text: str, delimiter: str) -> list[dict]:
    """Each row after the header as a mapping from the header's names to its cells."""
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        return [dict(row) for row in reader]
    except csv.Error as error:
        # The reader has counted the lines before the faulty row.
        raise FrontMatterError(path, reader.line_num + 1, f"invalid CSV: {error}") from None
