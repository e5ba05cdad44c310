"""Progress of a survey against its quotas (per province and village)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from api.surveys.schemas import Counts, ProvinceProgress, VillageProgress

STATUSES = ("received", "has_issues", "approved", "rejected")


def counts_of(quota: int | None, by_status: dict[str, int]) -> dict[str, Any]:
    submitted = sum(by_status.values())
    done = submitted - by_status.get("rejected", 0)
    return {
        "quota": quota,
        "submitted": submitted,
        **{s: by_status.get(s, 0) for s in STATUSES},
        "complete": (done / quota) if quota else None,
    }


def build(
    counts: list[tuple[str, str | None, str, int]],
    sample_villages: dict[str, str],
    village_quota: dict[str, int],
    province_quota: dict[str, int],
) -> tuple[Counts, list[ProvinceProgress]]:
    """Aggregate ``(province, village, status, n)`` rows; villages of the sample appear even
    with no submission. ``sample_villages`` maps village → province. The records are built
    without validation (``model_construct``): every value is computed here from counts, and
    a national sample has hundreds of villages."""
    by_village: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    for village, province in sample_villages.items():
        by_village[(province, village)] = {}
    for province, village_id, status, n in counts:
        key = (province, village_id or "")
        by_village[key][status] = by_village[key].get(status, 0) + n
    provinces: dict[str, list[VillageProgress]] = defaultdict(list)
    prov_status: dict[str, dict[str, int]] = defaultdict(dict)
    for (province, village), by_status in sorted(by_village.items()):
        provinces[province].append(
            VillageProgress.model_construct(
                village=village, **counts_of(village_quota.get(village), by_status)
            )
        )
        for s, n in by_status.items():
            prov_status[province][s] = prov_status[province].get(s, 0) + n
    out = []
    total_status: dict[str, int] = defaultdict(int)
    for province in sorted(provinces):
        villages = provinces[province]
        quota = province_quota.get(province)
        if quota is None:
            vq = [v.quota for v in villages if v.quota is not None]
            quota = sum(vq) if vq else None
        for s, n in prov_status[province].items():
            total_status[s] += n
        out.append(
            ProvinceProgress.model_construct(
                province=province, villages=villages, **counts_of(quota, prov_status[province])
            )
        )
    pq = [p.quota for p in out if p.quota is not None]
    total = Counts.model_validate(counts_of(sum(pq) if pq else None, dict(total_status)))
    return total, out
