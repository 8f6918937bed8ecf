"""The coordinator's pages in headless Chromium, as a coordinator and a supervisor use them: an outlet file with
Chinese channel names and "7:00" times is previewed (its bad row named in Chinese) and imported; a change set is
made on the form (a new outlet placed on the map, a closure, a polygon drawn around an outlet and handed to another
rep); its diff reads as dates, names and HH:MM; the supervisor publishes the draft. Its own database and server:
publishing changes the office's plan, which the other browser tests read. Screenshots at phone and desktop size."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support.wait import WebDriverWait
from sqlmodel import Session, select

from service.access.tokens import create_token
from service.core import db
from service.core.i18n import messages
from service.core.tables import Supervisor
from tests.browser.conftest import WAIT_S, environ_without_base_map, published_office, serve
from tests.browser.page_checks import check_page

SIZES = {"phone": (390, 844), "desktop": (1400, 900)}
HEADER = "customer_code,name,address,channel,lon,lat,service_min,visits_per_cycle,rep_code," + ",".join(
    f"hours_{d}" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
)


def outlet_line(code: str, name: str, channel: str, lon: float, lat: float) -> str:
    return f"{code},{name},上海市闵行区七宝镇,{channel},{lon},{lat},8,4,TINY-R01," + ",".join(["7:00-21:00"] * 7)


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    url = f"sqlite:///{tmp_path_factory.mktemp('coordinator-db') / 'routeplan.db'}"
    office_id, plan_id, _ = published_office(url)
    engine = db.make_engine(url)
    with Session(engine) as session:
        _, coordinator = create_token(session, role="coordinator", name="css", office_id=office_id)
        supervisor_id = session.exec(select(Supervisor.id).where(Supervisor.office_id == office_id)).first()
        _, supervisor = create_token(
            session, role="supervisor", name="主任", office_id=office_id, supervisor_id=supervisor_id
        )
        session.commit()
    engine.dispose()
    with serve(url, environ_without_base_map()) as base_url:
        yield {"base_url": base_url, "plan_id": plan_id, "coordinator": coordinator, "supervisor": supervisor}


def screenshot(browser, folder: Path, name: str) -> None:
    for size, (width, height) in SIZES.items():
        browser.set_window_size(width, height)
        browser.execute_script("window.scrollTo(0, 0)")
        browser.save_screenshot(str(folder / f"{name}-{size}.png"))
        assert browser.execute_script("return document.documentElement.scrollWidth <= window.innerWidth"), (name, size)
    browser.set_window_size(*SIZES["desktop"])


def text_of(browser, element_id: str) -> str:
    return browser.find_element(By.ID, element_id).text


def click_map(browser, element, dx: int, dy: int) -> None:
    """A click `dx`, `dy` pixels from the centre of the map element (scrolled into view: choosing in the form's
    lists scrolls the page)."""
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    ActionChains(browser).move_to_element_with_offset(element, dx, dy).click().perform()


def test_a_coordinator_imports_submits_a_change_set_and_the_supervisor_publishes(
    browser, office, screenshots, tmp_path
):
    zh = messages("zh-CN")
    base = office["base_url"]
    browser.delete_all_cookies()

    # the import: a bad row (an unknown channel) is named in Chinese and nothing can be imported
    bad = tmp_path / "售点.csv"
    bad.write_text(
        "\n".join(
            [
                HEADER,
                outlet_line("NEW-01", "利民小卖部", "小卖部", 121.3512, 31.1561),
                outlet_line("NEW-02", "鲜花店", "花店", 121.3522, 31.1571),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    browser.get(f"{base}/outlets/import/page?token={office['coordinator']}")
    assert zh["master_data.import_title"].split("—")[0].strip() in browser.find_element(By.TAG_NAME, "h1").text
    browser.find_element(By.ID, "file").send_keys(str(bad))
    browser.find_element(By.ID, "preview-button").click()
    WebDriverWait(browser, WAIT_S).until(lambda b: text_of(b, "summary"))
    assert text_of(browser, "summary") == "1 行有错误，未导入任何数据"
    assert text_of(browser, "problems").startswith("第 3 行「渠道」：未知渠道")
    rows = browser.find_elements(By.CSS_SELECTOR, "#rows tbody tr")
    assert [r.find_element(By.TAG_NAME, "th").text for r in rows] == ["2", "3"]
    assert "bad-row" in rows[1].get_attribute("class")
    assert not browser.find_element(By.ID, "import-button").is_enabled()
    screenshot(browser, screenshots, "coordinator-import-preview")

    good = tmp_path / "outlets.csv"
    good.write_text(HEADER + "\n" + outlet_line("NEW-01", "利民小卖部", "小卖部", 121.3512, 31.1561) + "\n")
    browser.find_element(By.ID, "file").send_keys(str(good))
    browser.find_element(By.ID, "preview-button").click()
    WebDriverWait(browser, WAIT_S).until(lambda b: b.find_element(By.ID, "import-button").is_enabled())
    browser.find_element(By.ID, "import-button").click()
    WebDriverWait(browser, WAIT_S).until(lambda b: text_of(b, "result"))
    assert text_of(browser, "result") == "已导入 1 行：新增 1 个售点，更新 0 个。"

    # the change-set form: a new outlet placed on the map, a closure, a polygon around an outlet moved to TINY-R02
    browser.get(f"{base}/line-cleanup/page")
    the_map = browser.find_element(By.ID, "change-map")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", the_map)
    browser.find_element(By.ID, "new-code").send_keys("NEW-MAP")
    browser.find_element(By.ID, "new-name").send_keys("七宝新开便利店")
    browser.find_element(By.CSS_SELECTOR, '#new-channel option[value="convenience"]').click()
    click_map(browser, the_map, 30, 40)
    WebDriverWait(browser, WAIT_S).until(lambda b: "," in text_of(b, "new-position"))
    browser.find_element(By.ID, "add-outlet").click()
    browser.find_element(By.CSS_SELECTOR, '#closures option[value="SH0900012"]').click()

    # a square of 40 px around the outlet SH0900001 (TINY-R01's), drawn with Leaflet.draw's polygon tool
    target = browser.execute_script(
        "const m = document.querySelectorAll('#change-map path.leaflet-interactive');"
        "const codes = JSON.parse(document.getElementById('page-data').textContent).outlets.map((o) => o.code);"
        "const box = m[codes.indexOf('SH0900001')].getBoundingClientRect();"
        "const map = document.getElementById('change-map').getBoundingClientRect();"
        "return [box.left + box.width / 2 - map.left - map.width / 2,"
        " box.top + box.height / 2 - map.top - map.height / 2];"
    )
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", the_map)
    browser.find_element(By.CSS_SELECTOR, ".leaflet-draw-draw-polygon").click()
    x, y = round(target[0]), round(target[1])
    for dx, dy in ((-20, -20), (20, -20), (20, 20), (-20, 20)):
        click_map(browser, the_map, x + dx, y + dy)
    browser.find_element(By.CSS_SELECTOR, ".leaflet-draw-actions a[title]").click()  # Finish
    WebDriverWait(browser, WAIT_S).until(lambda b: b.find_element(By.ID, "add-move").is_enabled())
    assert re.search(r"已圈出 [1-9]\d* 个售点", text_of(browser, "move-state"))
    browser.find_element(By.CSS_SELECTOR, '#move-rep option[value="TINY-R02"]').click()
    browser.find_element(By.ID, "add-move").click()
    assert len(browser.find_elements(By.CSS_SELECTOR, "#pending li")) == 2
    screenshot(browser, screenshots, "coordinator-change-set-form")
    browser.find_element(By.ID, "submit-change-set").click()

    # the diff: dates, outlet names, HH:MM; the coordinator has no publish button
    WebDriverWait(browser, 60).until(lambda b: re.search(r"/change-sets/\d+/page", b.current_url))
    change_set_id = int(re.search(r"/change-sets/(\d+)/page", browser.current_url)[1])
    table = text_of(browser, "diff-days")
    assert re.search(r"\d{4}-\d{2}-\d{2} 星期", table)
    assert "七宝新开便利店 (NEW-MAP)" in table and "惠民小卖部 (SH0900012)" in table
    assert "arrival_s" not in browser.page_source.split('id="page-data"')[0]
    assert "华联超市(七宝店) (SH0900001)" in text_of(browser, "diff-moved")
    assert browser.find_elements(By.ID, "publish") == []
    markers = browser.find_elements(By.CSS_SELECTOR, "#diff-map path.leaflet-interactive")
    assert len(markers) >= 3  # added, removed, moved
    screenshot(browser, screenshots, "coordinator-diff")

    # the supervisor publishes from the diff page
    browser.delete_all_cookies()
    browser.get(f"{base}/change-sets/{change_set_id}/page?token={office['supervisor']}")
    browser.find_element(By.ID, "publish").click()
    WebDriverWait(browser, WAIT_S).until(lambda b: text_of(b, "publish-result"))
    assert text_of(browser, "draft-status") == zh["status"]["published"]
    screenshot(browser, screenshots, "supervisor-published-diff")
    change_set = httpx.get(
        f"{base}/change-sets/{change_set_id}", headers={"Authorization": f"Bearer {office['supervisor']}"}
    ).json()
    plan = httpx.get(
        f"{base}/plans/{change_set['result_plan_id']}", headers={"Authorization": f"Bearer {office['supervisor']}"}
    ).json()
    assert plan["status"] == "published"


OM_HEADER = "customer_code,name,address,channel,lon,lat,service_min,visits_per_cycle,rep_code,status," + ",".join(
    f"hours_{d}" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
)
OM_WEEK = ",".join(["7:00-21:00"] * 7)


def test_a_coordinator_submits_the_monthly_om_file_and_reads_its_diff(browser, office, screenshots, tmp_path):
    """The month's OM file (a closure and a new outlet, Chinese channel names, "7:00" times): a bad row is named in
    Chinese and stops the file; the good file previews row by row and becomes a change set whose diff opens."""
    base = office["base_url"]
    browser.delete_all_cookies()
    browser.get(f"{base}/line-cleanup/om-file/page?token={office['coordinator']}")
    assert "月度 OM 文件" in browser.find_element(By.TAG_NAME, "h1").text
    check_page(browser, screenshots, "coordinator-om-file")

    bad = tmp_path / "OM-2026-12-bad.csv"
    bad.write_text(f"{OM_HEADER}\nOM-NEW-1,鲜花店,,花店,121.350,31.155,5,2,TINY-R01,,{OM_WEEK}\n", encoding="utf-8")
    browser.find_element(By.ID, "file").send_keys(str(bad))
    browser.find_element(By.ID, "preview-button").click()
    WebDriverWait(browser, WAIT_S).until(lambda b: text_of(b, "summary"))
    assert text_of(browser, "problems").startswith("第 2 行「渠道」：未知渠道")
    assert not browser.find_element(By.ID, "import-button").is_enabled()

    good = tmp_path / "OM-2026-12.csv"
    good.write_text(
        f"{OM_HEADER}\n"
        f"SH0900002,阿强烟杂店,,小卖部,121.348,31.156,10,4,TINY-R01,closed,{OM_WEEK}\n"
        f"OM-NEW-1,七宝报亭,,报亭,121.350,31.155,5,2,TINY-R01,,{OM_WEEK}\n",
        encoding="utf-8",
    )
    browser.find_element(By.ID, "file").send_keys(str(good))
    browser.find_element(By.ID, "preview-button").click()
    WebDriverWait(browser, WAIT_S).until(lambda b: b.find_element(By.ID, "import-button").is_enabled())
    rows = browser.find_elements(By.CSS_SELECTOR, "#rows tbody tr")
    assert [r.find_element(By.TAG_NAME, "th").text for r in rows] == ["2", "3"]
    screenshot(browser, screenshots, "coordinator-om-file-preview")
    browser.find_element(By.ID, "import-button").click()

    WebDriverWait(browser, 60).until(lambda b: re.search(r"/change-sets/\d+/page", b.current_url))
    table = text_of(browser, "diff-days")
    assert "七宝报亭 (OM-NEW-1)" in table and "阿强烟杂店 (SH0900002)" in table
    screenshot(browser, screenshots, "coordinator-om-file-diff")
