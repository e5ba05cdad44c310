"""The console's pages (``/console/...``): thin handlers over ``api.console.views`` and the
API's services, rendered with the templates of this package."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool

from api.auth import service as auth
from api.auth.schemas import Role, TokenCreate
from api.auth.service import Action
from api.console import CONSOLE_PATH, downloads, views
from api.console.i18n import LANGS, STRINGS, pick_lang, translator
from api.console.session import (
    LANG_COOKIE,
    CsrfRejected,
    Session,
    SignInRequired,
    check_post,
    clear_session,
    current,
    principal_for,
    set_session,
)
from api.exports import routes as exports
from api.exports import service as export_service
from api.exports.formats import ExportFormat
from api.problems import status_of
from api.submissions import service as submissions
from api.submissions.schemas import ReviewIn, ReviewStatus
from api.surveys import service as survey_service
from api.unit_of_work import Uow
from survey.errors import NotFound, PapiError
from survey.questionnaire.loader import BUNDLED

_env = Environment(
    loader=PackageLoader("api.console", "templates"),
    autoescape=select_autoescape(["html", "svg"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _lang(request: Request) -> str:
    return pick_lang(request.cookies.get(LANG_COOKIE), request.headers.get("accept-language"))


def render(
    request: Request,
    template: str,
    status: int = 200,
    session: Session | None = None,
    **context: Any,
) -> Response:
    lang = _lang(request)
    html = _env.get_template(template).render(
        t=translator(lang),
        has=STRINGS.__contains__,
        lang=lang,
        langs=LANGS,
        base=CONSOLE_PATH,
        request=request,
        session=session,
        here=request.url.path + (f"?{request.url.query}" if request.url.query else ""),
        report_link=downloads.report_link,
        may=lambda action, survey_id=None: (
            session is not None and views.may(session.principal, Action(action), survey_id)
        ),
        may_tokens=lambda survey_id: (
            session is not None and auth.may_manage_tokens(session.principal, survey_id)
        ),
        **context,
    )
    if status == 200 and downloads.wants_report(request.query_params):
        query = [
            (k, v) for k, v in request.query_params.multi_items() if k != downloads.REPORT_PARAM
        ]
        return downloads.report_response(
            html,
            lang=lang,
            origin=str(request.base_url).rstrip("/"),
            path=request.url.path + (f"?{urlencode(query)}" if query else ""),
        )
    return HTMLResponse(
        html,
        status_code=status,
        headers={
            "Cache-Control": "no-store",
            "Content-Security-Policy": (
                "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                "script-src 'self'; frame-ancestors 'none'; form-action 'self'"
            ),
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "same-origin",
        },
    )


class ConsoleRoute(APIRoute):
    """Errors become pages: no session → the sign-in page; a service's refusal (403, 404,
    422 ...) → an error page in the reader's language with the service's reason."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def run(request: Request) -> Response:
            try:
                return await handler(request)
            except SignInRequired:
                target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                return RedirectResponse(
                    f"{CONSOLE_PATH}/sign-in?{urlencode({'next': target})}", status_code=303
                )
            except CsrfRejected:
                return render(request, "error.html", 403, message_key="error_csrf", detail="")
            except PapiError as exc:
                status = status_of(exc)
                key = f"error_{status}" if f"error_{status}" in STRINGS else "error_other"
                return render(request, "error.html", status, message_key=key, detail=str(exc))
            except RequestValidationError as exc:
                detail = "; ".join(
                    f"{'/'.join(map(str, e.get('loc', ())))}: {e.get('msg')}" for e in exc.errors()
                )
                return render(request, "error.html", 422, message_key="error_422", detail=detail)

        return run


router = APIRouter(prefix=CONSOLE_PATH, route_class=ConsoleRoute, include_in_schema=False)
Current = Annotated[Session, Depends(current)]
Csrf = Annotated[str, Form(max_length=128)]


def _safe_next(target: str | None) -> str:
    """Only a console path (never another site) is a redirect target."""
    if (
        target
        and target.startswith(CONSOLE_PATH + "/")
        and "//" not in target
        and "\\" not in target
    ):
        return target
    return f"{CONSOLE_PATH}/surveys"


def _now() -> datetime:
    return datetime.now(UTC)


# ------------------------------------------------------------------------ session, language


@router.get("")
@router.get("/")
async def home(request: Request) -> Response:
    try:
        await current(request)
    except SignInRequired:
        return RedirectResponse(f"{CONSOLE_PATH}/sign-in", status_code=303)
    return RedirectResponse(f"{CONSOLE_PATH}/surveys", status_code=303)


