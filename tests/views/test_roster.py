"""Roster import: row-by-row report, bad rows never abort good ones, areas created within scope."""
import io

from openpyxl import Workbook
from sqlalchemy import select

from app.accounts.roster import import_roster, read_roster
from app.extensions import db
from app.models import Area, User
from app.refusal import Refusal

HEADER = "姓名,工号,手机号,街道,社区,网格,入职日期\n"


def run(actor, text, filename="roster.csv"):
    rows = read_roster(filename, text.encode("utf-8") if isinstance(text, str) else text)
    results = import_roster(actor, rows)
    db.session.commit()
    return results


def test_good_and_bad_rows(people):
    text = HEADER + (
        "王小明,CQ100,13800000001,长青街道,幸福社区,第一网格,2025-03-01\n"
        "李四,CQ100,13800000002,长青街道,幸福社区,第一网格,2025-03-01\n"   # duplicate in file
        "赵六,CQ001,13800000003,长青街道,幸福社区,第一网格,\n"               # exists in database
        "钱七,CQ101,12345,长青街道,幸福社区,第一网格,2025/13/01\n"            # bad phone and date
        "孙八,CQ102,13800000004,临湖街道,湖光社区,第一网格,\n"                # outside the street
        ",CQ103,13800000005,长青街道,幸福社区,第三网格,\n"                    # no name
        "周九,CQ104,13800000006,长青街道,新建社区,第一网格,2024年5月6日\n"   # new community + grid
    )
    results = run(people["organizer"], text)
    by_line = {r.line: r for r in results}
    assert [r.line for r in results if r.ok] == [2, 8]
    assert "repeats line 2" in by_line[3].messages[0] or "第2行" in by_line[3].messages[0]
    assert "CQ001" in by_line[4].messages[0]
    assert len(by_line[5].messages) == 2
    assert "临湖街道" in by_line[6].messages[0]
    assert not by_line[7].ok
    assert by_line[8].created_areas == ["滨江区 / 长青街道 / 新建社区", "滨江区 / 长青街道 / 新建社区 / 第一网格"]
    user = db.session.scalar(select(User).where(User.username == "CQ104"))
    assert user.must_change_password and user.hire_date.isoformat() == "2024-05-06"
    assert user.roles == {"worker"} and user.area.name == "第一网格"
    assert by_line[2].password and len(by_line[2].password) == 10
    assert db.session.scalar(select(User).where(User.username == "CQ100")).name == "王小明"


def test_city_admin_needs_district_only_when_street_is_new(people):
    text = ("姓名,工号,手机号,区,街道,社区,网格\n"
            "甲,A1,13900000001,,长青街道,幸福社区,第一网格\n"
            "乙,A2,13900000002,,不存在街道,某社区,第一网格\n"
            "丙,A3,13900000003,滨江区,不存在街道,某社区,第一网格\n")
    results = run(people["admin"], text)
    assert [r.ok for r in results] == [True, False, True]
    assert "区" in results[1].messages[0] or "District" in results[1].messages[0]
    assert db.session.scalar(select(Area).where(Area.name == "不存在街道")).level == "street"


def test_excel_roster_with_date_cells(people):
    from datetime import datetime

    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "工号", "手机号", "街道", "社区", "网格", "入职日期", "角色"])
    sheet.append(["吴一", "X1", 13700000001, "长青街道", "幸福社区", "第二网格", datetime(2025, 1, 2), "网格员,导师"])
    sheet.append(["吴二", "X2", 13700000002, "长青街道", "幸福社区", "第二网格", None, "校长"])
    data = io.BytesIO()
    book.save(data)
    results = run(people["organizer"], data.getvalue(), "名单.xlsx")
    assert [r.ok for r in results] == [True, False]
    assert db.session.scalar(select(User).where(User.username == "X1")).roles == {"worker", "mentor"}
    assert "校长" in results[1].messages[0]


def test_whole_file_problems():
    import pytest

    with pytest.raises(Refusal, match="工号|Worker number"):
        read_roster("a.csv", "姓名,手机号,街道,社区,网格\n".encode())
    with pytest.raises(Refusal):
        read_roster("a.txt", b"x")
    with pytest.raises(Refusal):
        read_roster("a.xlsx", b"not a zip")


def test_gbk_csv_is_read():
    rows = read_roster("a.csv", (HEADER + "王小明,CQ100,13800000001,长青街道,幸福社区,第一网格,\n").encode("gbk"))
    assert rows[0].values["name"] == "王小明"
