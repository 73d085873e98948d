"""The public API at /api/v3/: Wagtail's v3 API plus Clarion's campaign and action routes."""

from functools import wraps

from django.core.exceptions import RequestDataTooBig
from django.utils.translation import gettext
from ninja.errors import ValidationError as NinjaValidationError
from wagtail.api.v3.errors import PROBLEM_JSON, problem_response
from wagtail.api.v3.urls import api

from campaigns.api import router as campaigns_router
from signatures.api import body_type_errors
from signatures.api import router as actions_router
from signatures.staff_api import router as staff_router

api.title = "Clarion API"
api.description = (
    "Campaigns for headless front ends and embedded forms: their content, counters, and "
    "taking action. Wagtail's page API is under /pages/. Errors are RFC 7807 problem "
    "details; field errors list each field under `errors[].loc`."
)
api.add_router("/campaigns/", campaigns_router)
api.add_router("/campaigns/", actions_router)
api.add_router("/campaigns/", staff_router)


@api.exception_handler(NinjaValidationError)
def validation_error(request, exc):
    """Wagtail's answer (problem details, 422), but an action's own in its form's words."""
    return body_type_errors(request, exc) or problem_response(
        status=422, detail="Validation failed", errors=exc.errors
    )


@api.exception_handler(RequestDataTooBig)
def request_too_big(request, exc):
    return problem_response(status=413, detail=gettext("The request body is too large."))


def _documents_problem_details(get_openapi_schema):
    """Wagtail answers errors as application/problem+json; say so in the document, which
    ninja would otherwise describe as application/json."""

    @wraps(get_openapi_schema)
    def wrapper(*args, **kwargs):
        schema = get_openapi_schema(*args, **kwargs)
        for item in schema["paths"].values():
            for operation in item.values():
                for status, answer in operation.get("responses", {}).items():
                    content = answer.get("content", {})
                    if int(status) >= 400 and "application/json" in content:
                        content[PROBLEM_JSON] = content.pop("application/json")
        return schema

    return wrapper


api.get_openapi_schema = _documents_problem_details(api.get_openapi_schema)

__all__ = ["api"]
