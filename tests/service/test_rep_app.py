"""The rep's phone app on the tiny sample office: signing in (token, one-time link), the day page (today, previous
and next, dates outside the plan), the phone's outcome reports (idempotent by client_id, position and the
far-from-outlet flag, the cookie only from the site's own page), the KPI page and the /kpis fixes."""

from __future__ import annotations

import io
import math
import re
import uuid
from datetime import date, datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pypdf import PdfReader
from reportlab.graphics.shapes import Circle, Rect, String
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth
from sqlalchemy import update
from sqlmodel import Session, func, select

from service.access.log_redaction import redact
from service.core.i18n import Translator
from service.core.tables import SignInLink, VisitOutcome, VisitReport, utcnow
from service.day_list.day_sheet import STOP_RADIUS, day_map, day_sheet_pdf
from service.day_list.schemas import DayListPublic
from service.visits.outcomes import FAR_FROM_OUTLET_M
from tests.service import tiny_published
from tests.service.auth_headers import bearer
from tests.service.tiny_published import day_list, office_today, this_monday

ORIGIN = "http://testserver"
HTML = {"Accept": "text/html,application/xhtml+xml"}
M_PER_DEG_LAT = 111_195.0


@pytest.fixture(scope="module")
def tiny(app: FastAPI, started_client: TestClient) -> dict:
    return tiny_published.build(app, started_client)


@pytest.fixture
def api(app: FastAPI, started_client: TestClient, tiny: dict) -> TestClient:
    tiny_published.fresh(app)
    return started_client


@pytest.fixture
def phone(app: FastAPI, started_client: TestClient) -> TestClient:
    """A browser of its own: no Authorization header, its own cookie jar."""
    return TestClient(app)


def rep_token(app: FastAPI, tiny: dict, code: str = "TINY-R01") -> str:
    rep = tiny["reps"][code]
    headers = bearer(app, "rep", office_id=tiny["office_id"], rep_id=rep["id"])
    return headers["Authorization"].removeprefix("Bearer ")


def count(app: FastAPI, table) -> int:
    with Session(app.state.engine) as session:
        return session.exec(select(func.count()).select_from(table)).one()


def a_planned_stop(api: TestClient, tiny: dict, code: str = "TINY-R01") -> tuple[int, str, dict]:
    """(rep id, date, first stop) of the rep's latest day with visits, this week up to today."""
    rep_id = tiny["reps"][code]["id"]
    for back in range(7):
        on = office_today() - timedelta(days=back)
        if visits := day_list(api, rep_id, on):
            return rep_id, on.isoformat(), visits[0]
    raise AssertionError("no visits in the last week")


def outcome_body(rep_id: int, on: str, code: str, **fields) -> dict:
    return {"rep_id": rep_id, "outlet_code": code, "date": on, "visited": True, "client_id": uuid.uuid4().hex} | fields


def signed_in(phone: TestClient, raw: str) -> TestClient:
    response = phone.post("/sign-in", data={"token": raw, "next": "/kpis/page"}, follow_redirects=False)
    assert response.status_code == 303, response.text
    return phone


# --- outcomes from the phone ----------------------------------------------------------------------------------


def test_a_resent_report_is_the_same_report_and_an_old_resend_does_not_undo_a_correction(api, app, tiny):
    rep_id, on, stop = a_planned_stop(api, tiny)
    body = outcome_body(rep_id, on, stop["outlet_code"], order_taken=True)
    first = api.post(f"/reps/{rep_id}/visits", json=body)
    assert first.status_code == 201 and first.json()["result"] == "recorded", first.text
    again = api.post(f"/reps/{rep_id}/visits", json=body)
    assert again.status_code == 200 and again.json()["result"] == "unchanged"
    assert count(app, VisitOutcome) == 1 and count(app, VisitReport) == 1

    correction = outcome_body(rep_id, on, stop["outlet_code"], visited=False, reason="closed")
    assert api.post(f"/reps/{rep_id}/visits", json=correction).json()["result"] == "corrected"
    late_resend = api.post(f"/reps/{rep_id}/visits", json=body)  # the first report again, from a stale queue
    assert late_resend.status_code == 200 and late_resend.json()["result"] == "unchanged"
    assert (late_resend.json()["visited"], late_resend.json()["reason"]) == (False, "closed")
    assert count(app, VisitReport) == 2
    assert [r["client_id"] for r in late_resend.json()["reports"]] == [body["client_id"], correction["client_id"]]


