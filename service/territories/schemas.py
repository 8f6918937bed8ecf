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
    outlet_code: Code = Field(description="the outlet's customer code (客编)")
    rep_code: Code | None = Field(default=None, description="the rep it must go to (default: the rep it has now)")


class ProposalCreate(RequestModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "rep_codes": ["MH-R01", "MH-R02", "MH-R03", "MH-R04", "MH-R05", "MH-R06", "MH-R07"],
                    "new_reps": 1,
                    "keep_share": 0.7,
                    "locked": [{"outlet_code": "MH0000123", "rep_code": "MH-R01"}],
                    "balance_tolerance": 0.1,
                    "fewest_moves": False,
                    "time_limit_s": 100,
                }
            ]
        },
    )
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
    locked: Annotated[list[LockIn], Field(max_length=MAX_ITEMS)] = Field(
        default=[], description="outlets that must go to a given rep"
    )
    balance_tolerance: Tolerance = Field(
        default=0.10, description="the busiest rep's workload may exceed the lightest's by this share (0.10: 10 %)"
    )
    fewest_moves: bool = Field(
        default=False, description="place every visit moving the fewest outlets; workloads need not balance"
    )
    time_limit_s: TimeLimit = Field(default=DEFAULT_TIME_LIMIT_S, description="the whole search")


class RepCountCreate(RequestModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"min_reps": 6, "max_reps": 9, "keep_share": 0.5, "balance_tolerance": 0.1, "time_limit_s": 60}
            ]
        },
    )
    min_reps: Annotated[int, Field(ge=1, le=MAX_REPS)] = Field(description="the smallest rep count to try")
    max_reps: Annotated[int, Field(ge=1, le=MAX_REPS)] = Field(
        description="the largest rep count to try (at most 8 counts in one study)"
    )
    keep_share: Share = Field(
        default=0.0, description="share of the outlets with a rep that must keep it, 0..1 (0: a free redesign)"
    )
    balance_tolerance: Tolerance = Field(
        default=0.10, description="the busiest rep's workload may exceed the lightest's by this share (0.10: 10 %)"
    )
    time_limit_s: TimeLimit = Field(default=60.0, description="the search of each count")

    @model_validator(mode="after")
    def _range(self) -> RepCountCreate:
        if self.max_reps < self.min_reps:
            raise ValueError("max_reps must not be below min_reps")
        if self.max_reps - self.min_reps + 1 > MAX_COUNTS:
            raise ValueError(f"at most {MAX_COUNTS} rep counts in one study")
        return self


class ProposalApply(RequestModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "base_plan_id": 12,
                    "idempotency_key": "mh01-territories-2027-01",
                    "created_by": "周建国",
                    "new_rep_codes": {"NEW-1": "MH-R08"},
                }
            ]
        },
    )
    base_plan_id: int = Field(description="the office's current plan version, as for a change set")
    idempotency_key: Annotated[str, Field(min_length=1, max_length=100)] = Field(
        description=(
            "the client's key for this submission: sent again, the first result is answered and nothing"
            " is applied twice"
        )
    )
    created_by: Annotated[str, Field(max_length=100)] = Field(
        default="", description="who applies the proposal (a coordinator's name), for the record"
    )
    new_rep_codes: dict[str, Code] = Field(
        default={}, description="for each new rep of the proposal (NEW-1...), the rep created for it (POST /reps)"
    )


class ProposalRepPublic(BaseModel):
    rep_code: str = Field(description="the rep's code, or NEW-k for a rep the proposal adds")
    rep_id: int | None = Field(description="the rep's id; null for a new rep")
    new: bool = Field(description="true for a rep the proposal adds (NEW-k)")
    outlets: int = Field(description="outlets the rep visits under the proposal")
    outlets_gained: int = Field(description="outlets the rep gains")
    outlets_lost: int = Field(description="outlets the rep hands to others")
    visits_required: int = Field(description="visits per cycle the rep's outlets require")
    visits_placed: int = Field(description="those the rep's planned cycle places")
    workload_s: int = Field(description="service + travel + idle over the cycle, from the rep's planned cycle")
    travel_s: int = Field(description="the rep's travel over the cycle, seconds")
    capacity_s: int = Field(description="the rep's shifts less lunch over the cycle")


