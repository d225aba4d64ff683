"""Every UI string has a zh_CN translation (the default UI language), with the same placeholders."""
import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "app" / "translations" / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po"
METHODS = [("app/**.py", "python"), ("app/**/templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}


def catalog():
    with PO.open("rb") as handle:
        return read_po(handle)


def test_every_ui_string_is_translated():
    translations = catalog()
    found = {msgid for _file, _line, msgid, _comments, _ctx in
             extract_from_dir(str(ROOT), METHODS, keywords=KEYWORDS)}
    missing = sorted(m for m in found if isinstance(m, str) and
                     (m not in translations or not translations[m].string))
    assert missing == [], "untranslated (run `make update-translations`, then translate): " + repr(missing[:20])


def test_placeholders_survive_translation():
    for message in catalog():
        if message.id and message.string:
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            for text in strings:  # a plural entry: every form keeps the singular's placeholders
                assert sorted(re.findall(r"%\(\w+\)[sd]", ids[0])) == \
                    sorted(re.findall(r"%\(\w+\)[sd]", text)), message.id


def test_chinese_strings_use_full_width_punctuation():
    """Next to a Chinese character, punctuation is full-width (，；：！？（）), as Chinese text is written."""
    beside_han = re.compile(r"[\u4e00-\u9fff][,;:!?()]|[,;:!?(][\u4e00-\u9fff]")
    bad = []
    for message in catalog():
        for text in (message.string if isinstance(message.string, tuple) else (message.string,)):
            if text and beside_han.search(re.sub(r"%\(\w+\)[sd]", "X", text)):
                bad.append(f"{message.id!r}: {text}")
    assert not bad, "\n".join(bad[:20])
