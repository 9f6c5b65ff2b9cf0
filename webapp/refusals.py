"""What the engine says, in the reader's language (issue 13): its refusals (``CourseFlowError.reason`` and
``params``), a migration plan's reasons (``Why``), the differences between versions (``Change.parts``) and what
deploy found in a model (``Problem.code``) — each is a code and values, said here as ``gettext(message) % values``.

Role keys become translated role names and moments the language's date format; without a code the English text
is shown to English readers and a plain sentence for its kind to the others.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from flask_babel import gettext
from markupsafe import Markup

from engine import (
    Busy,
    ChangedMeanwhile,
    CourseFlowError,
    FieldError,
    FileRefused,
    NotAllowed,
    NotFound,
    ProcessFailed,
    TaskNotOpen,
)

from .i18n import day_text, grant_name, label, lang, role_name, section


def N_(text: str) -> str:
    """Marks a message for the catalog; it is translated when shown."""
    return text


MESSAGES = {
    # the auditor's check of the whole log (issue 13)
    "log_too_big": N_("The event log has %(events)s events, more than a check started here takes (%(limit)s, "
                      "COURSEFLOW_VERIFY_WEB_LIMIT). Run courseflow verify on the server."),
    # people and courses (the people pages, issue 12)
    "login_invalid": N_("“%(login)s” cannot be a login: use letters, digits and . _ @ - (at most 100)."),
    "login_taken": N_("There is already a person with the login %(login)s."),
    "role_unknown": N_("Choose a role from the list."),
    "role_not_scoped": N_("%(role)s is not held per CSB: leave the CSB empty."),
    "csb_unknown": N_("There is no CSB %(csb)s in the CSB list."),
    "csb_required": N_("%(role)s is held for one CSB: choose the CSB."),
    "already_held": N_("%(login)s already holds this role."),
    "not_held": N_("%(login)s does not hold this role."),
    "own_administrator": N_("You cannot revoke your own administrator role: ask another sector administrator."),
    "own_deactivation": N_("You cannot deactivate yourself."),
    "last_administrator": N_("%(login)s is the only active sector administrator: make someone else an "
                             "administrator first."),
    "name_required": N_("Enter the person's name."),
    "name_too_long": N_("The name has at most 200 characters."),
    "email_invalid": N_("Enter an e-mail address such as name@example.org."),
    "phone_invalid": N_("Enter a phone number: digits, spaces, + ( ) . / -"),
    "nmi_too_long": N_("The NMI has at most 300 characters."),
    "password_wrong": N_("The current password is not right."),
    "password_short": N_("The new password needs at least %(minimum)s characters."),
    "password_same": N_("Choose a new password different from the current one."),
    "csb_code_invalid": N_("A CSB code has letters, digits, spaces, dots and dashes (e.g. TC 1.3)."),
    "csb_name_required": N_("Enter the CSB's English name."),
    "token_invalid": N_("The form is missing its submission token: reload the page and try again."),
    "course_name_taken": N_("A course named “%(name)s” is already in the List of created courses: confirm that "
                            "this is another course."),
    "reason_required": N_("Say why the course is withdrawn."),
    "already_withdrawn": N_("This course was already withdrawn."),
    "no_user": N_("There is no person with the login %(login)s."),
    "user_deactivated": N_("The account %(login)s is deactivated."),
    "language_unknown": N_("Choose English or Russian."),
    "session_ended": N_("Your session has ended (you logged out, or your account or password changed). "
                        "Log in again."),
    "too_many_logins": N_("Too many failed logins; try again in %(minutes)s minute(s)."),
    # tasks and processes
    "task_assigned": N_("This task is assigned to %(login)s; only they can do it."),
    "assigned_role_lost": N_("This task is assigned to you as %(role)s, a role you no longer hold; a sector "
                             "administrator must grant it again or reassign the task."),
    "task_needs_role": N_("This task needs the role %(role)s, which you do not hold."),
    "task_claimed": N_("%(login)s has claimed this task; they must release it before you can act."),
    "assigned_no_claim": N_("This task is assigned to %(login)s; it cannot be claimed."),
    "release_not_yours": N_("Only %(login)s (or a sector administrator) can release this task."),
    "reassign_admin_only": N_("Only a sector administrator can hand a task to someone else."),
    "holder_lacks_role": N_("%(login)s does not hold the role %(role)s this task needs."),
    "start_needs_role": N_("Starting “%(process)s” needs the role %(roles)s."),
    "message_needs_role": N_("Only %(roles)s may send this to the process."),
    "needs_role": N_("This needs the role %(roles)s."),
    "history_readers": N_("Histories, replays and path diagrams show who decided what: only auditors, sector "
                          "administrators and the Secretariat may see them."),
    "task_completed_by": N_("This task was already completed by %(login)s on %(at)s."),
    "task_withdrawn": N_("This task was withdrawn on %(at)s: the process moved on without it (for example, its "
                         "deadline passed)."),
    "task_not_open": N_("This task is no longer open (it was completed, cancelled or is not ready yet)."),
    "not_waiting": N_("The process is not waiting for this now."),
    "changed_meanwhile": N_("Someone else changed this at the same moment; nothing of yours was saved. Reload and "
                            "try again."),
    "form_changed_meanwhile": N_("Someone changed this course's process after you opened the form. Reload the "
                                 "task to see the current state, then submit again."),
    "task_changed_meanwhile": N_("Someone else completed or changed this task at the same moment; nothing of "
                                 "yours was saved. Reload and try again."),
    "claim_changed": N_("Someone claimed or released this task at the same moment; reload and try again."),
    "busy": N_("The database is busy with another change; nothing was done. Try again in a moment."),
    "process_failed": N_("The process could not continue and nothing was saved: a process owner must fix the "
                         "process definition."),
    "timers_failed": N_("The process's overdue timers could not fire; try again in a moment."),
    "invalid_data": N_("The form has %(count)s problem(s): see the fields marked."),
    # things that are not there
    "no_task": N_("There is no such open task."),
    "no_instance": N_("There is no such process instance."),
    "no_course": N_("There is no course %(course)s."),
    "no_definition": N_("This process version is not deployed."),
    "not_deployed": N_("The process “%(process)s” is not deployed yet."),
    "no_version": N_("“%(process)s” has no version %(version)s."),
    "no_document": N_("There is no such document."),
    "no_message": N_("There is no message %(number)s in the outbox."),
    "message_not_failed": N_("Message %(number)s has not failed; only failed messages can be sent again."),
    "no_nmi": N_("There is no such NMI in the directory."),
    "no_trial": N_("This trial run is over or never existed: start another from the modeller."),
    "trial_not_yours": N_("This trial run belongs to another process owner."),
    # process owners
    "note_too_long": N_("The change note has %(typed)s characters; keep it under %(limit)s."),
    # monitoring, certificates, questionnaires, reports, announcements
    "platform_url": N_("The platform address must be an http(s) link, e.g. "
                       "https://elearning.bipm.org/course/view.php?id=12."),
    "no_platform_id": N_("The course has no platform course id: record it first."),
    "no_platform_url": N_("The course has no platform address: record it, or name the site's address."),
    "period_invalid": N_("The period “%(period)s” is not FROM..TO with dates, e.g. 2026-01-01..2026-03-31."),
    "period_reversed": N_("The period “%(period)s” ends before it begins."),
    "quarter_invalid": N_("“%(period)s” is neither a date (YYYY-MM-DD) nor a quarter (YYYY-Qn)."),
    "not_participant": N_("Participant %(participant)s is not a participant of this course."),
    "not_eligible": N_("%(name)s is not eligible (10.1): %(reasons)s."),
    "holds_certificate": N_("%(name)s already holds certificate %(number)s; revoke it or issue a corrected one "
                            "in its place."),
    "no_certificate": N_("There is no certificate %(number)s."),
    "revoke_reason_required": N_("Say why the certificate is revoked: the reason is shown on its verification "
                                 "page."),
    "certificate_not_valid": N_("Certificate %(number)s is no longer valid."),
    "certificate_replaced": N_("Certificate %(number)s was replaced by %(by)s already."),
    "holder_gone": N_("The holder of %(number)s is no longer among the course's participants."),
    "not_in_batch": N_("Participant(s) %(participants)s are not in this batch: exclude only the candidates "
                       "listed."),
    "export_kind": N_("Export as CSV or XLSX."),
    "questionnaire_closed": N_("The course is not in the catalogue; its questionnaire is closed."),
    "questionnaire_flood": N_("This questionnaire has received many answers in the last hour; please try again "
                              "later."),
    "code_required": N_("This questionnaire needs the code your course coordinator gave you."),
    "code_invalid": N_("This code is not valid for this course, or it was used already; each code works once."),
    "access_mode": N_("Choose how the questionnaire is answered from the list."),
    "code_count": N_("Ask for between 1 and %(limit)s codes at a time."),
    "report_final": N_("The annual report for %(year)s is final already: see the Documents page."),
    "report_started": N_("The annual report for %(year)s has been started already: its review is in the sector "
                         "administrator's inbox, or it is final on the Documents page."),
    "report_no_year": N_("This annual report process was not started for a year; start the report from the "
                         "Documents page."),
    "year_invalid": N_("Give the year as four digits, e.g. 2026."),
    "mail_setting": N_("Choose a mail setting from the list."),
    "invite_unpublished": N_("“%(name)s” is not published yet: invitations go out once it is (12.1)."),
    "invite_no_link": N_("“%(name)s” has no http(s) link on the BIPM platform yet (6.10)."),
    "all_invited": N_("Every NMI of the directory has been invited to this course already; add NMIs to the "
                      "directory first."),
    "no_nmis": N_("The NMI directory is empty: add the NMIs first (12.1)."),
    "nmi_incomplete": N_("An NMI needs a country and a name."),
}

# Said when an error has no reason of its own (and the reader does not read English).
BY_KIND: list[tuple[type[CourseFlowError], str]] = [
    (NotFound, N_("This does not exist (any more).")),
    (NotAllowed, N_("You may not do this.")),
    (TaskNotOpen, MESSAGES["task_not_open"]),
    (ChangedMeanwhile, MESSAGES["changed_meanwhile"]),
    (Busy, MESSAGES["busy"]),
    (ProcessFailed, MESSAGES["process_failed"]),
    (FileRefused, N_("The file is not one of the platform's reports this reads.")),
    (CourseFlowError, N_("This cannot be done: nothing was changed.")),
]


def moment(value: dt.datetime) -> str:
    """A moment in the reader's language, as plain text (it goes into a sentence)."""
    utc = value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
    return f"{day_text(utc)} {utc:%H:%M} UTC"


