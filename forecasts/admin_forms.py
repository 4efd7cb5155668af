"""Pieces of the forecasts admin that are not ModelAdmin configuration: service errors shown on
forms (including Conflict), and the hedge-phrase inline form that saves phrases normalised."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from forecasts.errors import Conflict
from forecasts.hedges import normalise_hedge
from forecasts.models import HedgePhrase
from sources.admin_errors import ServiceErrorsAdminMixin


class ForecastServiceErrorsMixin(ServiceErrorsAdminMixin):
    """Service errors as form errors; a Conflict (e.g. resolved meanwhile) too, on its field."""

    service_errors = (ValidationError, Conflict)

    def as_validation_error(self, error):
        if isinstance(error, Conflict):
            return ValidationError({error.field or NON_FIELD_ERRORS: [error.message]})
        return error


class HedgePhraseForm(forms.ModelForm):
    """A phrase of a hedge scale, normalised as claims' hedges are matched ("I doubt." is "doubt")."""

    class Meta:
        model = HedgePhrase
        fields = ["phrase", "probability", "note"]

    def clean_phrase(self):
        phrase = normalise_hedge(self.cleaned_data.get("phrase"))
        if not phrase:
            raise ValidationError("Give the phrase.")
        return phrase
