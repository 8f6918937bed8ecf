"""The straight-line travel model: known distances, matrix shape and units, speeds and modes."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.sphere import great_circle_m
from geo.travel import TRAVEL_MODES, StraightLine, TravelMatrix, UnknownTravelMode, travel_model

# WGS84 [lon, lat] of places in Shanghai.
XINZHUANG_STATION = (121.3805, 31.1130)
QIBAO_OLD_STREET = (121.3487, 31.1610)
PEOPLES_SQUARE = (121.4737, 31.2304)
PUDONG_AIRPORT = (121.8052, 31.1434)
# Great-circle lengths on the mean sphere (R = 6,371,008.8 m), from pyproj.Geod(a=R, b=R).inv.
XINZHUANG_QIBAO_M = 6135.77
PEOPLES_SQUARE_PUDONG_AIRPORT_M = 32984.60


def pairwise_haversine_m(lonlat: np.ndarray) -> np.ndarray:
    lon, lat = lonlat[:, 0], lonlat[:, 1]
    return great_circle_m(lon[:, None], lat[:, None], lon[None, :], lat[None, :])


def test_distances_between_shanghai_places_match_the_great_circle():
    points = np.array([XINZHUANG_STATION, QIBAO_OLD_STREET, PEOPLES_SQUARE, PUDONG_AIRPORT])
    m = StraightLine(speed_kmh=15, detour_factor=1.0).matrix(points)
    assert m.distance_m[0, 1] == pytest.approx(XINZHUANG_QIBAO_M, abs=1)
    assert m.distance_m[2, 3] == pytest.approx(PEOPLES_SQUARE_PUDONG_AIRPORT_M, abs=1)


def test_one_degree_of_latitude_by_ebike():
    # pi * R / 180 = 111,195.08 m; at 15 km/h (4.1667 m/s) that is 26,686.8 s.
    m = StraightLine(speed_kmh=15, detour_factor=1.0).matrix(np.array([[121.0, 31.0], [121.0, 32.0]]))
    assert m.distance_m[0, 1] == 111195
    assert m.duration_s[0, 1] == 26687


def test_detour_factor_lengthens_the_road():
    points = np.array([XINZHUANG_STATION, QIBAO_OLD_STREET])
    m = StraightLine(speed_kmh=15).matrix(points)  # default detour 1.3
    assert m.distance_m[0, 1] == pytest.approx(1.3 * XINZHUANG_QIBAO_M, abs=1)
    assert m.duration_s[0, 1] == pytest.approx(1.3 * XINZHUANG_QIBAO_M / (15 / 3.6), abs=1)


def test_matrix_is_square_int64_symmetric_with_zero_diagonal_and_read_only():
    rng = np.random.default_rng(7)
    # 600 points span more than one row block of the computation.
    points = np.column_stack([rng.uniform(121.33, 121.44, 600), rng.uniform(31.09, 31.16, 600)])
    m = travel_model("ebike").matrix(points)
    for a in (m.duration_s, m.distance_m):
        assert a.shape == (600, 600)
        assert a.dtype == np.int64
        assert np.array_equal(a, a.T)
        assert not np.diagonal(a).any()
        assert (a[~np.eye(600, dtype=bool)] > 0).all()
        with pytest.raises(ValueError):
            a[0, 1] = 1


def test_matrix_agrees_with_pairwise_haversine_in_a_city():
    rng = np.random.default_rng(11)
    points = np.column_stack([rng.uniform(121.33, 121.44, 700), rng.uniform(31.09, 31.16, 700)])
    m = StraightLine(speed_kmh=15, detour_factor=1.0).matrix(points)
    assert np.abs(m.distance_m - pairwise_haversine_m(points)).max() <= 0.51


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(73, 135, allow_nan=False), st.floats(18, 54, allow_nan=False)), min_size=1, max_size=40
    )
)
def test_matrix_agrees_with_pairwise_haversine_across_china(rows):
    points = np.array(rows)
    m = StraightLine(speed_kmh=15, detour_factor=1.0).matrix(points)
    reference = pairwise_haversine_m(points)
    assert np.all(np.abs(m.distance_m - reference) <= 1 + 1e-5 * reference)
    assert np.array_equal(m.distance_m, m.distance_m.T)


def test_speed_scales_durations_only():
    points = np.array([XINZHUANG_STATION, QIBAO_OLD_STREET, PEOPLES_SQUARE])
    slow = travel_model("ebike", speed_kmh=10).matrix(points)
    fast = travel_model("ebike", speed_kmh=20).matrix(points)
    assert np.array_equal(slow.distance_m, fast.distance_m)
    assert np.abs(slow.duration_s - 2 * fast.duration_s).max() <= 1
    assert slow.duration_s[0, 2] == pytest.approx(fast.distance_m[0, 2] / (10 / 3.6), abs=1)


def test_modes_are_ordered_by_speed_and_the_factory_uses_them():
    assert TRAVEL_MODES["walking"] < TRAVEL_MODES["ebike"] < TRAVEL_MODES["car"]
    points = np.array([XINZHUANG_STATION, QIBAO_OLD_STREET])
    walking = travel_model("walking").matrix(points).duration_s[0, 1]
    car = travel_model("car").matrix(points).duration_s[0, 1]
    assert walking > car
    assert travel_model("car") == StraightLine(speed_kmh=TRAVEL_MODES["car"])


def test_unknown_mode_is_named_in_the_error():
    with pytest.raises(UnknownTravelMode, match="'bicycle'.*walking, ebike, car"):
        travel_model("bicycle")


@pytest.mark.parametrize("speed_kmh", [0, -5, float("nan"), float("inf")])
def test_speed_must_be_positive_and_finite(speed_kmh):
    with pytest.raises(ValueError, match="speed_kmh"):
        travel_model("ebike", speed_kmh=speed_kmh)


def test_detour_factor_below_one_is_rejected():
    with pytest.raises(ValueError, match="detour_factor"):
        StraightLine(speed_kmh=15, detour_factor=0.9)


@pytest.mark.parametrize(
    ("points", "message"),
    [
        (np.zeros((3, 3)), r"shape \(N, 2\)"),
        (np.zeros(4), r"shape \(N, 2\)"),
        (np.array([[121.4, 31.1], [121.4, 95.0]]), "row 1"),
        (np.array([[np.nan, 31.1]]), "row 0"),
        (np.array([[181.0, 31.1]]), "row 0"),
    ],
)
def test_bad_points_are_rejected_naming_the_row(points, message):
    with pytest.raises(ValueError, match=message):
        travel_model("ebike").matrix(points)


def test_no_points_and_one_point():
    assert travel_model("ebike").matrix(np.empty((0, 2))).duration_s.shape == (0, 0)
    one = travel_model("ebike").matrix(np.array([XINZHUANG_STATION]))
    assert one.duration_s.tolist() == [[0]] and one.distance_m.tolist() == [[0]]


def test_travel_matrix_rejects_mismatched_or_float_arrays():
    with pytest.raises(ValueError, match="duration_s"):
        TravelMatrix(duration_s=np.zeros((2, 2)), distance_m=np.zeros((2, 2), dtype=np.int64))
    with pytest.raises(ValueError, match="differ"):
        TravelMatrix(duration_s=np.zeros((2, 2), dtype=np.int64), distance_m=np.zeros((3, 3), dtype=np.int64))
