"""Generate the sample sales office (Shanghai Minhang): office.json and outlets.csv, the same files every run.

    python -m sample_routes.generate [--seed 20261127] [--out sample_routes/shanghai_minhang]

One office, one supervisor, eight e-bike reps and 1,200 outlets placed along the real streets of seven
neighbourhoods, with a believable channel mix, visit frequencies, service times and opening hours. Each outlet
goes to a rep by territory: angular sectors around the office holding equal workloads. The script prints the
channel mix and each rep's estimated working day, and stops with an error if a rep's cycle would not fit.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from geo.sphere import EARTH_RADIUS_M
from geo.travel import travel_model
from sample_routes import places
from sample_routes.places import Neighbourhood

SEED = 20261127
OUTLET_COUNT = 1200
DEFAULT_OUT = Path(__file__).resolve().parent / "shanghai_minhang"

OUTLET_COLUMNS = (
    "customer_code",
    "name",
    "address",
    "channel",
    "lon",
    "lat",
    "service_min",
    "visits_per_cycle",
    "rep_code",
    "hours_mon",
    "hours_tue",
    "hours_wed",
    "hours_thu",
    "hours_fri",
    "hours_sat",
    "hours_sun",
)
WORKING_DAYS = (0, 1, 2, 3, 4, 5)  # Monday to Saturday
CYCLE_WEEKS = 4
SHIFT = {
    "shift_start": "08:30",
    "shift_end": "17:30",
    "lunch_earliest": "11:30",
    "lunch_latest": "13:30",
    "lunch_min": 60,
}
REP_STARTED_ON = (
    "2018-09-17",
    "2019-03-11",
    "2020-07-01",
    "2021-02-22",
    "2022-05-09",
    "2023-08-14",
    "2024-11-04",
    "2026-10-12",
)
# The rough workload check: every visit costs its service time plus this much travel.
TRAVEL_MIN_PER_VISIT = 4
MAX_DAY_UTILISATION = 0.9  # of the shift minus lunch; the rest absorbs waiting for opening windows
MAX_VISITS_PER_DAY = 35


@dataclass(frozen=True)
class Tier:
    visits_per_cycle: int
    share: float  # of the channel's outlets
    service_min: tuple[int, int]  # inclusive range


@dataclass(frozen=True)
class Channel:
    share: float  # of all outlets
    tiers: tuple[Tier, ...]  # bigger outlets are visited more often and take longer


CHANNELS = {
    "grocery": Channel(
        0.46, (Tier(8, 0.12, (10, 14)), Tier(4, 0.55, (8, 11)), Tier(2, 0.25, (6, 9)), Tier(1, 0.08, (5, 8)))
    ),
    "convenience": Channel(0.15, (Tier(8, 0.30, (10, 12)), Tier(4, 0.60, (8, 11)), Tier(2, 0.10, (7, 9)))),
    "supermarket": Channel(0.02, (Tier(12, 0.40, (40, 45)), Tier(8, 0.60, (30, 35)))),
    "restaurant": Channel(0.22, (Tier(4, 0.50, (7, 10)), Tier(2, 0.35, (6, 9)), Tier(1, 0.15, (5, 8)))),
    "school_shop": Channel(0.04, (Tier(4, 0.60, (7, 10)), Tier(2, 0.40, (6, 9)))),
    "internet_cafe": Channel(0.03, (Tier(4, 0.50, (7, 10)), Tier(2, 0.50, (6, 9)))),
    "kiosk": Channel(0.06, (Tier(4, 0.40, (5, 7)), Tier(2, 0.40, (4, 6)), Tier(1, 0.20, (4, 6)))),
    "wholesale": Channel(0.02, (Tier(8, 0.70, (15, 22)), Tier(4, 0.30, (12, 18)))),
}

# Share of a channel's outlets inside residential lanes (弄) rather than on the street front.
LANE_SHARE = {
    "grocery": 0.4,
    "restaurant": 0.3,
    "convenience": 0.1,
    "school_shop": 0.5,
    "internet_cafe": 0.3,
    "wholesale": 0.3,
}


@dataclass(frozen=True)
class Street:
    road: str
    area: Neighbourhood
    x_m: float  # midpoint, metres east of the office
    y_m: float  # metres north of the office
    angle: float  # radians from east
    length_m: float


@dataclass(frozen=True)
class Outlet:
    customer_code: str
    name: str
    address: str
    channel: str
    lon: float
    lat: float
    service_min: int
    visits_per_cycle: int
    hours: tuple[str, ...]  # Monday to Sunday

    @property
    def workload_min(self) -> int:
        return self.visits_per_cycle * (self.service_min + TRAVEL_MIN_PER_VISIT)


def split_counts(total: int, shares: list[float]) -> list[int]:
    """Whole counts in proportion to shares that add up to `total` (largest remainders)."""
    raw = [total * s / sum(shares) for s in shares]
    counts = [math.floor(r) for r in raw]
    for i in sorted(range(len(raw)), key=lambda i: counts[i] - raw[i])[: total - sum(counts)]:
        counts[i] += 1
    return counts


class Projection:
    """Metres east/north of the office on the local tangent plane, and back to WGS84 degrees."""

    def __init__(self, lon0: float, lat0: float) -> None:
        self.lon0, self.lat0 = lon0, lat0
        self.m_per_deg_lat = math.pi * EARTH_RADIUS_M / 180
        self.m_per_deg_lon = self.m_per_deg_lat * math.cos(math.radians(lat0))

    def to_m(self, lon: float, lat: float) -> tuple[float, float]:
        return (lon - self.lon0) * self.m_per_deg_lon, (lat - self.lat0) * self.m_per_deg_lat

    def to_lonlat(self, x_m: float, y_m: float) -> tuple[float, float]:
        return self.lon0 + x_m / self.m_per_deg_lon, self.lat0 + y_m / self.m_per_deg_lat


def hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def same_every_day(window: str) -> tuple[str, ...]:
    return (window,) * 7


def opening_hours(channel: str, visits_per_cycle: int, rng: np.random.Generator) -> tuple[str, ...]:
    """Mon..Sun opening windows "HH:MM-HH:MM[;HH:MM-HH:MM]" or "closed"."""
    if channel == "grocery":
        return same_every_day(
            f"{hhmm(int(rng.choice([390, 420, 450, 480])))}-{hhmm(int(rng.choice([1200, 1260, 1290, 1320])))}"
        )
    if channel == "convenience":
        return same_every_day("00:00-23:59" if rng.random() < 0.6 else "07:00-23:00")
    if channel == "supermarket":
        hypermarket = visits_per_cycle == 12
        return same_every_day("07:30-22:00" if hypermarket else str(rng.choice(["08:00-22:00", "08:30-21:30"])))
    if channel == "restaurant":
        # The windows a rep may call: before the lunch rush and between lunch and dinner.
        windows = str(
            rng.choice(
                ["09:30-11:00;14:00-17:00", "10:00-11:00;13:30-16:30", "09:00-10:45;14:00-16:30", "14:00-17:00"],
                p=[0.5, 0.2, 0.15, 0.15],
            )
        )
        hours = [windows] * 7
        if rng.random() < 0.2:  # a weekly rest day early in the week
            hours[int(rng.choice([0, 1]))] = "closed"
        return tuple(hours)
    if channel == "school_shop":
        weekday = str(rng.choice(["07:00-17:00", "07:30-16:30"]))
        saturday = "08:00-12:00" if rng.random() < 0.4 else "closed"
        return (weekday,) * 5 + (saturday, "closed")
    if channel == "internet_cafe":
        return same_every_day(f"{hhmm(int(rng.choice([660, 720, 780])))}-23:30")
    if channel == "kiosk":
        daily = str(rng.choice(["06:30-19:00", "07:00-18:30"]))
        return (daily,) * 6 + ("08:00-12:00" if rng.random() < 0.5 else "closed",)
    if channel == "wholesale":
        daily = str(rng.choice(["06:00-18:00", "06:30-17:30"]))
        return (daily,) * 6 + ("06:00-12:00" if rng.random() < 0.5 else "closed",)
    raise ValueError(f"no opening hours for channel {channel!r}")


class Namer:
    """Outlet names as they appear on shop signs and in the customer list, unique within the office."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def pick(self, options) -> str:
        return str(options[int(self.rng.integers(len(options)))])

    def name(self, channel: str, visits_per_cycle: int, area: Neighbourhood, road: str, number: str) -> str:
        """A free name among candidates tried in order; the last one carries the house number."""
        p, here = self.pick, f"{road}{number}"
        if channel == "grocery":
            base = (
                f"{p(places.SURNAMES)}记{p(places.GROCERY_SUFFIXES)}"
                if self.rng.random() < 0.3
                else f"{p(places.GROCERY_PREFIXES)}{p(places.GROCERY_SUFFIXES)}"
            )
            candidates = [base, f"{base}({road})", f"{base}({here})"]
        elif channel == "convenience":
            chain = p(places.CONVENIENCE_CHAINS)
            candidates = [f"{chain}({road}店)", f"{chain}({area.short_name}{road}店)", f"{chain}({here}店)"]
        elif channel == "supermarket":
            chain = p(places.HYPERMARKET_CHAINS if visits_per_cycle == 12 else places.SUPERMARKET_CHAINS)
            candidates = [f"{chain}({area.short_name}店)", f"{chain}({road}店)", f"{chain}({here}店)"]
        elif channel == "restaurant":
            if self.rng.random() < 0.35:
                brand = p(places.RESTAURANT_BRANDS)
                candidates = [f"{brand}({road}店)", f"{brand}({area.short_name}{road}店)", f"{brand}({here}店)"]
            else:
                base = f"{p(places.SURNAMES)}家{p(places.RESTAURANT_KINDS)}"
                candidates = [base, f"{base}({road})", f"{base}({here})"]
        elif channel == "school_shop":
            school = f"{area.short_name}{p(places.SCHOOL_KINDS)}"
            candidates = [f"{school}小卖部", f"{school}({road}校区)小卖部", f"{school}({here})小卖部"]
        elif channel == "internet_cafe":
            base = f"{p(places.INTERNET_CAFE_NAMES)}{p(('网吧', '网咖'))}"
            candidates = [base, f"{base}({road}店)", f"{base}({here}店)"]
        elif channel == "kiosk":
            candidates = [f"{p(area.metro)}地铁站书报亭", f"{road}报刊亭", f"{road}便民亭", f"{here}报刊亭"]
        elif channel == "wholesale":
            goods = p(places.WHOLESALE_GOODS)
            candidates = [
                f"{area.short_name}{goods}批发部",
                f"{p(places.SURNAMES)}记{goods}批发",
                f"{goods}批发部({here})",
            ]
        else:
            raise ValueError(f"no names for channel {channel!r}")
        name = next((c for c in candidates if c not in self.used), None)
        if name is None:
            numbered = (f"{candidates[-1]}({k})" for k in range(2, len(self.used) + 3))
            name = next(n for n in numbered if n not in self.used)
        self.used.add(name)
        return name


