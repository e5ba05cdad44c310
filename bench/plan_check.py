"""Check ``papi plan``'s predictions by simulation and print the table of docs/planning.md.

    python bench/plan_check.py            # 3 designs × (2 districts + 2 provinces) × 200 pilots
    python bench/plan_check.py P20        # one place

For each place the variance components come from the simulator (``simulated_components``,
seed 7); each design is then simulated ``PILOTS`` times independently (seed 11), scored with
weighted Taylor CIs, and the median achieved half-width and the coverage of the district's
truth are set next to the plan's prediction. tests/scoring/test_plan_coverage.py asserts the
same numbers (±15%, 93-97%).
"""

from __future__ import annotations

import sys

from scoring.plan import Design, check_design, place_of, simulated_components

YEAR = 2023
PILOTS = 200
CASES: dict[str, tuple[Design, ...]] = {
    "P01-D03": (Design(1, 6, 2, 16), Design(1, 10, 2, 12), Design(1, 8, 3, 8)),
    "P31-D03": (Design(1, 6, 2, 16), Design(1, 8, 2, 12), Design(1, 6, 3, 12)),
    "P20": (Design(6, 2, 2, 16), Design(8, 2, 3, 8), Design(5, 3, 2, 16)),
    "P31": (Design(5, 2, 2, 16), Design(6, 3, 3, 8), Design(4, 3, 2, 16)),
}


def _sizes(design: Design) -> str:
    sizes: tuple[int, ...] = (design.communes, design.villages, design.interviews)
    if design.districts > 1:
        sizes = (design.districts, *sizes)
    return " × ".join(map(str, sizes))


def main() -> None:
    print(
        "| place | (districts ×) communes × villages × interviews | df | aggregate: predicted / achieved "
        "(ratio) | dimensions: ratio range | coverage aggregate / dimensions |"
    )
    print("|---|---|---|---|---|---|")
    chosen = sys.argv[1:] or list(CASES)
    for code in chosen:
        designs = CASES[code]
        place = place_of(code)
        comps = simulated_components(code, YEAR)
        for design in designs:
            c = check_design(place, design, comps, YEAR, pilots=PILOTS)
            dims = [k for k in c.achieved if k != "PAPI"]
            ratios = [c.ratio(k) for k in dims]
            cov_dims = sum(c.coverage[k] for k in dims) / len(dims)
            print(
                f"| {code} | {_sizes(design)} "
                f"| {design.df} | {c.prediction.median['PAPI']:.2f} / {c.achieved['PAPI']:.2f} "
                f"({c.ratio('PAPI'):.2f}) | {min(ratios):.2f}-{max(ratios):.2f} "
                f"| {100 * c.coverage['PAPI']:.1f} / {100 * cov_dims:.1f}% |",
                flush=True,
            )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