def test_a_client_id_is_the_id_of_one_visit_only(api, tiny):
    rep_id, on, stop = a_planned_stop(api, tiny)
    other = next(code for code in tiny_published_outlets(api, rep_id, on) if code != stop["outlet_code"])
    body = outcome_body(rep_id, on, stop["outlet_code"])
    assert api.post(f"/reps/{rep_id}/visits", json=body).status_code == 201
    refused = api.post(f"/reps/{rep_id}/visits", json=body | {"outlet_code": other})
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "client_id"]


def tiny_published_outlets(api: TestClient, rep_id: int, on: str) -> list[str]:
    codes = [v["outlet_code"] for v in day_list(api, rep_id, date.fromisoformat(on))]
    return codes + [c for c in ("SH0900001", "SH0900002", "SH0900003", "SH0900004") if c not in codes]


def test_a_visit_recorded_far_from_its_outlet_is_flagged_and_the_position_is_kept(api, tiny):
    rep_id, on, stop = a_planned_stop(api, tiny)
    north_m = FAR_FROM_OUTLET_M + 200
    far = outcome_body(
        rep_id,
        on,
        stop["outlet_code"],
        lat=stop["lat"] + north_m / M_PER_DEG_LAT,
        lon=stop["lon"],
        accuracy_m=15,
        recorded_at=f"{on}T09:41:00+08:00",
    )
    body = api.post(f"/reps/{rep_id}/visits", json=far).json()
    assert "far_from_outlet" in body["flags"] and body["far_from_outlet"]
    assert math.isclose(body["distance_m"], north_m, rel_tol=0.01)
    assert datetime.fromisoformat(body["recorded_at"]) == datetime.fromisoformat(far["recorded_at"])
    listed = api.get("/visits", params={"rep_id": rep_id, "from": on, "to": on}).json()[0]
    assert (listed["lat"], listed["lon"], listed["accuracy_m"]) == (far["lat"], far["lon"], 15)
    assert datetime.fromisoformat(listed["recorded_at"]) == datetime.fromisoformat(far["recorded_at"])

    near = far | {"client_id": uuid.uuid4().hex, "lat": stop["lat"] + 50 / M_PER_DEG_LAT, "order_taken": True}
    corrected = api.post(f"/reps/{rep_id}/visits", json=near).json()
    assert corrected["far_from_outlet"] is False and "far_from_outlet" not in corrected["flags"]


def test_position_fields_are_checked(api, tiny):
    rep_id, on, stop = a_planned_stop(api, tiny)
    alone = api.post(f"/reps/{rep_id}/visits", json=outcome_body(rep_id, on, stop["outlet_code"], lat=31.1))
    assert alone.status_code == 422 and alone.json()["detail"][0]["loc"] == ["body", "lon"]
    naive = outcome_body(rep_id, on, stop["outlet_code"], recorded_at=f"{on}T09:41:00")
    assert api.post(f"/reps/{rep_id}/visits", json=naive).json()["detail"][0]["loc"] == ["body", "recorded_at"]
    assert count(api.app, VisitOutcome) == 0


def test_the_phone_cookie_reports_only_from_the_sites_own_page(app, api, tiny, phone):
    rep_id, on, stop = a_planned_stop(api, tiny)
    signed_in(phone, rep_token(app, tiny))
    body = outcome_body(rep_id, on, stop["outlet_code"])
    assert phone.post(f"/reps/{rep_id}/visits", json=body).status_code == 401  # no Origin: not our page
    assert (
        phone.post(f"/reps/{rep_id}/visits", json=body, headers={"Origin": "https://evil.example"}).status_code == 401
    )
    form = phone.post(f"/reps/{rep_id}/visits", data={"x": "1"}, headers={"Origin": ORIGIN})
    assert form.status_code == 401  # a cross-site form cannot send JSON
    assert phone.post(f"/reps/{rep_id}/visits", json=body, headers={"Origin": ORIGIN}).status_code == 201
    assert phone.post("/visits", json=body, headers={"Origin": ORIGIN}).status_code == 401  # the API: Bearer only
    other = tiny["reps"]["TINY-R02"]["id"]
    refused = phone.post(f"/reps/{other}/visits", json=body | {"rep_id": other}, headers={"Origin": ORIGIN})
    assert refused.status_code == 403


# --- signing in -------------------------------------------------------------------------------------------------


