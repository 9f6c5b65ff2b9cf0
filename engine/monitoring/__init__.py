"""Monitoring (§9): the BIPM platform's (Moodle) reports read, stored per course and summed up.

- ``vocabulary`` — status words, yes/no, quiz states and dates in English, Russian and French
- ``table`` — a downloaded file as rows of text (CSV UTF-8 or UTF-16LE, XLSX, ODS, saved HTML)
- ``activity_completion``, ``course_completion``, ``quiz_grades``, ``participation`` — one reader per report
- ``models`` — the tables; ``store`` — an import applied to them; ``summary`` — the figures and per-participant states
"""
