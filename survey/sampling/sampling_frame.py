"""The sampling frame: province → district → commune → village, with populations and seat flags.

A frame is held column-wise (one row per village; districts and communes are read off the ids),
because a national frame has about 80,000 villages and selection is vectorised over all of them.
``load_frame()`` reads the synthetic national frame bundled in ``fixtures/frames/`` (see its
``make_frame.py``; an installed wheel carries it as ``survey/data/frames/``);
``Frame.from_villages`` builds one from any table with the same columns, for instance a
district's own list of communes and villages for a pilot survey.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

from survey.datafiles import DATA_ROOT, in_checkout, missing_hint
from survey.errors import NotFound, SamplingError

FRAMES_DIR = DATA_ROOT / "frames"
SIZE_CLASSES = ("small", "medium", "large")
VILLAGE_COLUMNS = (
    "province",
    "district",
    "commune",
    "village",
    "population",
    "adults",
    "urban",
    "capital",
    "district_seat",
    "commune_seat",
)
# carried along when present: the 2018 province a village of the 2025 frame was in
# (survey.sampling.two_tier), so that a new province can be broken down by former province
OPTIONAL_VILLAGE_COLUMNS = ("former_province",)
PROVINCE_COLUMNS = ("province", "name", "size_class", "kinh_share")


def _problem(message: str) -> SamplingError:
    return SamplingError(message, code="frame_invalid")


@dataclass(frozen=True, eq=False)
class Frame:
    """A validated sampling frame.

    Build it with ``Frame.from_villages`` (which validates), ``load_frame``,
    ``frame_from_table`` or ``read_frame``; the constructor itself checks nothing.

    Attributes
    ----------
    villages : pandas.DataFrame
        One row per village with the columns of ``VILLAGE_COLUMNS`` (and those of
        ``OPTIONAL_VILLAGE_COLUMNS`` it has), sorted by province, district, commune, village.
    provinces : pandas.DataFrame
        One row per province of the villages: ``province``, ``name``, ``size_class``
        (``SIZE_CLASSES``) and ``kinh_share``.
    poststrata : pandas.DataFrame
        The post-stratification targets: adults (``population``) by ``province`` × ``sex`` ×
        ``age_group``; empty for a frame read from one villages table.
    """

    villages: pd.DataFrame
    provinces: pd.DataFrame
    poststrata: pd.DataFrame

    @classmethod
    def from_villages(
        cls, villages: pd.DataFrame, provinces: pd.DataFrame, poststrata: pd.DataFrame
    ) -> Frame:
        missing = [c for c in VILLAGE_COLUMNS if c not in villages.columns]
        if missing:
            raise _problem(
                f"frame villages lack columns {missing}; expected {list(VILLAGE_COLUMNS)}"
            )
        missing = [c for c in PROVINCE_COLUMNS if c not in provinces.columns]
        if missing:
            raise _problem(
                f"frame provinces lack columns {missing}; expected {list(PROVINCE_COLUMNS)}"
            )
        extra = [c for c in OPTIONAL_VILLAGE_COLUMNS if c in villages.columns]
        v = villages.loc[:, [*VILLAGE_COLUMNS, *extra]].sort_values(
            ["province", "district", "commune", "village"]
        )
        v = v.reset_index(drop=True)
        for flag in ("capital", "district_seat", "commune_seat"):
            v[flag] = v[flag].astype(bool)
        if v["village"].duplicated().any():
            dup = v.loc[v["village"].duplicated(), "village"].iloc[0]
            raise _problem(f"village id {dup!r} appears twice in the frame; ids must be unique")
        if (v["population"] <= 0).any() or (v["adults"] <= 0).any():
            bad = v.loc[(v["population"] <= 0) | (v["adults"] <= 0), "village"].iloc[0]
            raise _problem(f"village {bad!r} has a non-positive population or adult count")
        cls._check_nesting(v)
        cls._check_seats(v)
        unknown = sorted(set(v["province"]) - set(provinces["province"]))
        if unknown:
            raise _problem(f"provinces {unknown} have villages but no row in the province table")
        bad_class = sorted(set(provinces["size_class"]) - set(SIZE_CLASSES))
        if bad_class:
            raise _problem(
                f"unknown size classes {bad_class}; expected one of {list(SIZE_CLASSES)}"
            )
        keep = provinces["province"].isin(v["province"])
        p = provinces.loc[keep].sort_values("province").reset_index(drop=True)
        s = poststrata.loc[poststrata["province"].isin(p["province"])].reset_index(drop=True)
        return cls(villages=v, provinces=p, poststrata=s)

    @staticmethod
    def _check_nesting(v: pd.DataFrame) -> None:
        for child, parent in (
            ("district", "province"),
            ("commune", "district"),
            ("village", "commune"),
        ):
            parents = v.groupby(child, sort=False)[parent].nunique()
            if (parents > 1).any():
                raise _problem(
                    f"{child} {parents.index[parents > 1][0]!r} lies in more than one {parent}; "
                    "each unit must nest in exactly one parent"
                )

    @staticmethod
    def _check_seats(v: pd.DataFrame) -> None:
        checks = (
            ("capital", "province", "district", "provincial capital district"),
            ("district_seat", "district", "commune", "district seat commune"),
            ("commune_seat", "commune", "village", "commune seat village"),
        )
        for flag, parent, unit, label in checks:
            seats = v.loc[v[flag]].groupby(parent)[unit].nunique()
            seats = seats.reindex(v[parent].unique(), fill_value=0)
            if (seats != 1).any():
                bad = seats.index[seats != 1][0]
                raise _problem(
                    f"{parent} {bad!r} has {int(seats[bad])} {label}s; flag exactly one "
                    f"(column {flag!r})"
                )
            # the flag must be constant within the flagged unit
            mixed = v.groupby(unit)[flag].nunique()
            if (mixed > 1).any():
                raise _problem(f"{unit} {mixed.index[mixed > 1][0]!r} has a mixed {flag!r} flag")

    @classmethod
    def from_table(cls, villages: pd.DataFrame, size_class: str | None = None) -> Frame:
        """A frame from a user's own village table alone (see ``frame_from_table``)."""
        return frame_from_table(villages, size_class)

    # ---------------------------------------------------------------- derived tables
    def districts(self) -> pd.DataFrame:
        """One row per district: province, district, population, adults, capital."""
        return (
            self.villages.groupby(["province", "district"], sort=True)
            .agg(
                population=("population", "sum"),
                adults=("adults", "sum"),
                capital=("capital", "first"),
            )
            .reset_index()
        )

    def communes(self) -> pd.DataFrame:
        """One row per commune: province, district, commune, population, adults, district_seat."""
        return (
            self.villages.groupby(["province", "district", "commune"], sort=True)
            .agg(
                population=("population", "sum"),
                adults=("adults", "sum"),
                district_seat=("district_seat", "first"),
            )
            .reset_index()
        )

    def subset(self, provinces: list[str] | tuple[str, ...]) -> Frame:
        """The frame restricted to some provinces (codes ``P01``…)."""
        unknown = sorted(set(provinces) - set(self.provinces["province"]))
        if unknown:
            raise NotFound(
                f"provinces {unknown} are not in the frame; known: "
                f"{', '.join(self.provinces['province'])}",
                code="province_not_found",
            )
        # a subset of a validated frame is valid: filter without re-validating
        keep = self.villages["province"].isin(list(provinces)).to_numpy()
        p = self.provinces.loc[self.provinces["province"].isin(list(provinces))]
        s = self.poststrata.loc[self.poststrata["province"].isin(list(provinces))]
        return Frame(
            villages=self.villages.loc[keep].reset_index(drop=True),
            provinces=p.reset_index(drop=True),
            poststrata=s.reset_index(drop=True),
        )

    def replicated(self, copies: int) -> Frame:
        """``copies`` independent copies of every province, coded ``P04.001``, ``P04.002``….

        Provinces are independent strata, so a frame of copies simulates and scores like that
        many separate surveys in one vectorised pass (used by coverage studies). A unit id
        that starts with its province code, as in the bundled frame, gets the copy tag right
        after it (``P04-D01`` → ``P04.001-D01``); any other id (a user's own frame) is
        prefixed with the tagged province code (``LB`` → ``P04.001/LB``).
        """
        tags = pd.Series([f".{i + 1:03d}" for i in range(copies)])
        v = pd.concat([self.villages] * copies, ignore_index=True)
        tag = tags.repeat(len(self.villages)).to_numpy()
        province = v["province"].astype(str)
        for col in ("village", "commune", "district"):
            rest = [
                i[len(p) :] if i.startswith(p) else "/" + i
                for i, p in zip(v[col].astype(str), province, strict=True)
            ]
            v[col] = province + tag + pd.Series(rest, index=v.index)
        v["province"] = province + tag

        def copy(table: pd.DataFrame) -> pd.DataFrame:
            t = pd.concat([table] * copies, ignore_index=True)
            t["province"] = t["province"].to_numpy(object) + np.repeat(
                [f".{i + 1:03d}" for i in range(copies)], len(table)
            )
            return t

        return Frame(
            villages=v.sort_values("village").reset_index(drop=True),
            provinces=copy(self.provinces).sort_values("province").reset_index(drop=True),
            poststrata=copy(self.poststrata),
        )

    def pilot(self, district: str) -> Frame:
        """The frame of a single district (its communes and villages), for a pilot survey.

        The district becomes the only district of its province, so it is selected with
        certainty whatever its flags; its seat commune and seat village flags are kept.
        """
        keep = self.villages["district"] == district
        if not keep.any():
            raise NotFound(
                f"district {district!r} is not in the frame; ids look like 'P01-D03'",
                code="district_not_found",
            )
        v = self.villages.loc[keep].copy()
        v["capital"] = True
        province = str(v["province"].iloc[0])
        in_province = self.villages["province"] == province
        share = float(v["adults"].sum()) / float(self.villages.loc[in_province, "adults"].sum())
        strata = self.poststrata.loc[self.poststrata["province"] == province].copy()
        strata["population"] = strata["population"] * share
        return Frame.from_villages(v, self.provinces, strata)


