"""Browser tests: Playwright drives Debian's /usr/bin/chromium against a live server in a thread.

One browser for the whole session (pytest-playwright's ``browser``); each test gets a fresh page.
Failures leave a screenshot in ``test-artifacts/`` (see ``--screenshot`` in pyproject.toml).
"""
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if Path(item.fspath).is_relative_to(here):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM,
            "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]}


@pytest.fixture
def phone(page):
    """A 360 px wide page, as on the phones most grid workers use."""
    page.set_viewport_size({"width": 360, "height": 740})
    return page


def assert_fits_width(page, width=360):
    overflow = page.evaluate("document.documentElement.scrollWidth")
    assert overflow <= width, f"page is {overflow}px wide on a {width}px screen"


def log_in(page, base: str, username: str, password: str = "pass1234") -> None:
    """Log in through the form as a person does (after dropping any earlier session)."""
    page.context.clear_cookies()
    page.goto(base + "/login")
    page.get_by_label("登录名或工号").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def answer_quiz(page, attempt, right=lambda row: True) -> None:
    """Tick or type the right answer to each question of ``attempt`` for which ``right(row)`` holds,
    leave the others blank, and submit the quiz."""
    from playwright.sync_api import expect

    from app.quiz.service import right_answer

    for row in attempt.answers:
        if not right(row):
            continue
        fieldset = page.locator(f"fieldset[data-answer-id='{row.id}']")
        value = right_answer(row)  # the attempt's option tokens, as the page carries them
        if row.spec["type"] == "fill":
            fieldset.get_by_role("textbox").fill(value)
        else:
            for option_id in value if isinstance(value, list) else [value]:
                fieldset.locator(f"input[value='{option_id}']").check()
    if not all(right(row) for row in attempt.answers):  # blanks left: the page asks "还有N道题未作答…"
        page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="提交测验").click()
    expect(page.locator("#result")).to_be_visible()
