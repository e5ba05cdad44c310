"""``papi progress``: a survey's interviews per province (and village) against its quotas.

Two sources give the same document (``GET /api/v1/surveys/{id}/progress``):

- the database (``DATABASE_URL`` or ``--database-url``), read through the surveys service, on
  the server machine;
- a running server (``--server URL --token T``), for a supervisor elsewhere.

Both also count the submissions carrying each quality flag (``GET .../quality`` over HTTP;
a server without that route shows the table without the counts).

``--watch SECONDS`` re-reads and redraws until Ctrl-C (Rich Live on a terminal; a new
snapshot per refresh when the output is a file or a pipe).
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich import box
from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from survey.errors import NotFound, PapiError

if TYPE_CHECKING:
    import httpx

    from api.db.engine import Database
    from api.surveys.schemas import Counts, Progress, SurveyOut
    from api.surveys.service import FlagSummary

BAR_WIDTH = 20
WIDE = 120  # console columns for the boxed table with a full-width bar
FLAG_MEANING = {
    "too_fast": "interview shorter than PAPI_MIN_INTERVIEW_SECONDS",
    "straight_lining": "a rating battery answered all the same",
    "duplicate_respondent": "same respondent twice in a village",
    "outside_constraints": "answers outside a constraint or min/max",
}


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One reading of a survey's progress."""

    survey: SurveyOut
    progress: Progress
    flags: FlagSummary | None  # None: the source cannot count them (an older server)
    source: str
    at: datetime


class DatabaseSource:
    """Reads through the surveys service, as the API's route does."""

    def __init__(self, url: str) -> None:
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import SQLAlchemyError

        from api.db.engine import Database, is_sqlite, normalise_url
        from api.settings import Settings

        self.label = make_url(normalise_url(url)).render_as_string(hide_password=True)
        if is_sqlite(url):
            path = make_url(normalise_url(url)).database
            if path and path != ":memory:" and not Path(path).exists():
                raise NotFound(
                    f"no database at {path}; set DATABASE_URL (or --database-url) to the "
                    "server's database, create one with `papi db upgrade`, or read a running "
                    "server with --server URL --token T",
                    code="database_not_found",
                )
        self.db: Database = Database(Settings(database_url=url))
        try:
            revision = self.db.revision()
        except SQLAlchemyError as exc:
            self.db.dispose()
            raise PapiError(
                f"cannot connect to the database {self.label}: {_first_line(exc)}; check "
                "DATABASE_URL (or --database-url) and that the database server is running",
                code="database_unreachable",
            ) from None
        if revision is None:
            self.db.dispose()
            raise PapiError(
                f"the database {self.label} has no papi tables; run `papi db upgrade` "
                "(or point DATABASE_URL at the server's database)",
                code="database_not_migrated",
            )

    def read(self, survey_id: int) -> Snapshot:
        from sqlalchemy.exc import SQLAlchemyError

        from api.surveys import service

        try:
            with self.db.session() as session:
                try:
                    record = service.get_survey(session, survey_id)
                except NotFound:
                    ids = service.all_survey_ids(session)
                    there = (
                        "surveys there: " + ", ".join(map(str, ids))
                        if ids
                        else "it has no survey yet (POST /api/v1/surveys, docs/api.md)"
                    )
                    raise NotFound(
                        f"survey {survey_id} does not exist in {self.label}; {there}",
                        code="survey_not_found",
                    ) from None
                progress = service.survey_progress(session, survey_id)
                flags = service.quality_flags(session, survey_id)
        except SQLAlchemyError as exc:
            raise PapiError(
                f"cannot read the database {self.label}: {_first_line(exc)}",
                code="database_error",
            ) from None
        return Snapshot(record.out, progress, flags, f"database {self.label}", _now())

    def close(self) -> None:
        self.db.dispose()


