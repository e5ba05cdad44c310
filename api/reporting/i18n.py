"""Report labels in English and Vietnamese (``--lang en|vi``)."""

from __future__ import annotations

from survey.errors import PapiError

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "title": "PAPI scores report",
        "generated": "Generated",
        "method": "Method",
        "aggregate": "Aggregate PAPI score (8–80) with {confidence} confidence interval",
        "dimension": "Dimension",
        "dimensions": "Dimension scores (1–10) with {confidence} confidence intervals",
        "groups": "Performance groups",
        "ranks": "Ranks with rank intervals",
        "changes": "Year-on-year changes",
        "changes_vs": "Difference from the published scores of",
        "changes_vs_derived": "Difference from PAPI {year} derived on the 34 provinces of "
        "2025 (derived, not official)",
        "changes_vs_derived_results": "Difference from the earlier results derived on the 34 "
        "provinces of 2025 (derived, not official)",
        "sensitivity": "Sensitivity and uncertainty analysis",
        "collection": "Data collection",
        "province": "Province",
        "score": "Score",
        "ci": "{confidence} CI",
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
        "ci_unadjusted": "{confidence} CI (unadjusted)",
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
            "The {confidence} intervals are not adjusted for multiple comparisons: each holds for "
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
        "mean_abs_shift": "Mean absolute rank shift",
        "sens_summary": (
            "Across {runs} alternative ways of building the index, a province's rank moved by "
            "{shift} places on average."
        ),
        "sens_rank_text": (
            "How much does a province's rank depend on choices made in building the index "
            "(how indicators are normalised, how sub-dimensions and dimensions are combined, "
            "their weights, which indicators are included)? The index was recomputed many "
            "times, each time with other reasonable choices. Each point is a province: across "
            "is its rank in the index as published (the “nominal rank”), up is the middle of "
            "its ranks over all recomputations (the “median rank”), and the bar spans the "
            "ranks it took in 90% of them. Points near the diagonal with short bars have "
            "ranks that do not depend on these choices; a long bar means the rank does."
        ),
        "sens_sobol_text": (
            "Which choice moves the ranks most? Each pair of bars is one choice. S1 (first "
            "order) is the share of the variation in ranks that this choice causes on its own; "
            "ST (total) adds what it causes together with the other choices. A choice with "
            "small S1 and ST hardly matters; a large ST with a small S1 means it matters in "
            "combination with others."
        ),
        "sens_data_published": "Data: the published PAPI scores of {year}.",
        "sens_data_responses": "Data: the interview responses in {file}.",
        "sens_data_scores": "Data: the sub-dimension scores of this report.",
        "sens_data_unknown": (
            "Data: not recorded in the sensitivity result; it may differ from the scores above."
        ),
        "scores_data": "Data: the scores in {label}.",
        "data_published": "Data: the published PAPI scores of {year}.",
        "missing_absent": "Not in these data: {names}.",
        "missing_published": (
            "Not in the published data of {year}: {names} (PAPI did not publish scores for "
            "them that year)."
        ),
        "missing_unscored": (
            "In the data but without an aggregate score (a dimension is missing, e.g. too few "
            "respondents for an indicator): {names}."
        ),
        "coverage_partial": "These data cover {n} of the {total} provinces.",
        "national": "National",
        "pooled": "All respondents (pooled)",
        "scores_table": "Scores with {confidence} confidence intervals",
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
        "provenance": "How these scores were made",
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
        "aggregate": "Điểm tổng hợp PAPI (8–80) với khoảng tin cậy {confidence}",
        "dimension": "Chỉ số nội dung",
        "dimensions": "Điểm các chỉ số nội dung (1–10) với khoảng tin cậy {confidence}",
        "groups": "Nhóm hiệu quả",
        "ranks": "Thứ hạng và khoảng thứ hạng",
        "changes": "Thay đổi so với năm trước",
        "changes_vs": "Chênh lệch so với điểm công bố năm",
        "changes_vs_derived": "Chênh lệch so với PAPI {year} quy đổi sang 34 tỉnh, thành "
        "từ 2025 (số liệu suy ra, không chính thức)",
        "changes_vs_derived_results": "Chênh lệch so với kết quả trước quy đổi sang 34 tỉnh, "
        "thành từ 2025 (số liệu suy ra, không chính thức)",
        "sensitivity": "Phân tích độ nhạy và độ bất định",
        "collection": "Thu thập dữ liệu",
        "province": "Tỉnh/thành phố",
        "score": "Điểm",
        "ci": "KTC {confidence}",
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
        "ci_unadjusted": "KTC {confidence} (chưa hiệu chỉnh)",
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
            "Khoảng tin cậy {confidence} không được hiệu chỉnh cho so sánh bội: mỗi khoảng chỉ đúng "
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
        "mean_abs_shift": "Mức thay đổi thứ hạng tuyệt đối trung bình",
        "sens_summary": (
            "Qua {runs} cách xây dựng chỉ số khác nhau, thứ hạng của một tỉnh thay đổi trung "
            "bình {shift} bậc."
        ),
        "sens_rank_text": (
            "Thứ hạng của một tỉnh phụ thuộc bao nhiêu vào các lựa chọn khi xây dựng chỉ số "
            "(cách chuẩn hóa chỉ báo, cách gộp chỉ số thành phần và chỉ số nội dung, trọng số, "
            "những chỉ báo được đưa vào)? Chỉ số được tính lại nhiều lần, mỗi lần với những lựa "
            "chọn hợp lý khác. Mỗi điểm là một tỉnh: trục ngang là thứ hạng theo chỉ số như đã "
            "công bố (“hạng danh nghĩa”), trục dọc là thứ hạng ở giữa của tỉnh qua tất cả các "
            "lần tính lại (“hạng trung vị”), và thanh dọc trải trên các thứ hạng tỉnh đạt được "
            "trong 90% số lần đó. Điểm gần đường chéo với thanh ngắn là thứ hạng không phụ "
            "thuộc vào các lựa chọn này; thanh dài nghĩa là có phụ thuộc."
        ),
        "sens_sobol_text": (
            "Lựa chọn nào làm thứ hạng thay đổi nhiều nhất? Mỗi cặp cột là một lựa chọn. S1 "
            "(bậc một) là phần biến động của thứ hạng do riêng lựa chọn đó gây ra; ST (toàn "
            "phần) cộng thêm phần nó gây ra khi kết hợp với các lựa chọn khác. Lựa chọn có S1 "
            "và ST nhỏ hầu như không ảnh hưởng; ST lớn mà S1 nhỏ nghĩa là nó ảnh hưởng khi kết "
            "hợp với các lựa chọn khác."
        ),
        "sens_data_published": "Dữ liệu: điểm PAPI đã công bố năm {year}.",
        "sens_data_responses": "Dữ liệu: các câu trả lời phỏng vấn trong {file}.",
        "sens_data_scores": "Dữ liệu: điểm các chỉ số nội dung thành phần của báo cáo này.",
        "sens_data_unknown": (
            "Dữ liệu: kết quả phân tích độ nhạy không ghi nguồn; có thể khác với bộ điểm ở trên."
        ),
        "scores_data": "Dữ liệu: bộ điểm trong {label}.",
        "data_published": "Dữ liệu: điểm PAPI đã công bố năm {year}.",
        "missing_absent": "Không có trong dữ liệu này: {names}.",
        "missing_published": (
            "Không có trong dữ liệu công bố năm {year}: {names} (PAPI không công bố điểm của "
            "các tỉnh này trong năm đó)."
        ),
        "missing_unscored": (
            "Có trong dữ liệu nhưng không có điểm tổng hợp (thiếu một chỉ số nội dung, ví dụ "
            "do quá ít người trả lời cho một chỉ báo): {names}."
        ),
        "coverage_partial": "Dữ liệu này bao gồm {n} trên {total} tỉnh/thành phố.",
        "national": "Toàn quốc",
        "pooled": "Toàn bộ mẫu (gộp)",
        "scores_table": "Điểm số với khoảng tin cậy {confidence}",
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
        "provenance": "Cách tính các điểm số này",
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