@router.get("/sign-in")
async def sign_in_page(
    request: Request, next: Annotated[str | None, Query(max_length=2000)] = None
) -> Response:
    return render(request, "sign_in.html", next=_safe_next(next), failed=False)


@router.post("/sign-in")
async def sign_in(
    request: Request,
    token: Annotated[str, Form(max_length=200)],
    next: Annotated[str | None, Form(max_length=2000)] = None,
) -> Response:
    origin = request.headers.get("origin")
    if origin and origin != "null" and origin.split("://", 1)[-1] != request.headers.get("host"):
        raise CsrfRejected
    token = token.strip()
    principal = await principal_for(request, token) if token else None
    if principal is None:
        return render(request, "sign_in.html", 401, next=_safe_next(next), failed=True)
    response = RedirectResponse(_safe_next(next), status_code=303)
    set_session(request, response, token)
    return response


@router.post("/sign-out")
async def sign_out(request: Request, session: Current, csrf: Csrf) -> Response:
    check_post(request, session, csrf)
    response = RedirectResponse(f"{CONSOLE_PATH}/sign-in", status_code=303)
    clear_session(request, response)
    return response


@router.get("/lang/{code}")
async def set_lang(
    request: Request, code: str, next: Annotated[str | None, Query(max_length=2000)] = None
) -> Response:
    target = next if next in (f"{CONSOLE_PATH}/sign-in",) else _safe_next(next)
    response = RedirectResponse(target, status_code=303)
    if code in LANGS:
        response.set_cookie(
            LANG_COOKIE, code, max_age=365 * 86400, path="/", samesite="strict", httponly=True
        )
    return response


# ------------------------------------------------------------------------------- surveys


@router.get("/surveys")
def survey_list(request: Request, session: Current, uow: Uow) -> Response:
    items = views.survey_list(uow.read, session.principal)
    return render(request, "surveys.html", session=session, surveys=items, errors=(), form={})