def _missing(path: Path) -> str:
    if path.parent != FRAMES_DIR:
        return (
            f"{path} is missing; a frame directory holds villages.parquet, provinces.csv and "
            "poststrata.csv"
        )
    if in_checkout():
        return f"{path} is missing; regenerate it with `python fixtures/frames/make_frame.py`"
    return missing_hint(path)


@cache
def _bundled(directory: str) -> Frame:
    root = Path(directory)
    paths = [root / "villages.parquet", root / "provinces.csv", root / "poststrata.csv"]
    for path in paths:
        if not path.exists():
            raise NotFound(f"sampling frame file {_missing(path)}", code="frame_not_found")
    return Frame.from_villages(
        pd.read_parquet(paths[0]), pd.read_csv(paths[1]), pd.read_csv(paths[2])
    )


def load_frame(directory: str | Path | None = None) -> Frame:
    """The synthetic national frame (63 provinces), or the frame files in ``directory``.

    Parameters
    ----------
    directory : str, pathlib.Path or None, default None
        A directory holding ``villages.parquet``, ``provinces.csv`` and ``poststrata.csv``;
        ``None``: the bundled national frame. Each directory is read once per process.

    Returns
    -------
    Frame
        The validated frame.

    Raises
    ------
    NotFound
        A frame file is missing (code ``frame_not_found``; the message says how to get it).
    SamplingError
        The files do not make a valid frame (code ``frame_invalid``): missing columns,
        duplicate village ids, broken nesting, non-positive counts, unknown size classes.
    """
    return _bundled(str(Path(directory) if directory is not None else FRAMES_DIR))