def test_a_page_without_a_token_shows_the_sign_in_form_in_the_pages_language(tiny, phone):
    rep_id = tiny["reps"]["TINY-R01"]["id"]
    page = phone.get(f"/reps/{rep_id}/day/today/page", headers=HTML)
    assert page.status_code == 401 and page.headers["content-type"].startswith("text/html")
    assert 'id="sign-in-form"' in page.text and "粘贴" in page.text
    english = phone.get(f"/reps/{rep_id}/day/today/page", params={"lang": "en"}, headers=HTML)
    assert "Paste the token" in english.text and 'lang="en"' in english.text
    assert 'value="/reps/' in english.text  # comes back here once signed in
    assert phone.get(f"/reps/{rep_id}/day/today/page").json()["detail"][0]["loc"] == ["header", "Authorization"]
    assert phone.get("/kpis/page", headers=HTML).status_code == 401


def test_signing_in_with_a_token_sets_an_expiring_http_only_cookie(app, tiny, phone):
    rep_id = tiny["reps"]["TINY-R01"]["id"]
    raw = rep_token(app, tiny)
    target = f"/reps/{rep_id}/day/today/page?lang=en"
    response = phone.post("/sign-in", data={"token": raw, "next": target}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == target
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"routeplan_token={raw};")
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Max-Age=2592000" in cookie
    assert phone.get(target).status_code == 200

    elsewhere = phone.post("/sign-in", data={"token": raw, "next": "//evil.example/x"}, follow_redirects=False)
    assert elsewhere.headers["location"] == f"/reps/{rep_id}/day/today/page"  # never another site
    wrong = TestClient(app).post("/sign-in?lang=en", data={"token": "rp_wrong"})
    assert wrong.status_code == 401 and "unknown or revoked" in wrong.text and "set-cookie" not in wrong.headers
    out = phone.post("/sign-out", follow_redirects=False)
    assert out.status_code == 303 and 'routeplan_token=""' in out.headers["set-cookie"]


def test_a_one_time_link_signs_in_once_and_expires(app, api, tiny, phone):
    rep_id = tiny["reps"]["TINY-R01"]["id"]
    supervisor = bearer(app, "supervisor", office_id=tiny["office_id"], supervisor_id=tiny["supervisor"]["id"])
    made = api.post(f"/reps/{rep_id}/sign-in-links", headers=supervisor)
    assert made.status_code == 201, made.text
    url = made.json()["url"]
    secret = url.split("link=")[1]
    assert secret not in redact(f"GET {url.removeprefix('http://testserver')} HTTP/1.1")  # not in the access log
    preview = TestClient(app).get(url)  # a chat app fetching the link for a preview does not spend it
    assert preview.status_code == 200 and 'id="sign-in-link-form"' in preview.text
    assert preview.headers["Cache-Control"] == "no-store" and "set-cookie" not in preview.headers
    assert f"link={secret}&amp;lang=en" in preview.text  # switching to English keeps the link
    opened = phone.post("/sign-in/link", data={"link": secret}, follow_redirects=False)
    assert opened.status_code == 303 and opened.headers["location"].startswith(f"/reps/{rep_id}/day/today/page")
    cookie = opened.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Max-Age=" in cookie and secret not in cookie
    assert phone.get(opened.headers["location"]).status_code == 200
    again = TestClient(app).post("/sign-in/link", data={"link": secret}, follow_redirects=False)
    assert again.status_code == 410 and "set-cookie" not in again.headers and "已使用或已过期" in again.text
    elsewhere = {"Origin": "https://evil.example"}
    fresh = api.post(f"/reps/{rep_id}/sign-in-links", headers=supervisor).json()["url"].split("link=")[1]
    assert TestClient(app).post("/sign-in/link", data={"link": fresh}, headers=elsewhere).status_code == 403
    assert TestClient(app).post("/sign-in", data={"token": rep_token(app, tiny)}, headers=elsewhere).status_code == 403

    stale = api.post(f"/reps/{rep_id}/sign-in-links", headers=supervisor).json()["url"]
    with Session(app.state.engine) as session:
        session.execute(update(SignInLink).values(expires_at=utcnow() - timedelta(minutes=1)))
        session.commit()
    assert TestClient(app).post("/sign-in/link", data={"link": stale.split("link=")[1]}).status_code == 410
    rep_headers = {"Authorization": f"Bearer {rep_token(app, tiny)}"}
    assert api.post(f"/reps/{rep_id}/sign-in-links", headers=rep_headers).status_code == 403


# --- the day page ------------------------------------------------------------------------------------------------


