"""Small hand-written articles with known answers."""

import datetime

from forecasts.suggest import KnownExpert, KnownQuestion

PUBLISHED = datetime.date(2019, 4, 19)  # a Friday

HEDGES = {
    "will": 0.9,
    "likely": 0.675,
    "probably": 0.675,
    "unlikely": 0.325,
    "doubt": 0.25,
    "may": 0.4,
    "might": 0.4,
    "could": 0.4,
    "maybe": 0.4,
    "expect": 0.675,
    "think": 0.675,
    "do not expect": 0.325,
    "hardly": 0.125,
}

EXPERTS = [
    KnownExpert("Jane Roe", "jane-roe"),
    KnownExpert("John Q. Smith", "john-smith"),
    KnownExpert("Ann Lee", "ann-lee", aliases=("Annie Lee",)),
]

QUESTIONS = [
    KnownQuestion("putin-lets-workers-stay", "Will Putin let the North Korean workers stay past the deadline?", datetime.date(2019, 12, 22)),
    KnownQuestion("moon-visits-mars", "Will a human land on Mars by 2030?", datetime.date(2030, 12, 31)),
]

ROUNDUP = """Experts weigh in on the summit
What will come of the summit?

Jane Roe: I doubt that Putin will let the North Korean workers stay past the deadline. The summit will probably take place next week.

Russia will not sign any agreement.

John Smith: If sanctions are eased, trade will likely grow by the end of the year.
The Kremlin said the meeting will be held in Vladivostok.

Mary Major: Pyongyang could test a missile by 2020.
"""

BYLINE = """Why the summit matters

By Ann Lee

Kim is expected to visit Moscow later this month. Putin will not let the workers stay, according to Boris Green, a former diplomat.
"The deal will collapse soon," said Carl Black.
Kim could also seek food aid. In 2014, relations improved.
"""
