"""The book's two settings files, read with a YAML parser: `_toc.yml` and `_config.yml`.

- :func:`toc_entries` lists the pages of the table of contents in reading order (the
  root page, then every `file:` entry of the parts, chapters and nested `sections:`), or
  only the chapter notebooks.
- :func:`repository` reads the one repository setting of `_config.yml` (`repository.url`
  and `repository.branch`), from which the Colab cell and the launch links are built.

Example::

    >>> toc_entries(notebooks=True)[0]
    'chapters/activations'
"""

from pathlib import Path, PurePosixPath
from typing import NamedTuple

import yaml

ROOT = Path(__file__).resolve().parent.parent
# the keys of _toc.yml that hold lists of entries (jupyter-book 1.x, formats jb-book and
# jb-article)
CHILDREN = ("parts", "chapters", "sections", "subtrees", "entries")


def _files(node):
    """Every `file:` of a parsed toc node, depth first, a page before its sections."""
    if isinstance(node, list):
        for item in node:
            yield from _files(item)
    elif isinstance(node, dict):
        if node.get("file"):
            yield str(node["file"])
        for key in CHILDREN:
            yield from _files(node.get(key))


def _strip_suffix(entry):
    path = PurePosixPath(entry)
    return str(path.with_suffix("")) if path.suffix in (".md", ".ipynb") else entry


def toc_entries(root=ROOT, notebooks=False):
    """The pages of `root/_toc.yml` in reading order, as paths without suffix.

    Args:
        root: the book's folder (the one that holds `_toc.yml`). Default: this
            repository.
        notebooks: if True, only the entries that are notebooks (`ENTRY.ipynb`
            exists): the chapters.

    Returns:
        A list such as ``["chapters/intro", "chapters/how-to-use", ...]``.
    """
    root = Path(root)
    toc = yaml.safe_load((root / "_toc.yml").read_text())
    if not isinstance(toc, dict):
        raise ValueError(f"{root / '_toc.yml'}: expected a mapping, got {toc!r}")
    entries = ([str(toc["root"])] if toc.get("root") else []) + list(_files(toc))
    entries = [_strip_suffix(e) for e in entries]
    if notebooks:
        entries = [e for e in entries if (root / f"{e}.ipynb").exists()]
    return entries


def read_config(root=ROOT):
    """`root/_config.yml` as a dict."""
    return yaml.safe_load((Path(root) / "_config.yml").read_text()) or {}


# `repository.url` until the book has its final home: no launch link is built from it
PLACEHOLDER_URL = "https://github.com/OWNER/REPO"


class Repository(NamedTuple):
    url: str  # https://github.com/OWNER/REPO, no trailing slash
    branch: str
    path_to_book: str  # the book's folder inside the repository, "" for its root

    @property
    def is_placeholder(self):
        """True while `repository.url` is the placeholder: links to it lead nowhere."""
        return self.url == PLACEHOLDER_URL


def repository(config=None):
    """The `repository:` section of `_config.yml`.

    Args:
        config: the parsed configuration (a dict, see :func:`read_config`); None reads
            this repository's `_config.yml`.

    Raises:
        ValueError: when the section or its `url` is missing.
    """
    config = read_config() if config is None else config
    section = config.get("repository") if isinstance(config, dict) else None
    if not isinstance(section, dict):
        raise ValueError("_config.yml has no `repository:` section")
    if not section.get("url"):
        raise ValueError("_config.yml: `repository:` has no `url:`")
    return Repository(
        url=str(section["url"]).rstrip("/"),
        branch=str(section.get("branch") or "main"),
        path_to_book=str(section.get("path_to_book") or "").strip("/"),
    )
