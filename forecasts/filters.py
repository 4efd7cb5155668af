from django_filters import rest_framework as filters

from forecasts.constants import QuestionStatus
from forecasts.models import Claim, Question, Topic
from sources.models import Expert, Source


def _filter_status(queryset, prefix, value):
    if not value:
        return queryset
    return queryset.filter(**{f"{prefix}resolution__isnull": value == QuestionStatus.OPEN})


class ClaimFilter(filters.FilterSet):
    expert = filters.ModelChoiceFilter(queryset=Expert.objects.all(), to_field_name="slug", help_text="Expert slug.")
    question = filters.ModelChoiceFilter(queryset=Question.objects.all(), help_text="Question id.")
    source = filters.ModelChoiceFilter(queryset=Source.objects.all(), help_text="Source id.")
    status = filters.ChoiceFilter(
        choices=QuestionStatus.choices, method="filter_status", help_text="Status of the claim's question."
    )
    made_after = filters.DateFilter(field_name="made_on", lookup_expr="gte")
    made_before = filters.DateFilter(field_name="made_on", lookup_expr="lte")

    class Meta:
        model = Claim
        fields = ["expert", "question", "source", "status", "probability_origin"]

    def filter_status(self, queryset, name, value):
        return _filter_status(queryset, "question__", value)


class QuestionFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=QuestionStatus.choices, method="filter_status")
    topic = filters.ModelChoiceFilter(
        queryset=Topic.objects.all(), field_name="topics", to_field_name="slug", help_text="Topic slug."
    )
    expert = filters.ModelChoiceFilter(
        queryset=Expert.objects.all(), field_name="claims__expert", to_field_name="slug", distinct=True,
        help_text="Questions this expert made a claim on (slug).",
    )
    deadline_after = filters.DateFilter(field_name="deadline", lookup_expr="gte")
    deadline_before = filters.DateFilter(field_name="deadline", lookup_expr="lte")
    condition = filters.ModelChoiceFilter(
        queryset=Question.objects.all(), help_text="Questions conditional on this question (id)."
    )
    conditional = filters.ChoiceFilter(
        choices=[("true", "true"), ("false", "false")], method="filter_conditional",
        help_text="true: only conditional questions; false: only unconditional ones.",
    )

    class Meta:
        model = Question
        fields = ["status", "topic", "expert", "condition", "conditional"]

    def filter_status(self, queryset, name, value):
        return _filter_status(queryset, "", value)

    def filter_conditional(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(condition__isnull=value == "false")
