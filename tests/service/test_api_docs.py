"""The API reference as a developer reads it: every group of routes says what it is for, every operation has a
summary of its own and a description, every field and parameter is described, every request body comes with an
example the service accepts, and /docs and /redoc come with their scripts from the service (they work offline)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel, ValidationError

from service.core.fields import RequestModel


def test_every_group_of_routes_is_described(app: FastAPI) -> None:
    document = app.openapi()
    described = {tag["name"]: tag.get("description", "") for tag in document.get("tags", [])}
    used = {tag for operations in document["paths"].values() for op in operations.values() for tag in op["tags"]}
    assert used, "the document lists operations"
    assert sorted(tag for tag in used if len(described.get(tag, "")) < 20) == []
    assert sorted(set(described) - used - {"pages", "sign-in"}) == []  # no description of a group that is gone


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_the_reference_pages_load_only_the_services_own_files(client: TestClient, path: str) -> None:
    page = client.get(path)
    assert page.status_code == 200
    assert not re.search(r"https?://", page.text)
    assets = re.findall(r'(?:src|href)="(/[^"]+)"', page.text)
    assert any(a.endswith(".js") for a in assets)
    for asset in assets:
        assert client.get(asset).status_code == 200, asset


def _operations(document: dict) -> Iterator[tuple[str, dict]]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            yield f"{method.upper()} {path}", operation


def _generated_summary(name: str, operation: dict) -> str:
    """FastAPI's summary of a route that sets none: the function's name title-cased. The operationId is that
    name followed by the path and the method, each non-word character an underscore."""
    method, path = name.split(" ", 1)
    function = operation["operationId"].removesuffix("_" + method.lower()).removesuffix(re.sub(r"\W", "_", path))
    return function.replace("_", " ").title()


def _body_examples(document: dict, operation: dict) -> list[Any]:
    """The examples of the operation's request body: its own (Body(openapi_examples=...), multipart) and its
    model's (json_schema_extra)."""
    examples: list[Any] = []
    for content in operation["requestBody"]["content"].values():
        examples += [example["value"] for example in content.get("examples", {}).values()]
        if ref := content.get("schema", {}).get("$ref"):
            examples += document["components"]["schemas"][ref.rsplit("/", 1)[1]].get("examples", [])
    return examples


def _request_models() -> dict[str, type[BaseModel]]:
    """Every request body model by its name in the document (they all derive from RequestModel)."""
    found: dict[str, type[BaseModel]] = {}
    pending: list[type[BaseModel]] = [RequestModel]
    while pending:
        for model in pending.pop().__subclasses__():
            found[model.__name__] = model
            pending.append(model)
    return found


def test_every_operation_has_its_own_summary_and_a_description(app: FastAPI) -> None:
    operations = list(_operations(app.openapi()))
    assert len(operations) > 50
    generated = [n for n, op in operations if op.get("summary", "") in ("", _generated_summary(n, op))]
    assert generated == []
    assert [n for n, op in operations if len(op.get("description", "")) < 20] == []


def test_every_field_and_parameter_is_described(app: FastAPI) -> None:
    document = app.openapi()
    fields = [
        f"{schema_name}.{field}"
        for schema_name, schema in document["components"]["schemas"].items()
        for field, field_schema in schema.get("properties", {}).items()
        if not field_schema.get("description")
    ]
    assert fields == []
    parameters = [
        f"{name} {parameter['name']}"
        for name, operation in _operations(document)
        for parameter in operation.get("parameters", [])
        if not parameter.get("description")
    ]
    assert parameters == []


def test_every_request_body_has_an_example_its_model_accepts(app: FastAPI) -> None:
    document = app.openapi()
    bodies = [(n, op) for n, op in _operations(document) if "requestBody" in op]
    assert [n for n, op in bodies if not _body_examples(document, op)] == []
    models = _request_models()
    refused = []
    for name, operation in bodies:
        content = operation["requestBody"]["content"].get("application/json", {})
        if ref := content.get("schema", {}).get("$ref"):
            for example in _body_examples(document, operation):
                try:
                    models[ref.rsplit("/", 1)[1]].model_validate(example)
                except ValidationError as error:
                    refused.append(f"{name}: {error}")
    assert refused == []


def _ours(example: dict, **ids: int) -> dict:
    """The example with the ids it names replaced by those of the rows this test created."""
    return {**example, **{key: value for key, value in ids.items() if key in example}}


def test_the_examples_of_the_master_data_are_accepted_by_their_routes(app: FastAPI, client: TestClient) -> None:
    document = app.openapi()

    def example(method: str, path: str) -> Any:
        return _body_examples(document, document["paths"][path][method])[0]

    def created(method: str, path: str, body: dict, status: int = 201) -> dict:
        response = client.request(method, path, json=body)
        assert response.status_code == status, (method, path, response.text)
        return response.json()

    office = created("POST", "/offices", example("post", "/offices"))
    ids = {"office_id": office["id"]}
    ids["supervisor_id"] = created("POST", "/supervisors", _ours(example("post", "/supervisors"), **ids))["id"]
    ids["rep_id"] = created("POST", "/reps", _ours(example("post", "/reps"), **ids))["id"]
    outlet = created("POST", "/outlets", _ours(example("post", "/outlets"), **ids))
    created("PATCH", f"/reps/{ids['rep_id']}", example("patch", "/reps/{rep_id}"), 200)
    created("PATCH", f"/outlets/{outlet['code']}", example("patch", "/outlets/{code}"), 200)
    created("POST", "/tokens", _ours(example("post", "/tokens"), **ids))
    created("PUT", f"/reps/{ids['rep_id']}/territory", example("put", "/reps/{rep_id}/territory"), 200)

    created(
        "POST", "/reps", _ours(example("post", "/reps"), **ids) | {"code": "MH-R02", "name": "李娜"}
    )  # the OM file's
    for path in ("/outlets/import/preview", "/change-sets/om-file"):  # the OM file has the import's columns
        file = example("post", path)["file"].encode()
        preview = client.post(
            "/outlets/import/preview", params={"office_id": office["id"]}, files={"file": ("outlets.csv", file)}
        )
        assert preview.status_code == 200, preview.text
        assert preview.json()["problems"] == [], path
    form = example("post", "/outlets/import")
    imported = client.post(
        "/outlets/import",
        data={key: str(value) for key, value in _ours(form, **ids).items() if key != "file"},
        files={"file": ("outlets.csv", form["file"].encode())},
    )
    assert imported.status_code == 200, imported.text
    assert imported.json()["rows"] == imported.json()["created"] + imported.json()["updated"] > 0
