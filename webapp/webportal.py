"""The public list of COOMET courses (12.2), no login: a page, ``/public/courses.json`` and an Atom feed for the
COOMET webportal (Activities / Information and training). Published courses appear, cancelled ones (13.5)
disappear; ETag and Last-Modified let the webportal poll cheaply (304 Not Modified)."""
from __future__ import annotations

import hashlib
import json
import xml.etree.ElementTree as ET

from flask import Blueprint, Response, render_template, request, url_for

from .extensions import engine

bp = Blueprint("webportal", __name__, url_prefix="/public")
ATOM = "http://www.w3.org/2005/Atom"


@bp.route("/courses")
def courses():
    listing = engine().public_catalogue()
    return _conditional(Response(render_template("public_courses.html", courses=listing.courses)), listing)


@bp.route("/courses.json")
def courses_json():
    listing = engine().public_catalogue()
    body = json.dumps({"title": "COOMET e-learning courses", "courses": [_as_dict(c) for c in listing.courses]},
                      ensure_ascii=False, indent=2)
    return _conditional(Response(body, mimetype="application/json"), listing)


@bp.route("/courses.atom")
def courses_atom():
    listing = engine().public_catalogue()
    feed = ET.Element("feed", xmlns=ATOM)
    ET.SubElement(feed, "title").text = "COOMET e-learning courses"
    ET.SubElement(feed, "id").text = url_for("webportal.courses", _external=True)
    ET.SubElement(feed, "updated").text = _iso(listing.changed_at)
    ET.SubElement(feed, "link", rel="self", href=url_for("webportal.courses_atom", _external=True))
    ET.SubElement(ET.SubElement(feed, "author"), "name").text = "COOMET"
    for course in listing.courses:
        entry = ET.SubElement(feed, "entry")
        ET.SubElement(entry, "title").text = course.name
        ET.SubElement(entry, "id").text = f"{url_for('webportal.courses', _external=True)}#course-{course.id}"
        ET.SubElement(entry, "updated").text = _iso(course.updated_at)
        if course.published_at:
            ET.SubElement(entry, "published").text = _iso(course.published_at)
        if course.url:
            ET.SubElement(entry, "link", href=course.url)
        ET.SubElement(entry, "summary").text = course.summary or course.name_ru or course.name
    body = ET.tostring(feed, encoding="unicode", xml_declaration=True)
    return _conditional(Response(body, mimetype="application/atom+xml"), listing)


def _as_dict(course) -> dict:
    return {"id": course.id, "name": course.name, "name_ru": course.name_ru, "languages": course.languages,
            "access": course.access, "url": course.url, "summary": course.summary,
            "published_at": _iso(course.published_at) if course.published_at else None,
            "updated_at": _iso(course.updated_at)}


def _iso(moment) -> str:
    return moment.isoformat().replace("+00:00", "Z") if moment else "1970-01-01T00:00:00Z"


def _conditional(response: Response, listing) -> Response:
    """A strong ETag of the body and Last-Modified of the newest change; 304 when the client has it."""
    response.set_etag(hashlib.sha256(response.get_data()).hexdigest()[:32])
    if listing.changed_at:
        response.last_modified = listing.changed_at
    response.cache_control.public = True
    response.cache_control.max_age = 300
    response.make_conditional(request)
    return response
