"""Insert or update the Colab install cell at the top of every chapter (idempotent).

    python -m bookkit.colab [--check] [CHAPTER.ipynb ...]

A chapter opened in Colab from GitHub has PyTorch but not the book's package, `actlib`.
The first code cell of every chapter therefore installs it from the book's repository,
only in Colab:

    import sys

    if "google.colab" in sys.modules:  # in Colab: install the book's package
        %pip install --quiet "actlib @ git+https://github.com/OWNER/REPO@main"

Everywhere else (the site build, nbval, Binder, a local Jupyter) the cell does nothing.
It is tagged `remove-cell`, so the site does not show it, and `colab-setup`, which is
how this script finds it again. The URL comes from the one repository setting of
`_config.yml` (`repository.url` and `repository.branch`, read by
:func:`bookkit.book.repository`): after changing it, run this script
(`make colab-cell`). Without chapter arguments it updates every notebook of `_toc.yml`.
`--check` changes nothing and exits with 1 when a chapter's cell is missing or out of
date (the tests use it).
"""

import argparse
import sys
from pathlib import Path

from bookkit.book import ROOT, read_config, repository, toc_entries
from bookkit.notebook import read_notebook, tags, write_notebook

TAG = "colab-setup"


def cell_source(url, branch):
    """The source of the Colab cell that installs actlib from ``url`` at ``branch``."""
    return (
        "import sys\n"
        "\n"
        'if "google.colab" in sys.modules:  # in Colab: install the book\'s package\n'
        f'    %pip install --quiet "actlib @ git+{url}@{branch}"'
    )


def setup_cell(url, branch):
    return {
        "cell_type": "code",
        "execution_count": None,
        "id": TAG,
        "metadata": {"tags": ["remove-cell", TAG]},
        "outputs": [],
        "source": cell_source(url, branch).splitlines(keepends=True),
    }


def update(cells, url, branch):
    """The cells with the setup cell first (inserted, or replaced if out of date); and
    whether they changed."""
    rest = [c for c in cells if TAG not in tags(c)]
    out = [setup_cell(url, branch)] + rest
    return out, out != cells


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--check",
        action="store_true",
        help="change nothing; exit 1 if a chapter needs an update",
    )
    parser.add_argument("notebooks", nargs="*")
    args = parser.parse_args(argv)
    repo = repository(read_config(ROOT))
    paths = [Path(p) for p in args.notebooks] or [
        ROOT / f"{entry}.ipynb" for entry in toc_entries(ROOT, notebooks=True)
    ]
    stale = []
    for path in paths:
        nb = read_notebook(path)
        cells, changed = update(nb["cells"], repo.url, repo.branch)
        if changed:
            stale.append(path)
            if not args.check:
                nb["cells"] = cells
                write_notebook(nb, path)
                print("updated:", path)
    if args.check and stale:
        print("out of date (run `make colab-cell`):", *map(str, stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
