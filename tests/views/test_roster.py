"""Roster import as a background job: row-by-row report in Chinese, bad rows never abort good ones,
lengths checked before the database, each row whole or not at all, passwords sealed until printed once."""
import io
import re
import shutil
import subprocess

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from app.accounts import roster
from app.accounts.roster import read_roster, start_import
from app.accounts.slips import unseal
from app.extensions import db
from app.jobs import runner
from app.models import Area, Job, RosterImport, RosterImportRow, User
from app.refusal import Refusal
from app.security import verify_password
from tests.conftest import csrf_from

HEADER = "姓名,工号,手机号,街道,社区,网格,入职日期\n"


def run(actor, data, filename="roster.csv") -> dict[int, RosterImportRow]:
    """Upload ``data`` as ``actor`` and run the job (JOBS_MODE=sync in tests); the report by line."""
    imp = start_import(actor, filename, data.encode("utf-8") if isinstance(data, str) else data)
    db.session.commit()
    runner.dispatch(imp.job_id)
    db.session.expire_all()
    assert db.session.get(Job, imp.job_id).status == "done"
    return report(imp.id)


def report(import_id: int) -> dict[int, RosterImportRow]:
    rows = db.session.scalars(select(RosterImportRow).where(RosterImportRow.import_id == import_id)).all()
    return {r.line: r for r in rows}


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
    by_line = run(people["organizer"], text)
    assert sorted(line for line, r in by_line.items() if r.ok) == [2, 8]
    assert by_line[3].messages == ["工号 CQ100 与第2行重复"]
    assert "CQ001" in by_line[4].messages[0]
    assert len(by_line[5].messages) == 2 and "手机号" in by_line[5].messages[0] and "入职日期" in by_line[5].messages[1]
    assert "临湖街道" in by_line[6].messages[0]
    assert by_line[7].messages == ["姓名为空"]
    assert by_line[8].created_areas == ["滨江区 / 长青街道 / 新建社区", "滨江区 / 长青街道 / 新建社区 / 第一网格"]
    user = db.session.scalar(select(User).where(User.username == "CQ104"))
    assert user.must_change_password and user.hire_date.isoformat() == "2024-05-06"
    assert user.roles == {"worker"} and user.area.name == "第一网格"
    assert db.session.scalar(select(User).where(User.username == "CQ100")).name == "王小明"


def test_city_admin_needs_district_only_when_street_is_new(people):
    text = ("姓名,工号,手机号,区,街道,社区,网格\n"
            "甲,A1,13900000001,,长青街道,幸福社区,第一网格\n"
            "乙,A2,13900000002,,不存在街道,某社区,第一网格\n"
            "丙,A3,13900000003,滨江区,不存在街道,某社区,第一网格\n")
    by_line = run(people["admin"], text)
    assert [by_line[n].ok for n in (2, 3, 4)] == [True, False, True]
    assert "区" in by_line[3].messages[0]
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
    by_line = run(people["organizer"], data.getvalue(), "名单.xlsx")
    assert [by_line[2].ok, by_line[3].ok] == [True, False]
    user = db.session.scalar(select(User).where(User.username == "X1"))
    assert user.roles == {"worker", "mentor"} and user.phone == "13700000001"
    assert user.hire_date.isoformat() == "2025-01-02"
    assert "校长" in by_line[3].messages[0] and "角色" in by_line[3].messages[0]


def test_over_long_fields_are_row_errors_and_the_others_are_imported(people):
    """A 65-character name or a 101-character grid aborted the whole import on PostgreSQL
    (StringDataRightTruncation); now each is its row's error, named in Chinese, and nothing else is lost."""
    text = HEADER + (
        f"{'张' * 65},L1,13800000011,长青街道,幸福社区,第一网格,\n"
        f"李长格,L2,13800000012,长青街道,幸福社区,{'格' * 101},\n"
        "王正常,L3,13800000013,长青街道,幸福社区,第一网格,\n"
        f"赵电话,L4,{'1' * 40},长青街道,幸福社区,第一网格,\n"
        "钱换行,L5,13800000015,长青街道,\"幸福\n社区\",第一网格,\n"
        f"{'周' * 64},L6,13800000016,长青街道,幸福社区,{'格' * 100},\n"
    )
    by_line = run(people["organizer"], text)
    assert by_line[2].messages == ["姓名长65个字符，最多允许64个"]
    assert by_line[3].messages == ["网格长101个字符，最多允许100个"]
    assert by_line[4].ok
    assert "手机号" in by_line[5].messages[0]
    assert "社区" in by_line[6].messages[0] and "换行" in by_line[6].messages[0]
    assert by_line[8].ok  # the longest lengths the columns hold (line 8: the quoted line break spans two lines)
    assert db.session.scalar(select(func.count(User.id)).where(User.username.in_(["L1", "L2", "L4", "L5"]))) == 0
    assert db.session.scalar(select(func.count(Area.id)).where(Area.name == "格" * 101)) == 0
    assert db.session.scalar(select(User.area_id).where(User.username == "L6")) is not None


