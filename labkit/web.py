"""Helpers every page and API handler uses: rendering, forms, problems, pagination, messages."""

from __future__ import annotations

import math
from dataclasses import dataclass
from types import UnionType
from typing import Any, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from labkit.i18n import N_, gettext
from labkit.periods import Period

M = TypeVar("M", bound=BaseModel)
PROBLEM_TYPES = "urn:labkit:problem:"
"""Problem ``type`` URIs are URNs (RFC 9457 allows non-resolvable ones); docs/api.md lists them."""


class Problem(HTTPException):
    """An error answered as an RFC 9457 problem document on the API and as a page elsewhere.

    ``errors`` lists ``{"field": ..., "message": ...}`` for validation problems.
    """

    def __init__(self, status: int, detail: str, *, title: str | None = None,
                 errors: list[dict[str, str]] | None = None, kind: str | None = None) -> None:
        super().__init__(status_code=status, detail=detail)
        self.title = title
        self.errors = errors or []
        self.kind = kind


def problem_response(request: Request, status: int, detail: str, *, title: str | None = None,
                     errors: list[dict[str, str]] | None = None, kind: str | None = None,
                     headers: dict[str, str] | None = None) -> JSONResponse:
    """An ``application/problem+json`` response (RFC 9457)."""
    from http import HTTPStatus

    body: dict[str, Any] = {
        "type": PROBLEM_TYPES + kind if kind else "about:blank",
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
    }
    if errors:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type="application/problem+json", headers=headers)


def render(request: Request, template: str, context: dict[str, Any] | None = None,
           status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """Render ``template`` with the lab's shared context (person, navigation, messages, CSRF)."""
    templates = request.app.state.templates
    return templates.TemplateResponse(request, template, context or {}, status_code=status, headers=headers)


def redirect(url: str, status: int = 303) -> RedirectResponse:
    """Redirect after a successful POST (303, so the browser follows with GET)."""
    return RedirectResponse(url, status_code=status)


def flash(request: Request, message: str, kind: str = "success") -> None:
    """Show ``message`` (already translated) on the next page the visitor sees."""
    request.session.setdefault("flashes", []).append([kind, message])


def pop_flashes(request: Request) -> list[list[str]]:
    """Take the pending messages out of the session."""
    return request.session.pop("flashes", []) if "session" in request.scope else []


# ----------------------------------------------------------------------------------- forms

_MESSAGES = {
    "missing": N_("This field is required."),
    "string_too_short": N_("Enter at least %(min_length)s characters."),
    "string_too_long": N_("Enter at most %(max_length)s characters."),
    "string_pattern_mismatch": N_("This value has the wrong format."),
    "int_parsing": N_("Enter a whole number."),
    "int_from_float": N_("Enter a whole number."),
    "float_parsing": N_("Enter a number."),
    "greater_than_equal": N_("Enter a number of at least %(ge)s."),
    "greater_than": N_("Enter a number greater than %(gt)s."),
    "less_than_equal": N_("Enter a number of at most %(le)s."),
    "less_than": N_("Enter a number less than %(lt)s."),
    "bool_parsing": N_("Choose yes or no."),
    "literal_error": N_("Choose one of the options."),
    "enum": N_("Choose one of the options."),
    "datetime_parsing": N_("Enter a date and time."),
    "datetime_from_date_parsing": N_("Enter a date and time."),
    "date_parsing": N_("Enter a date."),
    "date_from_datetime_parsing": N_("Enter a date."),
    "url_parsing": N_("Enter a full web address starting with http:// or https://."),
    "url_scheme": N_("Enter a full web address starting with http:// or https://."),
    "string_type": N_("Enter text."),
    "list_type": N_("Choose from the list."),
    "extra_forbidden": N_("This field is not expected."),
}


def error_messages(error: ValidationError) -> dict[str, str]:
    """Turn a pydantic error into ``{field: translated message}`` (first error per field).

    Messages of ``ValueError`` raised by validators are translated as written, so write them
    as full sentences and mark them with ``N_``.
    """
    out: dict[str, str] = {}
    for item in error.errors():
        field = ".".join(str(part) for part in item["loc"]) or "__all__"
        if field in out:
            continue
        kind, context = item["type"], item.get("ctx", {})
        if "email address" in item["msg"]:
            out[field] = gettext("Enter a valid e-mail address.")
        elif kind == "value_error" and "error" in context:
            out[field] = gettext(str(context["error"]))
        elif kind == "string_too_short" and context.get("min_length") == 1:
            kind = "missing"  # an empty required text is "required", not "too short"
            out[field] = gettext(_MESSAGES[kind])
        elif kind in _MESSAGES:
            out[field] = gettext(_MESSAGES[kind]) % context
        else:
            out[field] = item["msg"]
    return out


@dataclass
class FormResult:
    """What :func:`read_form` found: the valid ``data`` or the ``errors``, and the raw ``values``."""

    values: dict[str, Any]
    data: Any = None
    errors: dict[str, str] | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


def _is_list(annotation: Any) -> bool:
    """Whether a field's type is a list, a set or a tuple (or one of them or ``None``)."""
    kinds = get_args(annotation) if get_origin(annotation) in (Union, UnionType) else (annotation,)
    return any(get_origin(kind) in (list, set, tuple) for kind in kinds)


async def form_values(request: Request, model: type[BaseModel] | None) -> dict[str, Any]:
    """The submitted form's fields as typed (no CSRF token); a field that is a list in ``model``
    (checkbox groups, multiple selects; ``list[str] | None`` too) comes as the list of its
    non-empty values."""
    form = await request.form()
    values: dict[str, Any] = {}
    for key in form.keys():
        if key == "csrf_token":
            continue
        items = form.getlist(key)
        field = model.model_fields.get(key) if model is not None else None
        is_list = field is not None and _is_list(field.annotation)
        values[key] = [v for v in items if v != ""] if is_list else (items[-1] if items else "")
    return values


def validate_form(model: type[M], values: dict[str, Any], fixed: dict[str, Any] | None = None) -> FormResult:
    """Validate a form's ``values`` (from :func:`form_values`) against ``model``.

    Empty strings count as missing for optional fields; ``fixed`` values (a route's path
    parameters) are added and win over what was submitted.
    """
    cleaned = {k: v for k, v in values.items() if v != "" and k in model.model_fields}
    cleaned.update({k: v for k, v in (fixed or {}).items() if k in model.model_fields})
    # A NUL character is never typed and PostgreSQL cannot store it in text: refuse it like any
    # badly formed value, so the form comes back with what was typed instead of a failed save.
    wrong_format = _MESSAGES["string_pattern_mismatch"]
    with_nul = {k: gettext(wrong_format) for k, v in cleaned.items()
                if any("\x00" in item for item in (v if isinstance(v, list) else [v]) if isinstance(item, str))}
    try:
        data = model.model_validate(cleaned)
    except ValidationError as error:
        return FormResult(values=values, errors={**with_nul, **error_messages(error)})
    return FormResult(values=values, errors=with_nul) if with_nul else FormResult(values=values, data=data)


async def read_form(request: Request, model: type[M]) -> FormResult:
    """Validate a submitted HTML form against ``model``.

    Multi-valued fields (checkbox groups, multiple selects) arrive as lists when the model's
    field is a list. Empty strings count as missing for optional fields.
    """
    return validate_form(model, await form_values(request, model))


async def read_json_payload(request: Request, *, required: bool = True) -> dict[str, Any]:
    """The JSON object in the request body, or a 400/422 :class:`Problem`.

    With ``required=False`` an empty body is an empty object (a ``DELETE`` or a ``POST`` whose
    input is all in the path).
    """
    if not required and not await request.body():
        return {}
    try:
        payload = await request.json()
    except ValueError:
        raise Problem(400, gettext("The request body is not valid JSON."), kind="invalid-json") from None
    except RecursionError:  # "[" x 100,000: Python's parser gives up; the request is at fault
        raise Problem(400, gettext("The request body is nested too deeply."), kind="too-deep") from None
    if not isinstance(payload, dict):
        raise Problem(422, gettext("The request body must be a JSON object."), kind="validation")
    return payload


async def read_json(request: Request, model: type[M]) -> M:
    """Validate a JSON request body against ``model`` or raise a 422 :class:`Problem`."""
    payload = await read_json_payload(request)
    try:
        return model.model_validate(payload)
    except ValidationError as error:
        errors = [{"field": k, "message": v} for k, v in error_messages(error).items()]
        raise Problem(422, gettext("Some fields are not valid."), errors=errors, kind="validation") from None


# ------------------------------------------------------------------------------ pagination


@dataclass
class Page:
    """One page of a query's results, with what a pager needs."""

    items: list[Any]
    number: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.size))

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    def as_json(self) -> dict[str, Any]:
        """The paging fields every list endpoint of the API returns beside ``items``."""
        return {"page": self.number, "per_page": self.size, "total": self.total, "pages": self.pages}


