"""The filter forms of the index pages (/questions/, /sources/, /experts/): plain GET forms, no JavaScript.

Parameter names follow the API's filters (`topic`, `deadline_after`, `published_before`, …). A
value the form refuses (an unknown topic, a date that is not YYYY-MM-DD, an unknown sort) is
reported by field with a 400, as on the leaderboard.
"""

from django import forms
from django.db.models import F
from django_filters import rest_framework as filters

from forecasts.constants import Outcome
from forecasts.models import Topic
from forecasts.search import QUESTION_SEARCH
from sources import search

DATE_WIDGET = forms.DateInput(attrs={"type": "date"})

# status parameter → the questions it keeps
QUESTION_STATUSES = {
    "open": {"resolution__isnull": True},
    "resolved": {"resolution__isnull": False},
    **{outcome.value: {"resolution__outcome": outcome.value} for outcome in Outcome},
}
QUESTION_STATUS_CHOICES = [("open", "Open"), ("resolved", "Resolved (any outcome)")] + [
    (outcome.value, f"Resolved {outcome.label}") for outcome in Outcome
]


class SortFilter(filters.ChoiceFilter):
    """`sort`: one of the named orders {value: (label, [order_by terms])}; the page's default when empty."""

    def __init__(self, orders, **kwargs):
        self.orders = orders
        super().__init__(
            choices=[(value, label) for value, (label, _) in orders.items()], method=self.sort,
            label="Sort by", **kwargs,
        )

    def sort(self, queryset, name, value):
        return queryset.order_by(*self.orders[value][1])


def _search(fields):
    def filter_words(queryset, name, value):
        return search.search(queryset, fields, value) if value.strip() else queryset

    return filter_words


class QuestionIndexFilter(filters.FilterSet):
    q = filters.CharFilter(label="Words", max_length=search.MAX_LENGTH, method=_search(QUESTION_SEARCH))
    topic = filters.ModelChoiceFilter(
        queryset=Topic.objects.order_by("name"), field_name="topics", to_field_name="slug",
        label="Topic", empty_label="All topics",
    )
    status = filters.ChoiceFilter(
        choices=QUESTION_STATUS_CHOICES, method="filter_status", label="Status", empty_label="Any status",
    )
    deadline_after = filters.DateFilter(field_name="deadline", lookup_expr="gte", label="Deadline from", widget=DATE_WIDGET)
    deadline_before = filters.DateFilter(field_name="deadline", lookup_expr="lte", label="Deadline to", widget=DATE_WIDGET)
    sort = SortFilter({
        "deadline": ("Deadline, soonest first", ["deadline", "pk"]),
        "-deadline": ("Deadline, latest first", ["-deadline", "pk"]),
        "experts": ("Most experts first", ["-expert_count", "-deadline", "pk"]),
    }, empty_label="Best match, then latest deadline")

    def filter_status(self, queryset, name, value):
        return queryset.filter(**QUESTION_STATUSES[value])


class SourceIndexFilter(filters.FilterSet):
    q = filters.CharFilter(label="Words", max_length=search.MAX_LENGTH, method=_search(search.SOURCE_SEARCH))
    publisher = filters.CharFilter(lookup_expr="icontains", label="Publisher", max_length=200)
    published_after = filters.DateFilter(field_name="published_on", lookup_expr="gte", label="Published from", widget=DATE_WIDGET)
    published_before = filters.DateFilter(field_name="published_on", lookup_expr="lte", label="Published to", widget=DATE_WIDGET)
    sort = SortFilter({
        "-published": ("Newest first", ["-published_on", "pk"]),
        "published": ("Oldest first", ["published_on", "pk"]),
        "claims": ("Most claims first", ["-claim_count", "-published_on", "pk"]),
    }, empty_label="Best match, then newest")


class ExpertIndexFilter(filters.FilterSet):
    name = filters.CharFilter(lookup_expr="icontains", label="Name", max_length=200)
    affiliation = filters.CharFilter(lookup_expr="icontains", label="Affiliation", max_length=300)
    sort = SortFilter({
        "brier": ("Brier, best first", [F("score__brier").asc(nulls_last=True), "name", "pk"]),
        "scored": ("Most scored questions first", [F("score__scored").desc(nulls_last=True), "name", "pk"]),
        "claims": ("Most claims first", ["-claim_count", "name", "pk"]),
    }, empty_label="Name")
