"""The annual report's words in English and Russian (the PDF, the XLSX and the mail are made by the engine,
which has no Babel catalogue)."""
from __future__ import annotations

from engine.registry.roles import ROLES

LANGUAGES = ("en", "ru")

WORDS: dict[str, tuple[str, str]] = {
    "title": ("Annual report to TC 4 «Information and Training»", "Ежегодный отчёт для ТК 4 «Информация и обучение»"),
    "subtitle": ("COOMET e-learning courses, year {year} (11.3, 9.3)",
                 "Электронные курсы КООМЕТ, {year} год (11.3, 9.3)"),
    "made": ("Made on {date}", "Составлен {date}"),
    "draft": ("DRAFT — not yet final", "ПРОЕКТ — ещё не окончательный"),
    "summary": ("Summary", "Сводка"),
    "courses_events": ("Courses in the year", "Курсы за год"),
    "created": ("created", "созданы"),
    "agreed": ("agreed", "согласованы"),
    "published": ("published", "опубликованы"),
    "updated": ("updated", "обновлены"),
    "cancelled": ("cancelled", "отменены"),
    "clause": ("Clause", "Пункт"),
    "date": ("Date", "Дата"),
    "course": ("Course", "Курс"),
    "event": ("Event", "Событие"),
    "count": ("Number", "Количество"),
    "indicator": ("Ind-e.1.6: at least 2 e-learning modules available (9.3)",
                  "Ind-e.1.6: доступно не менее 2 электронных модулей (9.3)"),
    "available": ("Courses available in the year", "Курсов доступно за год"),
    "met": ("met", "выполнен"),
    "not_met": ("not met", "не выполнен"),
    "monitoring": ("Monitoring (§9)", "Мониторинг (§9)"),
    "participants": ("Participants", "Участники"),
    "completed": ("Completed the course", "Завершили курс"),
    "rate": ("Completion rate", "Доля завершивших"),
    "views": ("Views", "Просмотры"),
    "certificates": ("Certificates issued (§10)", "Выдано сертификатов (§10)"),
    "satisfaction": ("Satisfaction (§11.1)", "Удовлетворённость (§11.1)"),
    "answers": ("Answers", "Ответы"),
    "mean": ("Mean score (1–4)", "Средний балл (1–4)"),
    "too_few": ("{answers} answers: fewer than {minimum}, so only the count is given",
                "Ответов: {answers} — меньше {minimum}, поэтому приводится только число"),
    "comments_students": ("Proposals and comments", "Предложения и замечания"),
    "analyses": ("Quarterly analyses (§11.2)", "Ежеквартальные анализы (§11.2)"),
    "quarter": ("Quarter", "Квартал"),
    "findings": ("Findings", "Выводы"),
    "actions": ("Actions", "Действия"),
    "not_recorded": ("not yet recorded", "ещё не записан"),
    "open_items": ("Open and overdue tasks", "Открытые и просроченные задачи"),
    "task": ("Task", "Задача"),
    "role": ("Role", "Роль"),
    "due": ("Due", "Срок"),
    "overdue": ("overdue", "просрочена"),
    "none": ("None.", "Нет."),
    "admin_comments": ("Comments of the sector administrator", "Замечания администратора сектора"),
    "status": ("Status", "Статус"),
    "chart_monitoring": ("Participants and completions per course", "Участники и завершившие по курсам"),
    "chart_satisfaction": ("Mean satisfaction score per course", "Средний балл удовлетворённости по курсам"),
    "mail_subject": ("COOMET e-learning: annual report to TC 4 for {year}",
                     "Электронное обучение КООМЕТ: ежегодный отчёт для ТК 4 за {year} год"),
    "mail_body": ("The sector administrator's annual report on the COOMET e-learning courses for {year} "
                  "(11.3, 9.3) is attached. Its SHA-256: {sha256}.",
                  "Ежегодный отчёт администратора сектора об электронных курсах КООМЕТ за {year} год "
                  "(11.3, 9.3) — во вложении. Его SHA-256: {sha256}."),
}

GRADE_WORDS = {"excellent": ("excellent", "отлично"), "good": ("good", "хорошо"),
               "satisfactory": ("satisfactory", "удовлетворительно"),
               "unsatisfactory": ("unsatisfactory", "неудовлетворительно")}
STATUS_WORDS = {"planned": "запланирован", "in preparation": "в подготовке", "agreeing": "на согласовании",
                "under review": "на рассмотрении", "published": "опубликован", "under inspection": "на проверке",
                "updating": "обновляется", "cancelled": "отменён"}


def grade(key: str, language: str) -> str:
    pair = GRADE_WORDS.get(key, (key, key))
    return pair[1] if language == "ru" else pair[0]


def status(key: str, language: str) -> str:
    return STATUS_WORDS.get(key, key) if language == "ru" else key


def role(key: str, language: str) -> str:
    found = ROLES.get(key)
    if found is None:
        return key
    return found.name_ru if language == "ru" else found.name


def words(language: str) -> dict[str, str]:
    index = 1 if language == "ru" else 0
    return {key: pair[index] for key, pair in WORDS.items()}


def course_name(name: str, name_ru: str | None, language: str) -> str:
    return name_ru if language == "ru" and name_ru else name
