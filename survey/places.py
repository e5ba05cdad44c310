"""Provinces and districts by name or code: search, resolve, suggest.

One home for the rule "what text names which place". Names are compared *normalised*: lower
case, Vietnamese diacritics removed (``Long Biên`` = ``long bien``; ``đ`` = ``d``), and
spaces, hyphens and dots ignored (``Ha Noi`` = ``Hanoi``); codes are compared in upper case
(``p01-d03`` = ``P01-D03``). An unknown text gets the nearest names and codes as suggestions
(``difflib``'s ratio on the normalised keys), not the list of every code.

The places come from a ``Geography``: anything that lists ``Place`` records. ``FrameGeography``
reads a sampling frame: its provinces with their English and Vietnamese names (the bundled
frame's are the official ones) and its districts, named when the caller gives their names
(a district team's own frame has a ``district_name`` column; the bundled frame is synthetic
below the province, so its districts have codes only). Another vintage of the geography (a later
administrative map) is another ``Geography``.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, Protocol

from survey.errors import NotFound

if TYPE_CHECKING:
    from survey.sampling import Frame

Level = Literal["province", "district"]


@dataclass(frozen=True)
class Place:
    """A province (``P01``) or district (``P01-D03``) with the names it is known by."""

    code: str
    level: Level
    province: str
    names: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return f"{self.code} {self.names[0]}" if self.names else self.code


class Geography(Protocol):
    """What the look-up needs: a description and the places."""

    @property
    def description(self) -> str: ...

    def places(self) -> Sequence[Place]: ...


def normalise(text: str) -> str:
    """Lower case, no diacritics (đ → d), single spaces; ``Long Biên`` → ``long bien``."""
    text = text.replace("đ", "d").replace("Đ", "D")
    stripped = "".join(
        c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)
    )
    return " ".join(stripped.lower().split())


def _key(text: str) -> str:
    """The comparison key of a name: normalised, without spaces, hyphens or dots."""
    return re.sub(r"[\s\-.'’]+", "", normalise(text))


@dataclass(frozen=True)
class FrameGeography:
    """Provinces and districts of a sampling frame (module docstring)."""

    frame: Frame
    description: str = "the bundled frame (real provinces, synthetic districts)"
    district_names: Mapping[str, str] = field(default_factory=dict)  # code → name

    def places(self) -> Sequence[Place]:
        from survey.published import provinces

        names = provinces().set_index("province")
        out: list[Place] = []
        for row in self.frame.provinces.itertuples(index=False):
            code = str(row.province)
            known = [str(row.name)]
            if code in names.index:
                known += [str(names.at[code, "name"]), str(names.at[code, "name_vi"])]
            out.append(Place(code, "province", code, tuple(dict.fromkeys(known))))
        v = self.frame.villages.drop_duplicates("district")
        for prov, dist in zip(v["province"], v["district"], strict=True):
            name = self.district_names.get(str(dist))
            out.append(Place(str(dist), "district", str(prov), (name,) if name else ()))
        return out


class Places:
    """Search and resolve places of one ``Geography``."""

    def __init__(self, geography: Geography) -> None:
        self.geography = geography
        self._places = list(geography.places())
        self._by_code = {p.code.upper(): p for p in self._places}
        self._by_key: dict[str, list[Place]] = {}
        for p in self._places:
            for n in p.names:
                same = self._by_key.setdefault(_key(n), [])
                if p not in same:
                    same.append(p)

    def search(self, text: str, level: Level | None = None, limit: int = 20) -> list[Place]:
        """Places whose code or a name contains ``text`` (normalised); none: ``nearest``."""
        want = _key(text)
        code = text.strip().upper()
        found = [
            p
            for p in self._places
            if (level is None or p.level == level)
            and (
                (code and code in p.code.upper())
                or (want and any(want in _key(n) for n in p.names))
            )
        ]
        return found[:limit]

    def nearest(self, text: str, level: Level | None = None, n: int = 5) -> list[Place]:
        """The places whose names or codes are closest to ``text``."""
        keys: dict[str, list[Place]] = {}
        for p in self._places:
            if level is not None and p.level != level:
                continue
            for k in (*(_key(x) for x in p.names), p.code.lower()):
                keys.setdefault(k, []).append(p)
        close = difflib.get_close_matches(_key(text) or text.lower(), list(keys), n=n, cutoff=0.5)
        out: list[Place] = []
        for k in close:
            for p in keys[k]:
                if p not in out:
                    out.append(p)
        return out[:n]

    def resolve(self, text: str, level: Level | None = None) -> Place:
        """The one place ``text`` names (a code in any case, or a name); NotFound with the
        nearest names otherwise, or when a name is shared by several places."""
        what = level or "place"
        code = re.sub(r"^P(\d)(?=-|$)", r"P0\1", text.strip().upper())  # P1 → P01
        if code in self._by_code and (level is None or self._by_code[code].level == level):
            return self._by_code[code]
        matches = [p for p in self._by_key.get(_key(text), []) if level is None or p.level == level]
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            listed = ", ".join(p.label for p in matches)
            raise NotFound(
                f"{text!r} names more than one {what}: {listed}; give its code",
                code="place_ambiguous",
            )
        near = self.nearest(text, level)
        hint = (
            f"; did you mean {', '.join(p.label for p in near)}?"
            if near
            else "; `papi places search NAME` lists the codes"
        )
        raise NotFound(
            f"no {what} {text.strip()!r} in {self.geography.description}{hint}",
            code="place_not_found",
        )


@dataclass(frozen=True)
class VintageGeography:
    """The provinces of an official vintage of the administrative map (survey.geography):
    ``2025`` lists the 34 provinces formed on 1 July 2025 (``N01`` … ``N96``), which have no
    districts. Names in English and Vietnamese, and the official two-digit code."""

    name: str = "2025"

    @property
    def description(self) -> str:
        from survey.geography import vintage

        return f"the {len(vintage(self.name).codes)} provinces of the {self.name} geography"

    def places(self) -> Sequence[Place]:
        from survey.geography import vintage

        rows = vintage(self.name).provinces
        return [
            Place(str(r.province), "province", str(r.province), (str(r.name_en), str(r.name_vi)))
            for r in rows.itertuples(index=False)
        ]


@dataclass(frozen=True)
class OfficialDistricts:
    """The districts of the 2018 geography's official list (survey.geography): real names
    with their GSO code and province, for finding where a district is. The bundled frame's
    districts are synthetic, so these are not codes its commands take: a real district is
    planned and sampled on its own frame."""

    @property
    def description(self) -> str:
        return "the official list of the 2018 districts"

    def places(self) -> Sequence[Place]:
        from survey.geography import vintage

        units = vintage("2018").units
        return [
            Place(str(r.gso_code), "district", str(r.province), (str(r.name_vi),))
            for r in units.itertuples(index=False)
        ]


def official_districts() -> Places:
    """The real districts of the 2018 geography (GSO codes, Vietnamese names)."""
    return Places(OfficialDistricts())


def vintage_places(name: str) -> Places:
    """The places of a vintage of the geography (``2025``: the 34 provinces)."""
    return Places(VintageGeography(name))


def bundled_places() -> Places:
    """The places of the bundled frame (63 provinces and their synthetic districts)."""
    from survey.sampling import load_frame

    return Places(FrameGeography(load_frame()))


def frame_places(
    frame: Frame, description: str, district_names: Mapping[str, str] | None = None
) -> Places:
    """The places of any frame (a team's own), its districts named by ``district_names``."""
    return Places(FrameGeography(frame, description, dict(district_names or {})))