def lay_out_streets(rng: np.random.Generator, proj: Projection) -> list[Street]:
    """Each neighbourhood's roads as segments through it, alternating east-west and north-south."""
    streets = []
    for area in places.NEIGHBOURHOODS:
        cx, cy = proj.to_m(area.lon, area.lat)
        for i, road in enumerate(area.roads):
            along_x = i % 2 == 0
            # Roads cross the neighbourhood: offset across the road's direction, short shift along it.
            across, along = rng.normal(0, area.spread_m), rng.normal(0, area.spread_m / 4)
            x, y = (cx + along, cy + across) if along_x else (cx + across, cy + along)
            angle = (0.0 if along_x else math.pi / 2) + math.radians(rng.uniform(-12, 12))
            streets.append(Street(road, area, x, y, angle, rng.uniform(1800, 3600)))
    return streets


def place_outlet(
    street: Street, lane_share: float, rng: np.random.Generator, proj: Projection
) -> tuple[float, float, str, str]:
    """A position on the street front or, for `lane_share` of outlets, inside a residential lane off it; its
    address and house number."""
    half = street.length_m / 2
    t = float(np.clip(rng.normal(0, street.length_m / 3.5), -half, half))  # busier towards the middle
    side = 1 if rng.random() < 0.5 else -1
    in_lane = rng.random() < lane_share
    offset = side * (rng.uniform(30, 300) if in_lane else rng.normal(12, 3))
    x = street.x_m + t * math.cos(street.angle) - offset * math.sin(street.angle)
    y = street.y_m + t * math.sin(street.angle) + offset * math.cos(street.angle)
    # Shanghai numbers odd on one side, even on the other, about one number per 9 m of frontage.
    number = 2 * int((t + half) / 18) + (1 if side > 0 else 2)
    where = f"{number}弄{int(rng.integers(1, 60))}号" if in_lane else f"{number}号"
    lon, lat = proj.to_lonlat(x, y)
    return lon, lat, f"{places.CITY_DISTRICT}{street.area.town}{street.road}{where}", where


