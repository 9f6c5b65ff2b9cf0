"""The demo: a user for every role, the repository's processes, and courses at every stage, so that every
role finds at least one task in its inbox (including a CSB member appointed by a chair, 7.3)."""
from __future__ import annotations

from pathlib import Path

from demo.driver import CourseDriver
from engine import CourseFlowError, Engine, Problem

REPO_ROOT = Path(__file__).resolve().parent.parent
DEMO_PASSWORD = "demo"
DEMO_ADDRESS = "http://127.0.0.1:5000"  # where `courseflow serve --demo` listens by default
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
    ("member-tc2", "Member of TC 2", ["csb_member:TC 2"]),
    ("owner", "Process Owner", ["process_owner"]),
    ("auditor", "Auditor", ["auditor"]),
]
# NMI, phone and e-mail: the forms a person signs are prefilled with these.
DEMO_CONTACTS = {
    "admin": ("BelGIM", "+375 17 233 55 01", "admin@coomet.org"),
    "implementer": ("BelGIM", "+375 17 233 55 02", "implementer@belgim.by"),
    "creator": ("VNIIM", "+7 812 251 76 01", "creator@vniim.ru"),
    "coordinator": ("KazStandard", "+7 7172 79 33 01", "coordinator@ksm.kz"),
    "chair-tc13": ("VNIIMS", "+7 495 437 55 77", "chair.tc13@vniims.ru"),
    "chair-tc2": ("PTB", "+49 531 592 0", "chair.tc2@ptb.de"),
    "chair-tc5": ("SMU", "+421 2 602 94 111", "chair.tc5@smu.gov.sk"),
    "member-tc13": ("NSC IM", "+380 57 704 97 37", "member.tc13@metrology.kharkov.ua"),
    "member-tc2": ("GUM", "+48 22 581 93 99", "member.tc2@gum.gov.pl"),
}

# The Appendix 1 reviewer's contacts of the member of TC 1.3, whose sheet waits for the chair's countersignature.
MEMBER_TC13 = {"name": "Member of TC 1.3", "phone": DEMO_CONTACTS["member-tc13"][1], "email": "member-tc13@coomet.example"}

# Distinct courses: (name, Russian name, initiator, summary, BIPM platform course id).
COURSES = {
    "flow": ("Flow measurement in pipelines", "Измерение расхода в трубопроводах", "VNIIR",
             "The course presents flowmeter types used in pipelines. It explains calibration rigs for liquids and gases. "
             "It ends with the uncertainty budget of volume and mass flow.", 101),
    "temperature": ("Temperature scales ITS-90", "Температурная шкала МТШ-90", "VNIIM",
                    "The course introduces the International Temperature Scale of 1990. It covers the defining fixed points "
                    "and standard platinum resistance thermometers. Interpolation is practised on real data.", 102),
    "dc_voltage": ("DC voltage standards", "Эталоны постоянного напряжения", "BelGIM",
                   "The course explains Josephson and Zener voltage standards. It shows how they are compared. "
                   "Learners follow the transfer of the volt to calibration laboratories.", 103),
    "pressure": ("Pressure gauge calibration", "Калибровка манометров", "SMU",
                 "The course teaches the calibration of pressure gauges with piston gauges and reference manometers. "
                 "It follows EURAMET cg-17. Each step ends with a short test.", 104),
    "procedures": ("COOMET procedures for newcomers", "Процедуры КООМЕТ", "COOMET Secretariat",
                   "The course explains how COOMET works for new participants. It presents its bodies, projects and key "
                   "comparisons. It closes with the CIPM MRA and the role of each NMI.", 105),
    "mass": ("Mass metrology basics", "Основы измерений массы", "GUM",
             "The course covers weights and their OIML R 111 classes. It explains mass comparators and weighing "
             "schemes. Air buoyancy correction is worked through with examples.", 106),
    "uncertainty": ("Uncertainty of measurement", "Неопределенность измерений", "BelGIM",
                    "The course explains the evaluation of measurement uncertainty following the GUM. It covers models, "
                    "Type A and Type B evaluations. Worked examples and tests close each unit.", 107),
    "length": ("Length measurement", "Измерения длины", "KazStandard",
               "The course presents gauge blocks and their calibration by interferometry. It shows how the metre is "
               "realised. Laboratory exercises follow each chapter.", 108),
    "humidity": ("Humidity measurement", "Измерения влажности", "NSC IM",
                 "The course introduces dew-point hygrometers and humidity generators. It explains the calibration of "
                 "relative humidity sensors. Case studies come from COOMET comparisons.", 109),
}


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
        nmi, phone, email = DEMO_CONTACTS.get(login, (None, None, None))
        try:
            engine.add_user(login, grants, DEMO_PASSWORD, name=name, email=f"{login}@{DEMO_MAIL_DOMAIN}", by="demo",
                            nmi=nmi, phone=phone)  # addresses that reach nobody, whatever SMTP is configured
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


