"""The demo: a user for every role, the repository's processes, and courses at every stage."""
from __future__ import annotations

from pathlib import Path

from demo.driver import CourseDriver
from engine import CourseFlowError, Engine, Problem

REPO_ROOT = Path(__file__).resolve().parent.parent
DEMO_PASSWORD = "demo"
DEMO_USERS = [
    ("admin", "Alla Admin", ["sector_administrator"]),
    ("tc4", "TC 4 Secretariat", ["tc4"]),
    ("implementer", "Ivan Implementer", ["implementer"]),
    ("creator", "Kirill Creator", ["course_creator"]),
    ("coordinator", "Olga Coordinator", ["course_coordinator"]),
    ("secretariat", "COOMET Secretariat", ["secretariat"]),
    ("chair-tc13", "Chair of TC 1.3", ["csb_chair:TC 1.3"]),
    ("chair-tc2", "Chair of TC 2", ["csb_chair:TC 2"]),
    ("chair-tc5", "Chair of TC 5", ["csb_chair:TC 5"]),
    ("member-tc13", "Member of TC 1.3", ["csb_member:TC 1.3"]),
    ("owner", "Process Owner", ["process_owner"]),
    ("auditor", "Auditor", ["auditor"]),
]


# Mail for the demo people waits in the outbox (no SMTP server in the demo); the member of TC 1.3 takes the
# daily digest, so the Outbox page shows messages held for it too.
DEMO_MAIL_DOMAIN = "coomet.example"
DEMO_DIGEST_READERS = ("member-tc13",)
# A handful of real NMIs of COOMET member countries (12.1), with made-up addresses that reach nobody.
DEMO_NMIS = [
    ("Belarus", "BelGIM", "ru"), ("Bulgaria", "BIM", "en"), ("Germany", "PTB", "en"),
    ("Kazakhstan", "KazStandard", "ru"), ("Moldova", "INM", "ru"), ("Russia", "VNIIM", "ru"),
    ("Slovakia", "SMU", "en"), ("Ukraine", "Ukrmetrteststandard", "en"),
]


def load_demo(engine: Engine, repo_root: Path = REPO_ROOT) -> list[Problem]:
    """Deploy, add the demo users and (once) the demo courses; return the deploy's problems."""
    for login, name, grants in DEMO_USERS:
        try:
            engine.add_user(login, grants, DEMO_PASSWORD, name=name, email=f"{login}@{DEMO_MAIL_DOMAIN}", by="demo")
        except CourseFlowError:
            pass  # already there from an earlier demo run
    for login in DEMO_DIGEST_READERS:
        engine.set_mail_preference(login, "daily")
    secretariat = engine.actor("secretariat")
    for country, nmi, language in DEMO_NMIS:
        engine.save_nmi(country, nmi, f"coomet@{nmi.lower()}.example", language, secretariat)
    report = engine.deploy_directory(repo_root / "processes", repo_root / "forms", actor="owner")
    if not engine.courses():
        demo_courses(engine)
    engine.deliver_mail()  # address the demo's notifications (sent only if COURSEFLOW_SMTP_URL is set)
    return list(report.problems)


def demo_courses(engine: Engine) -> None:
    """Courses at every stage of the procedure."""
    CourseDriver(engine, course_name="Flow measurement in pipelines", course_name_ru="Измерение расхода в трубопроводах")
    c = CourseDriver(engine, course_name="Temperature scales ITS-90", course_name_ru="Температурная шкала МТШ-90")
    c.do("m_survey", "tc4")
    c.do("m_appoint", "admin")
    c = CourseDriver(engine, course_name="Pressure gauge calibration", course_name_ru="Калибровка манометров")
    c.prepare(csbs=("TC 1.3", "TC 2"))
    c.send_for_agreeing(csbs=("TC 1.3", "TC 2"))
    c.do("c_assign", "chair-tc13", scope="TC 1.3")
    c = CourseDriver(engine, course_name="COOMET procedures for newcomers", course_name_ru="Процедуры КООМЕТ")
    c.prepare(csbs=(), procedural=True)
    c.send_for_agreeing(csbs=(), procedural=True)
    c = CourseDriver(engine, course_name="Mass metrology basics", course_name_ru="Основы измерений массы")
    c.prepare(csbs=())
    c.do("m_finalize", "creator")
    c = CourseDriver(engine, course_name="Uncertainty of measurement", course_name_ru="Неопределенность измерений")
    c.publish_one_csb_course()
    engine.send_invitations(c.course.id, c.actor("secretariat"))  # 12.1: one letter per NMI, in the outbox
    demo_answers(engine, c.course.id)
    c = CourseDriver(engine, course_name="Length measurement", course_name_ru="Измерения длины")
    c.publish_one_csb_course()
    engine.send_message(c.instance, "inspection_requested", {"reason": "demo"}, c.actor("secretariat"))


DEMO_ANSWERS = [  # Appendix 3 (11.1): four anonymous answers, so the results page has something to show
    ("excellent", "good", "good", "satisfactory", "More worked examples, please."),
    ("good", "good", "excellent", "good", "The GUM chapter was the most useful."),
    ("excellent", "excellent", "good", "good", ""),
    ("good", "satisfactory", "satisfactory", "good", "Audio in module 3 is too quiet."),
]


def demo_answers(engine: Engine, course_id: int) -> None:
    keys = ("relevance", "theoretical_utility", "material_quality", "material_presentation")
    for *grades, proposals in DEMO_ANSWERS:
        engine.answer_questionnaire(course_id, {**dict(zip(keys, grades, strict=True)),
                                                **({"proposals": proposals} if proposals else {})})
