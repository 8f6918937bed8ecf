"""Generate the road-time demo office in central Porto Alegre: office.json and outlets.csv, the same files every run.

    python -m sample_routes.porto_alegre_office [--seed 20261127] [--out sample_routes/porto_alegre]

Porto Alegre because its road network ships in sample_routes/porto_alegre (OpenStreetMap, ODbL) for the OSRM
tests and demo. One office, one supervisor, two reps by car and 2 x 140 outlets scattered over the dense
centre of the extract; channels, frequencies, service times and opening hours as in the Minhang sample
(sample_routes/generate.py). Synthetic: street names are real, positions, numbers, names and people made up.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from sample_routes.generate import (
    CHANNELS,
    SHIFT,
    WORKING_DAYS,
    Outlet,
    opening_hours,
    split_counts,
    write_office,
    write_outlets,
)

SEED = 20261127
OUTLETS_PER_REP = 140
DEFAULT_OUT = Path(__file__).resolve().parent / "porto_alegre"

# The dense centre of the extract (Centro Histórico to Petrópolis), about 4.8 x 3.9 km, clear of the Guaíba.
AREA_LON = (-51.225, -51.175)
AREA_LAT = (-30.055, -30.020)
OFFICE = {
    "code": "POA-01",
    "name": "Escritório de vendas Porto Alegre Centro",
    "lon": -51.2065,
    "lat": -30.0355,
    "timezone": "America/Sao_Paulo",
}
SUPERVISOR = {"code": "POA-S01", "name": "Ana Souza"}
REPS = (("POA-R01", "Bruno Lima", "2021-04-05"), ("POA-R02", "Carla Rocha", "2025-08-18"))

STREETS = (
    "Avenida Osvaldo Aranha",
    "Rua Fernandes Vieira",
    "Avenida Independência",
    "Rua Ramiro Barcelos",
    "Avenida Protásio Alves",
    "Rua Santana",
    "Avenida Ipiranga",
    "Rua Vasco da Gama",
    "Avenida João Pessoa",
    "Rua da República",
    "Avenida Venâncio Aires",
    "Rua Santo Antônio",
    "Rua Castro Alves",
    "Avenida Cristóvão Colombo",
    "Rua Dona Laura",
    "Avenida Borges de Medeiros",
    "Rua General Lima e Silva",
)
SURNAMES = (
    "Silva",
    "Santos",
    "Oliveira",
    "Souza",
    "Pereira",
    "Costa",
    "Rodrigues",
    "Almeida",
    "Nunes",
    "Ferreira",
    "Carvalho",
    "Gomes",
    "Martins",
    "Rocha",
    "Ribeiro",
    "Mendes",
)
SHOP_WORDS = {
    "grocery": "Mercado",
    "convenience": "Minimercado",
    "supermarket": "Supermercado",
    "restaurant": "Restaurante",
    "school_shop": "Cantina Escolar",
    "internet_cafe": "Lan House",
    "kiosk": "Banca",
    "wholesale": "Atacado",
}


def make_outlets(rng: np.random.Generator, count: int) -> list[Outlet]:
    channels = list(CHANNELS)
    kinds = []  # (channel, tier) in exact proportions, shuffled over the map
    for channel, n in zip(channels, split_counts(count, [CHANNELS[c].share for c in channels])):
        tiers = CHANNELS[channel].tiers
        for tier, k in zip(tiers, split_counts(n, [t.share for t in tiers])):
            kinds += [(channel, tier)] * k
    codes = rng.choice(np.arange(100_000, 1_000_000), size=count, replace=False)
    names: set[str] = set()
    outlets = []
    for code, i in zip(codes, rng.permutation(len(kinds))):
        channel, tier = kinds[i]
        street = STREETS[int(rng.integers(len(STREETS)))]
        number = int(rng.integers(10, 3000))
        name = f"{SHOP_WORDS[channel]} {SURNAMES[int(rng.integers(len(SURNAMES)))]}"
        if name in names:
            name = f"{name} ({street.split(' ', 1)[1]}, {number})"
        names.add(name)
        outlets.append(
            Outlet(
                customer_code=f"POA{int(code):06d}",
                name=name,
                address=f"{street}, {number} - Porto Alegre/RS",
                channel=channel,
                lon=round(float(rng.uniform(*AREA_LON)), 6),
                lat=round(float(rng.uniform(*AREA_LAT)), 6),
                service_min=int(rng.integers(tier.service_min[0], tier.service_min[1] + 1)),
                visits_per_cycle=tier.visits_per_cycle,
                hours=opening_hours(channel, tier.visits_per_cycle, rng),
            )
        )
    return sorted(outlets, key=lambda o: o.customer_code)


def assign_territories(outlets: list[Outlet]) -> list[int]:
    """Rep index of every outlet: the west and east halves of the area with equal workloads."""
    order = sorted(range(len(outlets)), key=lambda i: outlets[i].lon)
    workload = np.cumsum([outlets[i].workload_min for i in order])
    rep_of = [0] * len(outlets)
    for i, done in zip(order, workload):
        rep_of[i] = int(done > workload[-1] / 2)
    return rep_of


def make_office() -> dict:
    reps = [
        {
            "code": code,
            "name": name,
            "supervisor_code": SUPERVISOR["code"],
            "start_place": "office",
            "end_place": "office",
            "home_lon": None,
            "home_lat": None,
            "working_days": list(WORKING_DAYS),
            **SHIFT,
            "travel_mode": "car",
            "started_on": started_on,
        }
        for code, name, started_on in REPS
    ]
    return {"office": {**OFFICE, **SHIFT}, "supervisors": [dict(SUPERVISOR)], "reps": reps}


def generate(out: Path, seed: int = SEED) -> None:
    rng = np.random.default_rng(seed)
    outlets = make_outlets(rng, OUTLETS_PER_REP * len(REPS))
    rep_of = assign_territories(outlets)
    office = make_office()
    out.mkdir(parents=True, exist_ok=True)
    write_office(out / "office.json", office)
    write_outlets(out / "outlets.csv", outlets, [REPS[k][0] for k in rep_of])
    visits = [sum(o.visits_per_cycle for o, r in zip(outlets, rep_of) if r == k) for k in range(len(REPS))]
    print(f"{len(outlets)} outlets, visits per cycle by rep: {visits}")
    print(f"wrote {out / 'office.json'} and {out / 'outlets.csv'} (seed {seed})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder for office.json and outlets.csv")
    args = parser.parse_args()
    generate(args.out, args.seed)


if __name__ == "__main__":
    main()