def in_area(lon: float, lat: float) -> bool:
    return places.AREA_LON[0] <= lon <= places.AREA_LON[1] and places.AREA_LAT[0] <= lat <= places.AREA_LAT[1]


def make_outlets(rng: np.random.Generator, count: int) -> list[Outlet]:
    proj = Projection(places.OFFICE["lon"], places.OFFICE["lat"])
    streets = lay_out_streets(rng, proj)
    area_weights = np.array([a.weight for a in places.NEIGHBOURHOODS])
    area_weights /= area_weights.sum()
    streets_of = {a.short_name: [s for s in streets if s.area is a] for a in places.NEIGHBOURHOODS}
    namer = Namer(rng)
    codes = rng.choice(np.arange(10_000, 200_000), size=count, replace=False)

    channels = list(CHANNELS)
    kinds = []  # (channel, tier) for every outlet, in exact proportions, then shuffled over the map
    for channel, n in zip(channels, split_counts(count, [CHANNELS[c].share for c in channels])):
        tiers = CHANNELS[channel].tiers
        for tier, k in zip(tiers, split_counts(n, [t.share for t in tiers])):
            kinds += [(channel, tier)] * k
    order = rng.permutation(len(kinds))

    outlets = []
    for code, i in zip(codes, order):
        channel, tier = kinds[i]
        while True:
            area = places.NEIGHBOURHOODS[int(rng.choice(len(area_weights), p=area_weights))]
            street = streets_of[area.short_name][int(rng.integers(len(area.roads)))]
            lon, lat, address, number = place_outlet(street, LANE_SHARE.get(channel, 0.0), rng, proj)
            if in_area(lon, lat):
                break
        service_min = int(rng.integers(tier.service_min[0], tier.service_min[1] + 1))
        outlets.append(
            Outlet(
                customer_code=f"SH{int(code):07d}",
                name=namer.name(channel, tier.visits_per_cycle, area, street.road, number),
                address=address,
                channel=channel,
                lon=round(lon, 6),
                lat=round(lat, 6),
                service_min=service_min,
                visits_per_cycle=tier.visits_per_cycle,
                hours=opening_hours(channel, tier.visits_per_cycle, rng),
            )
        )
    return sorted(outlets, key=lambda o: o.customer_code)