def test_today_is_the_offices_date_with_previous_and_next_days(app, api, tiny, phone):
    rep_id = tiny["reps"]["TINY-R01"]["id"]
    signed_in(phone, rep_token(app, tiny))
    page = phone.get(f"/reps/{rep_id}/day/today/page", params={"lang": "en"})
    assert page.status_code == 200
    today = office_today()
    assert today.isoformat() in page.text
    links = dict(re.findall(r'id="(previous-day|next-day)"[^>]*href="([^"]+)"', page.text))
    assert links["previous-day"].endswith(f"/day/{(today - timedelta(days=1)).isoformat()}/page?lang=en")
    assert links["next-day"].endswith(f"/day/{(today + timedelta(days=1)).isoformat()}/page?lang=en")


def test_a_date_outside_the_plan_is_a_translated_page_not_json(app, api, tiny, phone):
    rep_id = tiny["reps"]["TINY-R01"]["id"]
    signed_in(phone, rep_token(app, tiny))
    before = (tiny["start"] - timedelta(days=1)).isoformat()
    zh = phone.get(f"/reps/{rep_id}/day/{before}/page", params={"lang": "zh-CN"})
    assert zh.status_code == 200 and zh.headers["content-type"].startswith("text/html")
    assert f"{before} 不在已发布的拜访计划内" in zh.text and 'id="next-day"' in zh.text
    en = phone.get(f"/reps/{rep_id}/day/{before}/page", params={"lang": "en"})
    assert f"{before} is not in the published journey plan" in en.text
    assert phone.get(f"/reps/{rep_id}/day/yesterday/page").status_code == 422


def test_the_day_page_shows_recorded_outcomes_and_a_map_link_per_stop(app, api, tiny, phone):
    rep_id, on, stop = a_planned_stop(api, tiny)
    far = outcome_body(rep_id, on, stop["outlet_code"], lat=stop["lat"] + 0.01, lon=stop["lon"])
    api.post(f"/reps/{rep_id}/visits", json=far)
    signed_in(phone, rep_token(app, tiny))
    page = phone.get(f"/reps/{rep_id}/day/{on}/page", params={"lang": "en"}).text
    assert f'href="geo:{stop["lat"]:.6f},{stop["lon"]:.6f}?q=' in page
    assert "Recorded " in page and "from the outlet (over 300 m)" in page
    assert page.count('<form class="outcome"') == len(day_list(api, rep_id, date.fromisoformat(on)))


def test_the_day_page_shows_the_outlets_phone_and_notes(app, api, tiny, phone):
    rep_id, on, stop = a_planned_stop(api, tiny)
    changed = api.patch(f"/outlets/{stop['outlet_code']}", json={"phone": "021-6412 3456", "notes": "找王店长"})
    assert changed.status_code == 200, changed.text
    listed = next(v for v in day_list(api, rep_id, date.fromisoformat(on)) if v["outlet_code"] == stop["outlet_code"])
    assert (listed["phone"], listed["notes"]) == ("021-6412 3456", "找王店长")
    signed_in(phone, rep_token(app, tiny))
    page = phone.get(f"/reps/{rep_id}/day/{on}/page").text
    assert 'href="tel:021-64123456">致电 021-6412 3456</a>' in page and "找王店长" in page
    api.patch(f"/outlets/{stop['outlet_code']}", json={"phone": "", "notes": ""})


# --- KPIs --------------------------------------------------------------------------------------------------------


def test_kpis_without_a_scope_read_the_tokens_office_or_team(app, api, tiny):
    office_admin = bearer(app, "admin", office_id=tiny["office_id"])
    by_admin = api.get("/kpis", headers=office_admin)
    assert by_admin.status_code == 200, by_admin.text
    assert by_admin.json()["office_id"] == tiny["office_id"] and by_admin.json()["supervisor_id"] is None
    supervisor = bearer(app, "supervisor", office_id=tiny["office_id"], supervisor_id=tiny["supervisor"]["id"])
    by_supervisor = api.get("/kpis", headers=supervisor)
    assert by_supervisor.status_code == 200, by_supervisor.text
    assert by_supervisor.json()["supervisor_id"] == tiny["supervisor"]["id"]
    assert api.get("/kpis").status_code == 422  # a global admin names the office


def test_kpis_up_to_a_day_before_the_plan_need_no_from(app, api, tiny):
    supervisor = bearer(app, "supervisor", office_id=tiny["office_id"], supervisor_id=tiny["supervisor"]["id"])
    before = tiny["start"] - timedelta(days=1)
    response = api.get(
        "/kpis", params={"supervisor_id": tiny["supervisor"]["id"], "to": before.isoformat()}, headers=supervisor
    )
    assert response.status_code == 200, response.text
    assert response.json()["date_to"] == before.isoformat() and response.json()["total"]["planned_visits"] == 0