# -------------------------------------------------------------------- a user's own frame
SEAT_FLAGS = (
    ("capital", "province", "district"),
    ("district_seat", "district", "commune"),
    ("commune_seat", "commune", "village"),
)
# province population (sum over its villages) from which a province counts as large / medium
# when no size class is given; the published PAPI classes are a list (docs/method.md "Sampling design"), and
# this threshold reproduces it for every province but An Giang (medium with 1.9 million)
SIZE_CLASS_POPULATION = (("large", 5_000_000), ("medium", 3_000_000))
_ID_COLUMNS = ("province", "district", "commune", "village")
_TRUE = frozenset({"1", "true", "t", "yes", "y"})
_FALSE = frozenset({"0", "false", "f", "no", "n"})
_DOCS = "see docs/simulation.md, 'Drawing the sample'"


def size_class_of(population: float) -> str:
    """The size class of a province of ``population`` people by ``SIZE_CLASS_POPULATION``."""
    for name, threshold in SIZE_CLASS_POPULATION:
        if population >= threshold:
            return name
    return "small"


def _row_hint(v: pd.DataFrame, at: int) -> str:
    """'row 5 (village 'X')': the table row as a spreadsheet shows it (header = row 1)."""
    village = v["village"].iloc[at] if "village" in v.columns else None
    where = f"row {at + 2}"
    return f"{where} (village {village!r})" if isinstance(village, str) and village else where


