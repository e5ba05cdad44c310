"""The two bundled vintages of Viet Nam's administrative geography, and the crosswalk.

- ``2018``: 63 provinces (codes ``P01``…``P63``, the order of the published PAPI files) with
  their 696 districts, the geography of every PAPI year 2018–2024 (in force until 30 June 2025).
- ``2025``: 34 provinces and centrally-run cities (codes ``N`` + the official two-digit code,
  ``N01`` Hà Nội … ``N96`` Cà Mau) with their 3,321 communes, wards and special zones, from
  1 July 2025 (Resolution 202/2025/QH15; codes of Decision 19/2025/QĐ-TTg).
- The crosswalk: each former province → the new province it is part of, and whether it is
  the one whose code and provincial seat the new province keeps.

The tables live in ``fixtures/geography/`` (``build_geography.py`` there says where each comes
from; docs/geography.md cites the sources). Read them here, nowhere else.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

import pandas as pd

from survey.datafiles import DATA_ROOT, missing_hint
from survey.errors import NotFound, PapiError

GEOGRAPHY_DIR = DATA_ROOT / "geography"
VINTAGES = ("2018", "2025")
REFORM_DATE = "1 July 2025"
RESOLUTION = "Resolution 202/2025/QH15"
FIRST_YEAR_2025 = 2025


def _read(name: str) -> pd.DataFrame:
    path = GEOGRAPHY_DIR / name
    if not path.exists():
        raise NotFound(f"geography file {missing_hint(path)}", code="geography_missing")
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def parse_geography(value: object) -> str:
    """``"2018"`` or ``"2025"`` from a vintage name or a survey year.

    Parameters
    ----------
    value : object
        ``2018``/``2025`` (string or integer) or a survey year (2018–2024 → ``2018``,
        2025 on → ``2025``).

    Returns
    -------
    str
        ``"2018"`` or ``"2025"``.

    Raises
    ------
    PapiError
        ``unknown_geography``: neither a vintage nor a year.
    """
    text = str(value).strip()
    if text in VINTAGES:
        return text
    if text.isdigit() and 2000 <= int(text) <= 2100:
        return "2025" if int(text) >= FIRST_YEAR_2025 else "2018"
    raise PapiError(
        f"unknown geography {value!r}; give 2018 (63 provinces with districts, until June "
        "2025) or 2025 (34 provinces with communes/wards, from July 2025), or a survey year",
        code="unknown_geography",
    )


@dataclass(frozen=True, eq=False)
class Vintage:
    """One vintage of the geography.

    Attributes
    ----------
    name : str
        ``2018`` or ``2025``.
    provinces : pandas.DataFrame
        province, gso_code, name_vi, name_en, kind.
    units : pandas.DataFrame
        The units below the province: gso_code, province, name_vi.
    unit_level : str
        Which units: ``district`` (2018) or ``commune`` (2025).
    """

    name: str
    provinces: pd.DataFrame
    units: pd.DataFrame
    unit_level: str

    @property
    def codes(self) -> list[str]:
        return list(self.provinces["province"])

    def names(self, lang: str = "en") -> dict[str, str]:
        col = "name_vi" if lang == "vi" else "name_en"
        return dict(zip(self.provinces["province"], self.provinces[col], strict=True))


@cache
def _vintage(name: str) -> Vintage:
    provinces = _read(f"provinces_{name}.csv")
    if name == "2018":
        return Vintage(name, provinces, _read("districts_2018.csv"), "district")
    return Vintage(name, provinces, _read("communes_2025.csv"), "commune")


def vintage(name: object) -> Vintage:
    """The vintage ``name``.

    Parameters
    ----------
    name : object
        ``2018``/``2025`` or a survey year (``parse_geography``).

    Returns
    -------
    Vintage
        Its provinces and lower units.
    """
    return _vintage(parse_geography(name))


@cache
def _crosswalk() -> pd.DataFrame:
    cw = _read("crosswalk_2025.csv")
    cw["seat"] = cw["seat"] == "1"
    return cw


def crosswalk() -> pd.DataFrame:
    """The 2025 reform's province crosswalk.

    Returns
    -------
    pandas.DataFrame
        Former province (``former``, P01…P63) → new province (``new``, N01…N96), ``seat``:
        whether the new province keeps the former one's code and provincial seat (a copy).
    """
    return _crosswalk().copy()


def members(new: str) -> list[str]:
    """The former provinces a new province was formed from.

    Parameters
    ----------
    new : str
        A 2025 province code (N01…N96).

    Returns
    -------
    list of str
        Former province codes (P01…P63), its seat first.

    Raises
    ------
    NotFound
        ``new`` is not a province of the 2025 geography.
    """
    cw = _crosswalk()
    rows = cw.loc[cw["new"] == new].sort_values(["seat", "former"], ascending=[False, True])
    if rows.empty:
        raise NotFound(
            f"{new!r} is not a province of the 2025 geography; codes look like N01 (Hà Nội)",
            code="province_not_found",
        )
    return list(rows["former"])


def to_new(codes: Iterable[str]) -> list[str]:
    """The new province of each former province code; a new code stays itself.

    Old data keep their codes; this is how they are read in the 2025 geography.

    Parameters
    ----------
    codes : iterable of str
        Province codes, P01…P63 or N01…N96.

    Returns
    -------
    list of str
        The 2025 province code of each, in order.

    Raises
    ------
    NotFound
        A code in neither geography.
    """
    mapping = dict(zip(_crosswalk()["former"], _crosswalk()["new"], strict=True))
    new = set(_vintage("2025").codes)
    out = []
    for code in codes:
        if code in new:
            out.append(code)
        elif code in mapping:
            out.append(mapping[code])
        else:
            raise NotFound(
                f"province code {code!r} is in neither geography; codes are P01…P63 (until "
                "June 2025) or N01…N96 (from July 2025)",
                code="province_not_found",
            )
    return out


def geography_of(codes: Iterable[str]) -> str | None:
    """The vintage whose province codes ``codes`` use.

    Parameters
    ----------
    codes : iterable of str
        Province codes; pooled rows and unknown codes are ignored.

    Returns
    -------
    str or None
        ``"2018"`` or ``"2025"``; ``None`` when they use neither, or both.
    """
    known = {name: set(_vintage(name).provinces["province"]) for name in VINTAGES}
    seen = {name for code in codes for name, provinces in known.items() if code in provinces}
    return seen.pop() if len(seen) == 1 else None


def province_names(lang: str = "en") -> dict[str, str]:
    """Names of every province code of both vintages (the codes never collide).

    Parameters
    ----------
    lang : {"en", "vi"}, default "en"
        The language of the names.

    Returns
    -------
    dict of str to str
        Province code (P01…P63, N01…N96) → name.
    """
    return {**_vintage("2018").names(lang), **_vintage("2025").names(lang)}