def _course(engine: Engine, key: str) -> CourseDriver:
    name, name_ru, initiator, _summary, _platform = COURSES[key]
    return CourseDriver(engine, course_name=name, course_name_ru=name_ru, initiator=initiator)


def _prepare(course: CourseDriver, key: str, csbs=("TC 1.3",), procedural: bool = False) -> None:
    course.do("m_survey", "tc4", csbs=list(csbs), procedural=procedural)
    course.do("m_appoint", "admin")
    course.do("m_describe", "implementer", summary=COURSES[key][3])
    course.do("m_prepare", "creator")


def _finish(course: CourseDriver, key: str) -> None:
    course.do("a_forward", "admin")
    _finalize(course, key)


def _finalize(course: CourseDriver, key: str) -> None:
    course.do("m_finalize", "creator", course_url=platform_url(key),
              survey_link=f"{DEMO_ADDRESS}/survey/{course.course.id}")


def platform_url(key: str) -> str:
    return f"https://e-learning.bipm.org/course/view.php?id={COURSES[key][4]}"


def _publish(course: CourseDriver, key: str) -> None:
    _prepare(course, key)
    course.send_for_agreeing()
    course.chair_agrees("chair-tc13", "TC 1.3")
    _finish(course, key)
    course.approve()


def demo_courses(engine: Engine) -> None:
    """Courses at every stage; the comment says whose inbox each one fills."""
    _course(engine, "flow")                                            # tc4: the survey (6.1)
    c = _course(engine, "temperature")                                 # implementer: description data (6.6)
    c.do("m_survey", "tc4")
    c.do("m_appoint", "admin")
    c = _course(engine, "dc_voltage")                                  # creator: prepare the course (6.5)
    c.do("m_survey", "tc4")
    c.do("m_appoint", "admin")
    c.do("m_describe", "implementer", summary=COURSES["dc_voltage"][3])
    c = _course(engine, "pressure")                                    # chairs of TC 2 and TC 5; TC 1.3's chair
    _prepare(c, "pressure", csbs=("TC 1.3", "TC 2", "TC 5"))           # countersigns its member's sheet (7.4, 7.5)
    c.send_for_agreeing(csbs=("TC 1.3", "TC 2", "TC 5"))
    c.do("c_assign", "chair-tc13", scope="TC 1.3", reviewer="member", member="member-tc13")
    c.do("c_member_review", "member-tc13", reviewer_details=MEMBER_TC13, signed_by=MEMBER_TC13["name"])
    c = _course(engine, "procedures")                                  # secretariat: procedural content (7.7)
    _prepare(c, "procedures", csbs=(), procedural=True)
    c.send_for_agreeing(csbs=(), procedural=True)
    c = _course(engine, "mass")                                        # admin: Appendix 2 review (8.1)
    _prepare(c, "mass", csbs=())
    _finalize(c, "mass")
    c = _course(engine, "humidity")                                    # members of TC 1.3 and TC 2 (appointed)
    _prepare(c, "humidity", csbs=("TC 1.3", "TC 2"))
    c.send_for_agreeing(csbs=("TC 1.3", "TC 2"))
    c.do("c_assign", "chair-tc13", scope="TC 1.3", reviewer="member", member="member-tc13")
    c.do("c_assign", "chair-tc2", scope="TC 2", reviewer="member", member="member-tc2")
    c = _course(engine, "uncertainty")                                 # published: the student questionnaire
    _publish(c, "uncertainty")
    engine.send_invitations(c.course.id, c.actor("secretariat"))       # 12.1: one letter per NMI, in the outbox
    demo_answers(engine, c.course.id)                                  # 11.1: answers for the results page
    c = _course(engine, "length")                                      # coordinator: amend on update (13.3)
    _publish(c, "length")
    engine.send_message(c.instance, "inspection_requested", {"reason": "new edition of ISO 3650"},
                        c.actor("secretariat"))
    c.do("i_inspect", "secretariat", outcome="update_required",
         findings="Chapter 4 still cites the 2013 edition of ISO 3650; the exercises need the 2024 tolerances.")


def published_courses(engine: Engine) -> list[tuple[int, str]]:
    """(course id, name) of each course whose student questionnaire is open (11.1)."""
    return [(course.id, course.name) for course in engine.courses(("published", "under inspection", "updating"))]


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