def _shown(name: str, value: Any, params: dict[str, Any]) -> str:
    if name == "role":
        return grant_name(str(value), params.get("scope") or None)
    if name == "roles":
        return gettext(" or ").join(role_name(role) for role in value)
    if name == "process":
        return section(str(value))
    if isinstance(value, dt.datetime):
        return moment(value)
    return str(value)


def explain(error: CourseFlowError) -> str:
    """What the web app says about ``error``, in the reader's language."""
    message = MESSAGES.get(error.reason)
    if message is None:
        if lang() == "en":
            return str(error)
        if isinstance(error, FileRefused) and error.row:
            return gettext("Row %(row)s, column %(column)s of the file is not what the platform's report has there.",
                           row=error.row, column=error.column or "—")
        message = next(text for kind, text in BY_KIND if isinstance(error, kind))
        return gettext(message)
    params = {name: _shown(name, value, error.params) for name, value in error.params.items()}
    try:
        return gettext(message, **params)
    except (KeyError, TypeError, ValueError):  # a raise site that names fewer values than its message
        return str(error) if lang() == "en" else gettext(next(text for kind, text in BY_KIND if isinstance(error, kind)))


def field_message(error: FieldError, schema: dict | None = None) -> str:
    """A form field's problem in the reader's language, naming other fields by their labels."""
    p = error.params

    def named(path: str) -> str:
        prop: dict = schema or {}
        for part in path.split("/"):
            prop = (prop.get("properties") or {}).get(part) or {}
        return label(prop, default=path)

    messages: dict[str, Callable[[], str]] = {
        "required": lambda: gettext("Fill in this field."),
        "unknown": lambda: gettext("The form has no such field."),
        "max_length": lambda: gettext("At most %(limit)s characters (you typed %(typed)s).", limit=p.get("limit"),
                                      typed=p.get("typed")),
        "min_length": lambda: gettext("At least %(limit)s characters.", limit=p.get("limit")),
        "phone": lambda: gettext("Enter a phone number: digits, spaces, + ( ) . / -"),
        "pattern": lambda: gettext("This is not in the expected form."),
        "format_email": lambda: gettext("Enter an e-mail address such as name@example.org."),
        "format_date": lambda: gettext("Enter a date (YYYY-MM-DD)."),
        "format_date-time": lambda: gettext("Enter a date and time."),
        "format_uri": lambda: gettext("Enter a full link starting with https://"),
        "number": lambda: gettext("Enter a number."),
        "minimum": lambda: gettext("At least %(limit)s.", limit=p.get("limit")),
        "maximum": lambda: gettext("At most %(limit)s.", limit=p.get("limit")),
        "minItems": lambda: gettext("Choose at least %(limit)s.", limit=p.get("limit")),
        "maxItems": lambda: gettext("Choose at most %(limit)s.", limit=p.get("limit")),
        "must_be": lambda: gettext("Must be YES.") if p.get("value") else gettext("Must be NO."),
        "no_choices": lambda: gettext("There is nothing to choose yet (no matching people, CSBs or courses exist)."),
        "choice": lambda: gettext("Choose one of the options offered."),
        "conclusion": lambda: gettext("Revisit this conclusion: it contradicts “%(fields)s”. Which is meant?",
                                      fields="”, “".join(named(f) for f in p.get("conflicts", []))),
        "date_order": lambda: gettext("Must not be before “%(other)s” (%(start)s).", other=named(p.get("other", "")),
                                      start=p.get("start", "")),
    }
    message = messages.get(error.code)
    if message is not None:
        return message()
    if lang() == "en":
        return error.message
    if error.code == "any_of" and (schema or {}).get("x-any-of-message-ru"):
        return str((schema or {})["x-any-of-message-ru"])
    if error.code == "conflict":
        return gettext("This answer contradicts “%(conclusion)s”.", conclusion=named(p.get("conclusion", "")))
    if error.code == "shape":
        return gettext("The submission cannot be read: reload the page and try again.")
    return gettext("This is not in the expected form.")


