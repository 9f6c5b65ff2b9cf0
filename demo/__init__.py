"""Demo data for ``courseflow serve --demo``, shared with the tests and the benchmarks.

A user for every role, the repository's processes deployed, and courses at
different stages, so that every role finds something in its inbox. The
sample sheets are filled-in copies of the paper forms (Appendices 1-3 and the
other task forms); ``CourseDriver`` completes tasks by BPMN id as the right
person would. Depends on the engine's public API only.
"""
from demo.data import DEMO_PASSWORD, DEMO_USERS, REPO_ROOT, demo_courses, load_demo, published_courses
from demo.driver import CourseDriver, sheets

__all__ = ["DEMO_PASSWORD", "DEMO_USERS", "REPO_ROOT", "CourseDriver", "demo_courses", "load_demo", "published_courses",
           "sheets"]
