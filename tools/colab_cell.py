"""Insert or update the Colab install cell at the top of every chapter (idempotent).

    python tools/colab_cell.py [--check] [CHAPTER.ipynb ...]

A chapter opened in Colab from GitHub has PyTorch but not the book's package, `actlib`. The first
code cell of every chapter therefore installs it from the book's repository, only in Colab:

    import sys
    if "google.colab" in sys.modules:  # Colab: install the book's package from its repository
        %pip install --quiet "actlib @ git+https://github.com/OWNER/REPO@main"

Everywhere else (the site build, nbval, Binder, a local Jupyter) the cell does nothing. It is tagged
`remove-cell`, so the site does not show it, and `colab-setup`, which is how this script finds it
again. The URL comes from the one repository setting of `_config.yml` (`repository.url` and
`repository.branch`): after changing it, run this script (`make colab-cell`). Without chapter
arguments it updates every notebook of `_toc.yml`. `--check` changes nothing and exits with 1 when
a chapter's cell is missing or out of date (the tests use it).
"""
import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TAG = "colab-setup"


def repository(config_text):
    """(url, branch) of the `repository:` section of _config.yml (read without a YAML parser)."""
    block = re.search(r"^repository:\s*\n((?:[ \t]+.*\n?)+)", config_text, re.M)
    if not block:
        raise ValueError("_config.yml has no `repository:` section")
    url = re.search(r"^\s+url:\s*(\S+)", block.group(1), re.M)
    branch = re.search(r"^\s+branch:\s*(\S+)", block.group(1), re.M)
    if not url:
        raise ValueError("_config.yml: `repository:` has no `url:`")
    return url.group(1).strip("\"'").rstrip("/"), (branch.group(1).strip("\"'") if branch else "main")


def cell_source(url, branch):
    return (
        "import sys\n"
        "if \"google.colab\" in sys.modules:  # Colab: install the book's package from its repository\n"
        f"    %pip install --quiet \"actlib @ git+{url}@{branch}\""
    )


def setup_cell(url, branch):
    return {"cell_type": "code", "execution_count": None, "id": TAG, "metadata": {"tags": ["remove-cell", TAG]},
            "outputs": [], "source": cell_source(url, branch).splitlines(keepends=True)}


def update(cells, url, branch):
    """The cells with the setup cell first (inserted, or replaced if out of date); and whether they changed."""
    new = setup_cell(url, branch)
    rest = [c for c in cells if TAG not in c.get("metadata", {}).get("tags", [])]
    out = [new] + rest
    return out, out != cells


def toc_notebooks(root=ROOT):
    entries = re.findall(r"^\s*(?:root|- file):\s*(\S+)", (Path(root) / "_toc.yml").read_text(), flags=re.M)
    return [Path(root) / f"{e}.ipynb" for e in entries if (Path(root) / f"{e}.ipynb").exists()]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if a chapter needs an update")
    parser.add_argument("notebooks", nargs="*")
    args = parser.parse_args(argv)
    url, branch = repository((ROOT / "_config.yml").read_text())
    stale = []
    for path in [Path(p) for p in args.notebooks] or toc_notebooks():
        nb = json.loads(path.read_text())
        cells, changed = update(nb["cells"], url, branch)
        if changed:
            stale.append(path)
            if not args.check:
                nb["cells"] = cells
                path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
                print("updated:", path)
    if args.check and stale:
        print("out of date (run `make colab-cell`):", *map(str, stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
