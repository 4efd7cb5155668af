from django import forms
from django.core.exceptions import ValidationError

from forecasts import services
from forecasts.constants import Outcome, ProbabilityOrigin
from forecasts.models import Claim, Question, Resolution


class ClaimAdminForm(forms.ModelForm):
    """A claim; the probability may be left blank to derive it from the hedge phrase."""

    probability = forms.FloatField(
        required=False, min_value=0, max_value=1,
        help_text="p(YES), 0 to 1. Leave blank to derive it from the hedge phrase (default hedge scale).",
    )
    probability_origin = forms.ChoiceField(
        choices=[("", "—")] + list(ProbabilityOrigin.choices), required=False,
        help_text="Filled in for you: “hedge” when derived, else “analyst” unless you choose “stated”.",
    )
    made_on = forms.DateField(required=False, help_text="Leave blank for the source's publication date.")

    class Meta:
        model = Claim
        fields = [
            "question", "expert", "source", "quote", "statement", "hedge", "predicts", "probability",
            "probability_origin", "probability_note", "made_on", "external_id",
        ]


class ResolutionInlineForm(forms.ModelForm):
    """The resolution on the question page; changing the outcome asks for a reason.

    A conditional question's outcome is checked against its condition here, so that a refusal
    shows on the form (services.check_conditional_outcome refuses it again on save).
    """

    reason = forms.CharField(
        required=False, max_length=500,
        help_text="Required when changing an outcome: why. Kept in the history.",
    )

    class Meta:
        model = Resolution
        fields = ["outcome", "evidence_url", "note"]

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and "outcome" in self.changed_data and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", "Say why the outcome changes; the reason is kept in the history.")
        question = getattr(self.instance, "question", None)
        if cleaned.get("outcome") and "outcome" in self.changed_data and question is not None and question.pk:
            try:
                services.check_conditional_outcome(question, cleaned["outcome"])
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned


class ResolveQuestionsForm(forms.Form):
    """The intermediate page of the bulk "resolve" admin action."""

    outcome = forms.ChoiceField(choices=Outcome.choices)
    evidence_url = forms.URLField(label="Evidence URL", required=False, max_length=500, assume_scheme="https")
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)


class ReopenQuestionsForm(forms.Form):
    """The intermediate page of the bulk "reopen" admin action."""

    reason = forms.CharField(max_length=500, help_text="Why the questions are reopened; kept in the history.")


class QuestionAdminForm(forms.ModelForm):
    """A question; its resolution criteria are frozen while it is resolved; its condition makes no cycle."""

    class Meta:
        model = Question
        fields = "__all__"

    def _post_clean(self):
        # After the model's own checks, so that a cycle is the only error reported on `condition`.
        super()._post_clean()
        if self.instance.pk and "condition" in self.changed_data and not self.has_error("condition"):
            try:
                services.check_condition_cycle(self.instance, self.instance.condition)
            except ValidationError as error:
                self.add_error(None, error)

    def clean_resolution_criteria(self):
        criteria = self.cleaned_data["resolution_criteria"]
        question = self.instance
        if question.pk and question.is_resolved and criteria != question.resolution_criteria:
            raise forms.ValidationError(
                "This question is resolved: its criteria cannot change. Unresolve it first (the “Reopen…” "
                "button at the top of its page, with a reason), then edit the criteria."
            )
        return criteria
