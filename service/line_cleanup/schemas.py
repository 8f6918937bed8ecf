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
    rep_code: Code | None = None


class OutletChangeIn(RequestModel):
    """New frequency, hours or service time of a stored outlet (fields left out stay)."""

    model_config = _FORBID
    code: Code
    visits_per_cycle: VisitsPerCycle | None = None
    opening_hours: OpeningHours | None = None
    service_min: ServiceMinutes | None = None


class MoveIn(RequestModel):
    """Outlets handed over to `to_rep_code`: named by `outlet_codes`, or all active outlets of the office inside
    `polygon` (a GeoJSON Polygon/MultiPolygon geometry or Feature, WGS84)."""

    model_config = _FORBID
    to_rep_code: Code
    outlet_codes: Annotated[list[Code], Field(max_length=MAX_ITEMS)] | None = None
    polygon: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _one_selection(self) -> MoveIn:
        if (self.outlet_codes is None) == (self.polygon is None):
            raise ValueError("give either outlet_codes or polygon")
        return self


class NewRepIn(RequestModel):
    """A rep already created (POST /reps) who gets a territory carved from the neighbours: the outlets nearest
    to the rep's start place, up to `visits` visits per cycle (default: the office's mean per rep)."""

    model_config = _FORBID
    rep_code: Code
    visits: Annotated[int, Field(ge=1, le=2000)] | None = None


class ChangeSetCreate(RequestModel):
    model_config = _FORBID
    base_plan_id: int = Field(description="the plan version the changes apply to; must be the office's current one")
    idempotency_key: Annotated[str, Field(min_length=1, max_length=100)]
    created_by: Annotated[str, Field(max_length=100)] = ""
    change_budget: Annotated[int, Field(ge=0)] | None = Field(
        default=0, description="existing visits that may move per rep (null: as many as lowers travel)"
    )
    new_outlets: Annotated[list[NewOutletIn], Field(max_length=MAX_ITEMS)] = []
    closures: Annotated[list[Code], Field(max_length=MAX_ITEMS)] = []
    changes: Annotated[list[OutletChangeIn], Field(max_length=MAX_ITEMS)] = []
    moves: Annotated[list[MoveIn], Field(max_length=MAX_ITEMS)] = []  # the OM file: one per rep_code it names
    reps_leaving: Annotated[list[Code], Field(max_length=MAX_REPS)] = []
    new_reps: Annotated[list[NewRepIn], Field(max_length=MAX_REPS)] = []


class ChangeSetPublic(BaseModel):
    id: int
    office_id: int
    idempotency_key: str
    status: str
    base_plan_id: int
    result_plan_id: int
    created_by: str
    created_at: datetime
    replayed: bool = Field(description="true when this answers a repeated idempotency key: nothing was applied again")
    request: dict
    diff: dict = Field(
        description="added, removed, moved, resequenced visits, arrival shifts > 10 min, per rep-day "
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
    rep_id: int
    rep_code: str
    source: str = Field(description="given (drawn by a coordinator) or derived (buffered hull of the rep's outlets)")
    geometry: dict | None