def assign_territories(outlets: list[Outlet], reps: int) -> list[int]:
    """Rep index of every outlet: angular sectors around the office with equal workloads (visits x time).

    The first sector starts at the widest empty angle, so that boundary splits no street; sectors are
    numbered counter-clockwise from there.
    """
    proj = Projection(places.OFFICE["lon"], places.OFFICE["lat"])
    angles = np.array([math.atan2(*reversed(proj.to_m(o.lon, o.lat))) for o in outlets])
    order = np.argsort(angles, kind="stable")
    sorted_angles = angles[order]
    gaps = np.diff(np.append(sorted_angles, sorted_angles[0] + 2 * math.pi))
    first = (int(np.argmax(gaps)) + 1) % len(outlets)
    order = np.roll(order, -first)
    workload = np.array([outlets[i].workload_min for i in order], dtype=float)
    midpoints = np.cumsum(workload) - workload / 2
    sector = np.minimum((midpoints / workload.sum() * reps).astype(int), reps - 1)
    rep_of = [0] * len(outlets)
    for i, k in zip(order, sector):
        rep_of[int(i)] = int(k)
    return rep_of


def make_office(outlets: list[Outlet], rep_of: list[int], reps: int) -> dict:
    """office.json: the office, its supervisor, and the reps; the rep with the farthest territory lives in it
    and starts from home (ending at the office for the evening meeting)."""
    office = {**places.OFFICE, **SHIFT}
    proj = Projection(office["lon"], office["lat"])
    mean_distance_m = [
        np.mean([math.hypot(*proj.to_m(o.lon, o.lat)) for o, r in zip(outlets, rep_of) if r == k]) for k in range(reps)
    ]
    from_home = int(np.argmax(mean_distance_m))
    rep_rows = []
    for k in range(reps):
        home = None
        if k == from_home:
            mine = np.array([(o.lon, o.lat) for o, r in zip(outlets, rep_of) if r == k])
            home = [round(float(v), 6) for v in np.median(mine, axis=0)]
        rep_rows.append(
            {
                "code": f"MH-R{k + 1:02d}",
                "name": places.REP_NAMES[k],
                "supervisor_code": places.SUPERVISOR["code"],
                "start_place": "home" if home else "office",
                "end_place": "office",
                "home_lon": home[0] if home else None,
                "home_lat": home[1] if home else None,
                "working_days": list(WORKING_DAYS),
                **SHIFT,
                "travel_mode": "ebike",
                "started_on": REP_STARTED_ON[k],
            }
        )
    return {"office": office, "supervisors": [dict(places.SUPERVISOR)], "reps": rep_rows}