class ServerSource:
    """Reads ``GET /api/v1/surveys/{id}`` and ``.../progress`` of a running server."""

    def __init__(self, url: str, token: str, client: httpx.Client | None = None) -> None:
        import httpx

        self.url = url.rstrip("/")
        self.client = client or httpx.Client(timeout=httpx.Timeout(15.0, connect=5.0))
        self.headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}

    def _get(self, path: str, survey_id: int) -> Any:
        import httpx

        try:
            r = self.client.get(f"{self.url}/api/v1{path}", headers=self.headers)
        except httpx.HTTPError as exc:
            raise PapiError(
                f"cannot reach the server at {self.url} ({_first_line(exc) or type(exc).__name__})"
                "; check the URL and port, that `papi serve` is running there, and that this "
                "machine can reach it (network, VPN, firewall)",
                code="server_unreachable",
            ) from None
        problem = _json(r) if r.headers.get("content-type", "").endswith("json") else None
        detail = problem.get("detail") if isinstance(problem, dict) else None
        if r.status_code == 200 and problem is not None:
            return problem
        if r.status_code == 404 and isinstance(problem, dict) and "status" in problem:
            raise NotFound(
                f"survey {survey_id} does not exist on {self.url}: {detail}",
                code="survey_not_found",
            )
        if r.status_code == 401:
            raise PapiError(
                f"the server at {self.url} refused the token ({detail}); check --token or "
                "PAPI_TOKEN (an admin makes one with `papi token create --role supervisor "
                f"--survey {survey_id}`)",
                code="unauthorized",
            )
        if r.status_code == 403:
            raise PapiError(
                f"the token may not read survey {survey_id}'s progress on {self.url} ({detail});"
                " use a supervisor, analyst or admin token of that survey",
                code="forbidden",
            )
        raise PapiError(
            f"unexpected answer from {self.url}{r.request.url.path}: HTTP {r.status_code}"
            f" {detail or r.text[:200]!r}; check that --server is the papi API's base URL",
            code="server_error",
        )

    def read(self, survey_id: int) -> Snapshot:
        from pydantic import ValidationError

        from api.surveys.schemas import Progress, SurveyOut

        survey_doc = self._get(f"/surveys/{survey_id}", survey_id)
        progress_doc = self._get(f"/surveys/{survey_id}/progress", survey_id)
        try:
            survey = SurveyOut.model_validate(survey_doc)
            progress = Progress.model_validate(progress_doc)
        except ValidationError as exc:
            raise PapiError(
                f"the server at {self.url} answered a document this papi does not read "
                f"({exc.error_count()} problems); is it the same papi-engine version?",
                code="server_error",
            ) from None
        return Snapshot(survey, progress, self._flags(survey_id), self.url, _now())

    def _flags(self, survey_id: int) -> FlagSummary | None:
        """``GET .../quality``; None from a server without it (an older papi-engine)."""
        from pydantic import ValidationError

        from api.surveys.schemas import QualitySummary
        from api.surveys.service import FlagCount, FlagSummary

        r = self.client.get(f"{self.url}/api/v1/surveys/{survey_id}/quality", headers=self.headers)
        if r.status_code != 200:
            return None
        try:
            doc = QualitySummary.model_validate(_json(r))
        except ValidationError:
            return None
        return FlagSummary(
            flagged=doc.flagged,
            flags=tuple(FlagCount(f.code, f.submissions, f.unreviewed) for f in doc.flags),
        )

    def close(self) -> None:
        self.client.close()


def _json(r: httpx.Response) -> Any:
    try:
        return r.json()
    except ValueError:
        return None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else ""


def _now() -> datetime:
    return datetime.now().astimezone()


# ----------------------------------------------------------------------------- rendering


def province_names() -> dict[str, str]:
    from survey.geography import province_names

    return province_names()  # P01…P63 and the 2025 provinces N01…N96


def bar(complete: float | None, width: int = BAR_WIDTH) -> Text:
    """``complete`` (0…, may pass 1) as a bar of block characters; empty without a quota."""
    if complete is None:
        return Text("")
    filled = round(min(max(complete, 0.0), 1.0) * width)
    style = "green" if complete >= 1 else "cyan"
    return Text.assemble(("█" * filled, style), ("░" * (width - filled), "grey35"))


def _percent(complete: float | None) -> str:
    return "" if complete is None else f"{complete * 100:.0f}%"


