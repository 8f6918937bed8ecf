"""Any Unicode text is stored and returned as sent on SQLite and PostgreSQL; what no database can store (NUL,
lone surrogates) is a 422 naming the field, never a 500; every request body is checked by the same validator."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from service.core.fields import RequestModel
from tests.service.journey_office import create_plan, hours

SAMPLES = {
    "cjk": "利民小卖部 浦东新区张杨路88号",
    "emoji_zwj": "👩‍👩‍👧‍👦 family shop 🏪 👍🏽 🇨🇳 🏳️‍🌈",
    "rtl": "متجر الأمل ‏שלום‎ 12",
    "combining": "Cafe\u0301 Z\u0324\u0308 a\u0308\u0301 ปู่",
    "astral": "𠀀𠮷𪚥 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𓀀",
    "controls": "tab\there\nnew line \u200b\ufeff zero-width",
}


def raw_json(body: dict) -> dict:
    """Send lone surrogates as JSON escapes (httpx would refuse to encode them)."""
    return {"content": json.dumps(body).encode(), "headers": {"content-type": "application/json"}}


def outlet_body(office: dict, code: str, name: str, address: str = "") -> dict:
    return {
        "office_id": office["id"],
        "code": code,
        "name": name,
        "address": address,
        "channel": "grocery",
        "lon": 121.545,
        "lat": 31.225,
        "service_min": 10,
        "visits_per_cycle": 4,
        "opening_hours": hours(["08:00-20:00"]),
    }


@pytest.mark.parametrize("kind", list(SAMPLES))
def test_text_round_trips_intact(client: TestClient, kind: str) -> None:
    text = SAMPLES[kind]
    office = client.post("/offices", json={"code": "O1", "name": text, "lon": 121.5, "lat": 31.2})
    assert office.status_code == 201, office.text
    office_id = office.json()["id"]
    assert client.get(f"/offices/{office_id}").json()["name"] == text
    supervisor = client.post("/supervisors", json={"office_id": office_id, "code": "S1", "name": text}).json()
    assert [s["name"] for s in client.get("/supervisors").json()] == [text]
    rep = client.post(
        "/reps", json={"office_id": office_id, "supervisor_id": supervisor["id"], "code": "R1", "name": text[:200]}
    )
    assert rep.status_code == 201, rep.text
    assert client.get(f"/reps/{rep.json()['id']}").json()["name"] == text
    patched = client.patch(f"/reps/{rep.json()['id']}", json={"name": text[::-1]})
    assert patched.json()["name"] == text[::-1]
    code = "店🏪-1"  # customer codes may be any non-blank text too
    created = client.post("/outlets", json=outlet_body({"id": office_id}, code, text, address=text))
    assert created.status_code == 201, created.text
    stored = client.get(f"/outlets/{code}").json()
    assert (stored["code"], stored["name"], stored["address"]) == (code, text, text)
    assert client.patch(f"/outlets/{code}", json={"address": text + "!"}).json()["address"] == text + "!"


def test_change_set_text_round_trips(client: TestClient, office: dict, rep: dict) -> None:
    assert client.post("/outlets", json=outlet_body(office, "A1", "Alpha") | {"rep_id": rep["id"]}).status_code == 201
    plan = create_plan(client, office["id"])
    author = SAMPLES["emoji_zwj"][:100]
    new_outlet = outlet_body(office, "新-2", SAMPLES["astral"], address=SAMPLES["rtl"]) | {"rep_code": rep["code"]}
    del new_outlet["office_id"]
    response = client.post(
        "/change-sets",
        json={
            "base_plan_id": plan["id"],
            "idempotency_key": "键 🔑",
            "created_by": author,
            "new_outlets": [new_outlet],
        },
    )
    assert response.status_code == 201, response.text
    change_set = client.get(f"/change-sets/{response.json()['id']}").json()
    assert (change_set["created_by"], change_set["idempotency_key"]) == (author, "键 🔑")
    assert change_set["request"]["new_outlets"][0]["name"] == SAMPLES["astral"]
    stored = client.get("/outlets/新-2").json()
    assert (stored["name"], stored["address"]) == (SAMPLES["astral"], SAMPLES["rtl"])


@pytest.mark.parametrize(
    "bad", ["nul\u0000inside", "lone \ud800 high", "lone \udfff low"], ids=["nul", "high-surrogate", "low-surrogate"]
)
def test_unstorable_text_is_422_naming_the_field(client: TestClient, office: dict, rep: dict, bad: str) -> None:
    cases = [
        ("post", "/offices", {"code": "O2", "name": bad, "lon": 121.5, "lat": 31.2}, ["body", "name"]),
        ("post", "/outlets", outlet_body(office, "B1", "ok", address=bad), ["body", "address"]),
        ("patch", f"/reps/{rep['id']}", {"name": bad}, ["body", "name"]),
        (
            "post",
            "/change-sets",
            {"base_plan_id": 1, "idempotency_key": "k", "created_by": bad},
            ["body", "created_by"],
        ),
        (
            "post",
            "/change-sets",
            {
                "base_plan_id": 1,
                "idempotency_key": "k",
                "new_outlets": [outlet_body(office, "B2", bad) | {"office_id": None}],
            },
            ["body", "new_outlets", 0, "name"],
        ),
        (
            "post",
            "/change-sets",
            {
                "base_plan_id": 1,
                "idempotency_key": "k",
                "moves": [{"to_rep_code": "R01", "polygon": {"type": "Polygon", "coordinates": [], bad: 1}}],
            },
            ["body", "moves", 0, "polygon"],
        ),
    ]
    for method, path, body, loc in cases:
        body.get("new_outlets", [{}])[0].pop("office_id", None)
        response = client.request(method.upper(), path, **raw_json(body))
        assert response.status_code == 422, (path, response.text)
        assert loc in [d["loc"] for d in response.json()["detail"]], (path, response.json())
    assert [o["code"] for o in client.get("/offices").json()] == [office["code"]]
    assert client.get("/outlets").json() == []
    assert client.get(f"/reps/{rep['id']}").json()["name"] == rep["name"]


def test_unstorable_path_and_form_values_are_422(client: TestClient, office: dict) -> None:
    assert client.get("/outlets/a%00b").status_code in (404, 422)
    assert client.get("/plans/99999999999999999999").status_code == 422
    response = client.post(
        "/change-sets/om-file",
        files={"file": ("om.csv", b"customer_code\n")},
        data={"base_plan_id": "1", "idempotency_key": "k\u0000"},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "idempotency_key"]


def _subclasses(cls: type) -> set[type]:
    return {cls, *(c for sub in cls.__subclasses__() for c in _subclasses(sub))}


def _body_models(document: dict) -> set[str]:
    """Names of the object schemas reachable from the JSON request bodies (FastAPI names them after the model)."""
    components = document["components"]["schemas"]
    names: set[str] = set()
    pending: list = [
        op["requestBody"]
        for item in document["paths"].values()
        for op in item.values()
        if isinstance(op, dict) and "requestBody" in op
    ]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            name = node.get("$ref", "").removeprefix("#/components/schemas/")
            if name and name not in names:
                names.add(name)
                pending.append(components[name])
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)
    # Body_* are FastAPI's multipart forms: their stored text fields are typed StorableText
    return {n for n in names if "properties" in components[n] and not n.startswith("Body_")}


def test_every_request_body_model_checks_storable_values(app) -> None:
    """A new route's body model that forgets RequestModel would let a NUL reach PostgreSQL (a 500)."""
    bodies = _body_models(app.openapi())
    assert {"OfficeCreate", "ChangeSetCreate", "NewOutletIn", "MoveIn"} <= bodies
    assert sorted(bodies - {m.__name__ for m in _subclasses(RequestModel)}) == []


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e309"])
@pytest.mark.parametrize("field", ["lon", "lat", "service_min", "visits_per_cycle"])
def test_a_number_json_cannot_hold_is_a_422_naming_the_field(
    client: TestClient, office: dict, number: str, field: str
) -> None:
    body = json.dumps(outlet_body(office, "NUM1", "店")).replace(f'"{field}": ', f'"{field}": {number}, "_": ', 1)
    response = client.post("/outlets", content=body.encode(), headers={"content-type": "application/json"})
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"] == ["body", field]
    assert client.get("/outlets/NUM1").status_code == 404  # nothing written


