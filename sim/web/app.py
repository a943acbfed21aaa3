"""The what-if page's routes (Starlette), rendered on the server from Jinja2 templates (autoescaped, the
report's style sheet), no script from elsewhere, nothing to build.

- ``GET /``: the form (levers, dates, districts, replications, scale); ``?lang=en`` for English.
- ``POST /run``: the form read (``forms.read_form``), saved as a scenario file extending the baseline, checked by
  the scenario loader (a bad value: the form again with the CLI's one line, status 400), then run as a job.
- ``POST /compare``: a saved what-if against the baseline, as a job.
- ``GET /jobs/<id>``: the job's progress (the page refreshes itself), then its result.
- ``GET /view/<folder>``: a run's or a comparison's summary, scorecard, fan chart and district map.
- ``GET /files/<path>``: a file of the results folder (plots, report, workbook, scenario), nothing outside it.

Every action has its CLI and API equivalent (the page shows the command).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from jinja2 import ChoiceLoader, Environment, PackageLoader, StrictUndefined

from ..core.districts import DISTRICT_ZH, DISTRICTS
from ..core.fields import one_line, printable
from ..output.report.page import ENV as REPORT_ENV
from ..output.report.page import briefing, comparison_briefing
from ..output.report.tables import ReportError, load_comparison, load_run
from ..policy import LEVERS
from ..scenario import ScenarioError, load_scenario
from .forms import FormError, read_form, save
from .jobs import Jobs
from .text import LANGUAGES, words

if TYPE_CHECKING:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response

#: the files the page serves from the results folder
SERVED_SUFFIXES = {".png": "image/png", ".html": "text/html; charset=utf-8", ".csv": "text/csv; charset=utf-8",
                   ".yaml": "text/plain; charset=utf-8", ".json": "application/json",
                   ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
WHAT_IF_NAME = re.compile(r"whatif-[0-9a-f]{10}")

ENV = Environment(loader=ChoiceLoader([PackageLoader("sim.web", "templates"),
                                       PackageLoader("sim.output.report", "templates")]),
                  autoescape=True, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
ENV.filters.update(REPORT_ENV.filters)          # the report's filters, tests and globals: its macros work here
ENV.tests.update(REPORT_ENV.tests)
ENV.globals.update(REPORT_ENV.globals, DISTRICTS=DISTRICTS, DISTRICT_ZH=DISTRICT_ZH)


def make_app(out: str | Path = "results") -> Starlette:
    """The page's application, its runs and files under ``out``."""
    from starlette.applications import Starlette
    from starlette.responses import HTMLResponse, RedirectResponse, Response
    from starlette.routing import Route

    out = Path(out)
    jobs = Jobs(out)
    scenarios = out / "web" / "scenarios"

    def lang_of(request: Request) -> str:
        lang = request.query_params.get("lang", "zh")
        return lang if lang in LANGUAGES else "zh"

    def page(template: str, request: Request, status: int = 200, **context) -> HTMLResponse:
        lang = lang_of(request)
        html = ENV.get_template(template).render(t=words(lang), lang=lang, other="en" if lang == "zh" else "zh",
                                            path=request.url.path, **context)
        return HTMLResponse(html, status_code=status)

    def levers_form() -> list[dict]:
        return [{"name": name, "doc": (lever.schema.doc or name).split(". ")[0]} for name, lever in LEVERS.items()]

    def earlier() -> list[str]:
        found = sorted((p.parent for p in out.glob("*/*/manifest.json")), key=lambda p: p.name, reverse=True)
        return [str(p.relative_to(out)) for p in found[:20]]

    async def index(request: Request) -> Response:
        return page("index.html.j2", request, levers=levers_form(), error="", earlier=earlier(), form={})

    async def run(request: Request) -> Response:
        form = await request.form()
        fields = {k: str(v) for k, v in form.items()}
        districts = {name: [str(d) for d in form.getlist(f"districts.{name}")] for name in LEVERS}
        try:
            what_if = read_form(fields, districts)
            path = save(what_if, scenarios, check=load_scenario)   # the CLI's checks, before a job starts
        except ScenarioError as err:                # its field and message (the file is the page's own)
            message = f"{err.field}: {err.message}" if err.field else err.message
            return page("index.html.j2", request, status=400, levers=levers_form(), error=printable(message),
                        earlier=earlier(), form=fields)
        except FormError as err:
            return page("index.html.j2", request, status=400, levers=levers_form(), error=one_line(err),
                        earlier=earlier(), form=fields)
        job = jobs.submit("run", path)
        return RedirectResponse(f"/jobs/{job.id}?lang={lang_of(request)}", status_code=303)

    async def compare(request: Request) -> Response:
        form = await request.form()
        name = str(form.get("scenario", ""))
        path = scenarios / f"{name}.yaml"
        if not WHAT_IF_NAME.fullmatch(name) or not path.is_file():
            return page("message.html.j2", request, status=404, title="not_found", message=name)
        job = jobs.submit("compare", path)
        return RedirectResponse(f"/jobs/{job.id}?lang={lang_of(request)}", status_code=303)

    async def job_view(request: Request) -> Response:
        job = jobs.get(request.path_params["job_id"])
        if job is None:
            return page("message.html.j2", request, status=404, title="not_found", message="")
        if job.state == "done" and job.folder is not None:
            return RedirectResponse(f"/view/{job.folder.relative_to(out)}?lang={lang_of(request)}", status_code=303)
        status = 500 if job.state == "failed" else 200
        return page("job.html.j2", request, status=status, job=job, error=" ".join(job.error.split()))

    def inside_out(relative: str) -> Path | None:
        """``out/relative`` when it is a path inside the results folder (no ``..``, no link out), else None."""
        root = out.resolve()
        try:
            target = (out / relative).resolve()
        except (OSError, RuntimeError):
            return None
        return target if target.is_relative_to(root) and target != root else None

    async def view(request: Request) -> Response:
        folder = inside_out(request.path_params["folder"])
        if folder is None or not (folder / "manifest.json").is_file():
            return page("message.html.j2", request, status=404, title="not_found", message="")
        relative = str(folder.relative_to(out.resolve()))
        try:
            if (folder / "comparison.csv").is_file():
                comp = load_comparison(folder)
                return page("view.html.j2", request, kind="compare", folder=relative, summary=comparison_briefing(comp),
                            scores=comp.scorecard, name=comp.scenario.get("name", ""), cli=_cli(comp.scenario, True))
            run_ = load_run(folder)
        except ReportError as err:
            return page("message.html.j2", request, status=500, title="failed", message=str(err))
        name = str(run_.scenario.get("name", ""))
        return page("view.html.j2", request, kind="run", folder=relative, summary=briefing(run_),
                    scores=run_.scorecard, name=name, what_if=bool(WHAT_IF_NAME.fullmatch(name)),
                    cli=_cli(run_.scenario, False))

    async def files(request: Request) -> Response:
        target = inside_out(request.path_params["path"])
        if target is None or not target.is_file() or target.suffix not in SERVED_SUFFIXES:
            return Response("not found", status_code=404, media_type="text/plain")
        headers = {"X-Content-Type-Options": "nosniff", "Content-Security-Policy": "default-src 'none'; "
                   "img-src data: 'self'; style-src 'unsafe-inline'; font-src data:"}
        return Response(target.read_bytes(), media_type=SERVED_SUFFIXES[target.suffix], headers=headers)

    app = Starlette(routes=[
        Route("/", index), Route("/run", run, methods=["POST"]), Route("/compare", compare, methods=["POST"]),
        Route("/jobs/{job_id:str}", job_view), Route("/view/{folder:path}", view), Route("/files/{path:path}", files),
    ])
    app.state.jobs = jobs
    return app


def _cli(scenario: dict, comparison: bool) -> str:
    name = scenario.get("name", "")
    path = f"results/web/scenarios/{name}.yaml" if WHAT_IF_NAME.fullmatch(str(name)) else f"scenarios/{name}.yaml"
    return (f"python run_sim.py compare {path} --against scenarios/baseline.yaml" if comparison
            else f"python run_sim.py run {path} --reuse")


def serve(host: str = "127.0.0.1", port: int = 8000, out: str | Path = "results") -> None:
    """Serve the page until Ctrl-C (uvicorn, one process; the runs in a worker process)."""
    import uvicorn

    app = make_app(out)
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning")
    finally:
        app.state.jobs.close()
