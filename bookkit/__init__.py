"""The book's own tooling: one reader of its files, used by the build, the tools and the
tests.

Not part of `actlib` (readers never import it) and not in its wheel. Modules:

- :mod:`bookkit.book`: `_toc.yml` (the pages in order) and `_config.yml` (the repository
  setting), read with a YAML parser;
- :mod:`bookkit.notebook`: a chapter notebook parsed once into a model (cells, exercises
  with their skeletons, gated solutions and checks, glue names, goals, title), and the
  one notebook writer;
- :mod:`bookkit.student`: the student notebooks (``python -m bookkit.student``);
- :mod:`bookkit.colab`: the Colab install cell (``python -m bookkit.colab``);
- :mod:`bookkit.instructor`: the per-chapter part of the instructor page.
"""

from bookkit.book import ROOT, Repository, read_config, repository, toc_entries
from bookkit.notebook import (
    Cell,
    Chapter,
    Exercise,
    Gate,
    parse,
    read_chapter,
    read_notebook,
    write_notebook,
)

__all__ = [
    "ROOT",
    "Cell",
    "Chapter",
    "Exercise",
    "Gate",
    "Repository",
    "parse",
    "read_chapter",
    "read_config",
    "read_notebook",
    "repository",
    "toc_entries",
    "write_notebook",
]