class MovePublic(BaseModel):
    to_rep_code: str = Field(description="the rep who gains the outlets")
    outlet_codes: list[str] = Field(description="the customer codes of the outlets moved to that rep")


class UnplacedPublic(BaseModel):
    outlet_code: str = Field(description="the outlet's customer code (客编)")
    rep_code: str = Field(description="the rep the proposal gives it")
    reason: str = Field(
        description=(
            "why its visits do not fit in the rep's cycle (the plan's unplaced reasons: capacity, day_full...)"
        )
    )


class ProposalPublic(BaseModel):
    id: int = Field(description="the job's id")
    office_id: int = Field(description="the office whose outlets are shared")
    base_plan_id: int | None = Field(description="the office's current plan version when the proposal was made")
    created_at: datetime = Field(description="when the proposal was asked for (UTC)")
    change_set_id: int | None = Field(description="the change set that applied the proposal")
    options: dict = Field(description="the request as the job ran it, defaults filled in")
    all_placed: bool = Field(description="true when every required visit fits in the reps' planned cycles")
    visits_required: int = Field(description="visits per cycle the office's active outlets require")
    visits_placed: int = Field(description="those the planned cycles place")
    workload_ratio: float | None = Field(description="the busiest rep's workload over the lightest's")
    keep_share: float = Field(description="share of the outlets with a rep that keep it, 0..1")
    outlets_kept: int = Field(description="outlets that keep their rep")
    outlets_moved: int = Field(description="outlets that change rep")
    travel_s: int = Field(description="all reps' travel over the cycle, seconds")
    reps: list[ProposalRepPublic] = Field(
        description="per rep: outlets, gains and losses, visits, workload and capacity"
    )
    reps_leaving: list[str] = Field(description="codes of the reps left out of the proposal (they would leave)")
    moves: list[MovePublic] = Field(description="the outlets each rep gains (a change set's moves)")
    unplaced: list[UnplacedPublic] = Field(description="outlets whose visits do not fit")
    before: dict | None = Field(description="the base plan's coverage, travel and unplaced visits")
    territories: dict = Field(description="GeoJSON FeatureCollection: each rep's proposed territory")
    runtime_s: float = Field(description="how long the search ran, seconds")
    cycles_planned: int = Field(description="reps' cycles the search planned to measure territories")


class RepCountRowPublic(BaseModel):
    reps: int = Field(description="the rep count tried")
    rep_codes: list[str] = Field(description="the reps kept, and NEW-k for reps added")
    all_placed: bool = Field(description="true when every required visit fits at this count")
    visits_required: int = Field(description="visits per cycle the outlets require")
    visits_placed: int = Field(description="those the reps' planned cycles place")
    workload_ratio: float | None = Field(description="the busiest rep's workload over the lightest's")
    workload_min_s: int = Field(description="the lightest rep's workload over the cycle, seconds")
    workload_max_s: int = Field(description="the busiest rep's workload over the cycle, seconds")
    travel_s: int = Field(description="all reps' travel over the cycle, seconds")
    proposal_request: dict = Field(description="the body of POST /offices/{id}/territory-proposals for this count")


class RepCountPublic(BaseModel):
    id: int = Field(description="the study's id (its job's id)")
    office_id: int = Field(description="the office studied")
    created_at: datetime = Field(description="when the study was asked for (UTC)")
    options: dict = Field(description="the request as the job ran it, defaults filled in")
    smallest_reps: int | None = Field(description="the smallest count that places every visit (null: none tried)")
    rows: list[RepCountRowPublic] = Field(description="one row per rep count tried, fewest reps first")