def _cells(c: Counts, bar_width: int) -> list[RenderableType]:
    done = f"{c.submitted} / {c.quota}" if c.quota is not None else str(c.submitted)
    return [
        done,
        bar(c.complete, bar_width),
        _percent(c.complete),
        str(c.received),
        Text(str(c.has_issues), style="yellow" if c.has_issues else ""),
        Text(str(c.approved), style="green" if c.approved else ""),
        Text(str(c.rejected), style="red" if c.rejected else ""),
    ]


def progress_table(
    snap: Snapshot, *, villages: bool, names: dict[str, str], width: int = WIDE
) -> Table:
    """A row per province (and village), then the total. Below ``WIDE`` columns (an 80-column
    terminal) the table loses its box and padding and the bar gets shorter."""
    s = snap.survey
    wide = width >= WIDE
    bar_width = BAR_WIDTH if wide else BAR_WIDTH // 2
    table = Table(
        title=f"{s.name} — survey {s.id} ({s.questionnaire.id} {s.questionnaire.version}, "
        f"{s.year})",
        caption="% = (submitted − rejected) / quota",
        title_justify="left",
        box=box.HEAVY_HEAD if wide else box.SIMPLE_HEAD,
        show_edge=wide,
        padding=(0, 1) if wide else (0, 0),
    )
    table.add_column("province", no_wrap=wide, min_width=17)
    table.add_column(
        "submitted / quota" if wide else "submitted\n/ quota", justify="right", no_wrap=wide
    )
    table.add_column("progress", width=bar_width, no_wrap=True)
    table.add_column("%", justify="right", no_wrap=True, min_width=4)
    table.add_column("received", justify="right")
    table.add_column("has issues" if wide else "has\nissues", justify="right")
    table.add_column("approved", justify="right")
    table.add_column("rejected", justify="right")
    for p in snap.progress.provinces:
        name = names.get(p.province)
        label = f"{p.province} {name}" if name else p.province
        table.add_row(Text(label, style="bold"), *_cells(p, bar_width))
        if villages:
            for v in p.villages:
                label = "  " + (v.village or "(no village)")
                table.add_row(Text(label, style="dim"), *_cells(v, bar_width))
    table.add_section()
    table.add_row(Text("Total", style="bold"), *_cells(snap.progress.total, bar_width))
    return table


def flags_view(flags: FlagSummary | None, survey_id: int) -> RenderableType:
    if flags is None:
        return Text(
            "quality flags: this server has no GET .../quality; on the server machine run "
            f"`papi progress --survey {survey_id}` to count them",
            style="dim",
        )
    if not flags.flags:
        return Text("quality flags: none", style="dim")
    noun = "submission" if flags.flagged == 1 else "submissions"
    table = Table(title=f"Quality flags ({flags.flagged} flagged {noun})", title_justify="left")
    table.add_column("flag", no_wrap=True)
    table.add_column("submissions", justify="right")
    table.add_column("not yet reviewed", justify="right")
    table.add_column("meaning", style="dim")
    for f in flags.flags:
        table.add_row(f.code, str(f.submissions), str(f.open), FLAG_MEANING.get(f.code, ""))
    return table


def next_steps(snap: Snapshot) -> Text:
    """What to do when no interview has arrived yet."""
    sid = snap.survey.id
    base = snap.source if snap.source.startswith("http") else "http://SERVER:8000"
    return Text(
        f"No interviews yet for survey {sid}. Enumerators send them\n"
        f"  with ODK Collect to {base}/v1/key/TOKEN/projects/{sid} (its settings as a QR code: "
        f"papi collect-qr --survey {sid} --token TOKEN --server {base}; docs/odk.md)\n"
        f"  or as JSON: POST {base}/api/v1/surveys/{sid}/submissions (docs/api.md).\n"
        f"Then watch them arrive: papi progress --survey {sid} --watch 30",
        style="yellow",
    )


def render(
    snap: Snapshot,
    *,
    villages: bool,
    names: dict[str, str],
    note: str | None = None,
    width: int = WIDE,
) -> RenderableType:
    parts: list[RenderableType] = [
        progress_table(snap, villages=villages, names=names, width=width)
    ]
    if snap.progress.total.submitted == 0:
        parts.append(next_steps(snap))
    else:
        parts.append(flags_view(snap.flags, snap.survey.id))
    parts.append(Text(f"read from {snap.source} at {snap.at:%H:%M:%S}", style="dim"))
    if note:
        parts.append(Text(note, style="dim"))
    return Group(*parts)


