"""The strings of the survey-scores pages and the what-if, in English and Vietnamese
(merged into ``api.console.i18n.STRINGS``; the same tests check them)."""

from __future__ import annotations

# key: (English, Vietnamese)
SCORES_STRINGS: dict[str, tuple[str, str]] = {
    "scores": ("Scores", "Điểm số"),
    "scores_of": ("Scores of this survey", "Điểm số của cuộc khảo sát này"),
    "scores_intro": (
        "Score the survey's interviews (not rejected) into indicators, sub-dimensions, the 8 "
        "dimensions and the aggregate, with 95% confidence intervals, rank intervals and "
        "performance groups. The job runs on the server; its page shows the result when done.",
        "Tính điểm các phiếu phỏng vấn (không bị từ chối) của cuộc khảo sát thành chỉ tiêu, chỉ "
        "số thành phần, 8 chỉ số nội dung và chỉ số tổng hợp, với khoảng tin cậy 95%, khoảng "
        "thứ hạng và nhóm hiệu quả. Tác vụ chạy trên máy chủ; trang của nó hiện kết quả khi xong.",
    ),
    "start_scoring": ("Start scoring", "Bắt đầu tính điểm"),
    "ci_method": ("CI method", "Phương pháp khoảng tin cậy"),
    "ci_taylor": ("Taylor linearisation", "Tuyến tính hoá Taylor"),
    "ci_bootstrap": ("Bootstrap (Rao–Wu)", "Bootstrap (Rao–Wu)"),
    "replicates": ("Replicates", "Số lần lặp"),
    "weighted": ("Weighted", "Có trọng số"),
    "unweighted": ("Unweighted (PAPI's headline)", "Không trọng số (như PAPI công bố)"),
    "weighted_help": (
        "with the design weights post-stratified by sex and age; unticked: PAPI's unweighted "
        "headline estimates, same strata and clusters",
        "dùng trọng số thiết kế đã hậu phân tầng theo giới và tuổi; bỏ chọn: ước lượng không "
        "trọng số như PAPI công bố, cùng tầng và cụm",
    ),
    "scoring_jobs": ("Scoring jobs", "Các tác vụ tính điểm"),
    "weighting": ("Weighting", "Trọng số"),
    "job_status": ("Status", "Trạng thái"),
    "no_jobs": ("No scoring job yet.", "Chưa có tác vụ tính điểm nào."),
    "job_queued": ("queued", "đang chờ"),
    "job_running": ("running", "đang chạy"),
    "job_succeeded": ("done", "hoàn tất"),
    "job_failed": ("failed", "thất bại"),
    "started": ("started", "bắt đầu"),
    "finished": ("finished", "kết thúc"),
    "job_progress": ("Progress of the job", "Tiến độ tác vụ"),
    "job_stage_started": ("Started", "Đã bắt đầu"),
    "job_stage_reading": ("Reading the interviews", "Đang đọc các phiếu phỏng vấn"),
    "job_stage_scoring": ("Computing the scores", "Đang tính điểm"),
    "job_stage_preparing": (
        "Preparing the audit's data and replicates",
        "Đang chuẩn bị dữ liệu và các mẫu lặp",
    ),
    "job_stage_monte_carlo": ("Monte Carlo runs", "Các lần mô phỏng Monte Carlo"),
    "job_stage_sobol": ("Sobol’ indices", "Chỉ số Sobol’"),
    "job_stage_finishing": ("Finishing the results", "Đang hoàn thiện kết quả"),
    "job_stage_done": ("Finished", "Đã xong"),
    "job_wait": (
        "This page shows the result as soon as the job is done.",
        "Trang này sẽ hiện kết quả ngay khi tác vụ hoàn tất.",
    ),
    "whatif_open": (
        "What if…? Change a choice and see the ranks move",
        "Nếu thay đổi…? Đổi một lựa chọn và xem thứ hạng thay đổi",
    ),
    "compare_with_published": ("Compare with published PAPI", "So sánh với PAPI đã công bố"),
    "pilot_vs_published": (
        "This survey against its province's published scores",
        "Khảo sát này so với điểm đã công bố của tỉnh",
    ),
    "pilot_intro": (
        "The survey covers one unit only, so it is not ranked: it is compared with the "
        "scores PAPI published for its province.",
        "Cuộc khảo sát chỉ bao gồm một đơn vị nên không xếp hạng: nó được so sánh với điểm "
        "PAPI đã công bố cho tỉnh của nó.",
    ),
    "this_survey": ("This survey", "Khảo sát này"),
    "ci95": ("95% CI", "KTC 95%"),
    "difference_survey": ("Difference", "Chênh lệch"),
    "p_adjusted": ("p (adjusted)", "p (đã hiệu chỉnh)"),
    "published_rank_group": ("Published rank, group", "Thứ hạng, nhóm đã công bố"),
    "adjustment_published": (
        "Difference = this survey − the published score. Published scores carry no standard "
        "error: they are taken as a fixed reference, so the interval counts this survey's "
        "sampling error only. Intervals are one at a time (unadjusted); >5% marks a change of "
        "more than 5% of the published score, PAPI's own rule.",
        "Chênh lệch = khảo sát này − điểm đã công bố. Điểm công bố không có sai số chuẩn: "
        "được coi là mốc cố định, nên khoảng tin cậy chỉ tính sai số chọn mẫu của khảo sát "
        "này. Khoảng tin cậy tính riêng từng cái (không hiệu chỉnh); >5% đánh dấu thay đổi "
        "hơn 5% điểm công bố, theo quy tắc của PAPI.",
    ),
    "adjustment_holm": (
        "p-values are adjusted across the provinces of each level ({method}).",
        "Giá trị p được hiệu chỉnh trên các tỉnh của từng cấp ({method}).",
    ),
    "scores_table_caption": (
        "Scores, 95% CIs and rank intervals",
        "Điểm, KTC 95% và khoảng thứ hạng",
    ),
    "ci_chart": ("Scores with their 95% CIs", "Điểm với KTC 95%"),
    "significant": ("Significant", "Có ý nghĩa"),
    "yes": ("yes", "có"),
    "no": ("no", "không"),
    "drill_down": ("Drill-down", "Xem chi tiết"),
    "drill_intro": (
        "Dimension → sub-dimension → indicator, with n (respondents with a value). An "
        "indicator with fewer than {min_n} respondents is suppressed, and so is every level "
        "it cannot be scored without.",
        "Chỉ số nội dung → chỉ số thành phần → chỉ tiêu, với n (số người trả lời có giá trị). "
        "Chỉ tiêu có ít hơn {min_n} người trả lời bị ẩn, cùng mọi cấp không thể tính thiếu nó.",
    ),
    "suppressed": ("suppressed", "bị ẩn"),
    "notes": ("Notes", "Ghi chú"),
    "rank_interval": ("Rank interval", "Khoảng thứ hạng"),
    "all_respondents": ("All respondents (pooled)", "Tất cả người trả lời (gộp)"),
    "national_row": ("National", "Toàn quốc"),
    "not_in_survey": ("not in this survey", "không có trong khảo sát"),
    "whatif": ("What if", "Nếu thay đổi"),
    "whatif_intro": (
        "Change a choice: the scores, ranks, groups and CIs below are recomputed by the "
        "scoring library on the survey's interviews, and the table of moves compares them "
        "with the nominal result. The address of the page keeps the choices: share it.",
        "Đổi một lựa chọn: điểm, thứ hạng, nhóm và khoảng tin cậy dưới đây được thư viện tính "
        "điểm tính lại trên các phiếu của khảo sát, và bảng thay đổi so sánh chúng với kết quả "
        "gốc. Địa chỉ trang lưu các lựa chọn: có thể chia sẻ.",
    ),
    "method_choices": ("Method", "Phương pháp"),
    "normalisation": ("Normalisation", "Chuẩn hoá"),
    "norm_goalposts": ("Goalposts (PAPI)", "Ngưỡng cố định (PAPI)"),
    "norm_minmax": ("Min–max across provinces", "Min–max giữa các tỉnh"),
    "norm_zscore": ("z-score", "Điểm z"),
    "norm_rank": ("Rank", "Thứ hạng"),
    "aggregation": ("Aggregation", "Cách gộp"),
    "agg_arithmetic": ("Arithmetic mean (PAPI)", "Trung bình cộng (PAPI)"),
    "agg_geometric": ("Geometric mean", "Trung bình nhân"),
    "dimension_weights": ("Dimension weights", "Trọng số các chỉ số nội dung"),
    "drop_elements": (
        "Drop sub-dimensions or indicators",
        "Bỏ chỉ số thành phần hoặc chỉ tiêu",
    ),
    "reset": ("Back to the nominal choices", "Về lựa chọn gốc"),
    "whatif_error": ("This choice does not apply", "Lựa chọn này không áp dụng được"),
    "ci_method_scope": (
        "For PAPI's normalisation, means and equal weights. Other choices always use the "
        "bootstrap.",
        "Cho cách chuẩn hoá, trung bình cộng và trọng số bằng nhau của PAPI. Các lựa chọn khác "
        "luôn dùng bootstrap.",
    ),
    "whatif_by_score": (
        "Computed by scoring.score (PAPI's arithmetic on the index left after the drops), "
        "with its CIs, rank intervals and groups.",
        "Tính bằng scoring.score (số học của PAPI trên chỉ số còn lại sau khi bỏ), với khoảng "
        "tin cậy, khoảng thứ hạng và nhóm của nó.",
    ),
    "whatif_by_sensitivity": (
        "Computed by the sensitivity engine of scoring (papi sensitivity with these choices). "
        "CIs from {r} bootstrap replicates of the province indicator means (Rao–Wu): the "
        "whole index, normalisation included, recomputed on each replicate by the same "
        "engine; rank intervals and groups from these CIs as scoring.score gives them.",
        "Tính bằng bộ phân tích độ nhạy của thư viện (papi sensitivity với các lựa chọn này). "
        "Khoảng tin cậy từ {r} mẫu lặp bootstrap của giá trị trung bình các chỉ tiêu theo tỉnh "
        "(Rao–Wu): toàn bộ chỉ số, kể cả bước chuẩn hoá, được tính lại trên từng mẫu lặp bằng "
        "cùng bộ tính; khoảng thứ hạng và nhóm từ các khoảng tin cậy này như scoring.score.",
    ),
    "whatif_respondents": ("{n} interviews.", "{n} phiếu."),
    "whatif_table_caption": (
        "Scores, 95% CIs and rank intervals with these choices",
        "Điểm, KTC 95% và khoảng thứ hạng với các lựa chọn này",
    ),
    "who_moved": ("Who moved", "Ai thay đổi thứ hạng"),
    "who_moved_caption": (
        "Rank and group against the nominal result",
        "Thứ hạng và nhóm so với kết quả gốc",
    ),
    "nominal_rank": ("Nominal rank", "Hạng gốc"),
    "whatif_rank": ("Rank now", "Hạng mới"),
    "rank_change": ("Change", "Thay đổi"),
    "nominal_score": ("Nominal score", "Điểm gốc"),
    "whatif_score": ("Score now", "Điểm mới"),
    "nobody_moved": (
        "No province changed rank or group.",
        "Không tỉnh nào đổi thứ hạng hay nhóm.",
    ),
    "moves_note": (
        "Nominal: the same weighting and CI method with PAPI's own choices (nothing dropped, "
        "goalposts, arithmetic means, equal weights), computed the same way. ▲ a better rank.",
        "Gốc: cùng cách dùng trọng số và phương pháp khoảng tin cậy, với các lựa chọn của PAPI "
        "(không bỏ gì, ngưỡng cố định, trung bình cộng, trọng số bằng nhau), tính cùng cách. "
        "▲ thứ hạng tốt hơn.",
    ),
    "whatif_ci_bootstrap": (
        "The CI method does not apply to another normalisation, aggregation or dimension "
        "weights: Taylor linearisation has no counterpart for a min–max or rank "
        "normalisation, so these views always use the bootstrap ({r} replicates). These CIs "
        "are the sampling error of the scores under these choices; run the sensitivity "
        "analysis for the uncertainty of the choices themselves.",
        "Phương pháp khoảng tin cậy không áp dụng cho cách chuẩn hoá, cách gộp hoặc trọng số "
        "khác: tuyến tính hoá Taylor không có cách tương ứng cho chuẩn hoá min–max hay thứ "
        "hạng, nên các trường hợp này luôn dùng bootstrap ({r} mẫu lặp). Các khoảng tin cậy "
        "này là sai số chọn mẫu của điểm với các lựa chọn này; hãy chạy phân tích độ nhạy để "
        "biết độ bất định của chính các lựa chọn đó.",
    ),
}
