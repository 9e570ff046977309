"""The per-chapter part of the instructor page (the `actlib-chapters` directive).

For every chapter of the table of contents: its title, a time estimate, its learning
goals and a table of its exercises with their labels and checks, all read from the
:class:`~bookkit.notebook.Chapter` model of its notebook.

The time estimate is a reading time plus a working time:

    minutes = words / 120 + 0.5 * visible code cells + 8 * exercises,

rounded up to a multiple of 5: the prose at 120 words a minute (technical text with
formulas), half a minute per visible code cell (run it, look at its output) and 8
minutes per exercise.
"""

import re
from pathlib import Path

from bookkit.book import ROOT, toc_entries
from bookkit.notebook import Chapter, read_chapter

WORDS_PER_MINUTE, MINUTES_PER_CODE_CELL, MINUTES_PER_EXERCISE = 120, 0.5, 8


def chapter_summary(chapter):
    """What the instructor page says about one chapter (a :class:`Chapter` or the path
    of its notebook): a dict with its title, goals, exercises (title, label, check),
    code cells (all and visible), words of prose and minutes (see the module's
    docstring)."""
    if not isinstance(chapter, Chapter):
        chapter = read_chapter(chapter)
    markdown = [c.source for c in chapter.markdown()]
    code = chapter.code()
    visible = [
        c for c in code if "remove-cell" not in c.tags and "solution" not in c.tags
    ]
    words = sum(len(re.sub(r"```.*?```", "", s, flags=re.S).split()) for s in markdown)
    exercises = [
        {
            "title": ex.title,
            "label": ex.label,
            "kind": ex.kind,
            "check": ex.check_name,
        }
        for ex in chapter.exercises
    ]
    minutes = (
        words / WORDS_PER_MINUTE
        + MINUTES_PER_CODE_CELL * len(visible)
        + MINUTES_PER_EXERCISE * len(exercises)
    )
    return {
        "title": chapter.title,
        "goals": list(chapter.goals),
        "exercises": exercises,
        "code_cells": len(code),
        "visible_code_cells": len(visible),
        "words": words,
        "minutes": 5 * -(-round(minutes) // 5),
    }


def chapters_markdown(root=ROOT):
    """The MyST text of the per-chapter part of the instructor page."""
    out = []
    for entry in toc_entries(root, notebooks=True):
        s = chapter_summary(Path(root) / f"{entry}.ipynb")
        out.append(f"### {s['title']}\n")
        out.append(
            f"Page: {{doc}}`/{entry}` (notebook `{entry}.ipynb`). "
            f"About **{s['minutes']} minutes**: "
            f"{s['words']} words of prose, "
            f"{s['visible_code_cells']} visible code cells "
            f"({s['code_cells']} in all), {len(s['exercises'])} exercises.\n"
        )
        if s["goals"]:
            out.append("Learning goals:\n")
            out += [f"- {g}" for g in s["goals"]]
            out.append("")
        if s["exercises"]:
            out.append("| exercise | kind | label | check |\n| --- | --- | --- | --- |")
            for ex in s["exercises"]:
                check = f"`{ex['check']}`" if ex["check"] else "none"
                ref = f"{{ref}}`{ex['title']} <{ex['label']}>`"
                kind = ex["kind"] or "not given"
                out.append(f"| {ref} | {kind} | `{ex['label']}` | {check} |")
            out.append("")
    return "\n".join(out)