# -- reasons a migration plan gives, and what changed between versions (the modeller's pages) ----------------

PLACES = {"passed_task": N_("the passed task"), "passed_element": N_("the passed element"),
          "open_task": N_("the open task"), "current_element": N_("the current element"),
          "future_task": N_("the future task"), "future_element": N_("the future element")}
DIFFERS = {
    "typename": N_("it is a different kind of element"), "outputs": N_("its outgoing flows differ"),
    "inputs": N_("its incoming flows differ"), "cond_task_specs": N_("its conditions differ"),
    "default_task_spec": N_("its default flow differs"), "script": N_("its script differs"),
    "prescript": N_("its pre-script differs"), "postscript": N_("its post-script differs"),
    "lane": N_("its lane differs"), "event_definition": N_("its event definition (timer, message or signal) differs"),
    "spec": N_("the process it calls differs"), "condition": N_("its completion condition differs"),
    "cardinality": N_("its multi-instance settings differ"), "data_input": N_("its multi-instance settings differ"),
    "data_output": N_("its multi-instance settings differ"), "input_item": N_("its multi-instance settings differ"),
    "output_item": N_("its multi-instance settings differ"),
    "io_specification": N_("its data inputs and outputs differ"), "data_objects": N_("its data objects differ"),
    "correlation_keys": N_("its correlation keys differ"), "form_binding": N_("its form differs"),
    "form_content": N_("its form (%(detail)s) differs"), "property": N_("its property %(detail)s differs"),
    "extensions": N_("its extensions differ"),
}
WHY = {
    "no_instance": N_("there is no such process instance"),
    "failed": N_("its stored state cannot be read; an auditor should check it"),
    "other_process": N_("it is an instance of %(process)s, not of %(target)s"),
    "not_running": N_("it is not running; only running instances can move to another version"),
    "not_older": N_("it runs version %(version)s, which is not older than version %(target)s: instances move only "
                    "to newer versions"),
    "called_missing": N_("the called process %(process)s is missing from version %(version)s"),
    "not_in_version": N_("the element %(ident)s is not in version %(version)s"),
    "process_changed": N_("the process %(process)s is changed in version %(version)s: %(what)s"),
    "element_missing": N_("%(place)s %(label)s is missing from version %(version)s"),
    "element_changed": N_("%(place)s %(label)s is changed in version %(version)s: %(what)s"),
}