def test_garbage_files_are_refused_with_a_clear_message(app_context):
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
    cases = [
        ("a.txt", b"x", "不支持的文件类型"),
        ("a.xlsx", b"not a zip", "不是 Excel"),
        ("a.xlsx", _zip_with("hello.txt", b"hello"), "无法打开"),
        ("a.csv", png, "二进制"),
        ("a.csv", bytes(range(128, 256)) * 20, "既不是 UTF-8"),
        ("a.csv", "姓名,手机号,街道,社区,网格\n".encode(), "工号"),
        ("a.csv", b"", "为空"),
        ("a.csv", "\n\n,,,\n".encode(), "为空"),
    ]
    for filename, data, expected in cases:
        with pytest.raises(Refusal) as refused:
            read_roster(filename, data)
        assert expected in str(refused.value), (filename, str(refused.value))


def _zip_with(name: str, data: bytes) -> bytes:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(name, data)
    return out.getvalue()


def test_gbk_csv_is_read(app_context):
    rows = read_roster("a.csv", (HEADER + "王小明,CQ100,13800000001,长青街道,幸福社区,第一网格,\n").encode("gbk"))
    assert rows[0].values["name"] == "王小明"


def test_row_and_column_limits_are_enforced_while_reading(app, app_context):
    line = "王小明,CQ{n},13800000001,长青街道,幸福社区,第一网格,\n"
    limit = app.config["ROSTER_UPLOAD_MAX_ROWS"]
    assert limit == 10_000
    rows = read_roster("a.csv", (HEADER + "".join(line.format(n=n) for n in range(limit))).encode())
    assert len(rows) == limit
    with pytest.raises(Refusal, match="超过10000行"):
        read_roster("a.csv", (HEADER + "".join(line.format(n=n) for n in range(limit + 1))).encode())
    wide = HEADER.strip() + "," + ",".join(f"备注{n}" for n in range(25)) + "\n"
    with pytest.raises(Refusal, match="第1行超过30列"):
        read_roster("a.csv", wide.encode())
    padded = HEADER.strip() + "," * 40 + "\n" + line.format(n=1)  # empty trailing cells are fine
    assert len(read_roster("a.csv", padded.encode())) == 1


def test_ten_thousand_rows_are_checked_in_the_job(people):
    """10,000 rows through the job's validation path, in batches: every row reported with its line."""
    import time

    text = HEADER + "".join(f"员工{n},W{n:05d},1380000,长青街道,幸福社区,第一网格,\n" for n in range(10_000))
    started = time.perf_counter()
    by_line = run(people["organizer"], text)
    elapsed = time.perf_counter() - started
    assert len(by_line) == 10_000 and not any(r.ok for r in by_line.values())
    assert by_line[10_001].messages == ["手机号 1380000 不是11位手机号码"]
    job = db.session.scalar(select(Job))
    assert (job.done, job.total) == (10_000, 10_000)
    assert elapsed < 60, elapsed


def _bomb(rows: int = 3) -> bytes:
    """A small workbook whose sheet claims <dimension ref="A1:XFD1048576"/> (16,384 × 1,048,576 cells)."""
    import zipfile

    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "工号", "手机号", "街道", "社区", "网格"])
    for n in range(rows - 1):
        sheet.append([f"员工{n}", f"B{n}", f"1380000{n:04d}", "长青街道", "幸福社区", "第一网格"])
    plain = io.BytesIO()
    book.save(plain)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(plain.getvalue())) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data, n = re.subn(rb'<dimension ref="[^"]+"\s*/>', b'<dimension ref="A1:XFD1048576"/>', data)
                assert n == 1
            dst.writestr(item, data)
    return out.getvalue()


