"""§11 satisfaction: questionnaire results per course and period (11.1), the quarterly analysis (11.2) and
the questionnaire's access codes."""
