"""What a territory job is asked, stored as the job's request so any service process can run it (again), and its
checks against the stored office: every problem named by its field, before the job is stored."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlmodel import Session

from service.core.errors import ErrorDetail, InvalidInput, NotFound
from service.core.tables import Office, OutletStatus, Rep
from service.master_data import repository
from service.plans.travel import EngineChoice
from service.territories.schemas import ProposalCreate, RepCountCreate

PROPOSAL = "territory_proposal"  # the job kinds
REP_COUNT = "rep_count"
NEW_REP_PREFIX = "NEW-"  # a rep the proposal adds is NEW-1, NEW-2, ...


@dataclass(frozen=True)
class ProposalRequest:
    office_id: int
    rep_codes: tuple[str, ...] | None = None
    new_reps: int = 0
    keep_share: float = 0.0
    locked: tuple[tuple[str, str | None], ...] = ()  # (outlet code, rep code or None: its rep now)
    balance_tolerance: float = 0.10
    fewest_moves: bool = False
    time_limit_s: float = 100.0
    created_by: str = ""
    engine_choice: EngineChoice = EngineChoice.CONFIGURED

    @classmethod
    def of(cls, office_id: int, body: ProposalCreate, created_by: str) -> ProposalRequest:
        return cls(
            office_id=office_id,
            rep_codes=tuple(body.rep_codes) if body.rep_codes is not None else None,
            new_reps=body.new_reps,
            keep_share=body.keep_share,
            locked=tuple((lock.outlet_code, lock.rep_code) for lock in body.locked),
            balance_tolerance=body.balance_tolerance,
            fewest_moves=body.fewest_moves,
            time_limit_s=body.time_limit_s,
            created_by=created_by,
        )

    def as_json(self) -> dict:
        return asdict(self) | {"engine_choice": self.engine_choice.value}

    @classmethod
    def from_json(cls, data: dict) -> ProposalRequest:
        return cls(
            **data
            | {
                "rep_codes": tuple(data["rep_codes"]) if data["rep_codes"] is not None else None,
                "locked": tuple((code, rep) for code, rep in data["locked"]),
                "engine_choice": EngineChoice(data["engine_choice"]),
            }
        )


@dataclass(frozen=True)
class RepCountRequest:
    office_id: int
    min_reps: int
    max_reps: int
    keep_share: float = 0.0
    balance_tolerance: float = 0.10
    time_limit_s: float = 60.0  # per count
    created_by: str = ""
    engine_choice: EngineChoice = EngineChoice.CONFIGURED

    @classmethod
    def of(cls, office_id: int, body: RepCountCreate, created_by: str) -> RepCountRequest:
        return cls(office_id, created_by=created_by, **body.model_dump())

    def as_json(self) -> dict:
        return asdict(self) | {"engine_choice": self.engine_choice.value}

    @classmethod
    def from_json(cls, data: dict) -> RepCountRequest:
        return cls(**data | {"engine_choice": EngineChoice(data["engine_choice"])})


def checked_office(session: Session, office_id: int) -> Office:
    office = repository.office(session, office_id)
    if office is None:
        raise NotFound(f"office {office_id} does not exist", ("path", "office_id"))
    if not repository.count_outlets(session, office_id, status=OutletStatus.ACTIVE):
        raise InvalidInput(f"office {office.code} has no active outlet to share among reps", ("path", "office_id"))
    return office


def proposal_reps(session: Session, request: ProposalRequest) -> list[Rep]:
    """The reps the proposal shares the outlets among (InvalidInput naming every code that is not an active rep of
    the office); raises when there would be none."""
    active = list(repository.reps(session, request.office_id, active=True))
    if request.rep_codes is None:
        chosen = active
    else:
        by_code = {r.code: r for r in active}
        problems = [
            ErrorDetail(("body", "rep_codes", i), f"rep {code} is not an active rep of the office", "value_error")
            for i, code in enumerate(request.rep_codes)
            if code not in by_code
        ]
        problems += [
            ErrorDetail(("body", "rep_codes", i), f"rep {code} is named twice", "value_error")
            for i, code in enumerate(request.rep_codes)
            if code in request.rep_codes[:i]
        ]
        if problems:
            raise InvalidInput(f"{len(problems)} problems in rep_codes; nothing was started", details=problems)
        chosen = [by_code[code] for code in request.rep_codes]
    if not chosen and not request.new_reps:
        raise InvalidInput(
            "no rep to share the outlets among: name active reps or ask for new ones", ("body", "rep_codes")
        )
    return chosen


def check_proposal(session: Session, request: ProposalRequest) -> None:
    """NotFound for an unknown office, InvalidInput naming every field that does not fit the stored office."""
    office = checked_office(session, request.office_id)
    reps = proposal_reps(session, request)
    rep_codes = {r.code for r in reps}
    rep_ids = {r.id: r.code for r in reps}
    outlets = repository.outlets_by_code(session, [code for code, _ in request.locked])
    problems = []
    for i, (code, rep_code) in enumerate(request.locked):
        outlet = outlets.get(code)
        if outlet is None or outlet.office_id != office.id or outlet.status != OutletStatus.ACTIVE:
            problems.append(
                ErrorDetail(
                    ("body", "locked", i, "outlet_code"),
                    f"outlet {code} is not an active outlet of the office",
                    "value_error",
                )
            )
        elif any(code == other for other, _ in request.locked[:i]):
            problems.append(
                ErrorDetail(("body", "locked", i, "outlet_code"), f"outlet {code} is locked twice", "value_error")
            )
        elif rep_code is None and outlet.rep_id not in rep_ids:
            problems.append(
                ErrorDetail(
                    ("body", "locked", i, "rep_code"),
                    f"outlet {code} has no rep of this proposal to stay with: name the rep it goes to",
                    "value_error",
                )
            )
        elif rep_code is not None and rep_code not in rep_codes:
            problems.append(
                ErrorDetail(
                    ("body", "locked", i, "rep_code"),
                    f"rep {rep_code} is not one of the proposal's reps",
                    "value_error",
                )
            )
    if problems:
        raise InvalidInput(f"{len(problems)} problems in locked; nothing was started", details=problems)


def check_rep_count(session: Session, request: RepCountRequest) -> None:
    checked_office(session, request.office_id)