def test_dimension_bomb_is_read_in_little_memory_and_time(app_context):
    """The sheet claims A1:XFD1048576: openpyxl padded every row to 16,384 cells and added a million
    empty rows (40 KB upload → 1.1 GB). The reader ignores the claim."""
    import time
    import tracemalloc

    data = _bomb()
    assert b"XFD1048576" in __import__("zipfile").ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    tracemalloc.start()
    started = time.perf_counter()
    try:
        rows = read_roster("bomb.xlsx", data)
        _size, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    elapsed = time.perf_counter() - started
    assert [r.values["worker_number"] for r in rows] == ["B0", "B1"]
    assert peak < 20 * 1024 * 1024, peak
    assert elapsed < 5, elapsed


def test_excel_cells_far_to_the_right_or_below_are_limited(app, app_context, monkeypatch):
    """Data in column AF (32) is refused; a sheet over the row limit is refused."""
    monkeypatch.setitem(app.config, "ROSTER_UPLOAD_MAX_ROWS", 300)
    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "工号", "手机号", "街道", "社区", "网格"])
    sheet.cell(row=2, column=32, value="x")
    data = io.BytesIO()
    book.save(data)
    with pytest.raises(Refusal, match="第2行超过30列"):
        read_roster("a.xlsx", data.getvalue())
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(["姓名", "工号", "手机号", "街道", "社区", "网格"])
    for n in range(301):
        sheet.append([f"员工{n}", f"B{n}", "13800000000", "长青街道", "幸福社区", "第一网格"])
    data = io.BytesIO()
    book.save(data)
    with pytest.raises(Refusal, match="超过300行"):
        read_roster("a.xlsx", data.getvalue())


def test_a_job_killed_midway_leaves_whole_rows_and_resumes(app, people, monkeypatch):
    """The worker dies while the third account is being written (after its new community and grid):
    nothing of that row stays; the two rows before stay whole with their sealed passwords; another
    worker takes the job up once its heartbeat is stale and finishes it without repeating a row."""
    text = HEADER + "".join(f"员工{n},K{n},1380000000{n},长青街道,新社区{n},第一网格,\n" for n in range(5))
    imp = start_import(people["organizer"], "k.csv", text.encode())
    db.session.commit()
    import_id, job_id = imp.id, imp.job_id
    real_create = roster.create_account
    calls = {"n": 0}

    class Killed(BaseException):
        """The process is stopped (SIGKILL, OOM): no handler runs."""

    def dying_create(*args, **kwargs):
        calls["n"] += 1
        created = real_create(*args, **kwargs)  # the user, its roles and new areas are flushed
        if calls["n"] == 3:
            raise Killed()
        return created

    monkeypatch.setattr(roster, "create_account", dying_create)
    with pytest.raises(Killed):
        runner.run_now(job_id)
    db.session.rollback()  # the dead worker's connection: its open transaction is gone
    db.session.expire_all()
    assert set(db.session.scalars(select(User.username).where(User.username.like("K%")))) == {"K0", "K1"}
    assert db.session.scalar(select(func.count(Area.id)).where(Area.name == "新社区2")) == 0
    assert sorted(report(import_id)) == [2, 3]
    job = db.session.get(Job, job_id)
    assert job.status == "running" and job.done == 2

    monkeypatch.setattr(roster, "create_account", real_create)
    assert runner.work(once=True) == 0  # the claim is still fresh: nobody takes it over yet
    monkeypatch.setitem(app.config, "JOBS_STALE_SECONDS", 0)
    assert runner.work(once=True) == 1
    db.session.expire_all()
    job = db.session.get(Job, job_id)
    assert job.status == "done" and job.done == 5 and job.attempts == 2
    rows = report(import_id)
    assert sorted(rows) == [2, 3, 4, 5, 6] and all(r.ok for r in rows.values())
    for row in rows.values():
        password = unseal(row.secret, app.config["SECRET_KEY"])
        assert password not in row.secret
        assert verify_password(row.user.password_hash, password)
    assert db.session.scalar(select(func.count(User.id)).where(User.username.like("K%"))) == 5