@router.post("/surveys")
async def create_survey(
    request: Request,
    session: Current,
    uow: Uow,
    csrf: Csrf,
    name: Annotated[str, Form(max_length=1000)] = "",
    year: Annotated[str, Form(max_length=20)] = "",
    questionnaire: Annotated[str, Form(max_length=100)] = "",
    questionnaire_file: Annotated[UploadFile | None, File()] = None,
    sample_file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    check_post(request, session, csrf)
    survey_service.check_create(session.principal)
    q_upload = await _upload(questionnaire_file)
    s_upload = await _upload(sample_file)
    form = {"name": name, "year": year, "questionnaire": questionnaire}

    def create() -> int:
        from api.console.forms import create_survey as make

        return make(uow, session.principal, form, q_upload, s_upload)

    try:
        survey_id = await run_in_threadpool(create)
    except PapiError as exc:
        errors = exc.problems or ()
        items = views.survey_list(uow.read, session.principal)
        return render(
            request,
            "surveys.html",
            status_of(exc),
            session=session,
            surveys=items,
            errors=errors,
            error=exc.message,
            form=form,
            bundled=BUNDLED,
        )
    return RedirectResponse(f"{CONSOLE_PATH}/surveys/{survey_id}", status_code=303)


async def _upload(file: UploadFile | None) -> tuple[str, bytes] | None:
    if file is None or not file.filename:
        return None
    return Path(file.filename).name, await file.read()


# ------------------------------------------------------------------------------ progress

Unit = Annotated[str, Query(max_length=60, pattern=r"^[A-Za-z0-9_.\-]*$")]


@router.get("/surveys/{survey_id}")
def progress(
    request: Request, session: Current, uow: Uow, survey_id: int, unit: Unit = ""
) -> Response:
    if not views.may(session.principal, Action.progress, survey_id):
        # an enumerator's survey page is the list of its own interviews
        views.survey(uow.read, session.principal, survey_id)
        return RedirectResponse(f"{CONSOLE_PATH}/surveys/{survey_id}/review", status_code=303)
    view = views.progress_view(uow.read, session.principal, survey_id, unit, _now())
    return render(
        request, "progress.html", session=session, survey=view.survey, view=view, tab="progress"
    )


@router.get("/surveys/{survey_id}/live")
def progress_live(
    request: Request, session: Current, uow: Uow, survey_id: int, unit: Unit = ""
) -> Response:
    """The part of the progress page that changes (polled by console.js)."""
    view = views.progress_view(uow.read, session.principal, survey_id, unit, _now())
    return render(request, "progress_live.html", session=session, survey=view.survey, view=view)


# -------------------------------------------------------------------------------- review

Text = Annotated[str, Query(max_length=100)]


@router.get("/surveys/{survey_id}/review")
def review_queue(
    request: Request,
    session: Current,
    uow: Uow,
    survey_id: int,
    flag: Annotated[str, Query(max_length=40, pattern=r"^[a-z_]*$")] = "",
    province: Text = "",
    village: Text = "",
    enumerator: Text = "",
    status: Annotated[str, Query(max_length=20, pattern=r"^[a-z_]*$")] = "open",
    cursor: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    survey = views.survey(uow.read, session.principal, survey_id)
    status_value = _status(status)
    filters = views.queue_filters(flag, province, village, enumerator, status_value)
    view = views.queue(uow.read, session.principal, survey_id, filters, cursor)
    query = _queue_query(flag, province, village, enumerator, status)
    return render(
        request,
        "review.html",
        session=session,
        survey=survey,
        view=view,
        tab="review",
        filters={
            "flag": flag,
            "province": province,
            "village": village,
            "enumerator": enumerator,
            "status": status,
        },
        query=query,
        statuses=[s.value for s in ReviewStatus],
        names=views.province_names(),
    )


def _status(status: str) -> str | None:
    if status == "open":
        return status
    return ReviewStatus(status).value if status in ReviewStatus.__members__ else None


def _queue_query(flag: str, province: str, village: str, enumerator: str, status: str) -> str:
    values = {
        "flag": flag,
        "province": province,
        "village": village,
        "enumerator": enumerator,
        "status": status,
    }
    return urlencode({k: v for k, v in values.items() if v})


@router.get("/surveys/{survey_id}/interviews/{submission_id}")
def interview(
    request: Request,
    session: Current,
    uow: Uow,
    survey_id: int,
    submission_id: Annotated[str, "uuid"],
    flag: Annotated[str, Query(max_length=40, pattern=r"^[a-z_]*$")] = "",
    province: Text = "",
    village: Text = "",
    enumerator: Text = "",
    status: Annotated[str, Query(max_length=20, pattern=r"^[a-z_]*$")] = "open",
    saved: Annotated[str, Query(max_length=20, pattern=r"^[a-z_]*$")] = "",
) -> Response:
    import uuid

    try:
        sid = str(uuid.UUID(submission_id))
    except ValueError:
        from survey.errors import NotFound

        raise NotFound(f"{submission_id!r} is not a submission id") from None
    lang = _lang(request)
    filters = views.queue_filters(flag, province, village, enumerator, _status(status))
    view = views.interview(
        uow.read, session.principal, survey_id, sid, filters, lang, translator(lang)
    )
    return render(
        request,
        "interview.html",
        session=session,
        survey=view.survey,
        view=view,
        tab="review",
        query=_queue_query(flag, province, village, enumerator, status),
        saved=saved,
        names=views.province_names(),
    )


@router.post("/surveys/{survey_id}/interviews/{submission_id}/review")
def review(
    request: Request,
    session: Current,
    uow: Uow,
    survey_id: int,
    submission_id: str,
    csrf: Csrf,
    decision: Annotated[ReviewStatus, Form()],
    comment: Annotated[str, Form(max_length=2000)] = "",
    query: Annotated[str, Form(max_length=2000)] = "",
    next: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    check_post(request, session, csrf)
    spec = ReviewIn(status=decision, comment=comment.strip() or None)
    out = submissions.review(uow.write, survey_id, submission_id, session.principal, spec)
    target = next if next and next != submission_id else str(out.submission_id)
    suffix = "&".join(p for p in (query, f"saved={out.status.value}") if p)
    return RedirectResponse(
        f"{CONSOLE_PATH}/surveys/{survey_id}/interviews/{target}?{suffix}", status_code=303
    )


# --------------------------------------------------------------------------- enumerators


@router.get("/surveys/{survey_id}/enumerators")
def enumerators(request: Request, session: Current, uow: Uow, survey_id: int) -> Response:
    survey = views.survey(uow.read, session.principal, survey_id)
    rows = views.enumerators(uow.read, session.principal, survey_id)
    return render(
        request, "enumerators.html", session=session, survey=survey, rows=rows, tab="enumerators"
    )


# -------------------------------------------------------------------------------- tokens


@router.get("/surveys/{survey_id}/tokens")
def tokens(
    request: Request,
    session: Current,
    uow: Uow,
    survey_id: int,
    revoked: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> Response:
    survey = views.survey(uow.read, session.principal, survey_id)
    listed = auth.list_tokens(uow.read, session.principal, survey_id)
    return render(
        request,
        "tokens.html",
        session=session,
        survey=survey,
        tokens=listed,
        created=None,
        qr=None,
        revoked=revoked,
        server=str(request.base_url).rstrip("/"),
        tab="tokens",
    )


def _expiry(valid_until: date | None) -> datetime | None:
    """A token valid until the end of ``valid_until`` (UTC) stops at the next midnight."""
    if valid_until is None:
        return None
    return datetime.combine(valid_until + timedelta(days=1), time.min, tzinfo=UTC)


@router.post("/surveys/{survey_id}/tokens")
def create_token(
    request: Request,
    session: Current,
    uow: Uow,
    survey_id: int,
    csrf: Csrf,
    name: Annotated[str, Form(min_length=1, max_length=100)],
    server: Annotated[str, Form(max_length=300)] = "",
    valid_until: Annotated[date | None, Form()] = None,
) -> Response:
    check_post(request, session, csrf)
    survey = views.survey(uow.read, session.principal, survey_id)
    created = auth.issue_token(
        uow.write,
        TokenCreate(
            name=name.strip(),
            role=Role.enumerator,
            survey_id=survey_id,
            expires_at=_expiry(valid_until),
        ),
        session.principal,
    )
    server = server.strip() or str(request.base_url).rstrip("/")
    from api.console.forms import collect_qr_svg

    label = translator(_lang(request))("qr_alt")
    qr = Markup(collect_qr_svg(server, survey_id, created.token, survey.name, label))
    listed = auth.list_tokens(uow.write, session.principal, survey_id)
    return render(
        request,
        "tokens.html",
        201,
        session=session,
        survey=survey,
        tokens=listed,
        created=created,
        qr=qr,
        revoked=None,
        server=server,
        tab="tokens",
    )


@router.post("/surveys/{survey_id}/tokens/{token_id}/revoke")
def revoke_token(
    request: Request,
    session: Current,
    uow: Uow,
    survey_id: int,
    token_id: int,
    csrf: Csrf,
) -> Response:
    """``auth.revoke_token`` with the session's principal (the API's rights: an admin in
    its scope, a supervisor the enumerator tokens of its survey); a token of another
    survey is 404 on this survey's page."""
    check_post(request, session, csrf)
    views.survey(uow.read, session.principal, survey_id)
    mine = auth.list_tokens(uow.read, session.principal, survey_id, include_revoked=True)
    if token_id not in {tk.id for tk in mine}:
        raise NotFound(f"survey {survey_id} has no token {token_id} that you manage")
    auth.revoke_token(uow.write, session.principal, token_id)
    return RedirectResponse(
        f"{CONSOLE_PATH}/surveys/{survey_id}/tokens?revoked={token_id}", status_code=303
    )


# ------------------------------------------------------------------------------- exports


@router.get("/surveys/{survey_id}/exports")
def exports_page(request: Request, session: Current, uow: Uow, survey_id: int) -> Response:
    export_service.check_export(uow.read, survey_id, session.principal)
    survey = views.survey(uow.read, session.principal, survey_id)
    return render(
        request,
        "exports.html",
        session=session,
        survey=survey,
        formats=[f.value for f in ExportFormat],
        statuses=[s.value for s in ReviewStatus],
        tab="exports",
    )


@router.get("/surveys/{survey_id}/export")
def export(
    session: Current,
    uow: Uow,
    survey_id: int,
    format: ExportFormat = ExportFormat.csv,
    status: Annotated[str, Query(max_length=20, pattern=r"^[a-z_]*$")] = "",
    include_rejected: bool = False,
) -> Response:
    """The API's export route itself, called with the session's principal: the same file,
    the same filters, the same rights."""
    chosen = ReviewStatus(status) if status in ReviewStatus.__members__ else None
    return exports.export(session.principal, uow, survey_id, format, chosen, include_rejected)


# -------------------------------------------------------------------- published explorer

Year = Annotated[int, Query(ge=1900, le=2100)]


def _download(body: str, media: str, filename: str) -> Response:
    return Response(
        body.encode("utf-8"),
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def svg_response(request: Request, filename: str, **context: Any) -> Response:
    """A chart of ``chart.svg`` with ``context``, as a download named ``filename``."""
    lang = _lang(request)
    body = _env.get_template("chart.svg").render(
        t=translator(lang), lang=lang, base=CONSOLE_PATH, **context
    )
    return _download(body.lstrip(), "image/svg+xml", filename)


# ------------------------------------------------- published explorer, sensitivity audit
# (their own modules; imported here, at the end, because they use this module's route class)
from api.console.published_routes import router as _published  # noqa: E402
from api.console.sensitivity_routes import router as _sensitivity  # noqa: E402

router.include_router(_published)
router.include_router(_sensitivity)
