"""§11.3 and §9.3: the annual report the sector administrator presents to TC 4, and course-independent documents."""