def _ids(v: pd.DataFrame) -> None:
    for col in _ID_COLUMNS:
        text = v[col].astype("string").str.strip()
        empty = text.isna() | (text == "")
        if empty.any():
            at = int(np.flatnonzero(empty.to_numpy())[0])
            raise _problem(f"frame {_row_hint(v, at)} has an empty {col!r}; every id is required")
        v[col] = text.astype(object)


def _whole_numbers(v: pd.DataFrame, col: str) -> None:
    values = pd.to_numeric(v[col], errors="coerce")
    bad = values.isna() | (values != np.floor(values))
    if bad.any():
        at = int(np.flatnonzero(bad.to_numpy())[0])
        raise _problem(
            f"frame {_row_hint(v, at)} has {col} {v[col].iloc[at]!r}; expected a whole number"
        )
    v[col] = values.astype(np.int64)


def _flag(v: pd.DataFrame, col: str) -> None:
    def parse(x: object) -> bool | None:
        if isinstance(x, (bool, np.bool_)):
            return bool(x)
        if isinstance(x, (int, float, np.integer, np.floating)) and x in (0, 1):
            return bool(x)
        text = str(x).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        return None

    parsed = [parse(x) for x in v[col]]
    bad = [i for i, x in enumerate(parsed) if x is None]
    if bad:
        raise _problem(
            f"frame {_row_hint(v, bad[0])} has {col} {v[col].iloc[bad[0]]!r}; "
            "expected 1/0 (or true/false, yes/no)"
        )
    v[col] = np.array(parsed, dtype=bool)


def _derive_seats(v: pd.DataFrame) -> None:
    """An omitted seat flag is derived where every parent has a single child unit."""
    for flag, parent, unit in SEAT_FLAGS:
        if flag in v.columns:
            continue
        children = v.groupby(parent)[unit].nunique()
        if (children == 1).all():
            v[flag] = True


