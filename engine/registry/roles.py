"""The roles of the COOMET procedure (DESIGN.md) and who may act on a task.

Role keys are stable identifiers used in lanes, the CLI and the database;
people read the translated names.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Role:
    key: str
    name: str
    name_ru: str
    scoped: bool = False  # held per CSB (scope = CSB code)


ROLES: dict[str, Role] = {r.key: r for r in (
    Role("sector_administrator", "COOMET sector administrator", "Администратор раздела КООМЕТ"),
    Role("course_creator", "Course creator", "Создатель курса"),
    Role("course_coordinator", "Course coordinator", "Координатор курса"),
    Role("implementer", "Implementer (CSB/NMI)", "Исполнитель (СОК/НМИ)"),
    Role("csb_chair", "Chair of the CSB", "Председатель СОК", scoped=True),
    Role("csb_member", "CSB member", "Член СОК", scoped=True),
    Role("secretariat", "COOMET Secretariat", "Секретариат КООМЕТ"),
    Role("tc4", "TC 4 \"Information and Training\"", "ТК 4 \"Информация и обучение\""),
    Role("student", "Course participant", "Слушатель курса"),
    Role("process_owner", "Process owner", "Владелец процесса"),
    Role("auditor", "Auditor", "Аудитор"),
)}


def role_for_lane(lane_name: str | None) -> str | None:
    """The role key a lane stands for: its name is the key or the role's English name."""
    if not lane_name:
        return None
    text = lane_name.strip()
    if text in ROLES:
        return text
    for role in ROLES.values():
        if text.casefold() == role.name.casefold():
            return role.key
    return None


def parse_grant(text: str) -> tuple[str, str | None]:
    """``ROLE`` or ``ROLE:SCOPE`` → (role, scope); raise ``ValueError`` if the role is unknown."""
    role_text, _, scope_text = text.partition(":")
    role, scope = role_text.strip(), scope_text.strip() or None
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; known roles: {', '.join(ROLES)}")
    return role, scope


@dataclass(frozen=True)
class Actor:
    """A person acting now: their login and the (role, scope) grants they hold.

    A grant without a scope covers every scope of that role; a task without
    a scope is open to every holder of its role.
    """

    login: str
    grants: frozenset[tuple[str, str | None]] = field(default_factory=frozenset)

    def holds(self, role: str, scope: str | None = None) -> bool:
        if scope is None:
            return any(held == role for held, _ in self.grants)
        return (role, None) in self.grants or (role, scope) in self.grants

    @property
    def roles(self) -> set[str]:
        return {role for role, _ in self.grants}


# Who may read a course's history, step through it, replay it and see its diagram: these show who decided
# what, so only the auditors, the sector administrators and the Secretariat (which keeps the forms, 8.3).
HISTORY_READERS = ("auditor", "sector_administrator", "secretariat")


def may_read_history(actor: Actor) -> bool:
    return any(actor.holds(role) for role in HISTORY_READERS)