def test_parallel_workers_claim_a_job_once(app, people):
    imp = start_import(people["organizer"], "p.csv", (HEADER + "甲,P1,13800000001,长青街道,幸福社区,第一网格,\n").encode())
    db.session.commit()
    assert runner.claim_next("worker-a") == imp.job_id
    assert runner.claim_next("worker-b") is None
    job = db.session.get(Job, imp.job_id)
    assert (job.status, job.claimed_by, job.attempts) == ("running", "worker-a", 1)
    assert runner.run_claimed(imp.job_id, "worker-a") == "done"


def test_flask_jobs_work_runs_queued_imports(app, runner, people, monkeypatch):
    """In production the upload only queues the job; `flask jobs work --once` runs it."""
    from app.jobs import runner as jobs

    monkeypatch.setitem(app.config, "JOBS_MODE", "worker")
    job_id = start_import(people["organizer"], "w.csv",
                          (HEADER + "甲,Q1,13800000001,长青街道,幸福社区,第一网格,\n").encode()).job_id
    db.session.commit()
    jobs.dispatch(job_id)
    assert db.session.get(Job, job_id).status == "queued"
    result = runner.invoke(args=["jobs", "work", "--once"])
    assert result.exit_code == 0, result.output
    assert "1 job(s) run" in result.output
    db.session.expire_all()
    assert db.session.get(Job, job_id).status == "done"
    assert db.session.scalar(select(User).where(User.username == "Q1")) is not None


def _upload(client, text: str, filename: str = "名单.csv"):
    token = csrf_from(client, "/manage/roster")
    return client.post("/manage/roster", data={"csrf_token": token, "file": (io.BytesIO(text.encode()), filename)},
                       content_type="multipart/form-data")


def test_slips_download_once_then_passwords_are_erased(app, client, login, people):
    login("organizer")
    response = _upload(client, HEADER + "王小明,CQ501,13800000001,长青街道,幸福社区,第一网格,\n"
                               "李小红,CQ502,1380000,长青街道,幸福社区,第二网格,\n")
    assert response.status_code == 302
    page_url = response.headers["Location"]
    page = client.get(page_url).get_data(as_text=True)
    assert "已创建1个账号，1行未导入" in page and "手机号 1380000 不是11位手机号码" in page
    assert "下载密码条" in page
    imp = db.session.scalar(select(RosterImport))
    sealed = db.session.scalar(select(RosterImportRow.secret).where(RosterImportRow.ok.is_(True)))
    password = unseal(sealed, app.config["SECRET_KEY"])

    token = csrf_from(client, page_url)
    pdf = client.post(f"{page_url}/slips", data={"csrf_token": token})
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    assert pdf.headers["Cache-Control"] == "no-store"
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-", "-"], input=pdf.data, capture_output=True, check=True).stdout.decode()
        assert "王小明" in text and "CQ501" in text and password in text and "李小红" not in text
    db.session.expire_all()
    assert db.session.scalar(select(func.count(RosterImportRow.id)).where(RosterImportRow.secret.is_not(None))) == 0
    assert db.session.get(RosterImport, imp.id).slips_downloaded_by_id == people["organizer"].id

    again = client.post(f"{page_url}/slips", data={"csrf_token": token}, follow_redirects=True)
    body = again.get_data(as_text=True)
    assert again.status_code == 200 and "已经下载过" in body
    assert "由王立新下载" in body and "下载密码条" not in body


def test_upload_limits_on_the_page(app, client, login, people, monkeypatch):
    login("organizer")
    monkeypatch.setitem(app.config, "ROSTER_UPLOAD_MAX_BYTES", 1000)
    response = _upload(client, HEADER + "王小明,CQ501,13800000001,长青街道,幸福社区,第一网格,\n" * 30)
    assert response.status_code == 200 and "文件大于1 KB" in response.get_data(as_text=True)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 2000)
    response = _upload(client, "x" * 5000)
    assert response.status_code == 413
    assert db.session.scalar(select(func.count(RosterImport.id))) == 0


def test_imports_are_seen_only_within_scope(app, client, login, people):
    login("organizer")
    page_url = _upload(client, HEADER + "王小明,CQ501,13800000001,长青街道,幸福社区,第一网格,\n").headers["Location"]
    imp_id = db.session.scalar(select(RosterImport.id))
    client.post("/logout", data={"csrf_token": csrf_from(client, "/")})
    login("linhu_org")
    assert client.get(page_url).status_code == 404
    assert client.get(f"{page_url}/status.json").status_code == 404
    assert client.post(f"{page_url}/slips", data={"csrf_token": csrf_from(client, "/manage/roster")}).status_code == 404
    assert "王小明" not in client.get("/manage/roster").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_from(client, "/")})
    login("admin")  # the city's admin sees the street's import
    assert client.get(f"/manage/roster/imports/{imp_id}/status.json").get_json()["status"] == "done"
    client.post("/logout", data={"csrf_token": csrf_from(client, "/")})
    login("worker")
    assert client.get(page_url).status_code == 403


