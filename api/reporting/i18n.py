"""Report labels in English and Vietnamese (``--lang en|vi``)."""

from __future__ import annotations

from survey.errors import PapiError

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "title": "PAPI scores report",
        "generated": "Generated",
        "method": "Method",
        "aggregate": "Aggregate PAPI score (8–80) with 95% confidence interval",
        "dimension": "Dimension",
        "dimensions": "Dimension scores (1–10) with 95% confidence intervals",
        "groups": "Performance groups",
        "ranks": "Ranks with rank intervals",
        "changes": "Year-on-year changes",
        "changes_vs": "Difference from the published scores of",
        "sensitivity": "Sensitivity and uncertainty analysis",
        "collection": "Data collection",
        "province": "Province",
        "score": "Score",
        "ci": "95% CI",
        "rank": "Rank",
        "rank_interval": "Rank interval",
        "group": "Group",
        "high": "High",
        "high-average": "High-average",
        "low-average": "Low-average",
        "low": "Low",
        "n": "Respondents",
        "previous": "Previous",
        "current": "Current",
        "change": "Change",
        "change_pct": "Change (%)",
        "p_value": "p-value",
        "p_adjusted": "p-value ({method}-adjusted)",
        "p_unadjusted": "p-value (unadjusted)",
        "ci_unadjusted": "{level} CI (unadjusted)",
        "yes": "yes",
        "no": "no",
        "sig_rule": (
            "p-values are {method}-adjusted for the {n} provinces of the table (one family); "
            "“Significant” means an adjusted p-value below {alpha}, and “–” that no test was "
            "possible (no standard error)."
        ),
        "sig_rule_none": (
            "p-values are not adjusted for multiple comparisons; “Significant” means a p-value "
            "below {alpha}, and “–” that no test was possible (no standard error)."
        ),
        "sig_rule_unknown": (
            "The table does not record how its p-values were adjusted for multiple comparisons."
        ),
        "ci_unadjusted_note": (
            "The {level} intervals are not adjusted for multiple comparisons: each holds for "
            "one province on its own, so an interval can exclude 0 while the adjusted p-value "
            "is not significant."
        ),
        "published_error": (
            "The published scores come from a sample too and carry their own sampling error, "
            "which is not published; it is counted as zero here, so the intervals and p-values "
            "understate the uncertainty of the difference."
        ),
        "flag_5pct": "> 5% change",
        "flag_sig": "Significant",
        "completed": "Completed",
        "target": "Target",
        "completion": "Completion",
        "quality_flags": "Quality flags",
        "flag": "Flag",
        "count": "Count",
        "duration": "Interview duration (minutes)",
        "national": "National",
        "pooled": "All respondents (pooled)",
        "scores_table": "Scores with 95% confidence intervals",
        "province_scored": "province scored",
        "groups_none_few": (
            "No performance groups: the groups (high, high-average, low-average, low) are "
            "quartiles among the scored provinces and need at least {min} of them; these scores "
            "cover {n}."
        ),
        "groups_compare_cli": (
            "To place the results, compare them with the published PAPI scores of the province:"
        ),
        "groups_command": "papi report SCORES --previous-published YEAR",
        "groups_compare_below": "To place the results, see “{section}” below.",
        "groups_none": "These scores carry no performance groups.",
        "notes": "Notes on the estimates",
        "notes_intro": "What the scoring run reported about these estimates:",
        "pilot_district": "pilot district",
        "district": "district",
        "median_rank": "Median rank",
        "nominal_rank": "Nominal rank",
        "rank_q05_q95": "5–95% rank interval",
        "sobol": "Sobol sensitivity indices",
        "no_score": "not scored",
        "contents": "Contents",
        "provinces_scored": "provinces scored",
        "footnote": (
            "Scores follow the PAPI method: indicators rescaled to 1–10 with fixed goalposts, "
            "averaged into sub-dimensions, summed into dimensions (1–10) and the aggregate (8–80). "
            "Confidence intervals are design-based (province strata, clustered sample)."
        ),
    },
    "vi": {
        "title": "Báo cáo điểm PAPI",
        "generated": "Ngày tạo",
        "method": "Phương pháp",
        "aggregate": "Điểm tổng hợp PAPI (8–80) với khoảng tin cậy 95%",
        "dimension": "Chỉ số nội dung",
        "dimensions": "Điểm các chỉ số nội dung (1–10) với khoảng tin cậy 95%",
        "groups": "Nhóm hiệu quả",
        "ranks": "Thứ hạng và khoảng thứ hạng",
        "changes": "Thay đổi so với năm trước",
        "changes_vs": "Chênh lệch so với điểm công bố năm",
        "sensitivity": "Phân tích độ nhạy và độ bất định",
        "collection": "Thu thập dữ liệu",
        "province": "Tỉnh/thành phố",
        "score": "Điểm",
        "ci": "KTC 95%",
        "rank": "Hạng",
        "rank_interval": "Khoảng thứ hạng",
        "group": "Nhóm",
        "high": "Cao nhất",
        "high-average": "Trung bình cao",
        "low-average": "Trung bình thấp",
        "low": "Thấp nhất",
        "n": "Số người trả lời",
        "previous": "Năm trước",
        "current": "Năm nay",
        "change": "Thay đổi",
        "change_pct": "Thay đổi (%)",
        "p_value": "Giá trị p",
        "p_adjusted": "Giá trị p (hiệu chỉnh {method})",
        "p_unadjusted": "Giá trị p (chưa hiệu chỉnh)",
        "ci_unadjusted": "KTC {level} (chưa hiệu chỉnh)",
        "yes": "có",
        "no": "không",
        "sig_rule": (
            "Giá trị p được hiệu chỉnh theo phương pháp {method} cho {n} tỉnh/thành phố trong "
            "bảng (một họ kiểm định); “Có ý nghĩa” nghĩa là giá trị p đã hiệu chỉnh nhỏ hơn "
            "{alpha}, còn “–” nghĩa là không thể kiểm định (không có sai số chuẩn)."
        ),
        "sig_rule_none": (
            "Giá trị p không được hiệu chỉnh cho so sánh bội; “Có ý nghĩa” nghĩa là giá trị p "
            "nhỏ hơn {alpha}, còn “–” nghĩa là không thể kiểm định (không có sai số chuẩn)."
        ),
        "sig_rule_unknown": (
            "Bảng không ghi rõ giá trị p đã được hiệu chỉnh cho so sánh bội như thế nào."
        ),
        "ci_unadjusted_note": (
            "Khoảng tin cậy {level} không được hiệu chỉnh cho so sánh bội: mỗi khoảng chỉ đúng "
            "cho riêng một tỉnh, nên một khoảng có thể không chứa 0 trong khi giá trị p đã "
            "hiệu chỉnh không có ý nghĩa."
        ),
        "published_error": (
            "Điểm công bố cũng được tính từ một mẫu khảo sát nên có sai số chọn mẫu riêng, "
            "nhưng sai số này không được công bố; ở đây nó được coi bằng 0, vì vậy khoảng tin "
            "cậy và giá trị p đánh giá thấp độ bất định của chênh lệch."
        ),
        "flag_5pct": "Thay đổi > 5%",
        "flag_sig": "Có ý nghĩa",
        "completed": "Đã hoàn thành",
        "target": "Chỉ tiêu",
        "completion": "Tỷ lệ hoàn thành",
        "quality_flags": "Cảnh báo chất lượng",
        "flag": "Cảnh báo",
        "count": "Số lượng",
        "duration": "Thời gian phỏng vấn (phút)",
        "national": "Toàn quốc",
        "pooled": "Toàn bộ mẫu (gộp)",
        "scores_table": "Điểm số với khoảng tin cậy 95%",
        "province_scored": "tỉnh/thành phố được chấm điểm",
        "groups_none_few": (
            "Không xếp nhóm hiệu quả: các nhóm (cao nhất, trung bình cao, trung bình thấp, thấp "
            "nhất) là các tứ phân vị giữa các tỉnh/thành phố được chấm điểm và cần ít nhất {min} "
            "tỉnh/thành phố; bộ điểm này chỉ có {n}."
        ),
        "groups_compare_cli": "Để đánh giá kết quả, hãy so sánh với điểm PAPI đã công bố của tỉnh:",
        "groups_command": "papi report SCORES --previous-published NĂM",
        "groups_compare_below": "Để đánh giá kết quả, xem mục “{section}” bên dưới.",
        "groups_none": "Bộ điểm này không có nhóm hiệu quả.",
        "notes": "Ghi chú về các ước lượng",
        "notes_intro": (
            "Các ghi chú kỹ thuật do bước tính điểm tạo ra, giữ nguyên bằng tiếng Anh:"
        ),
        "pilot_district": "quận/huyện thí điểm",
        "district": "quận/huyện",
        "median_rank": "Hạng trung vị",
        "nominal_rank": "Hạng danh nghĩa",
        "rank_q05_q95": "Khoảng thứ hạng 5–95%",
        "sobol": "Chỉ số độ nhạy Sobol",
        "no_score": "không chấm điểm",
        "contents": "Mục lục",
        "provinces_scored": "tỉnh/thành phố được chấm điểm",
        "footnote": (
            "Điểm số theo phương pháp PAPI: các chỉ báo được chuẩn hóa về thang 1–10 theo ngưỡng cố định, "
            "lấy trung bình thành chỉ số nội dung thành phần, cộng thành chỉ số nội dung (1–10) và điểm "
            "tổng hợp (8–80). Khoảng tin cậy tính theo thiết kế mẫu (phân tầng theo tỉnh, mẫu cụm)."
        ),
    },
}

DIMENSION_NAMES: dict[str, dict[str, str]] = {
    "en": {
        "D1": "Participation at Local Levels",
        "D2": "Transparency in Local Decision-making",
        "D3": "Vertical Accountability Towards Citizens",
        "D4": "Control of Corruption in the Public Sector",
        "D5": "Public Administrative Procedures",
        "D6": "Public Service Delivery",
        "D7": "Environmental Governance",
        "D8": "E-Governance",
    },
    "vi": {
        "D1": "Tham gia của người dân ở cấp cơ sở",
        "D2": "Công khai, minh bạch trong việc ra quyết định ở địa phương",
        "D3": "Trách nhiệm giải trình với người dân",
        "D4": "Kiểm soát tham nhũng trong khu vực công",
        "D5": "Thủ tục hành chính công",
        "D6": "Cung ứng dịch vụ công",
        "D7": "Quản trị môi trường",
        "D8": "Quản trị điện tử",
    },
}


def labels(lang: str) -> dict[str, str]:
    if lang not in LABELS:
        raise PapiError(
            f"unknown report language {lang!r}; use 'en' or 'vi'", code="report_language_unknown"
        )
    return LABELS[lang]