def frame_from_table(villages: pd.DataFrame, size_class: str | None = None) -> Frame:
    """A validated frame from one village table, for a survey on a user's own frame.

    ``villages`` needs the columns of ``VILLAGE_COLUMNS`` (ids as text; ``population`` and
    ``adults`` whole numbers; ``urban`` and the seat flags 1/0, true/false or yes/no), with
    these defaults for what only the national frame carries:

    - a seat flag column (``capital``, ``district_seat``, ``commune_seat``) may be left out
      where every parent unit has a single child (a one-district frame needs no ``capital``);
    - the province table is derived: ``name`` = the province code, ``size_class`` =
      ``size_class`` (every province) if given, else a ``size_class`` column of the villages
      (constant within a province), else by the province's population (the sum over its
      villages; ``SIZE_CLASS_POPULATION``), ``kinh_share`` unknown (NaN; only the simulator
      uses it). A frame covering part of a province should name the province's class;
    - no post-stratification targets (an empty ``poststrata``): selection does not need them.

    Parameters
    ----------
    villages : pandas.DataFrame
        One row per village, as described above.
    size_class : str or None, default None
        ``"large"``, ``"medium"`` or ``"small"`` (``SIZE_CLASSES``) for every province;
        ``None``: from a ``size_class`` column, else from the province's population.

    Returns
    -------
    Frame
        The validated frame, with the derived province table and empty ``poststrata``.

    Raises
    ------
    SamplingError
        Code ``frame_invalid``, naming the column, the row (as a spreadsheet numbers it) or
        the unit at fault: an unknown size class, an empty id, missing columns (a seat flag
        left out where a parent unit has several children is missing), no villages, counts
        that are not whole numbers, flags that are not yes/no, broken nesting, and what
        ``Frame.from_villages`` refuses (duplicate ids, non-positive counts).
    """
    if size_class is not None and size_class not in SIZE_CLASSES:
        raise _problem(f"unknown size class {size_class!r}; expected one of {list(SIZE_CLASSES)}")
    v = villages.copy()
    if all(c in v.columns for c in _ID_COLUMNS):
        _ids(v)
        _derive_seats(v)
    missing = [c for c in VILLAGE_COLUMNS if c not in v.columns]
    if missing:
        raise _problem(
            f"frame villages lack columns {missing}; expected {list(VILLAGE_COLUMNS)} ({_DOCS})"
        )
    if v.empty:
        raise _problem("the frame has no villages")
    for col in ("population", "adults"):
        _whole_numbers(v, col)
    for col in ("urban", "capital", "district_seat", "commune_seat"):
        _flag(v, col)
    v["urban"] = v["urban"].astype(np.int64)
    # nesting first: a village listed under two communes is a nesting error, not a duplicate
    Frame._check_nesting(v)
    classes = _size_classes(v, size_class)
    population = v.groupby("province", sort=True)["population"].sum()
    provinces = pd.DataFrame(
        {
            "province": population.index.astype(str),
            "name": population.index.astype(str),
            "size_class": classes.reindex(population.index).to_numpy(),
            "kinh_share": np.nan,
        }
    )
    poststrata = pd.DataFrame(
        {
            "province": pd.Series(dtype=object),
            "sex": pd.Series(dtype=np.int64),
            "age_group": pd.Series(dtype=object),
            "population": pd.Series(dtype=np.float64),
        }
    )
    return Frame.from_villages(v.loc[:, list(VILLAGE_COLUMNS)], provinces, poststrata)


def with_default_margins(frame: Frame, reference: Frame | None = None) -> Frame:
    """``frame`` with what the simulator needs and a villages table does not carry, for every
    province that lacks it, taken from the same province of ``reference`` (default: the
    bundled national frame, whose provinces are the real ones):

    - post-stratification targets: the province's adults by sex × age group, scaled to the
      frame's adults in that province (a district's own frame gets the province's shares, as
      ``Frame.pilot`` does);
    - ``kinh_share``: the province's share of Kinh adults.

    A province that already has both is kept as it is.

    Parameters
    ----------
    frame : Frame
        The frame to complete (a user's villages table, ``frame_from_table``).
    reference : Frame or None, default None
        Where the margins come from; ``None``: the bundled national frame.

    Returns
    -------
    Frame
        ``frame`` itself when no province lacks them, else a copy with them filled in.

    Raises
    ------
    SamplingError
        A province lacking them that ``reference`` does not know (code ``frame_invalid``),
        naming the codes it expects.
    """
    ref = reference or load_frame()
    has_margins = set(frame.poststrata["province"])
    kinh = frame.provinces.set_index("province")["kinh_share"]
    lacking = [str(c) for c in kinh.index if c not in has_margins or pd.isna(kinh[c])]
    if not lacking:
        return frame
    unknown = sorted(set(lacking) - set(ref.provinces["province"]))
    if unknown:
        raise _problem(
            f"province {unknown[0]!r} of the frame has no post-stratification targets and is "
            "not a province of the bundled frame (P01-P63) to take them from: use the "
            "province's PAPI code in the province column, or give a frame directory with "
            f"villages.parquet, provinces.csv and poststrata.csv ({_DOCS})"
        )
    adults = frame.villages.groupby("province")["adults"].sum()
    ref_adults = ref.poststrata.groupby("province")["population"].sum()
    added = ref.poststrata.loc[
        ref.poststrata["province"].isin([c for c in lacking if c not in has_margins])
    ].copy()
    share = (
        adults.reindex(added["province"]).to_numpy()
        / ref_adults.reindex(added["province"]).to_numpy()
    )
    added["population"] = added["population"].to_numpy(np.float64) * share
    poststrata = pd.concat([frame.poststrata, added], ignore_index=True)
    ref_kinh = ref.provinces.set_index("province")["kinh_share"]
    provinces = frame.provinces.copy()
    provinces["kinh_share"] = kinh.fillna(ref_kinh.reindex(kinh.index)).to_numpy()
    return Frame(villages=frame.villages, provinces=provinces, poststrata=poststrata)


