"""Sample sheets (filled-in copies of every form) and ``CourseDriver``, which takes a course through the
procedure task by task as its people would."""
from __future__ import annotations

from engine import Engine

CONTACT = {"nmi": "BelGIM", "name": "Ivan Petrov", "phone": "+375 17 233 55 01", "email": "petrov@belgim.by"}
REVIEWER = {"name": "Anna Sidorova", "phone": "+7 495 000 00 00", "email": "sidorova@vniims.ru"}
LINK = "https://e-learning.bipm.org/course/view.php?id=42"


def sheets() -> dict[str, dict]:
    """A valid filled-in copy of each form, by form file name."""
    return {
        "course_start.json": {"course_name": "Uncertainty of measurement", "course_name_ru": "Неопределенность измерений",
                              "initiator": "BelGIM"},
        "survey.json": {"materials_available": True, "post_this_year": True, "planned_year": 2026,
                        "languages": "en+ru", "format": "h5p", "csbs": ["TC 1.3"], "procedural": False},
        "appointment.json": {"materials_requested_from": "BelGIM", "materials_requested_on": "2026-01-10",
                             "creators_surveyed": True, "creator": "creator", "coordinator": "coordinator",
                             "implementer": "implementer"},
        "course_description.json": {"summary": "The course explains the evaluation of measurement uncertainty "
                                               "following the GUM. It includes worked examples and tests.",
                                    "icon": "uncertainty.png", "content_responsible": "Ivan Petrov",
                                    "access": "open"},
        "course_preparation.json": {"draft_link": LINK, "relevance": True, "plain_language": True,
                                    "quality_design": True, "copyright_compliance": True},
        "agreeing_request.json": {"agreeing_csbs": ["TC 1.3"], "send_to_secretariat": False,
                                  "creator_details": CONTACT, "coordinator_details": CONTACT, "review_days": 14,
                                  "materials_link": LINK},
        "csb_assignment.json": {"reviewer": "chair"},
        "appendix1_initial.json": {"reviewer_details": REVIEWER, "complies": True, "requires_refinement": False,
                                   "agreed_on": "2026-02-01", "signed_by": "Anna Sidorova"},
        "appendix1_reagreeing.json": {"reviewer_details": REVIEWER, "refined_as_recommended": True, "complies": True,
                                      "requires_refinement": False, "agreed_on": "2026-02-20",
                                      "signed_by": "Anna Sidorova"},
        "appendix1_countersign.json": {"countersign_decision": "countersign", "countersigned_on": "2026-02-03",
                                       "countersigned_by": "Chair of TC 1.3"},
        "refinement.json": {"changes": "Examples 3 and 4 reworked as asked.", "refined_materials_link": LINK},
        "timeframe_alert.json": {"reminded_on": "2026-02-16"},
        "forwarding.json": {"final_sheets_received": True, "final_materials_link": LINK, "forwarded_on": "2026-02-25"},
        "course_finalization.json": {"uniform_style": True, "max_three_colours": True, "fonts": True,
                                     "animation_moderate": True, "images_left": True, "coordinators_line": True,
                                     "copyright_line": True, "survey_module": True,
                                     "survey_link": "https://forms.coomet.org/s/42", "course_url": LINK,
                                     "administrator_informed": True},
        "appendix2.json": {"administrator_details": REVIEWER, "proper_description": True, "content_quality": True,
                           "copyright_ok": True, "can_be_posted": True, "should_be_refined": False,
                           "approved_on": "2026-03-01", "approver_name": "Alla Admin"},
        "approval_filing.json": {"approval_form_filed": True, "filing_reference": "COOMET/E/2026-07",
                                 "invitations_sent_on": "2026-03-05", "webportal_listed": True},
        "acknowledgement.json": {"noted_on": "2026-03-04"},
        "inspection.json": {"inspected_on": "2029-03-10", "coordinators_involved": "Olga Coordinator",
                            "tc4_participant": "TC 4 Secretariat", "outcome": "up_to_date"},
        "cancellation.json": {"cancel_course": True, "decision_reference": "TC 4 meeting, 2029-04-20"},
        "exclusion.json": {"excluded_on": "2029-04-25"},
        "amendment.json": {"amended_with_creator": True, "changes": "Updated to the 2028 edition of the GUM.",
                           "amended_materials_link": LINK},
        "appendix3.json": {"relevance": "excellent", "theoretical_utility": "good", "material_quality": "good",
                           "material_presentation": "satisfactory", "proposals": "More exercises, please.",
                           "participated_from": "2026-04-01", "participated_to": "2026-04-20"},
    }


class CourseDriver:
    """One course taken through the procedure task by task, as its people would (demo data and tests)."""

    def __init__(self, engine: Engine, **start):
        self.engine, self.sheets = engine, sheets()
        self.actors: dict = {}  # looked up on first use
        data = {**self.sheets["course_start.json"], **start}
        self.first_instance = engine.start("course_creation", data, self.actor("admin"))
        self.course_id = engine.instance(self.first_instance).course_id

    @property
    def instance(self):
        """The instance driving the course now: creation, then one per inspection cycle (13.1)."""
        return self.engine.course(self.course_id).instance

    def open(self, login=None):
        """Open tasks of this course (that ``login`` may do)."""
        actor, instance = (self.actor(login) if login else None), self.instance
        return [t for t in self.engine.tasks(actor) if t.instance == instance]

    def do(self, bpmn_id: str, login: str, scope: str | None = None, **changes):
        """Complete the one open task ``bpmn_id`` (in ``scope``) as ``login`` with its sheet plus ``changes``."""
        matches = [t for t in self.open(login) if t.bpmn_id == bpmn_id and (scope is None or t.scope == scope)]
        assert len(matches) == 1, f"{bpmn_id} for {login}/{scope}: {[(t.bpmn_id, t.scope) for t in self.open()]}"
        task = matches[0]
        self.engine.complete(task.id, {**self.sheets[task.form], **changes}, self.actor(login))
        return task

    def actor(self, login: str):
        if login not in self.actors:
            self.actors[login] = self.engine.actor(login)
        return self.actors[login]

    def bpmn_ids(self):
        return sorted(t.bpmn_id for t in self.open())

    @property
    def course(self):
        return self.engine.course(self.course_id)

    # the common stretches of the procedure --------------------------------------------------
    def prepare(self, csbs=("TC 1.3",), procedural=False):
        self.do("m_survey", "tc4", csbs=list(csbs), procedural=procedural)
        self.do("m_appoint", "admin")
        self.do("m_describe", "implementer")
        self.do("m_prepare", "creator")

    def send_for_agreeing(self, csbs=("TC 1.3",), procedural=False):
        self.do("a_send", "implementer", agreeing_csbs=list(csbs), send_to_secretariat=procedural)

    def chair_agrees(self, chair: str, csb: str, **verdict):
        self.do("c_assign", chair, scope=csb)
        self.do("c_chair_review", chair, scope=csb, **verdict)

    def finish_creation(self):
        self.do("a_forward", "admin")
        self.do("m_finalize", "creator")

    def approve(self):
        self.do("r_review", "admin")
        self.do("r_keep", "secretariat")
        self.do("r_note", "tc4")

    def publish_one_csb_course(self):
        self.prepare()
        self.send_for_agreeing()
        self.chair_agrees("chair-tc13", "TC 1.3")
        self.finish_creation()
        self.approve()