def migration_reason(reason: str) -> Markup:
    """Why an instance cannot move (engine ``Why``: its code and values) in the reader's language; element names
    stay as the definition writes them."""
    code, params = getattr(reason, "code", ""), dict(getattr(reason, "params", {}))
    if lang() == "en" or code not in WHY:
        return Markup("{}").format(reason)
    if "what" in params:
        params["what"] = gettext(DIFFERS.get(params["what"], N_("its %(detail)s differs")),
                                 detail=params.get("detail") or params["what"])
    if "place" in params:
        params["place"] = gettext(PLACES.get(params["place"], params["place"]))
        where = Markup(' <span class="meta">({})</span>').format(params["process"]) if params.get("process") else ""
        named = Markup("«{}» ({})").format(params["name_ru"], params["ident"]) if params.get("name_ru") else \
            Markup('«<span lang="en">{}</span>» ({})').format(params["name"], params["ident"]) if params.get("name") \
            else params["ident"]
        params["label"] = Markup("{}{}").format(named, where)
    said = Markup(gettext(WHY[code])) % {key: value for key, value in params.items()}
    return Markup("{}").format(said[:1].upper()) + said[1:]


TEXTS = {"documentation": N_("documentation"), "condition": N_("condition"), "script": N_("script"),
         "pre-script": N_("pre-script"), "post-script": N_("post-script"), "timer duration": N_("timer duration"),
         "timer date": N_("timer date"), "timer cycle": N_("timer cycle"), "form": N_("form"),
         "UI form": N_("UI form"), "incoming": N_("incoming flows"), "outgoing": N_("outgoing flows"),
         "flow nodes": N_("elements of the lane")}
