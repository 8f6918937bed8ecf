"""The API reference as a developer reads it: every group of routes says what it is for, and /docs and /redoc come
with their scripts from the service (they work offline)."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient


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
