"""Each person's inbox, the task page, and claiming group tasks."""
from __future__ import annotations

from collections import Counter

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from engine import ChangedMeanwhile, InvalidData, ProcessFailed, TaskFilter, TaskNotOpen

from . import schemaform, signer
from .extensions import engine
from .i18n import course_name, grant_name, role_name, task_course, task_name
from .links import web_link
from .params import db_int
from .refusals import explain

bp = Blueprint("tasks", __name__)
PAGE_SIZE = 50


def inbox_count() -> dict:
    """The number of open tasks in the navigation bar (the inbox page has counted them already)."""
    if not current_user.is_authenticated:
        return {}
    if "inbox_count" not in g:
        g.inbox_count = engine().task_count(current_user.actor)
    return {"inbox_count": g.inbox_count}


@bp.route("/")
@login_required
def inbox():
    filters = TaskFilter(role=request.args.get("role") or None, course_id=request.args.get("course", type=db_int),
                         process=request.args.get("process") or None,
                         sort="created" if request.args.get("sort") == "created" else "due",
                         offset=max(request.args.get("page", 1, type=db_int) - 1, 0) * PAGE_SIZE, limit=PAGE_SIZE)
    actor = current_user.actor
    found = engine().tasks(actor, filters)
    total = engine().task_count(actor, filters)
    if filters.role is filters.course_id is filters.process is None:
        g.inbox_count = total
    courses = sorted(engine().inbox_courses(actor), key=lambda c: course_name(c).casefold())
    return render_template("inbox.html", tasks=found, total=total, filters=filters, page_size=PAGE_SIZE,
                           page_links=page_links(filters.offset // PAGE_SIZE + 1, -(-total // PAGE_SIZE)),
                           now=engine().clock.now(), courses=courses,
                           filtered=any((filters.role, filters.course_id, filters.process)))


def page_links(current: int, pages: int, around: int = 2) -> list[int | None]:
    """The page numbers the inbox links to: the first, the last and a few around the current one; None is a gap.

    A long inbox (10,000 tasks are 200 pages) would otherwise render a link per page.
    """
    shown = sorted({1, pages, *range(max(current - around, 1), min(current + around, pages) + 1)} - {0})
    links: list[int | None] = []
    for number in shown:
        if links and number - (links[-1] or 0) > 1:
            links.append(None)
        links.append(number)
    return links


@bp.route("/sector")
@login_required
def sector():
    """The sector administrator's view of every open task (issue 13): by course, role and person, overdue first."""
    filters = TaskFilter(role=request.args.get("role") or None, course_id=request.args.get("course", type=db_int),
                         limit=2000)
    found = engine().sector_tasks(current_user.actor, filters)
    now = engine().clock.now()
    if request.args.get("overdue"):
        found = [t for t in found if t.due and t.due < now]
    found.sort(key=lambda t: (task_course(t).casefold(), not (t.due and t.due < now), t.due or now))
    holders = Counter(t.assignee or t.claimed_by or grant_name(t.role, t.scope) for t in found)
    return render_template("sector.html", tasks=found, now=now, filters=filters, overdue=bool(request.args.get("overdue")),
                           roles=sorted({t.role for t in engine().tasks(None)}, key=lambda r: role_name(r).casefold()),
                           courses=sorted(engine().courses(), key=lambda c: course_name(c).casefold()),
                           holders=holders.most_common())


@bp.route("/tasks/<task_id>", methods=["GET", "POST"])
@login_required
def task(task_id: str):
    actor = current_user.actor
    try:
        claimed = engine().claimed_task(task_id, actor)
        if claimed is not None and request.method == "GET":
            return _claimed_page(claimed)
        detail = engine().task(task_id, actor)
    except TaskNotOpen as error:
        flash(explain(error), "error")
        return redirect(url_for("tasks.inbox"))
    served = signer.questionnaire_link(detail.schema, detail.course_id)
    if request.method == "GET":
        earlier = list(reversed(engine().sheets(detail.course_id))) if detail.course_id is not None else []
        values = {**signer.defaults(detail.schema, actor.login, earlier), **detail.values}
        return _page(detail, values, {}, detail.instance_version)
    data = {**schemaform.parse(detail.schema, request.form), **served}
    expected = request.form.get("instance_version", type=db_int)
    try:
        engine().complete(task_id, data, actor, expected_version=expected)
    except InvalidData as error:
        errors = schemaform.errors_by_field(error.errors, detail.schema)
        return _page(detail, {**detail.values, **data}, errors, expected), 422
    except ChangedMeanwhile as error:
        flash(explain(error), "error")
        return redirect(url_for("tasks.task", task_id=task_id))
    except (TaskNotOpen, ProcessFailed) as error:
        flash(explain(error), "error")
        return redirect(url_for("tasks.inbox"))
    flash(Markup("{} {}").format(_("Done: %(task)s.", task=task_name(detail.task)), _what_next(detail.course_id)),
          "ok")
    return redirect(url_for("tasks.inbox"))


def _what_next(course_id: int | None) -> Markup:
    """What the procedure does now (issue 13): the course's status and who has a task, with the course's link."""
    if course_id is None:
        return Markup("")
    course = engine().course(course_id)
    waiting = sorted({f"{task_name(t)} — {grant_name(t.role, t.scope)}" for t in engine().tasks(
        None, TaskFilter(course_id=course_id))})
    status = _("The course is now: %(status)s.", status=_(course.status))
    then = _("Waiting: %(tasks)s.", tasks="; ".join(waiting)) if waiting else _("No task is waiting on this course.")
    return Markup('{} {} <a href="{}">{}</a>').format(status, then, url_for("courses.course", course_id=course_id),
                                                      _("Course page"))


def _page(detail, values: dict, errors: dict, version):
    course = sheets = None
    if detail.course_id is not None:
        course = engine().course(detail.course_id)
        sheets = list(reversed(engine().sheets(detail.course_id)))
    served = signer.questionnaire_link(detail.schema, detail.course_id)
    shown = schemaform.fields(detail.schema, {**values, **served}, errors, served=set(served))
    report_year = detail.values.get("year") if detail.task.process == "annual_report" else None
    return render_template("task.html", task=detail.task, schema=detail.schema, fields=shown, version=version,
                           form_error=errors.get(""), course=course, sheets=sheets, report_year=report_year,
                           late=_late_reviews(detail.task),
                           brief=_agreeing_brief(detail.task, sheets or [], values))


AGREEING_REVIEWS = {"c_chair_review", "c_member_review"}
REAGREEING_REVIEWS = {"c_chair_re", "c_member_re"}
MEMBER_REVIEWS = {"c_member_review", "c_member_re"}
COUNTERSIGNING = {"c_countersign", "c_countersign_re"}
APPENDIX_1 = ("appendix1_initial.json", "appendix1_reagreeing.json")
COUNTERSIGN_FORM = "appendix1_countersign.json"


def _countersign_brief(task, sheets: list) -> dict:
    """7.4, 7.5: the chair sees the appointed member's sheet to countersign; the member sees the comments of a
    chair who returned the sheet (``sheets`` newest first)."""
    latest = next((s for s in sheets if s.scope == task.scope and s.sheet in (*APPENDIX_1, COUNTERSIGN_FORM)), None)
    if task.bpmn_id in COUNTERSIGNING and latest is not None and latest.sheet in APPENDIX_1:
        return {"member_sheet": latest}
    if (task.bpmn_id in MEMBER_REVIEWS and latest is not None and latest.sheet == COUNTERSIGN_FORM
            and latest.data.get("countersign_decision") == "return"):
        return {"returned": latest}
    return {}


def _agreeing_brief(task, sheets: list, values: dict) -> dict:
    """7.3: what a reviewer or the implementer needs at the top of the task, from the sheets given so far
    (``sheets`` newest first): the materials' link, the CSB's earlier recommendations and what was refined."""
    def last(name: str):
        return next((s for s in sheets if s.sheet == name), None)

    def csb_sheet():
        return next((s for s in sheets if s.sheet in APPENDIX_1 and s.scope == task.scope), None)

    request_sheet = last("agreeing_request.json")
    if task.bpmn_id in COUNTERSIGNING:
        return {"materials": web_link((request_sheet.data if request_sheet else {}).get("materials_link")),
                **_countersign_brief(task, sheets)}
    if task.bpmn_id in AGREEING_REVIEWS | REAGREEING_REVIEWS:
        refined = next((s for s in sheets if s.sheet == "refinement.json" and s.data.get("comments_to_address")
                        == values.get("earlier_recommendations")), None)
        brief = {"materials": web_link((request_sheet.data if request_sheet else {}).get("materials_link"))}
        if task.bpmn_id in REAGREEING_REVIEWS and refined is not None:
            asked = csb_sheet()
            brief.update(materials=web_link(refined.data.get("refined_materials_link")) or brief["materials"],
                         changes=refined.data.get("changes"), asked=asked.data if asked else {})
        return {**brief, **_countersign_brief(task, sheets)}
    if task.bpmn_id == "c_refine":  # the implementer's task is not scoped: the CSB is the one whose comments these are
        asked = next((s for s in sheets if s.sheet in APPENDIX_1 and s.data.get("requires_refinement")
                      and s.data.get("what_to_refine") == values.get("comments_to_address")), None)
        return {"csb": asked.scope, "asked": asked.data} if asked else {}
    return {}


REVIEWS = ("c_chair_review", "c_member_review", "c_chair_re", "c_member_re", *sorted(COUNTERSIGNING))


def _late_reviews(task) -> list[dict]:
    """7.3: for the timeframe alert, the CSB's open review: who has it, their contact and how many days late."""
    if task.bpmn_id != "c_alert" or task.course_id is None:
        return []
    now = engine().clock.now()
    people = {person.login: person for person in engine().users()}
    rows = []
    for review in engine().tasks(None, TaskFilter(course_id=task.course_id)):
        if review.bpmn_id in REVIEWS and review.instance == task.instance:
            who = people.get(review.assignee or review.claimed_by or "")
            late_since = review.due or task.created  # the alert is raised the moment the timeframe passes
            rows.append({"task": review, "person": who, "days": (now - late_since).days})
    return rows


def _claimed_page(claimed):
    """A colleague holds the task: who and since when; a sector administrator may release or hand it on."""
    holders = []
    if current_user.actor.holds("sector_administrator"):
        task = claimed.task
        holders = sorted((u for u in engine().users() if u.active and u.login != claimed.claimed_by
                          and any(g.role == task.role and (task.scope is None or g.scope in (None, task.scope))
                                  for g in u.held)), key=lambda u: (u.name or u.login).casefold())
    course = engine().course(claimed.task.course_id) if claimed.task.course_id is not None else None
    return render_template("task_claimed.html", claimed=claimed, task=claimed.task, course=course, holders=holders)


@bp.route("/tasks/<task_id>/reassign", methods=["POST"])
@login_required
def reassign(task_id: str):
    """A sector administrator hands a claimed task to another person of its group (issue 13)."""
    login = request.form.get("login", "")
    return _claiming(task_id, lambda task, actor: engine().reassign_claim(task, login, actor),
                     _("The task is now held by %(who)s.", who=login))


@bp.route("/tasks/<task_id>/claim", methods=["POST"])
@login_required
def claim(task_id: str):
    return _claiming(task_id, engine().claim, _("You hold this task now; others see that you do."))


@bp.route("/tasks/<task_id>/release", methods=["POST"])
@login_required
def release(task_id: str):
    claimed = engine().claimed_task(task_id, current_user.actor)
    course_id = claimed.task.course_id if claimed is not None else None
    after = url_for("courses.course", course_id=course_id) if course_id is not None else None
    return _claiming(task_id, engine().unclaim, _("The task is back with its group."), after)


def _claiming(task_id: str, action, done: str, after: str | None = None):
    """Claim or release; refusals (403/404) go to the error pages, races back to the inbox."""
    try:
        action(task_id, current_user.actor)
    except (ChangedMeanwhile, TaskNotOpen) as error:
        flash(explain(error), "error")
        return redirect(url_for("tasks.inbox"))
    flash(done, "ok")
    return redirect(after or url_for("tasks.task", task_id=task_id))
