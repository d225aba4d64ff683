"""Managing people within scope: a street's organizer never sees or edits another street's workers."""
import io

from sqlalchemy import select

from app.extensions import db
from app.models import User
from tests.conftest import csrf_from


def test_people_list_is_scoped(client, people, login):
    login("organizer")
    page = client.get("/manage/users").get_data(as_text=True)
    assert "张晓梅" in page and "李建国" in page
    assert "周婷" not in page  # 临湖街道's worker
    page = client.get("/manage/users?q=周婷").get_data(as_text=True)
    assert ">周婷</a>" not in page and "0" in page


def test_other_streets_worker_cannot_be_opened_or_reset(client, people, login):
    login("organizer")
    other = people["other_worker"]
    assert client.get(f"/manage/users/{other.id}").status_code == 404
    token = csrf_from(client, "/manage/users")
    before = other.password_hash
    assert client.post(f"/manage/users/{other.id}/reset-password", data={"csrf_token": token}).status_code == 404
    db.session.refresh(other)
    assert other.password_hash == before


def test_organizer_cannot_edit_admin(client, people, login, make_user, areas):
    boss = make_user("boss", ("admin",), areas["changqing"])
    login("organizer")
    assert client.get(f"/manage/users/{boss.id}").status_code == 404


def test_create_account_shows_one_time_password(client, people, areas, login):
    login("organizer")
    token = csrf_from(client, "/manage/users/new")
    page = client.post("/manage/users/new", data={
        "csrf_token": token, "name": "新同事", "username": "CQ200", "worker_number": "CQ200",
        "phone": "13800000009", "area": areas["grid1"].id, "roles": ["worker"],
    }).get_data(as_text=True)
    user = db.session.scalar(select(User).where(User.username == "CQ200"))
    assert user is not None and user.must_change_password
    assert 'class="password"' in page


def test_create_account_errors_keep_input_and_name_the_field(client, people, areas, login):
    login("organizer")
    token = csrf_from(client, "/manage/users/new")
    page = client.post("/manage/users/new", data={
        "csrf_token": token, "name": "新同事", "username": "worker", "phone": "123",
        "area": areas["grid1"].id, "roles": ["worker"],
    }).get_data(as_text=True)
    assert 'value="新同事"' in page
    assert "11" in page  # the phone problem is named
    assert db.session.scalar(select(User).where(User.name == "新同事")) is None


def test_organizer_cannot_place_account_outside_scope_or_grant_admin(client, people, areas, login):
    login("organizer")
    token = csrf_from(client, "/manage/users/new")
    for data in ({"area": areas["lh_grid"].id, "roles": ["worker"]},
                 {"area": areas["grid1"].id, "roles": ["admin"]}):
        response = client.post("/manage/users/new", data={"csrf_token": token, "name": "x", "username": "xx", **data})
        assert response.status_code == 200
        assert db.session.scalar(select(User).where(User.username == "xx")) is None


def test_roster_upload_reports_each_row(client, people, login):
    login("organizer")
    token = csrf_from(client, "/manage/roster")
    csv = ("姓名,工号,手机号,街道,社区,网格\n"
           "王小明,CQ300,13800000001,长青街道,幸福社区,第一网格\n"
           "李四,CQ001,13800000002,长青街道,幸福社区,第一网格\n")
    page = client.post("/manage/roster", data={"csrf_token": token,
                                                "file": (io.BytesIO(csv.encode()), "roster.csv")},
                       content_type="multipart/form-data", follow_redirects=True).get_data(as_text=True)
    assert 'id="report"' in page and "CQ300" in page and "CQ001" in page  # the job ran at once (JOBS_MODE=sync)
    assert db.session.scalar(select(User).where(User.username == "CQ300")) is not None


def test_roster_bad_file_type_is_named(client, people, login):
    login("organizer")
    token = csrf_from(client, "/manage/roster")
    page = client.post("/manage/roster", data={"csrf_token": token, "file": (io.BytesIO(b"x"), "roster.pdf")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert ".csv" in page and 'id="report"' not in page


def test_admin_adds_renames_and_deletes_areas(client, people, areas, login):
    from app.models import Area

    login("admin")
    token = csrf_from(client, "/manage/areas")
    client.post("/manage/areas", data={"csrf_token": token, "parent": areas["xingfu"].id, "name": "第三网格"})
    grid = db.session.scalar(select(Area).where(Area.name == "第三网格"))
    assert grid.level == "grid" and grid.path.startswith(areas["xingfu"].path)
    page = client.post("/manage/areas", data={"csrf_token": token, "parent": areas["xingfu"].id,
                                              "name": "第三网格"}).get_data(as_text=True)
    assert "第三网格" in page  # duplicate name refused with a message
    client.post(f"/manage/areas/{grid.id}/rename", data={"csrf_token": token, "name": "第三网格(新)"})
    db.session.refresh(grid)
    assert grid.name == "第三网格(新)"
    client.post(f"/manage/areas/{areas['grid1'].id}/delete", data={"csrf_token": token})
    assert db.session.get(Area, areas["grid1"].id) is not None  # people belong to it: refused
    grid_id = grid.id
    client.post(f"/manage/areas/{grid_id}/delete", data={"csrf_token": token})
    assert db.session.get(Area, grid_id) is None
