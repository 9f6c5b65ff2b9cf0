"""7.4, 7.5 on the web: the CSB chair countersigns (or returns) the sheet of the member they appointed (7.3), and a
countersigned sheet shows both signers wherever sheets are read."""
from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from tests.coomet import CourseDriver, deploy_with_people
from tests.test_web import login, token
from webapp.app import create_app
from webapp.printing import dossier_html


@pytest.fixture
def app(engine):
    deploy_with_people(engine)
    return create_app(engine, TESTING=True, TICK_SECONDS=0)


def member_sheet_given(engine) -> CourseDriver:
    """A course whose TC 1.3 member has given the Appendix 1 sheet; the chair's countersignature is due."""
    course = CourseDriver(engine)
    course.prepare()
    course.send_for_agreeing()
    course.do("c_assign", "chair-tc13", scope="TC 1.3", reviewer="member", member="member-tc13")
    course.do("c_member_review", "member-tc13", signed_by="Member of TC 1.3",
              agreeing_comments="Units follow the SI brochure.")
    return course


def chair_decides(app, engine, course, **answers):
    (task,) = [t for t in course.open("chair-tc13") if t.bpmn_id == "c_countersign"]
    client = app.test_client()
    login(client, "chair-tc13")
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    data = {"csrf_token": token(client, f"/tasks/{task.id}"),
            "instance_version": engine.task(task.id).instance_version,
            "countersigned_on": "2026-01-06", "countersigned_by": "Chair of TC 1.3", **answers}
    return page, client.post(f"/tasks/{task.id}", data=data)


def test_7_4_7_5_the_chair_sees_the_members_whole_sheet_and_countersigns_it(app, engine):
    course = member_sheet_given(engine)
    page, response = chair_decides(app, engine, course, countersign_decision="countersign")
    shown = re.search(r'<div id="member-sheet">(.*?)</section>\s*</div>', page, re.S).group(1)
    for text in ("The sheet given by Member of TC 1.3", "INITIAL AGREEING ON THE COURSE", "Anna Sidorova",
                 "Units follow the SI brochure.", "1 Feb 2026", "Signed electronically by Member of TC 1.3",
                 "Due 7 days after the member gave the sheet"):
        assert text in shown, text
    assert 'name="countersigned_by" value="Chair of TC 1.3"' in page  # the chair's name, prefilled
    assert response.status_code == 302 and course.bpmn_ids() == ["a_forward"]

    course_page = app.test_client()
    login(course_page, "admin")
    listed = course_page.get(f"/courses/{course.course.id}").get_data(as_text=True)
    assert re.search(r"Member of TC 1.3 \(TC 1.3\) · <span class=\"countersign\">countersigned by Chair of TC 1.3 on",
                     listed)
    (member,) = [s for s in engine.sheets(course.course.id) if s.bpmn_id == "c_member_review"]
    printed = course_page.get(f"/courses/{course.course.id}/sheets/{member.seq}").get_data(as_text=True)
    both = printed[printed.index("paper-sign"):]
    assert "Signed electronically by Member of TC 1.3" in both
    assert "Countersigned by the CSB chair (7.4, 7.5)" in both and "Signed electronically by Chair of TC 1.3" in both
    pdf = PdfReader(io.BytesIO(course_page.get(f"/courses/{course.course.id}/sheets/{member.seq}.pdf").get_data()))
    text = " ".join(page.extract_text() for page in pdf.pages)
    assert "Member of TC 1.3" in text and "Countersigned by the CSB chair (7.4, 7.5)" in text
    assert "Signed electronically by Chair of TC 1.3" in " ".join(text.split())
    dossier = dossier_html(engine, course.course.id)
    assert "Countersigned by the CSB chair (7.4, 7.5)" in dossier and "Chair of TC 1.3" in dossier


def test_7_5_a_returned_sheet_needs_comments_and_the_member_reads_them_at_the_top(app, engine):
    course = member_sheet_given(engine)
    _, refused = chair_decides(app, engine, course, countersign_decision="return")
    assert refused.status_code == 422 and 'id="err-chair_comments"' in refused.get_data(as_text=True)
    _, response = chair_decides(app, engine, course, countersign_decision="return",
                                chair_comments="Add the uncertainty budget to your comments.")
    assert response.status_code == 302
    (review,) = course.open("member-tc13")
    member = app.test_client()
    login(member, "member-tc13")
    member.post("/language", data={"csrf_token": token(member, "/"), "lang": "ru", "next": "/"})
    page = member.get(f"/tasks/{review.id}").get_data(as_text=True)
    top = page[page.index('id="returned-by-chair"'):page.index('<h2 class="form-title">')]
    assert "Председатель вернул ваш лист" in top and "Add the uncertainty budget to your comments." in top
    assert "Chair of TC 1.3" in top
    course.do("c_member_review", "member-tc13")
    chair_decides(app, engine, course, countersign_decision="countersign")
    first, second = [s for s in engine.sheets(course.course.id) if s.bpmn_id == "c_member_review"]
    assert first.countersign.data["chair_comments"] == "Add the uncertainty budget to your comments."
    assert second.countersign.data["countersign_decision"] == "countersign"
    printed = member.get(f"/courses/{course.course.id}/sheets/{first.seq}").get_data(as_text=True)
    assert "Возвращено председателем СОК члену СОК (7.5)" in printed
