"""What the whole API shares: strict paging, and the error answers every operation documents.

- Paging: `page` is a whole number from 1 and `page_size` one from 1 to the maximum; anything
  else is a 400 naming the parameter (not a silent default), and a page past the last is a 404.
- Every operation documents 400, 401, 403, 404, 405, 415 and 429 with the error body DRF sends (an
  object: {"detail": "..."} or field name -> messages), added by a schema postprocessing hook so
  no view has to repeat them.
"""

from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination

ERROR_STATUSES = {
    "400": "The request is not valid: each field or parameter with its messages, or a detail.",
    "401": "No valid token or session.",
    "403": "Not allowed for this account.",
    "404": "Not found (or not yours).",
    "405": "This method is not allowed here.",
    "415": "The body's media type is not one this operation reads (JSON, a form or multipart).",
    "429": "Too many requests: wait and try again.",
}
ERROR_BODY = {
    "type": "object",
    "description": '{"detail": "..."} or {"field": ["message", ...]}',
    "additionalProperties": True,
}


class StrictPageNumberPagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        return _whole_number(raw, self.page_size_query_param, maximum=self.max_page_size)

    def get_page_number(self, request, paginator):
        raw = request.query_params.get(self.page_query_param)
        if raw is None:
            return 1
        if raw in self.last_page_strings:
            return paginator.num_pages
        return _whole_number(raw, self.page_query_param)

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except NotFound:
            raise NotFound("That page is past the last one.") from None

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1}
            elif parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1}
                parameter["schema"]["maximum"] = self.max_page_size
        return parameters


def _whole_number(raw: str, name: str, *, maximum: int | None = None) -> int:
    limit = f" to {maximum}" if maximum else ""
    message = f"{name} must be a whole number from 1{limit}."
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 9:
        raise ValidationError({name: [message]})
    number = int(raw)
    if number < 1 or (maximum and number > maximum):
        raise ValidationError({name: [message]})
    return number


def document_errors(result, generator, request, public):
    """drf-spectacular postprocessing hook: every operation documents the error answers."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["ApiError"] = ERROR_BODY
    content = {"application/json": {"schema": {"$ref": "#/components/schemas/ApiError"}}}
    for path in result.get("paths", {}).values():
        for operation in path.values():
            # Views may key responses by int (400) or str ("400"): one key per status.
            responses = {str(k): v for k, v in operation.get("responses", {}).items()}
            operation["responses"] = responses
            for status, description in ERROR_STATUSES.items():
                documented = responses.setdefault(status, {"description": description})
                documented["content"] = content  # one error shape, whatever a view declared
    return result