FACTOR_NAMES: dict[str, dict[str, str]] = {
    "en": {
        "normalisation": "normalisation of indicators",
        "aggregation.subdimension": "aggregation of indicators into sub-dimensions",
        "aggregation.dimension": "aggregation of sub-dimensions into dimensions",
        "aggregation.index": "aggregation of dimensions into the aggregate",
        "weights": "weighting scheme",
        "weight_noise": "random changes to the weights",
        "exclusion": "leaving indicators out",
        "estimates": "which estimates are used",
        "sampling": "sampling error of the scores",
    },
    "vi": {
        "normalisation": "cách chuẩn hóa chỉ báo",
        "aggregation.subdimension": "cách gộp chỉ báo thành chỉ số nội dung thành phần",
        "aggregation.dimension": "cách gộp chỉ số thành phần thành chỉ số nội dung",
        "aggregation.index": "cách gộp chỉ số nội dung thành điểm tổng hợp",
        "weights": "cách đặt trọng số",
        "weight_noise": "thay đổi ngẫu nhiên của trọng số",
        "exclusion": "bỏ bớt chỉ báo",
        "estimates": "loại ước lượng được dùng",
        "sampling": "sai số chọn mẫu của điểm",
    },
}
"""Plain names of the sensitivity factors (scoring.sensitivity); unknown factors keep their
code."""

