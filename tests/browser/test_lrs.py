"""An admin finds out why statements are not in the Learning Record Store and queues the refused
ones again once the cause is fixed (issue 18 item 5)."""
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import XapiOutbox
from app.profile import lrs
from tests.browser.conftest import log_in
from tests.lrs.fake_store import FakeStore, Served
from tests.views.test_lrs import _queue


def test_admin_reads_why_and_queues_again(live_server, page, app, people):
    store = FakeStore()
    served = Served(store)
    try:
        url = f"http://127.0.0.1:{served.port}/xapi"
        rows = _queue(6, bad={2})
        send = lrs.http_sender(url, store.username, store.password)
        lrs.send_pending(send, 8)                      # one refused (dotted keys), five sent
        store.answer = 503
        more = _queue(9)[6:]                           # three more while the store is down
        lrs.send_pending(send, 8)
        db.session.commit()
    finally:
        served.stop()
    refused = rows[2]

    log_in(page, live_server, "admin")
    page.goto(live_server + "/profile/lrs")
    expect(page.locator("#refused-count")).to_contain_text("1")
    expect(page.locator("#waiting-count")).to_contain_text("3")
    expect(page.locator("#next-try")).to_contain_text("再次尝试发送")
    row = page.locator(f"#row-{refused.id}")
    expect(row).to_contain_text("被LRS拒收 (HTTP 422)")
    expect(row).to_contain_text("仅在重新排队后重试")
    row.locator("summary").click()                     # the store's whole answer
    expect(row.locator("pre")).to_be_visible()
    expect(row.locator("pre")).to_contain_text("elasticsearch-incompatible key: '.' in")
    for waiting in more:
        line = page.locator(f"#row-{waiting.id}")
        expect(line).to_contain_text("重试中")
        expect(line).to_contain_text("HTTP 503")

    page.get_by_role("button", name="将被拒收和发送失败的记录重新排队").click()
    expect(page.locator(".flash-success")).to_contain_text("已将 1 条")
    expect(page.locator(f"#row-{refused.id}")).to_contain_text("尚未发送")
    db.session.expire_all()
    assert db.session.scalar(select(XapiOutbox.status).where(XapiOutbox.id == refused.id)) == "pending"