def test_templates_have_chinese_headers_and_read_back(client, login, people):
    login("organizer")
    page = client.get("/manage/roster").get_data(as_text=True)
    assert "/manage/roster/template.xlsx" in page and "/manage/roster/template.csv" in page
    csv_file = client.get("/manage/roster/template.csv")
    assert csv_file.data.startswith("\ufeff".encode())
    assert csv_file.data.decode("utf-8-sig").splitlines()[0] == "姓名,工号,手机号,区,街道,社区,网格,入职日期,角色"
    xlsx = client.get("/manage/roster/template.xlsx")
    for name, data in (("t.csv", csv_file.data), ("t.xlsx", xlsx.data)):
        rows = read_roster(name, data)
        assert len(rows) == 1 and rows[0].values["name"] == "王小明" and rows[0].values["phone"] == "13800000001"
        assert rows[0].values["hire_date"] == "2026-09-01"


def test_competition_enrolment_reads_rosters_within_the_same_limits(app, people):
    from app.compete.service import chosen_people

    found, missing = chosen_people(people["organizer"], "roster", people=[], area_id=None, hired=None,
                                   roster=("bomb.xlsx", _bomb()))
    assert found == [] and missing == ["B0", "B1"]
    big = "工号\n" + "".join(f"N{n}\n" for n in range(10_001))
    with pytest.raises(Refusal, match="超过10000行"):
        chosen_people(people["organizer"], "roster", people=[], area_id=None, hired=None, roster=("a.csv", big.encode()))


def test_an_account_made_one_by_one_gets_a_printable_slip(client, login, people, areas):
    login("organizer")
    token = csrf_from(client, "/manage/users/new")
    page = client.post("/manage/users/new", data={
        "csrf_token": token, "name": "新同事", "username": "CQ200", "worker_number": "CQ200",
        "phone": "13800000009", "area": areas["grid1"].id, "roles": ["worker"]}).get_data(as_text=True)
    assert 'class="card slip"' in page and "网格学院账号密码条" in page and "新同事" in page
    assert "data-print" in page and "/static/print.js" in page and "<script>" not in page
    password = re.search(r'<code class="password">([^<]+)</code>', page).group(1)
    user = db.session.scalar(select(User).where(User.username == "CQ200"))
    assert verify_password(user.password_hash, password)


def test_a_job_that_fails_says_so_and_keeps_what_was_done(app, client, login, people, monkeypatch):
    real_resolve = roster.resolve_grid
    calls = {"n": 0}

    def failing_resolve(actor, v):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        return real_resolve(actor, v)

    monkeypatch.setattr(roster, "resolve_grid", failing_resolve)
    login("organizer")
    response = _upload(client, HEADER + "王小明,F1,13800000001,长青街道,幸福社区,第一网格,\n"
                               "李小红,F2,13800000002,长青街道,幸福社区,第二网格,\n")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "导入未能完成：服务器出错（RuntimeError: disk full）" in page
    assert "下载密码条" in page  # the account made before the failure has its slip
    job = db.session.scalar(select(Job))
    assert job.status == "failed" and job.done == 1
    assert db.session.scalar(select(func.count(User.id)).where(User.username.in_(["F1", "F2"]))) == 1


def test_a_queued_import_says_it_waits_for_the_worker(app, client, login, people, monkeypatch):
    monkeypatch.setitem(app.config, "JOBS_MODE", "worker")
    login("organizer")
    page_url = _upload(client, HEADER + "王小明,CQ501,13800000001,长青街道,幸福社区,第一网格,\n").headers["Location"]
    page = client.get(page_url).get_data(as_text=True)
    assert 'id="job-bar"' in page and "正在等待后台任务开始导入" in page and "/static/job-progress.js" in page
    assert client.get(f"{page_url}/status.json").get_json() == {
        "id": db.session.scalar(select(Job.id)), "status": "queued", "done": 0, "total": 1, "finished": False,
        "failed": False}
