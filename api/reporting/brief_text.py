"""Words of the province brief (``papi brief --lang en|vi``)."""

from __future__ import annotations

from survey.errors import PapiError

TEXT: dict[str, dict[str, str]] = {
    "en": {
        "title": "PAPI brief: {name}, {source}",
        "published": "published scores {year}",
        "survey": "survey scores",
        "pilot": "pilot placed among the published provinces of {year}",
        "generated": "Generated",
        "stands": "Where it stands",
        "aggregate": "Aggregate (8–80)",
        "rank": "Rank",
        "of": "of",
        "group": "Group",
        "ci": "{confidence} CI",
        "rank_interval": "rank interval",
        "group_probs": "Probability of each group",
        "distances": "Distance in points (other provinces held fixed)",
        "to_next_group": "to the {group} group",
        "boundary_now": "the boundary is now {value}; it moves as the score rises",
        "to_top10": "to the top 10",
        "cushion": "in the top 10: it may lose {value} points before dropping out",
        "to_median": "to the national median ({value})",
        "above_median": "above the national median ({value}) by {points}",
        "already": "already there",
        "highest_group": "in the high group: no group above",
        "dimensions": "Dimensions",
        "dimension": "Dimension",
        "score": "Score",
        "points_up": "Points to the next group",
        "low_dims": "Dimensions in the low group: {dims}.",
        "no_low_dims": "No dimension is in the low group.",
        "lost": "Where the points are lost",
        "reference": "Reference",
        "ref_next_group": "the boundary province of the next group ({names})",
        "ref_top10": "the top-10 average",
        "ref_best": "the best province ({names})",
        "ref_median": "the median province ({names})",
        "gap_total": "Gap to {ref}: {total} points ({subject} against {reference}).",
        "gap_sum": "The contributions below add up exactly to the gap.",
        "by_dimension": "By dimension",
        "by_subdimension": "By sub-dimension (largest loss first)",
        "by_indicator": "Indicators ranked by the points they would recover",
        "subdimension": "Sub-dimension",
        "indicator": "Indicator (what respondents were asked)",
        "province_col": "Province",
        "reference_col": "Reference",
        "contribution": "Points lost",
        "total": "Total",
        "takes": "What it takes",
        "plan_group": "Into the {group} group",
        "plan_top10": "Into the top 10",
        "plan_points": (
            "At least {points} points more on the aggregate ({score} → {target}; the boundary "
            "is {threshold}, {strict})."
        ),
        "strict": "which must be exceeded",
        "closed": "which is enough to reach",
        "infeasible": (
            "Not reachable by matching the best province on every sub-dimension: the headroom "
            "adds up to {headroom} points only."
        ),
        "probability": (
            "With the estimates' uncertainty, the improved score would place it there with "
            "probability {p} (now {now}); {p80} points would place it there with probability 80%."
        ),
        "focused": "Focused: fewest sub-dimensions",
        "balanced": "Balanced: {fraction} of the gap to the best everywhere",
        "current": "Now",
        "best": "Best province",
        "headroom": "Headroom",
        "method": "Method and limits",
        "method_text": (
            "Points are on the aggregate's scale (sub-dimension scores as published, whose sum "
            "is the aggregate). The smallest improvement is the least total number of points "
            "that places the province at the target with every other province's score held "
            "fixed; the group boundaries (quartiles of all scored provinces) are recomputed "
            "with the improved score, because raising one province's score moves them too. "
            "Each sub-dimension may rise at most to the best province's score on it. "
            "“Focused” puts the points on as few sub-dimensions as possible (largest headroom "
            "first); “balanced” closes the same share of the gap to the best on every "
            "sub-dimension. Both have the same total; one percent less on any sub-dimension "
            "misses the target. Limits: other provinces move too (the median aggregate rose "
            "from 42.33 in 2023 to 43.48 in 2024), so a target met against this year's field "
            "may not be met next year; the quartile groups always keep a quarter of the "
            "provinces in the low group."
        ),
        "changes": "What changed since {previous}",
        "changes_none": "What changed since the previous year",
        "keep_group": (
            "Staying: it remains in the {group} group as long as it loses no more than {value} "
            "points, other provinces held fixed."
        ),
        "keep_top10": (
            "Staying: it remains in the top 10 as long as it loses no more than {value} points, "
            "other provinces held fixed."
        ),
        "top10_probability": "Probability of a top-10 rank now: {p}.",
        "pilot_note": (
            "The pilot's scores are placed among the published provinces in place of "
            "{province}'s published scores; every other province keeps its published score."
        ),
        "changes_pilot": "The pilot against {province}'s published scores of {year}",
        "before": "Before",
        "after": "After",
        "change": "Change",
        "flag": "Beyond noise",
        "rule_tested": (
            "Flagged: the design-based test of the difference is significant at 5% after "
            "{adjust} adjustment across provinces (as in papi report); > 5% is PAPI's own rule, "
            "shown alongside."
        ),
        "rule_5pct": (
            "Flagged: a change of more than 5% of the earlier score, PAPI's own rule (published "
            "scores carry no standard errors, so no test is possible; as in papi report)."
        ),
        "not_compared": "Not compared",
        "reason_new": "new this year",
        "reason_dropped": "no longer measured",
        "reason_rescaled": "its dimension changed, so its published scale changed",
        "reason_redefined": "made of different sub-dimensions or questions",
        "aggregate_caveat": "The aggregate includes {dims}, whose definition changed.",
        "notes": "Notes",
        "ahead": "Sub-dimensions where it is ahead of the reference ({n})",
        "others_rows": "the other {n} sub-dimensions",
        "no_previous": (
            "No earlier result to compare with: the published scores in papi-engine start in "
            "2018 (pass --previous-year or --previous)."
        ),
        "short": "Participation|Transparency|Accountability|Control of corruption|Admin. procedures|Public services|Environment|E-governance",
    },
    "vi": {
        "title": "Tóm tắt PAPI: {name}, {source}",
        "published": "điểm công bố năm {year}",
        "survey": "điểm khảo sát",
        "pilot": "điểm thí điểm đặt giữa các tỉnh/thành phố theo điểm công bố năm {year}",
        "generated": "Ngày tạo",
        "stands": "Vị trí hiện tại",
        "aggregate": "Điểm tổng hợp (8–80)",
        "rank": "Hạng",
        "of": "trên",
        "group": "Nhóm",
        "ci": "KTC {confidence}",
        "rank_interval": "khoảng thứ hạng",
        "group_probs": "Xác suất thuộc từng nhóm",
        "distances": "Khoảng cách tính bằng điểm (giữ nguyên điểm các tỉnh khác)",
        "to_next_group": "đến nhóm {group}",
        "boundary_now": "ngưỡng hiện là {value}; ngưỡng dịch chuyển khi điểm tăng",
        "to_top10": "đến nhóm 10 tỉnh dẫn đầu",
        "cushion": "trong nhóm 10 tỉnh dẫn đầu: có thể giảm {value} điểm trước khi rơi khỏi nhóm",
        "to_median": "đến trung vị toàn quốc ({value})",
        "above_median": "cao hơn trung vị toàn quốc ({value}) {points} điểm",
        "already": "đã đạt",
        "highest_group": "thuộc nhóm cao nhất: không còn nhóm trên",
        "dimensions": "Các chỉ số nội dung",
        "dimension": "Chỉ số nội dung",
        "score": "Điểm",
        "points_up": "Điểm cần để lên nhóm trên",
        "low_dims": "Các chỉ số nội dung thuộc nhóm thấp nhất: {dims}.",
        "no_low_dims": "Không có chỉ số nội dung nào thuộc nhóm thấp nhất.",
        "lost": "Mất điểm ở đâu",
        "reference": "Mốc so sánh",
        "ref_next_group": "tỉnh ở ngưỡng của nhóm trên ({names})",
        "ref_top10": "trung bình 10 tỉnh dẫn đầu",
        "ref_best": "tỉnh dẫn đầu ({names})",
        "ref_median": "tỉnh ở mức trung vị ({names})",
        "gap_total": "Khoảng cách đến {ref}: {total} điểm ({subject} so với {reference}).",
        "gap_sum": "Tổng các phần đóng góp dưới đây bằng đúng khoảng cách.",
        "by_dimension": "Theo chỉ số nội dung",
        "by_subdimension": "Theo chỉ số nội dung thành phần (mất nhiều nhất trước)",
        "by_indicator": "Các chỉ báo xếp theo số điểm có thể lấy lại",
        "subdimension": "Chỉ số nội dung thành phần",
        "indicator": "Chỉ báo (câu hỏi cho người dân)",
        "province_col": "Tỉnh",
        "reference_col": "Mốc",
        "contribution": "Điểm bị mất",
        "total": "Tổng",
        "takes": "Cần làm gì",
        "plan_group": "Lên nhóm {group}",
        "plan_top10": "Vào nhóm 10 tỉnh dẫn đầu",
        "plan_points": (
            "Cần thêm ít nhất {points} điểm tổng hợp ({score} → {target}; ngưỡng là "
            "{threshold}, {strict})."
        ),
        "strict": "phải vượt qua",
        "closed": "chỉ cần đạt tới",
        "infeasible": (
            "Không thể đạt được kể cả khi bằng tỉnh dẫn đầu ở mọi chỉ số thành phần: tổng "
            "dư địa chỉ là {headroom} điểm."
        ),
        "probability": (
            "Tính đến độ bất định của ước lượng, điểm đã cải thiện đạt mục tiêu với xác suất "
            "{p} (hiện tại {now}); cần {p80} điểm để đạt mục tiêu với xác suất 80%."
        ),
        "focused": "Tập trung: ít chỉ số thành phần nhất",
        "balanced": "Cân đối: thu hẹp {fraction} khoảng cách đến tỉnh dẫn đầu ở mọi chỉ số",
        "current": "Hiện tại",
        "best": "Tỉnh dẫn đầu",
        "headroom": "Dư địa",
        "method": "Phương pháp và giới hạn",
        "method_text": (
            "Điểm tính trên thang điểm tổng hợp (điểm chỉ số thành phần như công bố, cộng lại "
            "thành điểm tổng hợp). Mức cải thiện nhỏ nhất là tổng số điểm ít nhất đưa tỉnh đến "
            "mục tiêu khi giữ nguyên điểm của mọi tỉnh khác; ngưỡng các nhóm (tứ phân vị của "
            "các tỉnh được chấm điểm) được tính lại với điểm đã cải thiện, vì điểm của một tỉnh "
            "tăng thì ngưỡng cũng dịch chuyển. Mỗi chỉ số thành phần chỉ tăng tối đa đến điểm "
            "của tỉnh dẫn đầu ở chỉ số đó. “Tập trung” dồn điểm vào ít chỉ số nhất (dư địa lớn "
            "nhất trước); “cân đối” thu hẹp cùng một tỷ lệ khoảng cách đến tỉnh dẫn đầu ở mọi "
            "chỉ số. Hai cách có cùng tổng điểm; bớt 1% ở bất kỳ chỉ số nào sẽ không đạt mục "
            "tiêu. Giới hạn: các tỉnh khác cũng thay đổi, nên mục tiêu đạt được so với năm nay "
            "có thể không đạt vào năm sau (trung vị điểm tổng hợp tăng từ 42,33 năm 2023 lên 43,48 năm 2024); các nhóm là tứ phân vị nên luôn có một phần tư số "
            "tỉnh ở nhóm thấp nhất."
        ),
        "changes": "Thay đổi so với {previous}",
        "changes_none": "Thay đổi so với năm trước",
        "keep_group": (
            "Giữ vị trí: tỉnh vẫn thuộc nhóm {group} nếu không giảm quá {value} điểm, khi giữ "
            "nguyên điểm các tỉnh khác."
        ),
        "keep_top10": (
            "Giữ vị trí: tỉnh vẫn trong nhóm 10 tỉnh dẫn đầu nếu không giảm quá {value} điểm, khi "
            "giữ nguyên điểm các tỉnh khác."
        ),
        "top10_probability": "Xác suất hiện ở trong nhóm 10 tỉnh dẫn đầu: {p}.",
        "pilot_note": (
            "Điểm thí điểm được đặt vào vị trí điểm công bố của {province} giữa các tỉnh/thành "
            "phố; điểm công bố của mọi tỉnh khác giữ nguyên."
        ),
        "changes_pilot": "Điểm thí điểm so với điểm công bố năm {year} của {province}",
        "before": "Trước",
        "after": "Sau",
        "change": "Thay đổi",
        "flag": "Vượt mức nhiễu",
        "rule_tested": (
            "Đánh dấu: kiểm định theo thiết kế mẫu có ý nghĩa ở mức 5% sau hiệu chỉnh {adjust} "
            "giữa các tỉnh (như papi report); cột > 5% là quy tắc của PAPI, để tham khảo."
        ),
        "rule_5pct": (
            "Đánh dấu: thay đổi lớn hơn 5% so với điểm năm trước, quy tắc của PAPI (điểm công "
            "bố không có sai số chuẩn nên không kiểm định được; như papi report)."
        ),
        "not_compared": "Không so sánh",
        "reason_new": "mới có từ năm nay",
        "reason_dropped": "không còn đo lường",
        "reason_rescaled": "chỉ số nội dung thay đổi nên thang điểm công bố thay đổi",
        "reason_redefined": "gồm các chỉ số thành phần hoặc câu hỏi khác",
        "aggregate_caveat": "Điểm tổng hợp gồm {dims}, có định nghĩa đã thay đổi.",
        "notes": "Ghi chú",
        "ahead": "Các chỉ số thành phần cao hơn mốc so sánh ({n})",
        "others_rows": "{n} chỉ số thành phần còn lại",
        "no_previous": (
            "Không có kết quả trước để so sánh: điểm công bố trong papi-engine bắt đầu từ năm "
            "2018 (dùng --previous-year hoặc --previous)."
        ),
        "short": "Tham gia|Công khai, minh bạch|Trách nhiệm giải trình|Kiểm soát tham nhũng|Thủ tục hành chính|Dịch vụ công|Môi trường|Quản trị điện tử",
    },
}


def text(lang: str) -> dict[str, str]:
    if lang not in TEXT:
        raise PapiError(
            f"unknown brief language {lang!r}; use 'en' or 'vi'", code="report_language_unknown"
        )
    return TEXT[lang]
