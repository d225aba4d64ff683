"""The one scope helper: managers see and manage only people at or below their area node."""
from sqlalchemy import select

from app.extensions import db
from app.models import User
from app.scope import can_manage_area, can_manage_user, scope_areas, scope_users


def names(actor):
    return sorted(u.username for u in db.session.scalars(scope_users(actor)))


def test_street_organizer_sees_only_their_street(people):
    assert names(people["organizer"]) == ["mentor", "organizer", "worker"]
    assert names(people["other_organizer"]) == ["linhu1", "linhu_org"]


def test_city_level_sees_everyone(people):
    assert names(people["admin"]) == sorted(u.username for u in db.session.scalars(select(User)))


def test_can_manage_user_follows_the_tree(people):
    org, other = people["organizer"], people["other_organizer"]
    assert can_manage_user(org, people["worker"])
    assert not can_manage_user(org, people["other_worker"])
    assert not can_manage_user(other, people["worker"])
    assert not can_manage_user(people["worker"], people["mentor"])  # workers manage nobody


def test_manager_without_area_sees_nobody(people, make_user):
    lost = make_user("lost", ("organizer",), None)
    assert names(lost) == []


def test_scope_areas_and_prefix_trap(areas, make_user):
    from app.accounts.areas import create_area

    # ids 1 and 10+ share a textual prefix: '/1/' must never match '/10/'.
    for i in range(12):
        create_area(f"额外街道{i}", "street", areas["district"])
    db.session.commit()
    org = make_user("o", ("organizer",), areas["changqing"])
    shown = {a.name for a in db.session.scalars(scope_areas(org))}
    assert shown == {"长青街道", "幸福社区", "第一网格", "第二网格"}
    assert can_manage_area(org, areas["grid1"]) and not can_manage_area(org, areas["linhu"])
