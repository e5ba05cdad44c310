"""A tile-grid map of Viet Nam's 63 provinces, laid out by hand for the console.

No openly licensed, simplified province boundaries are available from the package registries
this project uses, so each province is one square at ``(row, column)``, placed roughly where
it lies: north at the top, the long coast on the right, the Mekong delta at the bottom.
Codes are those of ``survey.published.provinces()`` (P01 Hanoi … P63 Ca Mau); a test checks
that every code appears once and that no two provinces share a square.
"""

from __future__ import annotations

from dataclasses import dataclass

GRID: dict[str, tuple[int, int]] = {
    # north-west and north-east mountains
    "P08": (0, 0), "P06": (0, 1), "P02": (0, 2), "P03": (0, 3),
    "P07": (1, 0), "P10": (1, 1), "P05": (1, 2), "P04": (1, 3), "P13": (1, 4),
    "P09": (2, 0), "P16": (2, 1), "P12": (2, 2), "P15": (2, 3), "P14": (2, 4),
    # Red River delta
    "P11": (3, 0), "P17": (3, 1), "P01": (3, 2), "P18": (3, 3), "P19": (3, 4), "P20": (3, 5),
    "P23": (4, 2), "P21": (4, 3), "P22": (4, 4),
    "P26": (5, 1), "P25": (5, 2), "P24": (5, 3),
    # north-central coast
    "P27": (6, 1), "P28": (7, 2), "P29": (8, 2), "P30": (9, 3),
    "P31": (10, 3), "P32": (10, 4),
    # south-central coast and central highlands
    "P33": (11, 4),
    "P40": (12, 3), "P34": (12, 4),
    "P41": (13, 3), "P35": (13, 4),
    "P42": (14, 3), "P36": (14, 4),
    "P43": (15, 2), "P44": (15, 3), "P37": (15, 4),
    # south-east
    "P46": (16, 0), "P45": (16, 1), "P47": (16, 2), "P39": (16, 3), "P38": (16, 4),
    "P51": (17, 1), "P50": (17, 2), "P48": (17, 3), "P49": (17, 4),
    # Mekong delta
    "P57": (18, 0), "P56": (18, 1), "P52": (18, 2), "P53": (18, 3),
    "P58": (19, 0), "P59": (19, 1), "P55": (19, 2), "P54": (19, 3),
    "P60": (20, 1), "P61": (20, 2),
    "P63": (21, 0), "P62": (21, 1),
}  # fmt: skip

ROWS = 1 + max(r for r, _ in GRID.values())
COLUMNS = 1 + max(c for _, c in GRID.values())
# Completion classes, lowest first: (upper bound exclusive, fill colour). Colours from a
# sequential blue scale; text on the two darkest is white (contrast ≥ 4.5:1).
BINS: tuple[tuple[float, str], ...] = (
    (0.25, "#deebf7"),
    (0.50, "#9ecae1"),
    (0.75, "#4292c6"),
    (1.00, "#2171b5"),
    (float("inf"), "#08306b"),
)
NO_QUOTA = "#f0f0f0"
NOT_SAMPLED = "#ffffff"
DARK = frozenset({"#2171b5", "#08306b"})


def fill(complete: float | None, sampled: bool) -> str:
    if not sampled:
        return NOT_SAMPLED
    if complete is None:
        return NO_QUOTA
    for upper, colour in BINS:
        if complete < upper:
            return colour
    return BINS[-1][1]


@dataclass(frozen=True, slots=True)
class Tile:
    province: str
    name: str
    x: int
    y: int
    fill: str
    text: str  # colour of the label
    complete: float | None
    sampled: bool


def tiles(
    completion: dict[str, float | None], names: dict[str, str], size: int, gap: int
) -> list[Tile]:
    """One tile per province; ``completion`` holds the sampled provinces (None: no quota)."""
    out = []
    for province, (row, col) in sorted(GRID.items()):
        sampled = province in completion
        colour = fill(completion.get(province), sampled)
        out.append(
            Tile(
                province=province,
                name=names.get(province, province),
                x=col * (size + gap),
                y=row * (size + gap),
                fill=colour,
                text="#ffffff" if colour in DARK else "#1a1a1a",
                complete=completion.get(province),
                sampled=sampled,
            )
        )
    return out
