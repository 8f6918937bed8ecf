"""HTTP schemas of territory proposals, rep-count studies and applying a proposal."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from service.core.fields import MAX_ITEMS, MAX_REPS, Code, RequestModel

_FORBID = ConfigDict(extra="forbid")
DEFAULT_TIME_LIMIT_S = 100.0  # a proposal for 8 reps x 180 outlets on two cores
MAX_TIME_LIMIT_S = 3600.0
MAX_NEW_REPS = 50
MAX_COUNTS = 8  # rep counts one study may try
Share = Annotated[float, Field(ge=0.0, le=1.0)]
Tolerance = Annotated[
    float, Field(gt=0.0, le=1.0, description="the busiest rep's workload may exceed the lightest's by this share")
]
TimeLimit = Annotated[float, Field(gt=0.0, le=MAX_TIME_LIMIT_S)]


class LockIn(RequestModel):
    """An outlet that must go to `rep_code` (default: the rep it has now)."""

    model_config = _FORBID
    outlet_code: Code
    rep_code: Code | None = None


class ProposalCreate(RequestModel):
    model_config = _FORBID
    rep_codes: Annotated[list[Code], Field(max_length=MAX_REPS)] | None = Field(
        default=None,
        description="the active reps to share the outlets among (default: every active rep); the others leave",
    )
    new_reps: Annotated[int, Field(ge=0, le=MAX_NEW_REPS)] = Field(
        default=0, description="reps to add (a what-if): from the office and back on its working day, named NEW-1..."
    )
    keep_share: Share = Field(
        default=0.0, description="share of the outlets with a rep that must keep it (0: a free redesign)"
    )
    locked: Annotated[list[LockIn], Field(max_length=MAX_ITEMS)] = []
    balance_tolerance: Tolerance = 0.10
    fewest_moves: bool = Field(
        default=False, description="place every visit moving the fewest outlets; workloads need not balance"
    )
    time_limit_s: TimeLimit = Field(default=DEFAULT_TIME_LIMIT_S, description="the whole search")


class RepCountCreate(RequestModel):
    model_config = _FORBID
    min_reps: Annotated[int, Field(ge=1, le=MAX_REPS)]
    max_reps: Annotated[int, Field(ge=1, le=MAX_REPS)]
    keep_share: Share = 0.0
    balance_tolerance: Tolerance = 0.10
    time_limit_s: TimeLimit = Field(default=60.0, description="the search of each count")

    @model_validator(mode="after")
    def _range(self) -> RepCountCreate:
        if self.max_reps < self.min_reps:
            raise ValueError("max_reps must not be below min_reps")
        if self.max_reps - self.min_reps + 1 > MAX_COUNTS:
            raise ValueError(f"at most {MAX_COUNTS} rep counts in one study")
        return self


class ProposalApply(RequestModel):
    model_config = _FORBID
    base_plan_id: int = Field(description="the office's current plan version, as for a change set")
    idempotency_key: Annotated[str, Field(min_length=1, max_length=100)]
    created_by: Annotated[str, Field(max_length=100)] = ""
    new_rep_codes: dict[str, Code] = Field(
        default={}, description="for each new rep of the proposal (NEW-1...), the rep created for it (POST /reps)"
    )


class ProposalRepPublic(BaseModel):
    rep_code: str = Field(description="the rep's code, or NEW-k for a rep the proposal adds")
    rep_id: int | None
    new: bool
    outlets: int
    outlets_gained: int
    outlets_lost: int
    visits_required: int
    visits_placed: int
    workload_s: int = Field(description="service + travel + idle over the cycle, from the rep's planned cycle")
    travel_s: int
    capacity_s: int = Field(description="the rep's shifts less lunch over the cycle")


class MovePublic(BaseModel):
    to_rep_code: str
    outlet_codes: list[str]


class UnplacedPublic(BaseModel):
    outlet_code: str
    rep_code: str
    reason: str


class ProposalPublic(BaseModel):
    id: int = Field(description="the job's id")
    office_id: int
    base_plan_id: int | None = Field(description="the office's current plan version when the proposal was made")
    created_at: datetime
    change_set_id: int | None = Field(description="the change set that applied the proposal")
    options: dict
    all_placed: bool
    visits_required: int
    visits_placed: int
    workload_ratio: float | None = Field(description="the busiest rep's workload over the lightest's")
    keep_share: float
    outlets_kept: int
    outlets_moved: int
    travel_s: int
    reps: list[ProposalRepPublic]
    reps_leaving: list[str]
    moves: list[MovePublic]
    unplaced: list[UnplacedPublic]
    before: dict | None = Field(description="the base plan's coverage, travel and unplaced visits")
    territories: dict = Field(description="GeoJSON FeatureCollection: each rep's proposed territory")
    runtime_s: float
    cycles_planned: int = Field(description="reps' cycles the search planned to measure territories")


class RepCountRowPublic(BaseModel):
    reps: int
    rep_codes: list[str]
    all_placed: bool
    visits_required: int
    visits_placed: int
    workload_ratio: float | None
    workload_min_s: int
    workload_max_s: int
    travel_s: int
    proposal_request: dict = Field(description="the body of POST /offices/{id}/territory-proposals for this count")


class RepCountPublic(BaseModel):
    id: int
    office_id: int
    created_at: datetime
    options: dict
    smallest_reps: int | None = Field(description="the smallest count that places every visit (null: none tried)")
    rows: list[RepCountRowPublic]