QUALITY_FLAGS: dict[str, dict[str, str]] = {
    "en": {
        "too_fast": "interview too short",
        "straight_lining": "same answer to a whole block of rating questions",
        "duplicate_respondent": "possible duplicate respondent in the same village",
        "outside_constraints": "answer outside the questionnaire's limits",
    },
    "vi": {
        "too_fast": "phỏng vấn quá ngắn",
        "straight_lining": "cùng một câu trả lời cho cả khối câu hỏi đánh giá",
        "duplicate_respondent": "có thể trùng người trả lời trong cùng thôn",
        "outside_constraints": "câu trả lời nằm ngoài giới hạn của bảng hỏi",
    },
}
"""Plain names of the interview quality-flag codes (api.submissions.quality)."""

METHOD_WORDS: dict[str, dict[str, str]] = {
    "en": {},
    "vi": {
        "published": "điểm công bố",
        "taylor": "tuyến tính hóa Taylor",
        "bootstrap": "bootstrap Rao–Wu",
        "replicates": "lần lặp",
        "confidence": "mức tin cậy",
        "unweighted": "không dùng trọng số",
        "weighted": "có trọng số",
        "95% CI": "KTC 95%",
    },
}
"""Words of the report's method line (``papi report``/``papi demo`` build it in English)."""


PROVENANCE_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "method": "method",
        "seed": "seed",
        "ci": "confidence intervals",
        "suppression": "suppression",
        "design": "design",
        "weighting": "weighting",
        "variance": "variance",
        "questionnaire": "questionnaire",
        "engine": "engine",
        "replicates": "{n} replicates",
        "rank_draws": "rank intervals from {n} empirical-Bayes draws, sampling error as in the CIs",
        "ci_value": "{level}, {dist} distribution",
        "t": "t",
        "normal": "normal",
        "design_value": "strata {strata}, PSU {psu}, lonely PSU: {lonely}",
        "variance_value": (
            "post-stratification in the variance: {poststratified}; "
            "PSU-share correction: {share_correction}"
        ),
        "yes": "yes",
        "no": "no",
        "not_recorded": "not recorded",
    },
    "vi": {
        "method": "phương pháp",
        "seed": "hạt giống ngẫu nhiên (seed)",
        "ci": "khoảng tin cậy",
        "suppression": "quy tắc loại bỏ",
        "design": "thiết kế mẫu",
        "weighting": "trọng số",
        "variance": "phương sai",
        "questionnaire": "bảng hỏi",
        "engine": "phần mềm",
        "replicates": "{n} lần lặp",
        "rank_draws": "khoảng thứ hạng từ {n} lần rút Bayes thực nghiệm, sai số mẫu theo phân phối của khoảng tin cậy",
        "ci_value": "{level}, phân phối {dist}",
        "t": "t",
        "normal": "chuẩn",
        "design_value": (
            "tầng: cột {strata}, đơn vị mẫu cấp một (PSU): cột {psu}, tầng chỉ có một PSU: {lonely}"
        ),
        "variance_value": (
            "phương sai có tính đến hậu phân tầng: {poststratified}; "
            "hiệu chỉnh theo tỷ trọng trọng số của các PSU: {share_correction}"
        ),
        "yes": "có",
        "no": "không",
        "not_recorded": "không ghi lại",
    },
}
"""Labels and phrases of the report's "How these scores were made" table."""

