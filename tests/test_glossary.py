"""Checks on the glossary (chapters/glossary.md).

Every entry has an English term, its Korean equivalent, a definition, and a link to the
section that teaches it.
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEXT = (ROOT / "chapters" / "glossary.md").read_text()
BODY = TEXT[TEXT.index("```{glossary}") :]
ENTRIES = re.findall(r"^(\S[^\n]*)\n(\S[^\n]*)\n((?:  [^\n]*\n)+)", BODY, re.M)
HANGUL = re.compile(r"[\uac00-\ud7a3]")


def test_the_glossary_has_the_terms_of_the_notes():
    korean = {ko for _, ko, _ in ENTRIES}
    for term in [
        "활성화 함수",
        "기울기 소실",
        "가중치 초기화",
        "배치 정규화",
        "하이퍼파라미터",
    ]:
        assert term in korean, f"{term} is missing"
    assert len(ENTRIES) >= 50


def test_every_entry_is_english_then_korean_then_where_it_is_taught():
    seen = set()
    for en, ko, definition in ENTRIES:
        assert not HANGUL.search(en) and HANGUL.search(ko), (en, ko)
        assert en.lower() not in seen, f"{en} twice"
        seen.add(en.lower())
        flat = " ".join(definition.split())
        assert re.search(r"\{ref\}`[\w-]+`", flat), (
            f"{en}: no link to where it is taught"
        )


def test_links_point_to_labels_of_the_chapters():
    chapters = "".join(p.read_text() for p in (ROOT / "chapters").glob("*.ipynb"))
    for label in set(re.findall(r"\{ref\}`([\w-]+)`", BODY)):
        assert f"({label})=" in chapters, f"{label} is not a label of any chapter"
