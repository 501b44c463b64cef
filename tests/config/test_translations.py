"""The Japanese catalog is complete and compiled: Japanese is the default language."""

import gettext
import re
from pathlib import Path

from django.utils import translation

PO = Path(__file__).resolve().parents[2] / "locale" / "ja" / "LC_MESSAGES" / "django.po"


def _joined(lines: str) -> str:
    return "".join(re.findall(r'"(.*)"', lines))


def entries():
    """(msgid, msgstr, fuzzy, plural) for every entry but the header; for a plural entry,
    its singular form and the one Japanese form. An entry with a context (pgettext) has
    the msgid a compiled catalog keys it by: the context, \x04, the msgid."""
    text = PO.read_text(encoding="utf-8")
    for block in text.split("\n\n")[1:]:
        if "\nmsgid_plural " in block:
            head, _, rest = block.partition("\nmsgid_plural ")
            plural_part, _, translation_part = rest.partition("\nmsgstr[0] ")
            plural = _joined(plural_part)
        else:
            head, _, translation_part = block.partition("\nmsgstr ")
            plural = None
        msgid = _joined(head[head.index("msgid ") :])
        context = re.search(r'^msgctxt (".*")$', head, re.MULTILINE)
        if context:
            msgid = f"{_joined(context.group(1))}\x04{msgid}"
        yield msgid, _joined(translation_part), "#, fuzzy" in head, plural


def test_every_message_has_a_japanese_translation():
    untranslated = [msgid for msgid, msgstr, fuzzy, _plural in entries() if not msgstr or fuzzy]
    assert untranslated == []


def test_compiled_catalog_matches_the_po_file():
    with PO.with_suffix(".mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    parsed = list(entries())
    assert len(parsed) > 150
    # (No entry of ours has escapes, so the quoted text is the message itself.)
    stale = [
        msgid
        for msgid, msgstr, _fuzzy, plural in parsed
        if (compiled.ngettext(msgid, plural, 1) if plural else compiled.gettext(msgid)) != msgstr
    ]
    assert stale == []


def test_japanese_is_the_default_language(client, db):
    response = client.get("/api/v1/me/")
    assert "認証" in response.json()["detail"]  # Django REST framework's own catalog
    with translation.override("ja"):
        assert (
            translation.gettext("Only a draft can be edited.") == "編集できるのは下書きだけです。"
        )
