"""Small hand-written articles for the review-queue tests."""

import datetime

PUBLISHED = datetime.date(2019, 4, 19)

ROUNDUP = """Experts weigh in on the summit

By Jane Writer

Ann Expert: I doubt that Putin will yield on the workers before the end of the year.

Bob Newman: Kim will likely visit Moscow next week.

Ann Expert: Russia will probably not send aid by 2020.
"""
