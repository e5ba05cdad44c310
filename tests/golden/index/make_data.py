"""Write the small simulated survey of the index golden test (data.csv, spec.json).

Run from the repository root: ``python tests/golden/index/make_data.py``; then
``Rscript tests/golden/index/golden_index.R`` writes golden.json. data.csv holds the raw
answers (read by the test through ``scoring.score``) plus the per-respondent indicator
values ``y_<code>`` that R reads (their computation is tested separately).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from scoring.index.indicators import indicator_values  # noqa: E402
from scoring.index.structure import IndexStructure  # noqa: E402
from survey import load_questionnaire  # noqa: E402
from tests.scoring.index.simdata import simulate_responses  # noqa: E402

QUESTIONNAIRE = HERE.parents[1] / "scoring" / "index" / "fixtures" / "index-mini.yaml"


def main() -> None:
    q = load_questionnaire(QUESTIONNAIRE)
    frame = simulate_responses(q, provinces=4, districts=5, villages=2, per_village=8, rng=2026)
    codes, y, _ = indicator_values(frame, q)
    for j, code in enumerate(codes):
        frame[f"y_{code}"] = y[:, j]
    frame.to_csv(HERE / "data.csv", index=False)
    st = IndexStructure.from_questionnaire(q)
    spec = {
        "indicators": list(st.indicators),
        "indicator_subdimension": list(st.indicator_subdimension),
        "goalposts": [list(g) for g in st.goalposts],
        "subdimensions": list(st.subdimensions),
        "subdimension_dimension": list(st.subdimension_dimension),
        "dimensions": list(st.dimensions),
    }
    (HERE / "spec.json").write_text(json.dumps(spec, indent=1) + "\n")


if __name__ == "__main__":
    main()
