"""OpenAPI generation: every operation documents the JSON errors the API can answer with."""

from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers
from rest_framework.permissions import SAFE_METHODS


# 400: the reasons keyed by field (`non_field_errors` for the whole input, `detail` for a parse
# error); a nested field's reasons nest the same way.
VALIDATION_ERROR_SCHEMA = {
    "type": "object",
    "additionalProperties": {},
    "example": {"probability": ["Ensure this value is less than or equal to 1."]},
}


class ErrorDetailSerializer(serializers.Serializer):
    """401, 403, 404, 409, 415, 429: `{"detail": "reason"}`."""

    detail = serializers.CharField()

    class Meta:
        ref_name = "ErrorDetail"


_DESCRIPTIONS = {
    "400": "Invalid input: `{field: [reasons]}`.",
    "401": "Not authenticated, or the token is invalid or revoked.",
    "403": "Authenticated, but not allowed (writes need an analyst).",
    "404": "No such record.",
    "409": "The request conflicts with the record's current state.",
    "415": "Unsupported media type: send the body as JSON (application/json) or as a form.",
    "429": "Too many requests; retry after the time in the Retry-After header.",
}


class HindsightAutoSchema(AutoSchema):
    """drf-spectacular's AutoSchema, adding the error responses each operation can give."""

    def _error_codes(self):
        codes = {"400", "401", "429"}
        if self.method not in SAFE_METHODS:
            codes |= {"403", "409", "415"}
        if "{" in self.path:
            codes.add("404")
        return codes

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code in sorted(self._error_codes()):
            if code in responses and responses[code].get("content"):
                continue
            serializer = dict(VALIDATION_ERROR_SCHEMA) if code == "400" else ErrorDetailSerializer
            response = self._get_response_for_code(serializer, code, direction=direction)
            response["description"] = responses.get(code, {}).get("description") or _DESCRIPTIONS[code]
            responses[code] = response
        return responses