NOT_JSON_NUMBERS = ("NaN", "Infinity", "-Infinity", "1e309", "[1e309]", '{"k": [NaN]}')


def test_every_field_of_every_request_body_refuses_numbers_no_database_can_hold(app) -> None:
    """Each field of each JSON body model, alone or inside a list or object: a 422 naming that field."""
    models = {m.__name__: m for m in _subclasses(RequestModel)}
    cases = 0
    for name in sorted(_body_models(app.openapi())):
        for field_name, field in models[name].model_fields.items():
            key = field.alias or field_name
            for number in NOT_JSON_NUMBERS:
                with pytest.raises(ValidationError) as refused:
                    models[name].model_validate_json(f'{{"{key}": {number}}}')
                assert any(error["loc"][:1] == (key,) for error in refused.value.errors()), (name, key, number)
                cases += 1
    assert cases > 500


def test_no_json_body_can_raise_a_500(client: TestClient, office: dict) -> None:
    """Every operation that takes JSON, sent a non-finite number and a 500-deep nesting: a 4xx, never a 500."""
    operations = [
        (method, path)
        for path, item in client.app.openapi()["paths"].items()
        for method, operation in item.items()
        if "application/json" in operation.get("requestBody", {}).get("content", {})
    ]
    assert len(operations) >= 12
    nested = "[" * 500 + "]" * 500
    for method, path in operations:
        url = re.sub(r"\{[^}]+\}", str(office["id"]), path)
        for body in ('{"code": NaN, "name": Infinity, "office_id": 1e309}', '{"x": ' + nested + "}", nested):
            response = client.request(
                method.upper(), url, content=body.encode(), headers={"content-type": "application/json"}
            )
            assert 400 <= response.status_code < 500, (method, path, body[:40], response.status_code)


def test_a_polygon_nested_500_deep_is_refused_not_a_500(client: TestClient, office: dict) -> None:
    nested = "[" * 500 + "]" * 500
    for path, body in (
        ("/offices", '{"code": "DEEP", "name": "d", "lon": 121.5, "lat": 31.2, "x": ' + nested + "}"),
        (
            "/outlets",
            json.dumps(outlet_body(office, "DEEP1", "店"))[:-1] + ', "opening_hours": {"mon": ' + nested + "}}",
        ),
    ):
        response = client.post(path, content=body.encode(), headers={"content-type": "application/json"})
        assert response.status_code in (400, 422), (path, response.status_code, response.text[:200])