def check_workload(office: dict, outlets: list[Outlet], rep_of: list[int]) -> list[str]:
    """Print each rep's estimated day; return the problems (a rep whose cycle cannot fit)."""
    days = CYCLE_WEEKS * len(WORKING_DAYS)
    shift_min = (
        int(SHIFT["shift_end"][:2]) * 60
        + int(SHIFT["shift_end"][3:])
        - int(SHIFT["shift_start"][:2]) * 60
        - int(SHIFT["shift_start"][3:])
    )
    available_min = shift_min - SHIFT["lunch_min"]
    ebike = travel_model("ebike")
    problems = []
    print(
        f"{'rep':8} {'outlets':>7} {'visits':>6} {'per day':>7} {'service':>7} {'est. day':>8} {'commute':>7} "
        f"{'of shift':>8}   (minutes per working day over {days} days; "
        f"service + {TRAVEL_MIN_PER_VISIT} min travel a visit)"
    )
    for k, rep in enumerate(office["reps"]):
        mine = [o for o, r in zip(outlets, rep_of) if r == k]
        visits = sum(o.visits_per_cycle for o in mine)
        service = sum(o.visits_per_cycle * o.service_min for o in mine) / days
        at_home = rep["start_place"] == "home"
        start = (rep["home_lon"], rep["home_lat"]) if at_home else (office["office"]["lon"], office["office"]["lat"])
        # Out to the territory and back: twice the average trip from the start to one of the rep's outlets.
        trips = ebike.matrix(np.array([start] + [(o.lon, o.lat) for o in mine])).duration_s[0, 1:]
        commute = 2 * float(trips.mean()) / 60
        day = sum(o.workload_min for o in mine) / days + commute
        print(
            f"{rep['code']:8} {len(mine):7d} {visits:6d} {visits / days:7.1f} {service:7.0f} {day:8.0f} "
            f"{commute:7.0f} {day / available_min:8.0%}"
        )
        if day > MAX_DAY_UTILISATION * available_min:
            problems.append(
                f"{rep['code']}: about {day:.0f} min of work a day, more than "
                f"{MAX_DAY_UTILISATION:.0%} of the {available_min} min available"
            )
        if visits / days > MAX_VISITS_PER_DAY:
            problems.append(f"{rep['code']}: {visits / days:.1f} visits a day, more than {MAX_VISITS_PER_DAY}")
    return problems


def write_office(path: Path, office: dict) -> None:
    path.write_text(json.dumps(office, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def write_outlets(path: Path, outlets: list[Outlet], rep_codes: list[str]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(OUTLET_COLUMNS)
        for o, rep_code in zip(outlets, rep_codes):
            writer.writerow(
                [
                    o.customer_code,
                    o.name,
                    o.address,
                    o.channel,
                    f"{o.lon:.6f}",
                    f"{o.lat:.6f}",
                    o.service_min,
                    o.visits_per_cycle,
                    rep_code,
                    *o.hours,
                ]
            )


def generate(out: Path, seed: int = SEED, count: int = OUTLET_COUNT) -> None:
    rng = np.random.default_rng(seed)
    reps = len(places.REP_NAMES)
    outlets = make_outlets(rng, count)
    rep_of = assign_territories(outlets, reps)
    office = make_office(outlets, rep_of, reps)

    mix = {c: sum(o.channel == c for o in outlets) for c in CHANNELS}
    print(f"{len(outlets)} outlets: " + ", ".join(f"{c} {n}" for c, n in mix.items()))
    problems = check_workload(office, outlets, rep_of)
    if problems:
        raise SystemExit("the reps' cycles would not fit, nothing written:\n" + "\n".join(problems))

    out.mkdir(parents=True, exist_ok=True)
    write_office(out / "office.json", office)
    write_outlets(out / "outlets.csv", outlets, [office["reps"][k]["code"] for k in rep_of])
    print(f"wrote {out / 'office.json'} and {out / 'outlets.csv'} (seed {seed})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder for office.json and outlets.csv")
    args = parser.parse_args()
    generate(args.out, args.seed)


if __name__ == "__main__":
    main()
