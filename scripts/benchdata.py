"""Shared by the benchmark scripts: a realistic area tree and a city-level organizer."""
from __future__ import annotations


def area_tree_and_organizer(password: str):
    """江城市 with 4 districts × 5 streets × 4 communities × 2 grids (160 grids) and a city organizer.

    Returns (organizer, grids, password hash). Call inside an app context; the caller commits.
    """
    from app.accounts.areas import create_area
    from app.extensions import db
    from app.models import User
    from app.security import hash_password

    city = create_area("江城市", "city")
    grids = []
    for d in range(4):
        district = create_area(f"第{d + 1}区", "district", city)
        for s in range(5):
            street = create_area(f"第{d + 1}区第{s + 1}街道", "street", district)
            for c in range(4):
                community = create_area(f"社区{c + 1}", "community", street)
                grids += [create_area(f"网格{g + 1}", "grid", community) for g in range(2)]
    hashed = hash_password(password)
    organizer = User(username="bench-organizer", name="组织者", area=city, password_hash=hashed,
                     must_change_password=False)
    organizer.set_roles({"organizer"})
    db.session.add(organizer)
    db.session.flush()
    return organizer, grids, hashed
