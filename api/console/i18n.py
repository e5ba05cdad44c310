"""Every string the console shows, in English and Vietnamese.

Templates call ``t("key")``; a key missing here is a KeyError at render time (the tests
render every page in both languages), and tests/console/test_console_pages.py checks that
every ``t("...")`` of the templates is listed here with both translations. Names of places
and people, ids and numbers are data and are shown as they are stored.
"""

from __future__ import annotations

from collections.abc import Callable

LANGS = ("en", "vi")
DEFAULT_LANG = "en"

# key: (English, Vietnamese)
STRINGS: dict[str, tuple[str, str]] = {
    "app_name": ("papi-engine console", "Bảng điều khiển papi-engine"),
    "skip_to_content": ("Skip to content", "Chuyển đến nội dung"),
    "language": ("Language", "Ngôn ngữ"),
    "lang_en": ("English", "English"),
    "lang_vi": ("Tiếng Việt", "Tiếng Việt"),
    "sign_in": ("Sign in", "Đăng nhập"),
    "sign_out": ("Sign out", "Đăng xuất"),
    "sign_in_intro": (
        "Paste the token an administrator gave you (papi token create). The console keeps "
        "it in a cookie of this browser until you sign out.",
        "Dán mã truy cập (token) do quản trị viên cấp (papi token create). Bảng điều khiển "
        "lưu nó trong cookie của trình duyệt này cho đến khi bạn đăng xuất.",
    ),
    "token": ("Token", "Mã truy cập"),
    "sign_in_failed": (
        "This token is unknown or revoked. Check it, or ask an administrator for a new one.",
        "Mã truy cập không tồn tại hoặc đã bị thu hồi. Hãy kiểm tra lại hoặc xin quản trị "
        "viên cấp mã mới.",
    ),
    "signed_in_as": ("Signed in as", "Đăng nhập với tên"),
    "role_admin": ("administrator", "quản trị viên"),
    "role_supervisor": ("supervisor", "giám sát viên"),
    "role_enumerator": ("enumerator", "điều tra viên"),
    "role_analyst": ("analyst", "chuyên viên phân tích"),
    "all_surveys": ("all surveys", "mọi cuộc khảo sát"),
    "survey_n": ("survey", "khảo sát"),
    "surveys": ("Surveys", "Các cuộc khảo sát"),
    "no_surveys": (
        "No survey yet. Create one below, or with `papi survey create`.",
        "Chưa có cuộc khảo sát nào. Hãy tạo bên dưới hoặc bằng `papi survey create`.",
    ),
    "id": ("Id", "Mã"),
    "name": ("Name", "Tên"),
    "year": ("Year", "Năm"),
    "questionnaire": ("Questionnaire", "Bảng hỏi"),
    "villages": ("Villages", "Số thôn"),
    "created": ("Created", "Ngày tạo"),
    "created_by": ("Created by", "Người tạo"),
    "open": ("Open", "Mở"),
    "create_survey": ("Create a survey", "Tạo cuộc khảo sát"),
    "bundled_questionnaire": ("Bundled questionnaire", "Bảng hỏi có sẵn"),
    "or_upload_questionnaire": (
        "or upload a questionnaire (YAML, JSON or XLSForm .xlsx)",
        "hoặc tải lên bảng hỏi (YAML, JSON hoặc XLSForm .xlsx)",
    ),
    "sample_file": (
        "Sample (CSV written by papi sample --out), optional",
        "Mẫu (tệp CSV do papi sample --out tạo), không bắt buộc",
    ),
    "create": ("Create", "Tạo"),
    "form_errors": (
        "Nothing was created. Correct these fields and send the form again:",
        "Chưa tạo gì. Hãy sửa các trường sau rồi gửi lại:",
    ),
    "field": ("Field", "Trường"),
    "problem": ("Problem", "Vấn đề"),
    # survey navigation
    "progress": ("Progress", "Tiến độ"),
    "review": ("Review", "Kiểm tra"),
    "enumerators": ("Enumerators", "Điều tra viên"),
    "tokens": ("Tokens", "Mã truy cập"),
    "exports": ("Exports", "Xuất dữ liệu"),
    "survey_pages": ("Survey pages", "Các trang của khảo sát"),
    # progress
    "progress_of": ("Field work", "Tiến độ thực địa"),
    "auto_refresh": (
        "This page refreshes itself every 15 seconds.",
        "Trang này tự cập nhật mỗi 15 giây.",
    ),
    "updated_at": ("Updated", "Cập nhật lúc"),
    "quota": ("Quota", "Chỉ tiêu"),
    "submitted": ("Submitted", "Đã nộp"),
    "complete": ("Complete", "Hoàn thành"),
    "status_received": ("Received", "Đã nhận"),
    "status_has_issues": ("Has issues", "Có vấn đề"),
    "status_approved": ("Approved", "Đã duyệt"),
    "status_rejected": ("Rejected", "Bị từ chối"),
    "whole_survey": ("Whole survey", "Toàn bộ khảo sát"),
    "level_province": ("Province", "Tỉnh"),
    "level_district": ("District", "Huyện"),
    "level_commune": ("Commune", "Xã"),
    "level_village": ("Village", "Thôn"),
    "drill_down_hint": (
        "Choose a name to see the places inside it.",
        "Chọn một tên để xem các đơn vị bên trong.",
    ),
    "no_submissions": ("No interview received yet.", "Chưa nhận được phiếu phỏng vấn nào."),
    "per_day": ("Interviews received per day", "Số phiếu nhận được mỗi ngày"),
    "per_day_summary": (
        "interviews on the busiest day",
        "phiếu vào ngày nhiều nhất",
    ),
    "day": ("Day", "Ngày"),
    "interviews": ("Interviews", "Phiếu phỏng vấn"),
    "map": ("Completion by province", "Mức hoàn thành theo tỉnh"),
    "map_note": (
        "A tile map: one square per province, placed roughly where it lies (north at the top).",
        "Bản đồ ô vuông: mỗi tỉnh một ô, đặt gần đúng vị trí địa lý (phía bắc ở trên).",
    ),
    "legend": ("Legend", "Chú giải"),
    "no_quota": ("no quota", "không có chỉ tiêu"),
    "not_sampled": ("not sampled", "không nằm trong mẫu"),
    "quality_flags": ("Quality flags", "Cờ chất lượng"),
    "flagged_interviews": ("flagged interviews", "phiếu bị gắn cờ"),
    "unreviewed": ("Not yet reviewed", "Chưa kiểm tra"),
    "flag": ("Flag", "Cờ"),
    "meaning": ("Meaning", "Ý nghĩa"),
    # flags (one per code of api/submissions/quality.py)
    "flag_too_fast": ("Too fast", "Quá nhanh"),
    "flag_too_fast_help": (
        "The interview took less than the minimum time (PAPI_MIN_INTERVIEW_SECONDS).",
        "Cuộc phỏng vấn ngắn hơn thời gian tối thiểu (PAPI_MIN_INTERVIEW_SECONDS).",
    ),
    "flag_straight_lining": ("Straight-lining", "Trả lời đồng loạt"),
    "flag_straight_lining_help": (
        "Every rating question of one battery has the same answer.",
        "Mọi câu hỏi thang điểm trong một nhóm đều có cùng một câu trả lời.",
    ),
    "flag_duplicate_respondent": ("Duplicate respondent", "Trùng người trả lời"),
    "flag_duplicate_respondent_help": (
        "Another interview in the same village has the same respondent details.",
        "Một phiếu khác trong cùng thôn có cùng thông tin người trả lời.",
    ),
    "flag_location_mismatch": ("Location mismatch", "Sai lệch địa bàn"),
    "flag_location_mismatch_help": (
        "The location of the interview and its location answers name different places.",
        "Địa bàn của phiếu và các câu trả lời về địa bàn chỉ ra những nơi khác nhau.",
    ),
    "flag_outside_constraints": ("Outside constraints", "Ngoài ràng buộc"),
    "flag_outside_constraints_help": (
        "An answer breaks a rule of the questionnaire (a constraint or a minimum/maximum).",
        "Một câu trả lời vi phạm quy tắc của bảng hỏi (ràng buộc hoặc giá trị tối thiểu/tối đa).",
    ),
    # review
    "review_queue": ("Interviews to review", "Phiếu cần kiểm tra"),
    "filters": ("Filters", "Bộ lọc"),
    "any_flag": ("any flag", "mọi loại cờ"),
    "any_status": ("any status", "mọi trạng thái"),
    "status_open": (
        "not yet approved or rejected",
        "chưa duyệt hoặc từ chối",
    ),
    "status": ("Status", "Trạng thái"),
    "enumerator": ("Enumerator", "Điều tra viên"),
    "apply": ("Apply", "Áp dụng"),
    "clear": ("Clear", "Xoá lọc"),
    "queue_empty": (
        "No flagged interview matches these filters.",
        "Không có phiếu bị gắn cờ nào khớp với bộ lọc.",
    ),
    "received_at": ("Received", "Nhận lúc"),
    "flags": ("Flags", "Cờ"),
    "more_results": ("Next page", "Trang sau"),
    "keyboard_hint": (
        "Keys: n next, p previous, a approve, r reject, q back to the queue.",
        "Phím tắt: n phiếu sau, p phiếu trước, a duyệt, r từ chối, q về danh sách.",
    ),
    "interview": ("Interview", "Phiếu phỏng vấn"),
    "next": ("Next", "Tiếp"),
    "previous": ("Previous", "Trước"),
    "back_to_queue": ("Back to the queue", "Về danh sách"),
    "location": ("Location", "Địa bàn"),
    "version": ("Version", "Phiên bản"),
    "submitted_by": ("Submitted by", "Người nộp"),
    "answers": ("Answers", "Câu trả lời"),
    "question": ("Question", "Câu hỏi"),
    "answer": ("Answer", "Trả lời"),
    "skipped": ("skipped or not asked", "bỏ qua hoặc không hỏi"),
    "special_answer": ("special answer", "trả lời đặc biệt"),
    "special_dont_know": ("don't know", "không biết"),
    "special_refused": ("refused", "từ chối trả lời"),
    "special_not_applicable": ("not applicable", "không áp dụng"),
    "paradata": ("Paradata", "Dữ liệu quá trình"),
    "device": ("Device", "Thiết bị"),
    "start": ("Start", "Bắt đầu"),
    "end": ("End", "Kết thúc"),
    "duration": ("Duration", "Thời lượng"),
    "minutes": ("min", "phút"),
    "gps": ("GPS", "GPS"),
    "no_flags": ("No quality flag.", "Không có cờ chất lượng."),
    "history": ("Version history", "Lịch sử phiên bản"),
    "event_create": ("created", "tạo"),
    "event_edit": ("edited", "sửa"),
    "event_review": ("reviewed", "kiểm tra"),
    "when": ("When", "Thời điểm"),
    "who": ("Who", "Người thực hiện"),
    "what": ("What", "Nội dung"),
    "changed": ("Changed", "Thay đổi"),
    "old_value": ("before", "trước"),
    "new_value": ("after", "sau"),
    "comment": ("Comment", "Nhận xét"),
    "decision": ("Decision", "Quyết định"),
    "approve": ("Approve", "Duyệt"),
    "reject": ("Reject", "Từ chối"),
    "mark_issues": ("Mark as having issues", "Đánh dấu có vấn đề"),
    "review_saved": ("Saved: the interview is now", "Đã lưu: phiếu hiện ở trạng thái"),
    "may_not_review": (
        "Your role may read this interview but not review it.",
        "Vai trò của bạn được xem phiếu này nhưng không được kiểm tra.",
    ),
    # enumerators
    "enumerator_activity": ("Activity per token", "Hoạt động theo mã truy cập"),
    "median_duration": ("Median length", "Thời lượng trung vị"),
    "flag_rate": ("Flag rate", "Tỷ lệ bị gắn cờ"),
    "last_seen": ("Last seen", "Lần cuối"),
    "enumerators_help": (
        "One row per token that submitted. A high flag rate or a very short median length "
        "deserves a look at that person's interviews.",
        "Mỗi dòng là một mã truy cập đã nộp phiếu. Tỷ lệ cờ cao hoặc thời lượng trung vị "
        "quá ngắn cần được xem xét kỹ các phiếu của người đó.",
    ),
    "see_interviews": ("See the flagged interviews", "Xem các phiếu bị gắn cờ"),
    # tokens
    "token_list": ("Tokens of this survey", "Mã truy cập của khảo sát này"),
    "role": ("Role", "Vai trò"),
    "create_enumerator_token": ("Create an enumerator token", "Tạo mã cho điều tra viên"),
    "holder_name": ("Holder's name (e.g. enum-07)", "Tên người giữ mã (vd. enum-07)"),
    "server_address": (
        "Server address as the phone sees it",
        "Địa chỉ máy chủ mà điện thoại truy cập được",
    ),
    "token_created": (
        "Token created. It is shown only once: copy it or scan the QR code now.",
        "Đã tạo mã. Mã chỉ hiển thị một lần: hãy sao chép hoặc quét mã QR ngay.",
    ),
    "qr_help": (
        "In ODK Collect: Project settings → Reconfigure with QR code, then scan this code.",
        "Trong ODK Collect: Cài đặt dự án → Cấu hình lại bằng mã QR, rồi quét mã này.",
    ),
    "qr_alt": ("ODK Collect settings as a QR code", "Cấu hình ODK Collect dạng mã QR"),
    "revocation_note": (
        "Revoke a token when its holder leaves or loses the phone: it stops working within "
        "a second, and its interviews stay. Times are UTC.",
        "Thu hồi mã khi người giữ mã nghỉ việc hoặc mất điện thoại: mã ngừng hoạt động trong "
        "vòng một giây, các phiếu đã nộp vẫn được giữ. Thời gian theo giờ UTC.",
    ),
    "revoke": ("Revoke", "Thu hồi"),
    "token_revoked": (
        "Token revoked: it no longer opens the API or the console.",
        "Đã thu hồi mã: mã không còn truy cập được API hay bảng điều khiển.",
    ),
    "expires": ("Expires", "Hết hạn"),
    "last_used": ("Last used", "Dùng lần cuối"),
    "token_state": ("State", "Trạng thái"),
    "token_active": ("active", "đang hoạt động"),
    "token_expired": ("expired", "đã hết hạn"),
    "never": ("never", "không bao giờ"),
    "never_used": ("not yet", "chưa dùng"),
    "valid_until": ("Valid until (optional)", "Có hiệu lực đến (không bắt buộc)"),
    "valid_until_help": (
        "The token stops working at the end of this day (UTC). Leave empty for no expiry.",
        "Mã ngừng hoạt động khi hết ngày này (giờ UTC). Để trống nếu không giới hạn.",
    ),
    "no_tokens": ("No token is scoped to this survey.", "Chưa có mã nào dành cho khảo sát này."),
    # exports
    "export_intro": (
        "One row per respondent, as GET /api/v1/surveys/{id}/export returns it "
        "(the same filters and rights).",
        "Mỗi dòng một người trả lời, như GET /api/v1/surveys/{id}/export trả về "
        "(cùng bộ lọc và quyền).",
    ),
    "format": ("Format", "Định dạng"),
    "format_csv": ("CSV", "CSV"),
    "format_parquet": ("Parquet", "Parquet"),
    "format_dta": ("Stata (.dta)", "Stata (.dta)"),
    "format_sav": ("SPSS (.sav)", "SPSS (.sav)"),
    "format_zip": ("ZIP with the media files", "ZIP kèm tệp đa phương tiện"),
    "include_rejected": ("Include rejected interviews", "Gồm cả phiếu bị từ chối"),
    "download": ("Download", "Tải xuống"),
    # errors
    "error": ("Error", "Lỗi"),
    "error_403": (
        "Your token may not see this page.",
        "Mã truy cập của bạn không được phép xem trang này.",
    ),
    "error_404": ("This page or record does not exist.", "Trang hoặc bản ghi này không tồn tại."),
    "error_409": (
        "This change conflicts with another one.",
        "Thay đổi này xung đột với thay đổi khác.",
    ),
    "error_422": ("The request is not valid.", "Yêu cầu không hợp lệ."),
    "error_other": ("The request failed.", "Yêu cầu không thành công."),
    "error_csrf": (
        "The form expired or came from another site. Reload the page and try again.",
        "Biểu mẫu đã hết hạn hoặc đến từ trang khác. Hãy tải lại trang và thử lại.",
    ),
    "details": ("Details", "Chi tiết"),
    "go_to_surveys": ("Go to the surveys", "Về danh sách khảo sát"),
    # published explorer
    "published_papi": ("Published PAPI", "PAPI đã công bố"),
    "published_intro": (
        "The provincial scores published by PAPI, 2018–2024, recomputed from the published "
        "sub-dimension scores: dimensions 1–10, aggregate 8–80, ranks and performance groups "
        "(quartiles of the scored provinces). Choose a province for its profile.",
        "Điểm cấp tỉnh do PAPI công bố, 2018–2024, tính lại từ điểm các chỉ số nội dung thành "
        "phần đã công bố: chỉ số nội dung 1–10, điểm tổng hợp 8–80, thứ hạng và nhóm (theo tứ "
        "phân vị của các tỉnh được chấm điểm). Chọn một tỉnh để xem hồ sơ.",
    ),
    "level": ("Index", "Chỉ số"),
    "show": ("Show", "Xem"),
    "compare_provinces": ("Compare two provinces", "So sánh hai tỉnh"),
    "ranking": ("Ranking", "Xếp hạng"),
    "group_map": ("Map by performance group", "Bản đồ theo nhóm"),
    "ranked_chart": ("Ranked chart", "Biểu đồ xếp hạng"),
    "download_csv": ("Download the table (CSV)", "Tải bảng (CSV)"),
    "download_svg": ("Download the chart (SVG)", "Tải biểu đồ (SVG)"),
    "rank": ("Rank", "Hạng"),
    "province": ("Province", "Tỉnh/thành phố"),
    "score": ("Score", "Điểm"),
    "group": ("Group", "Nhóm"),
    "published_map_note": (
        "One square per province (its number: 01 Hanoi … 63 Ca Mau), coloured by performance "
        "group. Hover or focus a square for its name, score and rank; choose it for its profile.",
        "Mỗi ô là một tỉnh (số thứ tự: 01 Hà Nội … 63 Cà Mau), tô màu theo nhóm. Di chuột hoặc "
        "chọn một ô để xem tên, điểm và hạng; bấm vào ô để xem hồ sơ tỉnh.",
    ),
    "not_scored": ("not scored", "không được chấm điểm"),
    "group_high": ("high", "cao nhất"),
    "group_high_average": ("high-average", "trung bình cao"),
    "group_low_average": ("low-average", "trung bình thấp"),
    "group_low": ("low", "thấp nhất"),
    "no_group": ("no group (not scored)", "không xếp nhóm (không được chấm điểm)"),
    "compare_with": ("Compare with", "So sánh với"),
    "compare": ("Compare", "So sánh"),
    "difference": ("Difference (1 − 2)", "Chênh lệch (1 − 2)"),
    "by_year": (
        "Aggregate and dimensions by year, with rank and group",
        "Điểm tổng hợp và các chỉ số nội dung theo năm, kèm hạng và nhóm",
    ),
    "aggregate": ("Aggregate (8–80)", "Điểm tổng hợp (8–80)"),
    "aggregate_trend": ("Aggregate by year", "Điểm tổng hợp theo năm"),
    "dimension_trend": ("Dimensions by year (1–10)", "Các chỉ số nội dung theo năm (1–10)"),
    "subdimensions_of": ("Sub-dimensions", "Chỉ số nội dung thành phần"),
    "code": ("Code", "Mã"),
    "subdimension": ("Sub-dimension", "Chỉ số nội dung thành phần"),
    "dimension": ("Dimension", "Chỉ số nội dung"),
    "what_it_takes": ("What it takes", "Cần bao nhiêu điểm"),
    "takes_not_scored": (
        "This province has no aggregate score this year, so it has no rank or group.",
        "Tỉnh này không có điểm tổng hợp năm nay nên không có hạng và nhóm.",
    ),
    "to_next_group": ("Points needed to reach the group", "Số điểm cần để vào nhóm"),
    "points": ("points", "điểm"),
    "group_cushion": (
        "Points it may lose before leaving its group",
        "Số điểm có thể mất trước khi rời khỏi nhóm hiện tại",
    ),
    "top10_cushion": (
        "Points it may lose before leaving the top 10",
        "Số điểm có thể mất trước khi rời khỏi top 10",
    ),
    "takes_explain": (
        "Every other province's score held fixed; the group boundaries are recomputed with "
        "the raised score. Focused: the fewest sub-dimensions, each raised up to the best "
        "province's score. Balanced: the same share of the gap to the best province on every "
        "sub-dimension. Either split, in published points, places the province there.",
        "Giữ nguyên điểm của mọi tỉnh khác; ranh giới các nhóm được tính lại với điểm đã "
        "tăng. Tập trung: ít chỉ số thành phần nhất, mỗi chỉ số tăng tối đa bằng điểm của tỉnh "
        "tốt nhất. Dàn đều: cùng một tỷ lệ khoảng cách tới tỉnh tốt nhất trên mọi chỉ số thành "
        "phần. Cách nào (tính theo điểm công bố) cũng đưa tỉnh tới đó.",
    ),
    "target_high": ("To the high group", "Vào nhóm cao nhất"),
    "target_high_average": ("To the high-average group", "Vào nhóm trung bình cao"),
    "target_low_average": ("To the low-average group", "Vào nhóm trung bình thấp"),
    "target_top10": ("To the top 10", "Vào top 10"),
    "must_exceed": ("must exceed it", "phải vượt mức này"),
    "enough_to_reach": ("reaching it is enough", "đạt mức này là đủ"),
    "takes_infeasible": (
        "Even matching the best province on every sub-dimension does not add up to this.",
        "Kể cả khi bằng tỉnh tốt nhất ở mọi chỉ số thành phần cũng không đủ số điểm này.",
    ),
    "takes_dimensions": ("Each dimension", "Từng chỉ số nội dung"),
    "points_to_next": ("Points to the next group up", "Số điểm để lên nhóm trên"),
    "takes_dimensions_note": (
        "Among the provinces scored on that dimension, others fixed. * even matching the best "
        "province on each of its sub-dimensions is not enough.",
        "Trong số các tỉnh được chấm điểm ở chỉ số đó, giữ nguyên các tỉnh khác. * kể cả khi "
        "bằng tỉnh tốt nhất ở mọi chỉ số thành phần của nó cũng không đủ.",
    ),
    "best_province": ("Best province", "Tỉnh tốt nhất"),
    "focused": ("Focused", "Tập trung"),
    "balanced": ("Balanced", "Dàn đều"),
    "takes_limits": (
        "Not a forecast: the other provinces move too, the groups are quartiles (a quarter of "
        "the provinces is always in the low group), and a point of one sub-dimension may cost "
        "far more effort than a point of another.",
        "Đây không phải dự báo: các tỉnh khác cũng thay đổi, các nhóm là tứ phân vị (luôn có "
        "một phần tư số tỉnh ở nhóm thấp nhất), và một điểm ở chỉ số này có thể tốn công hơn "
        "nhiều so với một điểm ở chỉ số khác.",
    ),
    # ---------------------------------------------------------------- sensitivity audit
    "sensitivity": ("Sensitivity", "Độ nhạy"),
    "sensitivity_intro": (
        "How much do the ranks depend on the choices made in building the index? The audit "
        "rebuilds the index many times with other reasonable choices (normalisation, "
        "aggregation, weights, which parts are included) and shows how the ranks move.",
        "Thứ hạng phụ thuộc bao nhiêu vào các lựa chọn khi xây dựng chỉ số? Phân tích này "
        "tính lại chỉ số nhiều lần với những lựa chọn hợp lý khác (chuẩn hóa, cách gộp, trọng "
        "số, những phần được đưa vào) và cho thấy thứ hạng thay đổi thế nào.",
    ),
    "sensitivity_of_year": ("Sensitivity of these ranks", "Độ nhạy của các thứ hạng này"),
    "mc_runs": ("Monte Carlo runs", "Số lần mô phỏng Monte Carlo"),
    "seed": ("Seed", "Hạt giống ngẫu nhiên"),
    "run_sensitivity": ("Run the audit", "Chạy phân tích"),
    "sens_not_run": (
        "This audit has not been run yet: choose the runs and press “Run the audit”.",
        "Phân tích này chưa được chạy: chọn số lần mô phỏng và bấm “Chạy phân tích”.",
    ),
    "sens_progress": ("Progress of the audit", "Tiến độ phân tích"),
    "sens_stage_queued": ("Waiting to start", "Đang chờ bắt đầu"),
    "sens_stage_monte_carlo": ("Monte Carlo runs", "Các lần mô phỏng Monte Carlo"),
    "sens_stage_sobol": ("Sobol’ indices", "Chỉ số Sobol’"),
    "sens_stage_finishing": (
        "Confidence intervals, removals and diagnostics",
        "Khoảng tin cậy, phép bỏ từng phần và chẩn đoán",
    ),
    "sens_stage_done": ("Finished", "Đã xong"),
    "sens_stage_failed": ("Failed", "Thất bại"),
    "job_queued": ("Waiting in the job queue", "Đang chờ trong hàng đợi"),
    "job_running": ("Running", "Đang chạy"),
    "job_succeeded": ("Finished", "Đã xong"),
    "job_failed": ("Failed", "Thất bại"),
    "sens_finished": ("The audit has finished.", "Phân tích đã xong."),
    "sens_show": ("Show the results", "Xem kết quả"),
    "sens_failed": ("The audit failed:", "Phân tích thất bại:"),
    "sens_data_survey": (
        "Data: the interview responses of the survey “{survey}”.",
        "Dữ liệu: các câu trả lời phỏng vấn của cuộc khảo sát “{survey}”.",
    ),
    "sens_seed_note": (
        "(%(runs)s runs, seed %(seed)s: the same choices give the same result.)",
        "(%(runs)s lần, hạt giống %(seed)s: cùng lựa chọn cho cùng kết quả.)",
    ),
    "sens_rank_title": (
        "Median rank and 5–95% rank interval of each province",
        "Hạng trung vị và khoảng thứ hạng 5–95% của mỗi tỉnh",
    ),
    "sens_sobol_title": (
        "Which choices move the ranks: Sobol’ indices S1 and ST",
        "Lựa chọn nào làm thay đổi thứ hạng: chỉ số Sobol’ S1 và ST",
    ),
    "sens_oat_title": (
        "Leaving one part out: average rank change",
        "Bỏ ra một phần: mức thay đổi thứ hạng trung bình",
    ),
    "sens_oat_text": (
        "What if one dimension or one sub-dimension were left out of the index, everything "
        "else kept as published? Each bar is one part left out; its length is how many places "
        "a province's rank moves on average. A long bar means the ranks lean on that part.",
        "Nếu bỏ một chỉ số nội dung hoặc một chỉ số thành phần ra khỏi chỉ số, giữ nguyên mọi "
        "thứ khác như đã công bố, thì sao? Mỗi thanh là một phần bị bỏ ra; độ dài của nó là số "
        "bậc trung bình mà thứ hạng của một tỉnh thay đổi. Thanh dài nghĩa là thứ hạng dựa "
        "nhiều vào phần đó.",
    ),
    "sens_no_sobol": (
        "No uncertain choice in this audit: nothing to attribute.",
        "Không có lựa chọn bất định nào trong phân tích này: không có gì để phân bổ.",
    ),
    "nominal_rank_axis": (
        "Nominal rank (the index as published)",
        "Hạng danh nghĩa (chỉ số như đã công bố)",
    ),
    "median_rank_axis": (
        "Median rank over the recomputations",
        "Hạng trung vị qua các lần tính lại",
    ),
    "nominal_rank_short": ("nominal rank", "hạng danh nghĩa"),
    "median_rank_short": ("median rank", "hạng trung vị"),
    "mean_shift_short": ("mean rank change", "thay đổi hạng trung bình"),
    "max_shift": ("largest change", "thay đổi lớn nhất"),
    "provinces_moved": ("provinces moved", "số tỉnh đổi hạng"),
    "places": ("places", "bậc"),
    "nominal_group": ("nominal group", "nhóm danh nghĩa"),
    "chart_numbers": ("The chart's numbers", "Số liệu của biểu đồ"),
    "factor": ("Choice", "Lựa chọn"),
    "ci95": ("95% CI", "KTC 95%"),
    "dropped": ("Left out", "Phần bị bỏ ra"),
    "level_dimension": ("dimension", "chỉ số nội dung"),
    "level_subdimension": ("sub-dimension", "chỉ số thành phần"),
    "level_indicator": ("indicator", "chỉ báo"),
    # -------------------------------------------------------------------------- downloads
    "downloads": ("Download", "Tải xuống"),
    "download_as": ("Download “{name}” as {format}", "Tải “{name}” dạng {format}"),
    "report_download": ("HTML report of this view", "Báo cáo HTML của trang này"),
    "none": ("—", "—"),
}

from api.console.i18n_scores import SCORES_STRINGS  # noqa: E402

STRINGS.update(SCORES_STRINGS)


def translator(lang: str) -> Callable[[str], str]:
    """``t(key)`` in ``lang`` (English for an unknown language)."""
    index = 1 if lang == "vi" else 0

    def t(key: str) -> str:
        return STRINGS[key][index]

    return t


def pick_lang(cookie: str | None, accept_language: str | None) -> str:
    """The cookie's choice; otherwise Vietnamese when the browser prefers it; else English."""
    if cookie in LANGS:
        return cookie
    if accept_language and accept_language.strip().lower().startswith("vi"):
        return "vi"
    return DEFAULT_LANG
