"""Names across the 2025 reform: a former province or district → the new province it is in.

``former_to_new("Hai Duong")`` → Hải Phòng (N31), with a one-line note of the change. Matching
is exact after folding (case, diacritics, đ → d, punctuation, and the administrative prefix
such as "Tỉnh", "Thành phố", "TP.", "Quận", "Huyện", "Thị xã"), so "Hải Dương", "hai duong"
and "Tỉnh Hải Dương" are the same name. It is a resolver, not a search: a name that folds to
nothing known raises ``NotFound``; the place-name search with suggestions lives elsewhere and
can call this once it has a name. A district name shared by several provinces ("Châu Thành")
is ambiguous: add its province after a comma ("Châu Thành, Tiền Giang").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

import pandas as pd

from survey.errors import NotFound, PapiError
from survey.geography.vintages import REFORM_DATE, RESOLUTION, _crosswalk, _vintage, members

PREFIXES = (
    "thanh pho truc thuoc trung uong",
    "thanh pho",
    "tp",
    "tinh",
    "quan",
    "huyen",
    "thi xa",
    "city of",
    "province",
    "city",
    "district",
)
_SUFFIXES = (" province", " city", " district")


def fold(name: str) -> str:
    """A place name with case, diacritics, đ, punctuation and the administrative prefix
    folded away, for matching names however they are typed.

    Parameters
    ----------
    name : str
        A place name (``"Tỉnh Hải Dương"``, ``"hai duong"``).

    Returns
    -------
    str
        Its folded key (``"haiduong"``).
    """
    text = unicodedata.normalize("NFD", str(name)).replace("đ", "d").replace("Đ", "D")
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn").lower()
    text = re.sub(r"[^a-z0-9]+", " ", text).strip()
    for prefix in PREFIXES:
        if text.startswith(prefix + " ") and len(text) > len(prefix) + 1:
            text = text[len(prefix) + 1 :]
            break
    for suffix in _SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            text = text[: -len(suffix)]
    return text.replace(" ", "")


@dataclass(frozen=True)
class Succession:
    """Where a former unit is after the reform.

    Attributes
    ----------
    query : str
        What was asked for.
    level : str
        ``province`` or ``district``.
    former : str
        The former unit's code (``P19``, or a district's official code ``030``…).
    former_name : str
        Its name.
    former_province : str
        Its province (P code).
    new : str
        The new province (N code).
    new_name_vi, new_name_en : str
        The new province's names.
    changed : bool
        Whether the reform changed the province.
    note : str
        One line saying what happened.
    """

    query: str
    level: str
    former: str
    former_name: str
    former_province: str
    new: str
    new_name_vi: str
    new_name_en: str
    changed: bool
    note: str


def _province_note(former: str) -> tuple[bool, str]:
    p18 = _vintage("2018").provinces.set_index("province")
    p25 = _vintage("2025").provinces.set_index("province")
    cw = _crosswalk().set_index("former")
    new = str(cw.loc[former, "new"])
    name = str(p18.loc[former, "name_vi"])
    new_name = str(p25.loc[new, "name_vi"])
    others = [str(p18.loc[f, "name_vi"]) for f in members(new) if f != former]
    if not others:
        renamed = f" (now named {new_name})" if new_name != name else ""
        return False, f"{name}{renamed} is unchanged by the {REFORM_DATE} merger ({new})."
    merged = " and ".join(others)
    if bool(cw.loc[former, "seat"]):
        return True, (
            f"{name} merged with {merged} on {REFORM_DATE} into the new {new_name} ({new}), "
            f"which keeps its code and seat ({RESOLUTION})."
        )
    return True, (
        f"{name} merged with {merged} into {new_name} ({new}) on {REFORM_DATE} ({RESOLUTION})."
    )


def _province(query: str, former: str) -> Succession:
    p18 = _vintage("2018").provinces.set_index("province")
    p25 = _vintage("2025").provinces.set_index("province")
    new = str(_crosswalk().set_index("former").loc[former, "new"])
    changed, note = _province_note(former)
    return Succession(
        query=query,
        level="province",
        former=former,
        former_name=str(p18.loc[former, "name_vi"]),
        former_province=former,
        new=new,
        new_name_vi=str(p25.loc[new, "name_vi"]),
        new_name_en=str(p25.loc[new, "name_en"]),
        changed=changed,
        note=note,
    )


def _district(query: str, rows: pd.DataFrame) -> Succession:
    """Rows: the former districts of one province that the query names (a town and the
    rural district around it often share a name, "Thành phố Hồng Ngự", "Huyện Hồng Ngự")."""
    row = rows.iloc[0]
    prov = _province(query, str(row["province"]))
    name = " and ".join(rows["name_vi"])
    was = "was a district" if len(rows) == 1 else "were districts"
    in_province = prov.former_name
    p18 = _vintage("2018").provinces.set_index("province")["name_vi"]
    formed = (
        f", formed from {' and '.join(str(p18[f]) for f in members(prov.new))}"
        if prov.changed
        else ""
    )
    its = "its" if len(rows) == 1 else "their"
    note = (
        f"{name} {was} of {in_province}; districts were abolished on {REFORM_DATE} "
        f"(two-tier local government): {its} area is now in communes/wards of "
        f"{prov.new_name_vi} ({prov.new}){formed}."
    )
    return Succession(
        query=query,
        level="district",
        former=str(row["gso_code"]),
        former_name=name,
        former_province=prov.former,
        new=prov.new,
        new_name_vi=prov.new_name_vi,
        new_name_en=prov.new_name_en,
        changed=True,
        note=note,
    )


@cache
def _province_keys() -> dict[str, str]:
    """Folded names and codes of the 63 former provinces → P code."""
    p18 = _vintage("2018").provinces
    keys: dict[str, str] = {}
    for rec in p18.to_dict("records"):
        code = str(rec["province"])
        for key in (code, rec["name_vi"], rec["name_en"]):
            keys[fold(str(key))] = code
    keys[fold("Huế")] = "P31"  # its name since 1 January 2025
    keys[fold("Hồ Chí Minh")] = "P50"
    keys[fold("Saigon")] = "P50"
    return keys


@cache
def _districts() -> pd.DataFrame:
    d = _vintage("2018").units.copy()
    d["key"] = d["name_vi"].map(fold)
    return d


def _ambiguous(query: str, rows: pd.DataFrame) -> PapiError:
    names = _vintage("2018").names("vi")
    listed = "; ".join(
        f"{name}, {names[str(prov)]}"
        for name, prov in zip(rows["name_vi"], rows["province"], strict=True)
    )
    return PapiError(
        f"{query!r} names {len(rows)} former districts ({listed}); add the province after a "
        "comma, e.g. 'Châu Thành, Tiền Giang'",
        code="ambiguous_name",
    )


def former_to_new(code_or_name: str) -> Succession:
    """The new province a former province or district belongs to, with a one-line note.

    Parameters
    ----------
    code_or_name : str
        A province code (``P19``) or GSO code, a district's official code, or a name in any
        case, with or without diacritics (``"Hai Duong"``, ``"Long Bien, Ha Noi"``).

    Returns
    -------
    Succession
        Where the unit is after the reform.

    Raises
    ------
    NotFound
        An unknown name or code.
    PapiError
        ``ambiguous_name``: a district name shared by several provinces (add ``, province``).
    """
    query = str(code_or_name).strip()
    head, _, tail = query.partition(",")
    key = fold(head)
    provinces = _province_keys()
    if not tail and key in provinces:
        return _province(query, provinces[key])
    d = _districts()
    code = head.strip()
    if code.isdigit() and not tail and len(code) <= 2:
        by_gso = _vintage("2018").provinces.set_index("gso_code")["province"]
        if code.zfill(2) in by_gso.index:
            return _province(query, str(by_gso[code.zfill(2)]))
    if code.isdigit() and not tail:
        rows = d.loc[d["gso_code"] == code.zfill(3)]
    else:
        rows = d.loc[d["key"] == key]
        if tail:
            within = provinces.get(fold(tail))
            if within is None:
                raise NotFound(
                    f"{tail.strip()!r} is not a former province; give one of the 63 by name "
                    "or code (P01…P63)",
                    code="place_not_found",
                )
            rows = rows.loc[rows["province"] == within]
    if rows["province"].nunique() > 1:
        raise _ambiguous(query, rows)
    if len(rows):
        return _district(query, rows)
    raise NotFound(
        f"{query!r} is not a former province or district (names fold case and diacritics: "
        "'Hai Duong', 'Hải Dương' and 'Tỉnh Hải Dương' are one name); a new province's "
        "code looks like N31, a former one's like P19",
        code="place_not_found",
    )
