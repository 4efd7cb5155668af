"""The "Reopen" button on a resolved question's admin page: asks why, then calls the service."""

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from forecasts import services
from forecasts.errors import Conflict
from forecasts.forms import ReopenQuestionsForm
from sources.admin_errors import add_service_errors


class ReopenQuestionMixin:
    """Adds `<id>/reopen/` to a question admin (a form asking for the reason; POST reopens) and
    `can_reopen` to the change page, whose object tools show the button. Needs has_reopen_permission."""

    reopen_template = "admin/forecasts/question/reopen.html"

    def get_urls(self):
        reopen = path(
            "<path:object_id>/reopen/", self.admin_site.admin_view(self.reopen_view),
            name=f"{self.opts.app_label}_{self.opts.model_name}_reopen",
        )
        return [reopen, *super().get_urls()]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "can_reopen": self.has_reopen_permission(request)}
        return super().change_view(request, object_id, form_url, extra_context)

    def reopen_view(self, request, object_id):
        """GET: the question, its resolution and a reason field. POST: reopen it, back to its page."""
        question = self.get_object(request, unquote(object_id))
        if question is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not (self.has_reopen_permission(request) and self.has_view_or_change_permission(request, question)):
            raise PermissionDenied
        change_url = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[question.pk])
        if not question.is_resolved:
            self.message_user(request, "This question is open: there is no resolution to remove.", messages.WARNING)
            return HttpResponseRedirect(change_url)
        form = ReopenQuestionsForm(request.POST if request.method == "POST" else None)
        if form.is_valid():
            try:
                services.unresolve_question(question=question, reason=form.cleaned_data["reason"], user=request.user)
            except ValidationError as error:
                add_service_errors(form, error)
            except Conflict as conflict:  # reopened by someone else meanwhile
                self.message_user(request, conflict.message, messages.WARNING)
                return HttpResponseRedirect(change_url)
            else:
                self.message_user(request, f"Reopened “{question}”: its resolution is removed (kept in the history).")
                return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "title": "Reopen question", "question": question, "resolution": question.resolution, "form": form,
            "opts": self.opts, "original": question, "change_url": change_url,
        }
        return TemplateResponse(request, self.reopen_template, context)