HOW = {"added": N_("added"), "removed": N_("removed"), "changed": N_("changed")}


def change_detail(change) -> str:
    """What changed in an element (engine ``Change.parts``) in the reader's language."""
    if lang() == "en" or not change.parts:
        return str(change.detail)
    return "; ".join(_part(kind, values) for kind, values in change.parts)


def _part(kind: str, values: dict[str, str]) -> str:
    what = gettext(TEXTS[values["what"]]) if values.get("what") in TEXTS else values.get("what", "")
    none = gettext("none")
    if kind == "type":
        return gettext("type %(before)s → %(after)s", before=element_type(values["before"]),
                       after=element_type(values["after"]))
    if kind == "refs":
        said = [gettext("%(refs)s added", refs=values["added"])] if values.get("added") else []
        said += [gettext("%(refs)s removed", refs=values["removed"])] if values.get("removed") else []
        return f"{what}: " + ", ".join(said)
    if kind == "text":
        return f"{what}: {gettext(HOW.get(values['how'], values['how']))}"
    if kind == "value":
        return f"{what}: {values.get('before') or none} → {values.get('after') or none}"
    before, after = values.get("before"), values.get("after")
    return f"{what}: " + (f"“{before}”" if before else none) + " → " + (f"“{after}”" if after else none)


ELEMENT_TYPES = {
    "process": N_("process"), "lane": N_("lane"), "userTask": N_("user task"), "manualTask": N_("manual task"),
    "scriptTask": N_("script task"), "serviceTask": N_("service task"), "receiveTask": N_("receive task"),
    "sendTask": N_("send task"), "task": N_("task"), "callActivity": N_("call activity"),
    "subProcess": N_("subprocess"), "sequenceFlow": N_("sequence flow"), "exclusiveGateway": N_("exclusive gateway"),
    "parallelGateway": N_("parallel gateway"), "inclusiveGateway": N_("inclusive gateway"),
    "eventBasedGateway": N_("event-based gateway"), "startEvent": N_("start event"), "endEvent": N_("end event"),
    "intermediateCatchEvent": N_("intermediate catch event"),
    "intermediateThrowEvent": N_("intermediate throw event"), "boundaryEvent": N_("boundary event"),
    "textAnnotation": N_("text annotation"), "association": N_("association"),
    "dataObject": N_("data object"), "dataObjectReference": N_("data object reference"),
}


def element_type(kind: str) -> str:
    """A BPMN element's kind as people say it."""
    return gettext(ELEMENT_TYPES[kind]) if kind in ELEMENT_TYPES else kind


def form_change(text: str) -> str:
    """'NAME added' (engine ``VersionView.form_changes``) in the reader's language."""
    name, _, how = text.rpartition(" ")
    return f"{name} {gettext(HOW[how])}" if how in HOW else text


