import numpy as np
import pytest

from geo.coords import (
    CoordSystem,
    UnknownCoordSystem,
    bd09_to_gcj02,
    from_wgs84,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    out_of_china,
    parse_coord_system,
    to_wgs84,
    wgs84_to_gcj02,
)
from geo.sphere import great_circle_m

# (wgs lon, wgs lat, gcj lon, gcj lat) from googollee/eviltransform, python/test.py (TESTS: Shanghai,
# Shenzhen, Beijing); that test asks for 6 decimals forward and < 0.5 m for the exact inverse.
EVILTRANSFORM_WGS_GCJ = [
    (121.5272106, 31.1774276, 121.531541859215, 31.17530398364597),
    (113.912316, 22.543847, 113.9171764808363, 22.540796131694766),
    (116.377817, 39.911954, 116.38404722455657, 39.91334545536069),
]

# wandergis/coordtransform, test/app.js: each function applied to (116.404, 39.915), with its printed result.
COORDTRANSFORM_INPUT = (116.404, 39.915)
COORDTRANSFORM_WGS84_TO_GCJ02 = (116.41024449916938, 39.91640428150164)
COORDTRANSFORM_GCJ02_TO_BD09 = (116.41036949371029, 39.92133699351021)
COORDTRANSFORM_BD09_TO_GCJ02 = (116.39762729119315, 39.90865673957631)


@pytest.mark.parametrize("wgs_lon, wgs_lat, gcj_lon, gcj_lat", EVILTRANSFORM_WGS_GCJ)
def test_wgs84_to_gcj02_matches_eviltransform(wgs_lon, wgs_lat, gcj_lon, gcj_lat):
    lon, lat = wgs84_to_gcj02(wgs_lon, wgs_lat)
    assert lon == pytest.approx(gcj_lon, abs=1e-9)
    assert lat == pytest.approx(gcj_lat, abs=1e-9)


@pytest.mark.parametrize("wgs_lon, wgs_lat, gcj_lon, gcj_lat", EVILTRANSFORM_WGS_GCJ)
def test_gcj02_to_wgs84_lands_within_half_a_metre_of_eviltransform(wgs_lon, wgs_lat, gcj_lon, gcj_lat):
    lon, lat = gcj02_to_wgs84(gcj_lon, gcj_lat)
    assert great_circle_m(lon, lat, wgs_lon, wgs_lat) < 0.5


@pytest.mark.parametrize(
    "convert, expected",
    [
        (wgs84_to_gcj02, COORDTRANSFORM_WGS84_TO_GCJ02),
        (gcj02_to_bd09, COORDTRANSFORM_GCJ02_TO_BD09),
        (bd09_to_gcj02, COORDTRANSFORM_BD09_TO_GCJ02),
    ],
)
def test_matches_coordtransform_reference_output(convert, expected):
    lon, lat = convert(*COORDTRANSFORM_INPUT)
    assert lon == pytest.approx(expected[0], abs=1e-12)
    assert lat == pytest.approx(expected[1], abs=1e-12)


def test_gcj02_offset_is_hundreds_of_metres_in_beijing():
    wgs = COORDTRANSFORM_INPUT
    gcj = wgs84_to_gcj02(*wgs)
    assert 300 < great_circle_m(*wgs, *gcj) < 700


def _china_grid() -> tuple[np.ndarray, np.ndarray]:
    lon, lat = np.meshgrid(np.linspace(73.0, 135.0, 125), np.linspace(3.0, 53.5, 102))
    return lon.ravel(), lat.ravel()


def test_gcj02_inverse_round_trip_is_better_than_half_a_metre_over_china():
    lon, lat = _china_grid()
    assert not out_of_china(lon, lat).any()
    back_lon, back_lat = gcj02_to_wgs84(*wgs84_to_gcj02(lon, lat))
    error_m = great_circle_m(lon, lat, back_lon, back_lat)
    assert error_m.max() < 0.5


def test_bd09_round_trip_stays_within_half_a_metre_over_china():
    lon, lat = _china_grid()
    back_lon, back_lat = to_wgs84(*from_wgs84(lon, lat, CoordSystem.bd09), CoordSystem.bd09)
    assert great_circle_m(lon, lat, back_lon, back_lat).max() < 0.5


@pytest.mark.parametrize("system", list(CoordSystem))
def test_points_outside_china_are_left_unchanged(system):
    # Porto Alegre, Paris, and just past the eastern edge of the reference box.
    lon = np.array([-51.2, 2.35, 137.84])
    lat = np.array([-30.03, 48.85, 35.0])
    assert out_of_china(lon, lat).all()
    for convert in (to_wgs84, from_wgs84):
        out_lon, out_lat = convert(lon, lat, system)
        np.testing.assert_array_equal(out_lon, lon)
        np.testing.assert_array_equal(out_lat, lat)


def test_arrays_convert_like_the_same_points_one_by_one():
    lon = np.array([121.5272106, 113.912316, -51.2])
    lat = np.array([31.1774276, 22.543847, -30.03])
    arr_lon, arr_lat = from_wgs84(lon, lat, "bd09")
    assert isinstance(arr_lon, np.ndarray) and arr_lon.shape == (3,)
    for i in range(3):
        one_lon, one_lat = from_wgs84(lon[i], lat[i], "bd09")
        assert isinstance(one_lon, float)
        assert (one_lon, one_lat) == (arr_lon[i], arr_lat[i])


def test_wgs84_is_the_identity():
    assert to_wgs84(116.404, 39.915, "wgs84") == (116.404, 39.915)
    assert from_wgs84(116.404, 39.915, CoordSystem.wgs84) == (116.404, 39.915)


@pytest.mark.parametrize(
    "name, system",
    [
        ("wgs84", CoordSystem.wgs84),
        ("GCJ-02", CoordSystem.gcj02),
        ("bd_09", CoordSystem.bd09),
        (" BD09 ", CoordSystem.bd09),
    ],
)
def test_parse_coord_system_accepts_common_spellings(name, system):
    assert parse_coord_system(name) is system


def test_unknown_coord_system_is_named_in_the_error():
    with pytest.raises(UnknownCoordSystem, match="'baidu'.*wgs84, gcj02, bd09"):
        parse_coord_system("baidu")
    with pytest.raises(UnknownCoordSystem, match="'epsg3857'"):
        to_wgs84(116.4, 39.9, "epsg3857")