# ----------------------------------------------------------------------------- command


def _watch(
    console: Console,
    read: Callable[[], Snapshot],
    first: Snapshot,
    seconds: float,
    draw: Callable[[Snapshot, str | None], RenderableType],
) -> None:
    """Re-read every ``seconds`` until Ctrl-C; a failed read keeps the last table with a note."""
    from rich.live import Live

    def again(last: Snapshot) -> tuple[Snapshot, str | None]:
        try:
            return read(), None
        except PapiError as exc:
            return last, f"refresh failed at {_now():%H:%M:%S}: {exc} (retrying)"

    hint = f"refreshing every {seconds:g} s; Ctrl-C to stop"
    snap, failed = first, None
    if console.is_terminal:
        with Live(draw(first, hint), console=console, auto_refresh=False) as live:
            while True:
                time.sleep(seconds)
                snap, failed = again(snap)
                live.update(draw(snap, f"{failed}\n{hint}" if failed else hint), refresh=True)
    else:  # a file or a pipe: one snapshot per refresh
        console.print(draw(first, None))
        while True:
            time.sleep(seconds)
            snap, failed = again(snap)
            console.print()
            console.print(draw(snap, failed))


def progress(
    survey: Annotated[int, typer.Option(help="Survey id (`papi survey list`).", min=1)],
    server: Annotated[
        str | None,
        typer.Option(help="Read a running server instead of the database, e.g. http://HOST:8000."),
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(envvar="PAPI_TOKEN", help="With --server: a supervisor or analyst token."),
    ] = None,
    database_url: Annotated[str | None, typer.Option(help="Overrides DATABASE_URL.")] = None,
    villages: Annotated[bool, typer.Option("--villages", help="A row per village too.")] = False,
    watch: Annotated[
        float | None,
        typer.Option(help="Re-read every SECONDS until Ctrl-C.", min=0.1, metavar="SECONDS"),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the progress document (as GET .../progress)")
    ] = False,
) -> None:
    """Interviews per province (and village) against the quotas, by review state.

    Reads the database on the server machine (DATABASE_URL), or a running server with
    --server and --token. --watch redraws until Ctrl-C.

    Examples:
      papi progress --survey 1 --villages
      papi progress --survey 1 --server http://192.168.1.20:8000 --token papi_... --watch 30
    """
    if server is not None and database_url is not None:
        raise typer.BadParameter("use either --server or --database-url", param_hint="--server")
    if server is not None and not token:
        raise typer.BadParameter(
            "--server needs --token (or PAPI_TOKEN): a supervisor, analyst or admin token",
            param_hint="--token",
        )
    if as_json and watch is not None:
        raise typer.BadParameter("--json prints one document; leave out --watch")
    source: DatabaseSource | ServerSource
    if server is not None:
        assert token is not None
        source = ServerSource(server, token)
    else:
        from api.settings import get_settings

        source = DatabaseSource(database_url or get_settings().database_url)
    try:
        _run(source, survey, villages=villages, watch=watch, as_json=as_json)
    finally:
        source.close()


def _console() -> Console:
    # a pipe or a file gets a wide table instead of Rich's 80 columns (COLUMNS still wins)
    if sys.stdout.isatty() or "COLUMNS" in os.environ:
        return Console(highlight=False)
    return Console(highlight=False, width=130)


def _run(
    source: DatabaseSource | ServerSource,
    survey: int,
    *,
    villages: bool,
    watch: float | None,
    as_json: bool,
) -> None:
    try:
        snap = source.read(survey)
        if as_json:
            print(json.dumps(snap.progress.model_dump(mode="json"), ensure_ascii=False))
            return
        names = province_names()
        console = _console()

        def draw(s: Snapshot, note: str | None) -> RenderableType:
            return render(s, villages=villages, names=names, note=note, width=console.width)

        if watch is None:
            console.print(draw(snap, None))
            return
        _watch(console, lambda: source.read(survey), snap, watch, draw)
    except KeyboardInterrupt:
        if watch is None:
            raise
        # Ctrl-C is how a watch ends: a clean exit


def register(app: typer.Typer) -> None:
    app.command("progress")(progress)
