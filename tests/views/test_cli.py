"""flask content check|sync, flask demo create, flask users create-admin; config refusals."""
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app import ConfigError, create_app
from app.extensions import db
from app.models import ContentSync, Course, Lesson, User

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def content_copy(app, tmp_path):
    """A private copy of courses/ the test may break; restored config afterwards."""
    target = tmp_path / "courses"
    shutil.copytree(ROOT / "courses", target)
    shutil.copytree(ROOT / "questions", tmp_path / "questions")
    old = app.config["CONTENT_DIR"], app.config["QUESTIONS_DIR"]
    app.config["CONTENT_DIR"], app.config["QUESTIONS_DIR"] = str(target), str(tmp_path / "questions")
    yield target
    app.config["CONTENT_DIR"], app.config["QUESTIONS_DIR"] = old


def test_check_passes_on_shipped_content(runner):
    result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 0, result.output
    assert "courses" in result.output


def test_check_names_file_field_and_problem(runner, content_copy):
    yaml_path = content_copy / "onboarding-policy" / "course.yaml"
    yaml_path.write_text(yaml_path.read_text(encoding="utf-8").replace("tier: onboarding", "tier: monthly"),
                         encoding="utf-8")
    (content_copy / "annual-policy" / "lessons" / "02-explaining-policy-to-residents.md").unlink()
    result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 1
    assert "courses/onboarding-policy/course.yaml: tier: unknown tier 'monthly'" in result.output
    assert "courses/annual-policy/course.yaml: lessons[1]: file lessons/02-explaining-policy-to-residents.md " \
           "not found" in result.output


def test_sync_is_idempotent_and_keeps_progress_on_change(runner, content_copy, people):
    from app.learn.progress import mark_done

    assert runner.invoke(args=["content", "sync"]).exit_code == 0
    counts = (db.session.scalar(select(func.count(Course.id))), db.session.scalar(select(func.count(Lesson.id))))
    result = runner.invoke(args=["content", "sync"])
    assert "no changes" in result.output
    assert (db.session.scalar(select(func.count(Course.id))),
            db.session.scalar(select(func.count(Lesson.id)))) == counts
    assert db.session.scalar(select(func.count(ContentSync.id))) == 1

    lesson = db.session.scalar(select(Lesson).where(Lesson.slug == "01-grid-and-duties"))
    mark_done(people["worker"], lesson)
    db.session.commit()
    old_hash = lesson.content_hash
    path = content_copy / "onboarding-governance" / "lessons" / "01-grid-and-duties.md"
    path.write_text(path.read_text(encoding="utf-8") + "\n补充一段。\n", encoding="utf-8")
    result = runner.invoke(args=["content", "sync"])
    assert "lessons_updated=1" in result.output
    db.session.expire_all()
    assert lesson.content_hash != old_hash
    assert db.session.scalar(select(func.count(ContentSync.id))) == 2

    shutil.rmtree(content_copy / "topical-special-groups")
    result = runner.invoke(args=["content", "sync"])
    assert result.exit_code == 1 and "unknown course id 'topical-special-groups'" in result.output  # a bank uses it
    for path in (content_copy.parent / "questions").rglob("*.yaml"):
        if "topical-special-groups" in path.read_text(encoding="utf-8"):
            path.unlink()
    result = runner.invoke(args=["content", "sync"])
    assert "courses_deactivated=1" in result.output
    assert not db.session.scalar(select(Course).where(Course.slug == "topical-special-groups")).active


def test_sync_refuses_bad_content_and_changes_nothing(runner, content_copy):
    (content_copy / "onboarding-policy" / "course.yaml").write_text("id: [broken\n", encoding="utf-8")
    result = runner.invoke(args=["content", "sync"])
    assert result.exit_code == 1
    assert "courses/onboarding-policy/course.yaml: line" in result.output
    assert db.session.scalar(select(func.count(Course.id))) == 0


def test_demo_create_twice(runner, content):
    assert runner.invoke(args=["demo", "create"]).exit_code == 0
    count = db.session.scalar(select(func.count(User.id)))
    assert runner.invoke(args=["demo", "create"]).exit_code == 0
    assert db.session.scalar(select(func.count(User.id))) == count
    names = set(db.session.scalars(select(User.username)))
    assert {"worker", "mentor", "organizer", "admin"} <= names


def test_demo_refused_in_production(app, runner):
    app.config["ALLOW_DEMO_ACCOUNTS"] = False
    try:
        result = runner.invoke(args=["demo", "create"])
    finally:
        app.config["ALLOW_DEMO_ACCOUNTS"] = True
    assert result.exit_code == 1 and "refused" in result.output


def test_create_admin(runner):
    result = runner.invoke(args=["users", "create-admin", "chief", "--city", "江城市"],
                           input="Chief2026x\nChief2026x\n")
    assert result.exit_code == 0, result.output
    chief = db.session.scalar(select(User).where(User.username == "chief"))
    assert chief.roles == {"admin", "organizer"} and chief.area.level == "city" and chief.must_change_password


@pytest.mark.parametrize("key", [None, "dev-only-not-secret", "short"])
def test_production_refuses_weak_secret_key(key, monkeypatch):
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app("production", SECRET_KEY=key, SQLALCHEMY_DATABASE_URI="sqlite://")


def test_production_starts_with_a_real_key():
    app = create_app("production", SECRET_KEY="Vq8#mT2!rZ6@kW4$pL9^nB3&", SQLALCHEMY_DATABASE_URI="sqlite://",
                     XAPI_BASE="https://training.jiangcheng.gov.cn/xapi")
    assert not app.config["ALLOW_DEMO_ACCOUNTS"]


def test_environment_overrides_settings(monkeypatch):
    import importlib

    import config

    monkeypatch.setenv("TRAINING_HOURS_PER_DAY", "7.5")
    monkeypatch.setenv("DATABASE_URL", "sqlite:///elsewhere.db")
    reloaded = importlib.reload(config)
    try:
        assert reloaded.DevelopmentConfig.TRAINING_HOURS_PER_DAY == 7.5
        assert reloaded.DevelopmentConfig.SQLALCHEMY_DATABASE_URI == "sqlite:///elsewhere.db"
    finally:
        monkeypatch.undo()
        importlib.reload(config)