def test_the_kpi_page_counts_the_outcomes_by_rep_and_week(app, api, tiny, phone):
    rep_id, on, stop = a_planned_stop(api, tiny)
    for code in tiny_published_outlets(api, rep_id, on)[:3]:
        assert api.post(f"/reps/{rep_id}/visits", json=outcome_body(rep_id, on, code)).status_code == 201
    supervisor = bearer(app, "supervisor", office_id=tiny["office_id"], supervisor_id=tiny["supervisor"]["id"])
    signed_in(phone, supervisor["Authorization"].removeprefix("Bearer "))
    page = phone.get("/kpis/page", params={"lang": "en", "from": this_monday().isoformat()})
    assert page.status_code == 200, page.text
    assert re.search(r'id="total-reports">3<', page.text)
    assert 'data-rep="TINY-R01"' in page.text and 'data-rep="TINY-R02"' in page.text
    assert f'data-week="{this_monday().isoformat()}"' in page.text


# --- the visit card ----------------------------------------------------------------------------------------------


def test_the_card_embeds_its_chinese_font_and_prints_whole_codes_and_addresses(api, tiny):
    rep_id, on, _ = a_planned_stop(api, tiny)
    listing = DayListPublic.model_validate(api.get(f"/reps/{rep_id}/day/{on}").json())
    listing.visits[0].outlet_code = "BAR6201345"
    pdf = PdfReader(io.BytesIO(day_sheet_pdf(listing, Translator("zh-CN"))))
    fonts = {}
    for font in pdf.pages[0]["/Resources"]["/Font"].values():
        font = font.get_object()
        descriptor = font.get("/FontDescriptor")
        fonts[str(font["/BaseFont"])] = descriptor is not None and "/FontFile2" in descriptor.get_object()
    cjk = [name for name in fonts if "NotoSansSC" in name]
    assert cjk and all(fonts[name] for name in cjk), fonts  # embedded (a subset: "ABCDEF+" prefix)
    assert not any("STSong" in name for name in fonts)
    text = pdf.pages[0].extract_text()
    assert "BAR6201345" in text
    address = listing.visits[0].address
    assert address and address.replace(" ", "") in text.replace(" ", "").replace("\n", "")


def test_the_cards_map_fits_the_stops_and_puts_a_distant_office_at_its_edge(api, tiny):
    listing = next(
        day
        for k in range(28)
        for rep in tiny["reps"].values()
        if len((day := listing_of(api, rep["id"], tiny["start"] + timedelta(days=k))).visits) >= 3
    )
    assert listing.start is not None and listing.end is not None
    for place in (listing.start, listing.end):  # an office 15 km north-east of the route
        place.lon, place.lat = listing.visits[0].lon + 0.15, listing.visits[0].lat + 0.1
    # the day ends next to where it began: out and back cross the map's edge at the same point
    listing.visits[-1].lon, listing.visits[-1].lat = listing.visits[0].lon, listing.visits[0].lat
    drawing = day_map(listing, Translator("en"))
    circles = [s for s in drawing.contents if isinstance(s, Circle) and s.r == STOP_RADIUS]
    xs, ys = [c.cx for c in circles], [c.cy for c in circles]
    # the stops fill the map (with a distant office in view they were a blob in one corner)
    assert max((max(xs) - min(xs)) / drawing.width, (max(ys) - min(ys)) / drawing.height) > 0.5
    squares = [s for s in drawing.contents if isinstance(s, Rect) and s.fillColor == colors.black]
    assert len(squares) == 2 and all(0 <= s.x and s.x + s.width <= drawing.width for s in squares)
    labels = [s for s in drawing.contents if isinstance(s, String) and s.text.startswith("Office")]
    assert len(labels) == 2 and all(label.text.endswith(" km") for label in labels)
    # out and back by the same edge: neither label prints over the other, nor over the other's square
    boxes = [label_box(label) for label in labels]
    assert not overlap(*boxes)
    assert not any(overlap(box, (s.x, s.y, s.x + s.width, s.y + s.height)) for box, s in zip(boxes, squares[::-1]))


def label_box(label: String) -> tuple[float, float, float, float]:
    """(left, bottom, right, top) of a label as drawn."""
    width = stringWidth(label.text, label.fontName, label.fontSize)
    left = {"start": label.x, "end": label.x - width, "middle": label.x - width / 2}[label.textAnchor]
    return left, label.y, left + width, label.y + label.fontSize


def overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def listing_of(api: TestClient, rep_id: int, on: date) -> DayListPublic:
    return DayListPublic.model_validate(api.get(f"/reps/{rep_id}/day/{on.isoformat()}").json())
