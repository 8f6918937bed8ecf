"""Coordinate checks: ranges, and latitude/longitude entered the wrong way round."""

import math

import pytest

from geo.checks import CoordinateError, looks_swapped, validate_lonlat

SHANGHAI_OFFICE = (121.3780, 31.1180)  # lon, lat
URUMQI_OFFICE = (87.6168, 43.8256)


@pytest.mark.parametrize("lonlat", [(121.38, 31.12), (-180, -90), (180, 90), (0, 0)])
def test_valid_coordinates_pass(lonlat):
    validate_lonlat(*lonlat)


@pytest.mark.parametrize(
    ("lon", "lat", "field"),
    [
        (181, 31, "lon"),
        (-180.5, 31, "lon"),
        (121, 90.1, "lat"),
        (121, -91, "lat"),
        (math.nan, 31, "lon"),
        (121, math.inf, "lat"),
    ],
)
def test_out_of_range_coordinates_name_the_field(lon, lat, field):
    with pytest.raises(CoordinateError, match=f"^{field} must be") as err:
        validate_lonlat(lon, lat)
    assert err.value.field == field


def test_swapped_shanghai_point_is_detected():
    lon, lat = 121.3487, 31.1610
    assert looks_swapped(lat, lon, *SHANGHAI_OFFICE)  # "lat" 121 is out of range, read swapped it is Qibao
    assert not looks_swapped(lon, lat, *SHANGHAI_OFFICE)


def test_swapped_point_inside_both_ranges_is_detected():
    # In Xinjiang both numbers are valid either way; read as given, (43.8, 87.6) lies near the North Pole.
    lon, lat = 87.60, 43.80
    assert looks_swapped(lat, lon, *URUMQI_OFFICE)
    assert not looks_swapped(lon, lat, *URUMQI_OFFICE)


def test_far_point_that_is_far_either_way_is_not_called_swapped():
    beijing = (116.40, 39.90)
    assert not looks_swapped(*beijing, *SHANGHAI_OFFICE)
    assert not looks_swapped(beijing[1], beijing[0], *SHANGHAI_OFFICE)


def test_point_near_the_office_either_way_is_not_called_swapped():
    office = (45.00, 45.05)
    assert not looks_swapped(45.05, 45.00, *office)


def test_region_radius_decides():
    lon, lat = 121.50, 31.80  # 80 km north of the Shanghai office
    assert looks_swapped(lat, lon, *SHANGHAI_OFFICE)
    assert not looks_swapped(lat, lon, *SHANGHAI_OFFICE, region_m=50_000)
