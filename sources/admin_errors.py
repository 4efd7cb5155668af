"""Service errors on admin pages: a ValidationError raised while saving comes back as form errors.

The admin validates a form, then saves it through a service, which may still refuse (a rule that
needs the database, such as a hedge phrase missing from the scale). ServiceErrorsAdminMixin turns
that refusal into errors on the right field of the right form (the page's form or one inline
form) instead of a 500: the failed attempt is rolled back, and the same POST is validated again
with the service's errors attached, so the analyst gets the page back with everything typed in.
"""

from contextlib import contextmanager

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

NOTHING_SAVED = "Nothing was saved: correct the errors below."


class SaveRefused(Exception):
    """A service refused a write; `errors` maps a form prefix (None: the page's form) to a ValidationError."""

    def __init__(self, errors):
        super().__init__(errors)
        self.errors = errors


def add_service_errors(form, error):
    """Put a ValidationError on the form: each field's messages on that field, others above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, messages in error.message_dict.items():
        if field in form.fields or field == NON_FIELD_ERRORS:
            form.add_error(None if field == NON_FIELD_ERRORS else field, messages)
        else:
            form.add_error(None, [f"{field}: {message}" for message in messages])


def _with_errors(form_class, errors, default=None):
    """A subclass of form_class that adds errors[its prefix] (or `default`) after validating."""

    class FormWithServiceErrors(form_class):
        def _post_clean(self):
            super()._post_clean()
            error = errors.get(self.prefix, default)
            if error is not None:
                add_service_errors(self, error)

    FormWithServiceErrors.__name__ = form_class.__name__
    return FormWithServiceErrors


class ServiceErrorsAdminMixin:
    """Shows a service's ValidationError (or another of `service_errors`) as form errors, never a 500.

    An error raised while saving goes on the page's form, by field; wrap the save of one inline
    form in `errors_on(inline_form)` to put its errors on that inline form instead.
    """

    service_errors = (ValidationError,)

    def as_validation_error(self, error):
        """The ValidationError to show for one of `service_errors`."""
        return error

    @contextmanager
    def errors_on(self, form):
        """Within the block, a service error is shown on `form` (an inline form of the page)."""
        try:
            yield
        except self.service_errors as error:
            raise SaveRefused({form.prefix: self.as_validation_error(error)}) from error

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except (SaveRefused, *self.service_errors) as error:
            if request.method != "POST" or hasattr(request, "service_errors"):
                raise
            errors = error.errors if isinstance(error, SaveRefused) else {None: self.as_validation_error(error)}
            # changeform_view's transaction has rolled the attempt back; validate the same POST
            # again with the errors attached, which renders the page with them.
            request.service_errors = errors
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change, **kwargs)
        errors = getattr(request, "service_errors", None)
        if errors is None:
            return form_class
        # The page's form always fails on the second pass, so nothing is saved then.
        return _with_errors(form_class, errors, default=ValidationError(NOTHING_SAVED))

    def get_formsets_with_inlines(self, request, obj=None):
        errors = getattr(request, "service_errors", None)
        for formset_class, inline in super().get_formsets_with_inlines(request, obj):
            if errors is not None:
                formset_class = type(
                    formset_class.__name__, (formset_class,), {"form": _with_errors(formset_class.form, errors)}
                )
            yield formset_class, inline
