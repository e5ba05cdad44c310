"""Validation speed: full PAPI responses validated per second on one core.

    python bench/validate_bench.py [--questionnaire papi-2021] [--responses 2000] [--repeat 5]

Generates valid full responses with ``survey.simulate.random_response.generate_response`` (seeded), checks
that they validate, then times ``survey.validation.validate_response`` over all of them (best of
``--repeat`` passes) and prints responses/s. Target: >= 5,000 responses/s.
A second figure times responses carrying one corrupted answer each (the slow path).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere

from survey import load_questionnaire
from survey.rng import spawn
from survey.simulate.random_response import generate_response
from survey.validation import validate_response


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questionnaire", default="papi-2021")
    parser.add_argument("--responses", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    q = load_questionnaire(args.questionnaire)
    responses = [generate_response(q, g) for g in spawn(20211, args.responses)]
    invalid = sum(bool(validate_response(q, r)) for r in responses)
    if invalid:
        raise SystemExit(f"{invalid} generated responses do not validate")
    corrupted = []
    for r in responses:
        bad = dict(r)
        first = next(iter(bad))
        bad[first] = "not a valid answer"
        corrupted.append(bad)

    def rate(batch: list[dict[str, object]]) -> float:
        best = float("inf")
        for _ in range(args.repeat):
            start = time.perf_counter()
            for r in batch:
                validate_response(q, r)
            best = min(best, time.perf_counter() - start)
        return len(batch) / best

    answered = sum(len(r) for r in responses) / len(responses)
    result = {
        "questionnaire": q.id,
        "items": len(q.items),
        "answers_per_response": round(answered, 1),
        "valid_responses_per_s": round(rate(responses)),
        "corrupted_responses_per_s": round(rate(corrupted)),
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(
            f"{result['questionnaire']}: {result['items']} items, "
            f"{result['answers_per_response']} answers per response\n"
            f"valid responses:     {result['valid_responses_per_s']:>8,} responses/s\n"
            f"one corrupt answer:  {result['corrupted_responses_per_s']:>8,} responses/s"
        )


if __name__ == "__main__":
    main()
