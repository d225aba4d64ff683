"""PDF certificates: one A4 landscape page each, the CJK font embedded, clear errors without a font."""
import os
import re
import shutil
import subprocess

import pytest
import reportlab

from app import certificates
from app.certificates import CertificateError, render_certificate, render_many

AWARD = dict(kind="award", name="王小明", title="在2026年下半年网格员技能比武中荣获“政策通”单项奖",
             subtitle="特发此证，以资鼓励。", date_text="2026年11月20日", issuer="滨江区网格化服务管理中心",
             serial="GA-2026-AW-0001")
VERA = os.path.join(os.path.dirname(reportlab.__file__), "fonts", "Vera.ttf")  # TrueType, no CJK


@pytest.fixture(autouse=True)
def no_font_override(monkeypatch):
    monkeypatch.delenv("CERT_FONT", raising=False)


@pytest.fixture
def fresh_font_cache():
    """For tests that change how the font is chosen: they start and end with an empty font cache
    (the others share the one font the process found, as the app does)."""
    certificates.clear_font_cache()
    yield
    certificates.clear_font_cache()


def page_count(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b", pdf))


def pdf_text(pdf: bytes, tmp_path) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (Debian poppler-utils) not installed")
    path = tmp_path / "c.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True)
    return out.stdout.decode("utf-8")


def test_single_certificate_is_one_page_pdf_with_embedded_subset_font():
    pdf = render_certificate(**AWARD)
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    assert page_count(pdf) == 1
    # A4 landscape.
    box = re.search(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    assert box and round(float(box[1])) == 842 and round(float(box[2])) == 595
    # The TrueType font program is embedded, as a subset (ABCDEF+Name), with a ToUnicode map.
    assert b"/FontFile2" in pdf
    assert re.search(rb"/FontName\s*/[A-Z]{6}\+", pdf)
    assert b"/ToUnicode" in pdf
    # No font that a viewer would have to supply (e.g. ReportLab's default Helvetica).
    assert len(re.findall(rb"/Type\s*/Font\b", pdf)) == len(re.findall(rb"/FontFile2", pdf))


def test_chinese_text_is_extractable(tmp_path):
    text = pdf_text(render_certificate(**AWARD), tmp_path)
    for expected in ("荣誉证书", "王小明", "政策通", "滨江区网格化服务管理中心", "2026年11月20日", "GA-2026-AW-0001"):
        assert expected in text.replace(" ", ""), expected


@pytest.mark.parametrize("kind, heading", [("award", "荣誉证书"), ("participation", "参赛证书"),
                                           ("completion", "结业证书")])
def test_heading_depends_on_kind(kind, heading, tmp_path):
    text = pdf_text(render_certificate(**{**AWARD, "kind": kind}), tmp_path)
    assert heading in text.replace(" ", "")


def test_render_many_gives_one_page_per_certificate(tmp_path):
    people = ["王小明", "李娜", "阿卜杜热合曼·买买提"]
    certs = [{**AWARD, "name": n, "serial": f"GA-{i}"} for i, n in enumerate(people)]
    certs[1].update(kind="participation", subtitle="", issuer="中共滨江区委政法委员会\n滨江区网格化服务管理中心")
    certs[2].update(kind="completion", title="参加“网格员岗前培训（第三期）”全部课程共计40学时，经考核成绩合格，"
                    "准予结业。本期培训内容包括政策法规、矛盾纠纷调解、信息采集与上报、应急处置等模块。")
    del certs[2]["date_text"]
    pdf = render_many(certs)
    assert pdf.startswith(b"%PDF-")
    assert page_count(pdf) == 3
    assert re.search(rb"/Count\s+3\b", pdf)
    text = pdf_text(pdf, tmp_path).replace(" ", "")
    assert [p for p in people if p in text] == people


def test_render_many_rejects_bad_input():
    with pytest.raises(CertificateError, match="no certificates"):
        render_many([])
    with pytest.raises(CertificateError, match=r"#2: .*unknown certificate kind"):
        render_many([AWARD, {**AWARD, "kind": "medal"}])
    with pytest.raises(CertificateError, match=r"#1: unknown field"):
        render_many([{**AWARD, "colour": "red"}])
    with pytest.raises(CertificateError, match="'name' is empty"):
        render_many([{**AWARD, "name": "  "}])


def test_too_long_body_is_refused():
    with pytest.raises(CertificateError, match="too long"):
        render_certificate(**{**AWARD, "title": "网格员技能比武" * 200})


def test_character_missing_from_font_is_refused():
    with pytest.raises(CertificateError, match=r"U\+10FFFD"):
        render_certificate(**{**AWARD, "name": "王\U0010fffd明"})


@pytest.mark.usefixtures("fresh_font_cache")
def test_no_font_raises_certificate_error_naming_the_debian_package(monkeypatch):
    monkeypatch.setattr(certificates, "KNOWN_FONT_PATHS", (("/nonexistent/wqy-microhei.ttc", 0, "x"),))
    monkeypatch.setattr(certificates, "_fontconfig_candidates", lambda: [])
    with pytest.raises(CertificateError, match="fonts-wqy-microhei"):
        render_certificate(**AWARD)
    with pytest.raises(CertificateError, match="fonts-wqy-microhei"):
        certificates.find_cjk_font()


@pytest.mark.usefixtures("fresh_font_cache")
def test_font_without_chinese_glyphs_is_not_used(monkeypatch):
    monkeypatch.setattr(certificates, "KNOWN_FONT_PATHS", ((VERA, 0, "x"),))
    monkeypatch.setattr(certificates, "_fontconfig_candidates", lambda: [(VERA, 0)])
    with pytest.raises(CertificateError, match="no Chinese glyphs.*fonts-wqy-microhei"):
        render_certificate(**AWARD)


@pytest.mark.usefixtures("fresh_font_cache")
def test_cert_font_environment_variable(monkeypatch):
    monkeypatch.setenv("CERT_FONT", "/nonexistent/font.ttc#0")
    with pytest.raises(CertificateError, match="CERT_FONT.*not found"):
        render_certificate(**AWARD)


@pytest.mark.usefixtures("fresh_font_cache")
def test_cert_font_can_choose_the_font(monkeypatch):
    path, index = certificates.find_cjk_font()
    monkeypatch.setenv("CERT_FONT", f"{path}#{index}")
    certificates.clear_font_cache()
    assert certificates.find_cjk_font() == (path, index)
    assert b"/FontFile2" in render_certificate(**AWARD)


@pytest.mark.usefixtures("fresh_font_cache")
def test_cff_font_is_rejected_with_reason(monkeypatch):
    noto = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
    if not os.path.exists(noto):
        pytest.skip("fonts-noto-cjk not installed")
    monkeypatch.setenv("CERT_FONT", noto)
    with pytest.raises(CertificateError, match="postscript outlines"):
        render_certificate(**AWARD)


def test_wrap_keeps_punctuation_off_line_starts():
    font = certificates._cjk_font().name
    text = "参加“网格员岗前培训（第三期）”全部课程共计40学时，经考核成绩合格，准予结业。"
    for width in range(80, 400, 7):
        lines = certificates._wrap(text, font, 20, width)
        assert "".join(lines) == text
        assert not any(line[0] in "，。、）”" for line in lines[1:]), lines
        assert not any(line[-1] in "“（" for line in lines), lines


# --- the same bytes on every download ----------------------------------------------------------------

def test_with_a_creation_date_the_same_certificates_give_the_same_bytes(tmp_path, monkeypatch):
    import time
    from datetime import datetime, timedelta, timezone

    published = datetime(2026, 12, 1, 18, 30, tzinfo=timezone(timedelta(hours=8)))
    first = render_many([AWARD], created=published)
    later = time.time() + 3600
    monkeypatch.setattr(time, "time", lambda: later)  # an hour on: a stamp of the moment would differ
    assert render_many([AWARD], created=published) == first
    assert b"D:20261201183000+08'00'" in first  # dated with the publication, not the download
    other = render_many([{**AWARD, "serial": "2026-长青街道-比武-002"}], created=published)
    assert other != first


def test_the_font_name_in_the_file_does_not_depend_on_the_process(tmp_path):
    import sys

    script = ("import sys; from datetime import datetime, timezone; from app.certificates import render_many;"
              f"sys.stdout.buffer.write(render_many([{AWARD!r}], created=datetime(2026, 12, 1, tzinfo=timezone.utc)))")
    runs = {subprocess.run([sys.executable, "-c", script], capture_output=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2")}
    assert len(runs) == 1


def test_a_draft_is_marked_on_every_page(tmp_path):
    text = pdf_text(render_many([AWARD, AWARD], draft=True), tmp_path)
    assert text.count("未发布") == 2
    assert "未发布" not in pdf_text(render_many([AWARD]), tmp_path)


def test_body_lines_come_out_even_no_lone_word():
    """“单项奖” must not stand alone under a full line: wrapped lines are balanced."""
    from app.certificates import _balanced_wrap, _cjk_font, _wrap

    font = _cjk_font().name
    title = "在2026年下半年长青街道网格员技能比武中表现突出，荣获“政策通”单项奖"
    plain, even = _wrap(title, font, 22, 460), _balanced_wrap(title, font, 22, 460)
    assert len(even) == len(plain) >= 2
    assert min(len(line) for line in even) >= 0.6 * max(len(line) for line in even), even


def test_official_names_sign_certificates():
    from types import SimpleNamespace as Area

    from app.labels import official_name

    street = Area(name="长青街道", level="street", parent=None)
    community = Area(name="幸福社区", level="community", parent=street)
    grid = Area(name="第一网格", level="grid", parent=community)
    assert [official_name(a) for a in (street, community, grid)] == ["长青街道办事处", "幸福社区居民委员会",
                                                                     "幸福社区居民委员会"]
    assert official_name(Area(name="长青街道办事处", level="street", parent=None)) == "长青街道办事处"
