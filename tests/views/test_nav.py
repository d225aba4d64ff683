"""The menu is grouped (培训, 测评, 知识库, 人员, 设置): a group with two or more entries the person may
open is one drop-down, a lone entry a plain link; nobody sees an entry their roles do not allow."""
import re


def menu(page: str) -> str:
    return page.split('<nav class="wide-nav">', 1)[1].split("</nav>", 1)[0]


def groups(page: str) -> dict[str, list[str]]:
    return {label: re.findall(r'<a href="[^"]+">([^<]+)</a>', body) for label, body in
            re.findall(r'<details class="nav-group"><summary>([^<]+)</summary>(.*?)</details>', menu(page), re.S)}


def test_organizer_menu_is_grouped_and_short(client, login, people):
    login("organizer")
    page = client.get("/").get_data(as_text=True)
    found = groups(page)
    assert {"培训", "测评", "知识库", "人员"} <= set(found)
    assert "花名册" in "".join(found["人员"]) or "导入花名册" in found["人员"]
    top = re.sub(r"<details.*?</details>", "", menu(page), flags=re.S)
    assert len(re.findall(r"<a ", top)) + len(found) <= 9  # fits one line at 1280 px


def test_worker_menu_has_no_manager_entries(client, login, people):
    login("worker")
    page = client.get("/").get_data(as_text=True)
    found = groups(page)
    assert "人员" not in found and "导入花名册" not in menu(page)
    assert "修改密码" in menu(page) and "设置" not in found  # a lone entry stays a plain link
    assert 'class="nav-heading"' in page  # the phone menu shows the same groups as headings