PROVENANCE_PHRASES: dict[str, dict[str, str]] = {
    "en": {},
    "vi": {
        # scoring.index.results.SUPPRESSION_RULES
        "an indicator of a province with fewer than min_n respondents with a value is missing": (
            "chỉ báo của một tỉnh có ít hơn min_n người trả lời có giá trị thì bị bỏ trống"
        ),
        "a sub-dimension is the mean of its available indicators when at least min_share of "
        "them are available, else missing": (
            "chỉ số nội dung thành phần là trung bình các chỉ báo có giá trị khi có ít nhất "
            "min_share số chỉ báo, nếu không thì bị bỏ trống"
        ),
        "a dimension needs all its sub-dimensions, the aggregate all dimensions": (
            "chỉ số nội dung cần đủ mọi chỉ số nội dung thành phần, điểm tổng hợp cần đủ mọi "
            "chỉ số nội dung"
        ),
        # the weighting texts of scoring.index.rescore and scoring.index.published
        "the weight column as given; the frame contract (survey.respondents.analysis_frame) "
        "makes it the design weight post-stratified to sex x age group within province": (
            "cột trọng số như được cung cấp; quy ước dữ liệu (survey.respondents.analysis_frame) "
            "đặt nó là trọng số thiết kế được hậu phân tầng theo giới tính × nhóm tuổi trong "
            "từng tỉnh"
        ),
        "the variance accounts for it (R: postStratify)": (
            "phương sai có tính đến hậu phân tầng (R: postStratify)"
        ),
        "PSU-share corrected variance": (
            "phương sai hiệu chỉnh theo tỷ trọng trọng số của các PSU"
        ),
        "unweighted (unit weights, same design)": (
            "không dùng trọng số (trọng số bằng 1, cùng thiết kế mẫu)"
        ),
        "none: the published sub-dimension scores": (
            "không có: điểm các chỉ số nội dung thành phần đã công bố"
        ),
        "fail": "báo lỗi",
        "adjust": "điều chỉnh",
        "remove": "loại bỏ",
        "certainty": "coi là chọn chắc chắn",
    },
}
"""Fixed phrases of a result's provenance (written in English by scoring) in the report's
language; a phrase not listed stays in English."""


def provenance_phrase(text: str, lang: str) -> str:
    """``text`` with every known provenance phrase put into ``lang`` (the rest kept)."""
    import re

    words = PROVENANCE_PHRASES.get(lang, {})
    if not words or text in words:  # a whole text (e.g. the lonely-PSU policy's one word)
        return words.get(text, text)
    long = [w for w in words if " " in w]
    pattern = re.compile("|".join(re.escape(w) for w in sorted(long, key=len, reverse=True)))
    return pattern.sub(lambda m: words[m.group(0)], text)


def method_text(method: str, lang: str) -> str:
    """The method line in ``lang``: known words translated, the rest kept."""
    import re

    words = METHOD_WORDS.get(lang, {})
    if not words:
        return method
    pattern = re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))
    return pattern.sub(lambda m: words[m.group(0)], method)


# Labels that name the confidence level of the scores' intervals ("{confidence}": "95%").
CONFIDENCE_LABELS = ("aggregate", "dimensions", "ci", "scores_table")


def labels(lang: str) -> dict[str, str]:
    if lang not in LABELS:
        raise PapiError(
            f"unknown report language {lang!r}; use 'en' or 'vi'", code="report_language_unknown"
        )
    return LABELS[lang]
