"""The course checker: every problem names file, field and what is wrong; good content loads."""
from pathlib import Path

import pytest

from app.content.courses import lessons_without_check, load_competency_model, load_courses
from app.quiz.bank import load_banks

ROOT = Path(__file__).resolve().parents[2]
IDS = {"policy.learning", "comm.residents"}


def write_course(root: Path, folder: str, yaml_text: str, lessons: dict[str, str] | None = None) -> Path:
    course = root / folder
    (course / "lessons").mkdir(parents=True)
    (course / "course.yaml").write_text(yaml_text, encoding="utf-8")
    for name, body in (lessons or {}).items():
        (course / name).write_text(body, encoding="utf-8")
    return course


GOOD = """id: demo
title: 示例课程
tier: onboarding
hours: 6
summary: 一门示例课程。
indicators: [policy.learning]
lessons:
  - file: lessons/01.md
    hours: 2
  - file: lessons/02.md
  - file: lessons/03.md
"""
LESSONS = {f"lessons/0{i}.md": f"# 第{i}课\n\n正文。\n" for i in (1, 2, 3)}


def errors_for(tmp_path, yaml_text, lessons=LESSONS, folder="demo"):
    root = tmp_path / "courses"
    write_course(root, folder, yaml_text, lessons)
    courses, errors = load_courses(root, IDS)
    return courses, errors


def test_good_course_loads_with_hours_shared(tmp_path):
    courses, errors = errors_for(tmp_path, GOOD)
    assert errors == []
    (course,) = courses
    assert [lesson.title for lesson in course.lessons] == ["第1课", "第2课", "第3课"]
    assert [lesson.hours for lesson in course.lessons] == [2, 2, 2]
    assert course.content_hash and course.lessons[0].slug == "01"


@pytest.mark.parametrize("change, expected", [
    (("tier: onboarding", "tier: weekly"), "courses/demo/course.yaml: tier: unknown tier 'weekly'"),
    (("  - file: lessons/03.md", "  - file: lessons/04.md"),
     "courses/demo/course.yaml: lessons[2]: file lessons/04.md not found"),
    (("hours: 6", "hours: -1"), "courses/demo/course.yaml: hours: must be a positive number"),
    (("title: 示例课程\n", ""), "courses/demo/course.yaml: title: required text is missing"),
    (("id: demo", "id: other"), "courses/demo/course.yaml: id: 'other' must equal the folder name 'demo'"),
    (("indicators: [policy.learning]", "indicators: [policy.nope]"),
     "courses/demo/course.yaml: indicators[0]: unknown indicator id 'policy.nope'"),
    (("summary:", "sumary: x\nsummary:"), "courses/demo/course.yaml: sumary: unknown field"),
    (("hours: 2", "hours: 9"), "lesson hours add up to 9, more than the course's 6"),
    (("lessons/01.md\n", "../../etc/passwd.md\n"), "lies outside the course folder"),
    (("tier: onboarding", "tier: onboarding\ntier: annual"), "courses/demo/course.yaml: line 4: YAML error: duplicate key 'tier'"),
    (("title: 示例课程", "title: [unclosed"), "courses/demo/course.yaml: line"),
])
def test_each_problem_is_named(tmp_path, change, expected):
    old, new = change
    assert old in GOOD
    courses, errors = errors_for(tmp_path, GOOD.replace(old, new, 1))
    assert courses == []
    assert any(expected in e for e in errors), errors


def test_lesson_without_title_line(tmp_path):
    lessons = dict(LESSONS, **{"lessons/02.md": "没有标题的课时\n"})
    _courses, errors = errors_for(tmp_path, GOOD, lessons)
    assert errors == ["courses/demo/course.yaml: lessons[1]: file lessons/02.md: the first line must be the "
                      "lesson title ('# 标题')"]


def test_folder_without_course_yaml(tmp_path):
    root = tmp_path / "courses"
    (root / "empty").mkdir(parents=True)
    assert load_courses(root, IDS)[1] == ["courses/empty: course.yaml not found"]


def test_shipped_content_is_valid_and_substantial():
    indicators, errors = load_competency_model(ROOT / "courses")
    assert errors == [] and len(indicators) == 10
    assert len({i.group_id for i in indicators}) == 5
    courses, errors = load_courses(ROOT / "courses", {i.id for i in indicators})
    assert errors == []
    tiers = {c.tier for c in courses}
    assert tiers == {"onboarding", "annual", "topical"}
    lessons = [lesson for c in courses for lesson in c.lessons]
    assert len(lessons) >= 20
    for lesson in lessons:  # a real lesson with a worked case, not a paragraph
        assert len(lesson.body) > 1500, lesson.file
        assert "## 案例" in lesson.body, lesson.file
    onboarding_hours = sum(c.hours for c in courses if c.tier == "onboarding")
    annual_hours = sum(c.hours for c in courses if c.tier == "annual")
    assert onboarding_hours >= 5 * 6 and annual_hours >= 5 * 6  # one week / five days at 6 h a day


def test_lessons_without_check_questions_are_named(tmp_path):
    courses, errors = errors_for(tmp_path, GOOD)
    assert errors == []
    problems = lessons_without_check(courses, {"demo/01", "demo/03", "demo", "other/02"})
    assert problems == ["courses/demo/course.yaml: lessons[1]: no check question (no bank question has source: "
                        "demo/02); a lesson without one cannot credit hours"]
    assert lessons_without_check(courses, {"demo/01", "demo/02", "demo/03"}) == []


def test_every_required_lesson_has_check_questions():
    """Each lesson's check is drawn from the bank questions whose source is that lesson; the onboarding
    and annual-rotation hours are required, so each of their lessons needs at least a full set (two)."""
    indicators, _errors = load_competency_model(ROOT / "courses")
    ids = {i.id for i in indicators}
    courses, _errors = load_courses(ROOT / "courses", ids)
    banks, errors = load_banks(ROOT / "questions", ids, {c.slug: [lesson.slug for lesson in c.lessons] for c in courses})
    assert errors == []
    sources = [q.source for bank in banks for q in bank.questions if q.source]
    required = [c for c in courses if c.tier in ("onboarding", "annual")]
    assert len(required) >= 7
    assert lessons_without_check(required, set(sources)) == []
    for course in required:
        for lesson in course.lessons:
            assert sources.count(f"{course.slug}/{lesson.slug}") >= 2, lesson.file