# -- what deploy found in a model (engine ``Problem``: file, element, line, code and values) -------------------

PROBLEMS = {
    "not_utf8": N_("the file is not UTF-8 (byte %(byte)s): save it as UTF-8"),
    "no_process": N_("the file has no process: nothing to deploy"),
    "process_no_id": N_("a process has no id: give it one"),
    "xsd": N_("does not follow the BPMN 2.0 schema: %(detail)s"),
    "dangling": N_("refers to “%(target)s”, which does not exist in this file: point it at an existing element "
                   "or remove the reference"),
    "name_too_long": N_("the name is %(length)s characters; the limit is %(limit)s: shorten it (long explanations "
                        "belong in the documentation)"),
    "catcher_no_lane": N_("this waits for a message but is in no lane: put it in the lane of the role that may send "
                          "the message"),
    "data_store": N_("data stores are not supported: remove the data store (or replace it by a data object)"),
    "not_executable": N_("the process is marked not executable: tick “Executable” to run it here"),
    "event_definition_ref": N_("this event names its event definition by reference, which CourseFlow cannot run: "
                               "put a message, timer or signal definition inside the event itself"),
    "service_task": N_("this service task calls no service CourseFlow knows: use a script task for a computation or "
                       "a user task for a person's work"),
    "lane_unnamed": N_("the lane has no name: name it with a role key"),
    "lane_not_role": N_("lane “%(name)s” is not a role: name it with a role key"),
    "task_no_lane": N_("this %(kind)s is in no lane: put it in the lane of the role that does it"),
    "task_no_form": N_("this %(kind)s has no form: set the %(property)s property to a file of the form library"),
    "form_missing": N_("the form file “%(name)s” does not exist: create it or bind an existing form"),
    "form_unusable": N_("the form file “%(name)s” is unusable: %(detail)s"),
    "timer_empty": N_("the %(what)s is empty: give a quoted ISO 8601 value such as \"P3D\""),
    "timer_unquoted": N_("the %(what)s %(text)s must be written in quotes, e.g. \"%(text)s\""),
    "expression_refused": N_("the %(what)s is refused: %(detail)s"),
    "timer_not_iso": N_("the %(what)s is not ISO 8601: use e.g. \"%(example)s\""),
    "call_no_element": N_("the call activity names no process to call: name the process it calls"),
    "call_global_task": N_("the call activity calls the global task “%(called)s”, which CourseFlow cannot run: model "
                           "the task inside the process"),
    "call_unknown": N_("the call activity calls process “%(called)s”, which is neither in this deploy nor deployed "
                       "before: deploy its file too or fix the id"),
}
EXPRESSIONS = {"timeDuration": N_("timer duration"), "timeDate": N_("timer date"), "timeCycle": N_("timer cycle"),
               "conditionExpression": N_("condition"), "completionCondition": N_("completion condition"),
               "loopCardinality": N_("loop cardinality"), "loopCondition": N_("loop condition"),
               "script": N_("script"), "preScript": N_("pre-script"), "postScript": N_("post-script")}


def problem_message(problem) -> str:
    """A deploy problem's message in the reader's language (the technical detail it quotes stays as it is)."""
    if lang() == "en" or problem.code not in PROBLEMS:
        return str(problem.message)
    params = dict(problem.params)
    if "kind" in params:
        params["kind"] = element_type(params["kind"])
    if "what" in params:
        params["what"] = gettext(EXPRESSIONS[params["what"]]) if params["what"] in EXPRESSIONS else params["what"]
    try:
        return gettext(PROBLEMS[problem.code], **params)
    except (KeyError, TypeError, ValueError):
        return str(problem.message)


def problem_text(problem) -> str:
    """A problem as one line: where (file:line [element]) and what, in the reader's language."""
    where = problem.file + (f":{problem.line}" if problem.line else "") + (f" [{problem.element}]"
                                                                             if problem.element else "")
    return f"{where}: {problem_message(problem)}"


def problems_json(problems) -> list[dict]:
    """Problems as the modeller reads them, each message in the reader's language."""
    return [vars(p) | {"message": problem_message(p)} for p in problems]


TEMPLATE_HELPERS = {"migration_reason": migration_reason, "change_detail": change_detail, "element_type": element_type,
                    "form_change": form_change}
