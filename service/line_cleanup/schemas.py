"""HTTP schemas of change sets (line cleanup) and rep territories."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from service.core.fields import MAX_ITEMS, MAX_REPS, Code, OpeningHours, RequestModel, ServiceMinutes, VisitsPerCycle
from service.master_data.schemas import OutletFields

_FORBID = ConfigDict(extra="forbid")


class NewOutletIn(OutletFields):
    """A newly approved outlet; without `rep_code` it goes to the rep whose territory contains it."""

    code: Code = Field(description="customer code (客编), must not exist yet")
    rep_code: Code | None = Field(
        default=None, description="the rep who will visit it (default: the rep whose territory contains it)"
    )


class OutletChangeIn(RequestModel):
    """New frequency, hours or service time of a stored outlet (fields left out stay)."""

    model_config = _FORBID
    code: Code = Field(description="the stored outlet's customer code (客编)")
    visits_per_cycle: VisitsPerCycle | None = Field(
        default=None, description="new visits per 4-week cycle: 1, 2, 4, 8 or 12"
    )
    opening_hours: OpeningHours | None = Field(
        default=None, description="new opening windows per weekday (mon..sun), HH:MM-HH:MM; a missing day is closed"
    )
    service_min: ServiceMinutes | None = Field(default=None, description="new time in the outlet per visit, minutes")


class MoveIn(RequestModel):
    """Outlets handed over to `to_rep_code`: named by `outlet_codes`, or all active outlets of the office inside
    `polygon` (a GeoJSON Polygon/MultiPolygon geometry or Feature, WGS84)."""

    model_config = _FORBID
    to_rep_code: Code = Field(description="the rep who takes the outlets over")
    outlet_codes: Annotated[list[Code], Field(max_length=MAX_ITEMS)] | None = Field(
        default=None, description="the customer codes of the outlets to move (or give polygon)"
    )
    polygon: dict[str, Any] | None = Field(
        default=None,
        description=(
            "every active outlet of the office inside it moves: a GeoJSON Polygon/MultiPolygon geometry"
            " or Feature, WGS84"
        ),
    )

    @model_validator(mode="after")
    def _one_selection(self) -> MoveIn:
        if (self.outlet_codes is None) == (self.polygon is None):
            raise ValueError("give either outlet_codes or polygon")
        return self


class NewRepIn(RequestModel):
    """A rep already created (POST /reps) who gets a territory carved from the neighbours: the outlets nearest
    to the rep's start place, up to `visits` visits per cycle (default: the office's mean per rep)."""

    model_config = _FORBID
    rep_code: Code = Field(description="the code of the rep, created beforehand with POST /reps")
    visits: Annotated[int, Field(ge=1, le=2000)] | None = Field(
        default=None, description="visits per cycle to carve out for the rep (default: the office's mean per rep)"
    )


class ChangeSetCreate(RequestModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "base_plan_id": 12,
                    "idempotency_key": "mh01-2026-12-week1",
                    "created_by": "周建国",
                    "change_budget": 0,
                    "new_outlets": [
                        {
                            "code": "MH0000456",
                            "name": "联华超市(莘建路店)",
                            "address": "上海市闵行区莘庄镇莘建路88号",
                            "channel": "supermarket",
                            "lon": 121.3887,
                            "lat": 31.1121,
                            "service_min": 15,
                            "visits_per_cycle": 4,
                            "opening_hours": {
                                day: ["08:00-21:00"] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
                            },
                            "rep_code": "MH-R01",
                        }
                    ],
                    "closures": ["MH0000124"],
                    "changes": [{"code": "MH0000125", "visits_per_cycle": 8, "service_min": 10}],
                    "moves": [{"to_rep_code": "MH-R02", "outlet_codes": ["MH0000126", "MH0000127"]}],
                    "reps_leaving": [],
                    "new_reps": [],
                }
            ]
        },
    )
    base_plan_id: int = Field(description="the plan version the changes apply to; must be the office's current one")
    idempotency_key: Annotated[str, Field(min_length=1, max_length=100)] = Field(
        description=(
            "the client's key for this submission: sent again, the first result is answered and nothing"
            " is applied twice"
        )
    )
    created_by: Annotated[str, Field(max_length=100)] = Field(
        default="", description="who submitted the changes (a coordinator's name), for the record"
    )
    change_budget: Annotated[int, Field(ge=0)] | None = Field(
        default=0, description="existing visits that may move per rep (null: as many as lowers travel)"
    )
    new_outlets: Annotated[list[NewOutletIn], Field(max_length=MAX_ITEMS)] = Field(
        default=[], description="newly approved outlets, added to their reps' cycles"
    )
    closures: Annotated[list[Code], Field(max_length=MAX_ITEMS)] = Field(
        default=[], description="customer codes of outlets closed: their visits are removed"
    )
    changes: Annotated[list[OutletChangeIn], Field(max_length=MAX_ITEMS)] = Field(
        default=[], description="new visit frequency, opening hours or service time of stored outlets"
    )
    moves: Annotated[list[MoveIn], Field(max_length=MAX_ITEMS)] = Field(
        default=[], description="outlets handed over to another rep (the OM file: one per rep_code it names)"
    )
    reps_leaving: Annotated[list[Code], Field(max_length=MAX_REPS)] = Field(
        default=[],
        description="codes of reps who leave: each outlet goes to the rep with the nearest outlet, the busiest last",
    )
    new_reps: Annotated[list[NewRepIn], Field(max_length=MAX_REPS)] = Field(
        default=[], description="reps who join: each gets the outlets nearest its start place"
    )


class ChangeSetPublic(BaseModel):
    id: int = Field(description="the change set's id")
    office_id: int = Field(description="the office whose plan changed")
    idempotency_key: str = Field(description="the key the change set was submitted with")
    status: str = Field(description="applied (a refused change set is not stored)")
    base_plan_id: int = Field(description="the plan version the changes were applied to")
    result_plan_id: int = Field(
        description="the new draft plan version with the changes: publish it for the reps to follow"
    )
    created_by: str = Field(description="who submitted the changes")
    created_at: datetime = Field(description="when the change set was applied (UTC)")
    replayed: bool = Field(description="true when this answers a repeated idempotency key: nothing was applied again")
    request: dict = Field(description="the change set as submitted")
    diff: dict = Field(
        description="added, removed, moved visits, resequenced ones (their place among the day's kept visits "
        "changed), arrival shifts > 10 min, per rep-day "
        "what changed (days_changed, untouched_days_changed), KPI deltas, "
        "unplaced outlets, warnings"
    )


# PUT /reps/{rep_id}/territory: a coordinator's polygon around a few blocks of Huangpu, Shanghai
TERRITORY_EXAMPLES = {
    "polygon": {
        "summary": "A drawn polygon (WGS84 lon/lat)",
        "value": {
            "type": "Polygon",
            "coordinates": [
                [[121.468, 31.222], [121.492, 31.222], [121.492, 31.241], [121.468, 31.241], [121.468, 31.222]]
            ],
        },
    }
}


class TerritoryPublic(BaseModel):
    rep_id: int = Field(description="the rep's id")
    rep_code: str = Field(description="the rep's code")
    source: str = Field(description="given (drawn by a coordinator) or derived (buffered hull of the rep's outlets)")
    geometry: dict | None = Field(
        description=(
            "GeoJSON Polygon or MultiPolygon, WGS84; null when the rep has neither a drawn territory nor outlets"
        )
    )