def page_params(request: Request, default_size: int = 20, max_size: int = 100) -> tuple[int, int]:
    """Read ``page`` and ``per_page`` from the query string, or raise a 400 :class:`Problem`."""
    try:
        number = int(request.query_params.get("page", "1"))
        size = int(request.query_params.get("per_page", str(default_size)))
    except ValueError:
        raise Problem(400, gettext("page and per_page must be whole numbers."), kind="bad-query") from None
    if number < 1 or not 1 <= size <= max_size:
        raise Problem(400, gettext("page must be 1 or more and per_page between 1 and %(max)s.", max=max_size), kind="bad-query")
    return number, size


def period_param(request: Request, name: str = "period", default: str | None = None) -> Period | None:
    """The period (``2026``, ``2026-Q3``, ``2026-09``) in query parameter ``name``, else ``default``
    (``None`` when both are empty); a malformed one raises a 400 :class:`Problem`."""
    code = (request.query_params.get(name) or default or "").strip()
    if not code:
        return None
    try:
        period = Period.parse(code)
    except ValueError:
        period = None
    if period is None or not 1900 <= period.start.year <= 9998:
        raise Problem(400, gettext("This is not a period: use a year (2026), a quarter (2026-Q3) or a month (2026-09)."),
                      kind="bad-query")
    return period


async def paginate(queryset: Any, number: int, size: int) -> Page:
    """Run ``queryset`` (a Tortoise QuerySet) for one page and count the whole."""
    total = await queryset.count()
    items = await queryset.offset((number - 1) * size).limit(size)
    return Page(items=list(items), number=number, size=size, total=total)


def safe_next(target: str | None, default: str = "/") -> str:
    """``target`` if it is a path on this site, else ``default`` (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


def client_address(request: Request) -> str:
    """The visitor's address as the server sees it (behind a proxy, run uvicorn with --proxy-headers)."""
    return request.client.host if request.client else "-"