def _size_classes(v: pd.DataFrame, size_class: str | None) -> pd.Series:
    provinces = pd.Index(sorted(v["province"].unique()))
    if size_class is not None:
        return pd.Series(size_class, index=provinces)
    if "size_class" in v.columns:
        classes = v["size_class"].astype("string").str.strip().str.lower()
        bad = classes.isna() | ~classes.isin(SIZE_CLASSES)
        if bad.any():
            at = int(np.flatnonzero(bad.to_numpy())[0])
            raise _problem(
                f"frame {_row_hint(v, at)} has size_class {v['size_class'].iloc[at]!r}; "
                f"expected one of {list(SIZE_CLASSES)}"
            )
        per = classes.groupby(v["province"]).nunique()
        if (per > 1).any():
            raise _problem(
                f"province {per.index[per > 1][0]!r} has more than one size_class; "
                "give one class per province"
            )
        return classes.groupby(v["province"]).first().astype(object)
    population = v.groupby("province")["population"].sum()
    return population.map(size_class_of)


def with_size_class(frame: Frame, size_class: str) -> Frame:
    """``frame`` with every province in ``size_class`` (the selection rules follow it)."""
    if size_class not in SIZE_CLASSES:
        raise _problem(f"unknown size class {size_class!r}; expected one of {list(SIZE_CLASSES)}")
    provinces = frame.provinces.assign(size_class=size_class)
    return Frame(villages=frame.villages, provinces=provinces, poststrata=frame.poststrata)


def read_frame(path: str | Path | None = None, size_class: str | None = None) -> Frame:
    """The frame at ``path``: the bundled national frame (``None``), a frame directory as
    ``load_frame`` reads, or one villages table (``.csv`` or ``.parquet``; see
    ``frame_from_table``). ``size_class`` puts every province in that class.

    Parameters
    ----------
    path : str, pathlib.Path or None, default None
        ``None`` (the bundled national frame), a frame directory, or a ``.csv`` /
        ``.parquet`` villages table (ids read as text).
    size_class : str or None, default None
        ``"large"``, ``"medium"`` or ``"small"`` for every province; ``None`` keeps the
        frame's classes (a villages table: see ``frame_from_table``).

    Returns
    -------
    Frame
        The validated frame.

    Raises
    ------
    NotFound
        ``path`` (or a file of the frame directory) does not exist (code
        ``frame_not_found``).
    SamplingError
        Code ``frame_invalid``: a file that is neither ``.csv`` nor ``.parquet``, a table
        that cannot be read, or one that does not make a valid frame (``frame_from_table``).
    """
    if path is None or Path(path).is_dir():
        frame = load_frame(path)
        return frame if size_class is None else with_size_class(frame, size_class)
    file = Path(path)
    if not file.exists():
        raise NotFound(
            f"frame {file} does not exist; give a villages .csv or .parquet, or a directory "
            "with villages.parquet, provinces.csv and poststrata.csv",
            code="frame_not_found",
        )
    suffix = file.suffix.lower()
    try:
        if suffix == ".csv":
            table = pd.read_csv(file, dtype=dict.fromkeys(_ID_COLUMNS, str), skipinitialspace=True)
        elif suffix == ".parquet":
            table = pd.read_parquet(file)
        else:
            raise _problem(
                f"frame {file}: expected a .csv or .parquet villages table or a frame directory"
            )
    except (ValueError, OSError, UnicodeDecodeError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise _problem(f"cannot read the frame {file}: {first}") from None
    table.columns = [str(c).strip() for c in table.columns]
    return frame_from_table(table, size_class)
