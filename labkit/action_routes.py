"""The web faces of an :class:`~labkit.actions.Action`: its JSON API route and its page forms.

Each binding enforces the action's declared permission before anything else (a signed-out visitor
gets 401 — a redirect to the sign-in page on pages —, a signed-in one without the permission 403),
validates the input (path parameters, then the form or the JSON body) and runs the handler. A
:class:`~labkit.actions.Refused` becomes a problem document on the API, a re-rendered form with
messages on a form page, and a flash message on a button.

- :class:`ActionRoute` — ``POST/PUT/DELETE /api/v1/<slug>/...`` with its OpenAPI entry;
- :class:`ActionPage` — a page whose ``GET`` shows a form and whose ``POST`` runs the action;
- :class:`ActionButton` — a ``POST`` from a button or a small form, answered by a redirect.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError, create_model
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from labkit import images
from labkit.actions import Action, Context, Refused
from labkit.api import ApiRoute
from labkit.i18n import gettext
from labkit.plugins import await_me_maybe
from labkit.web import (
    FormResult,
    Problem,
    error_messages,
    flash,
    form_values,
    read_json_payload,
    redirect,
    render,
    safe_next,
    validate_form,
)

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)
FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
"""The bodies an action that takes images reads as a form, as its page does (the second for a
change without a file: a new description, or removing the picture)."""
PAGE_ERROR_KINDS = frozenset({"unauthenticated", "forbidden", "not-found", "consent-required"})
"""Refusals about the visitor or the record (``ctx.require``, :func:`~labkit.actions.not_found`):
a page answers them with its error page (or the sign-in page, or the page where the person
accepts the lab's current terms). Any other refusal is a rule's, said
on the page itself — the form shown again, or a flash message — whatever its status."""
Present = Callable[[Context, Any], Any]
"""Turns an action's result into the JSON body of the API's answer (may be awaitable)."""
Parse = Callable[[dict[str, Any]], dict[str, Any]]
"""Turns a form's fields into an action's input (for fields named otherwise than the model's)."""
Target = Callable[[Context, Any], str]
"""Gives the address a page goes to after the action succeeded (``ctx.url_for(...)``)."""
PageContext = Callable[[Request], Awaitable[dict[str, Any]]]
"""Gives the template's context of a form page (the records it shows; may raise a 404)."""


def context_of(request: Request) -> Context:
    """The :class:`Context` of the person making ``request``."""
    return Context(app=request.app, person=request.state.person,
                   verifications=getattr(request.state, "verifications", frozenset()),
                   consent_pending=getattr(request.state, "consent_pending", frozenset()))


def enforce(action: Action[Any, Any], request: Request) -> Context:
    """The request's context, once the action's permission is checked (raises 401/403 problems).

    A hand-written page that runs an action (a form with a preview step) calls this, or
    :func:`submit`, which also reads the form and runs the handler."""
    context = context_of(request)
    try:
        action.check(context)
    except Refused as refusal:
        raise Problem(refusal.status, refusal.text(), kind=refusal.kind) from None
    return context


async def found(pending: Awaitable[T]) -> T:
    """The record ``pending`` loads, or the page's error (404, 403) when a rule refused it."""
    try:
        return await pending
    except Refused as refusal:
        raise problem(refusal) from None


async def read_input(request: Request, model: type[BaseModel]) -> FormResult:
    """The submitted form validated against ``model`` (an action's input), with the path parameters."""
    return validate_form(model, await form_values(request, model), dict(request.path_params))


def problem(refusal: Refused) -> Problem:
    """The problem document (API) or error page (pages) of a refusal, with its field messages."""
    errors = [{"field": name, "message": text} for name, text in refusal.field_errors().items()]
    return Problem(refusal.status, refusal.text(), errors=errors, kind=refusal.kind)


def _body_model(model: type[BaseModel] | None, path: str) -> type[BaseModel] | None:
    """The part of an input model sent in the body: the fields not filled from the path."""
    if model is None:
        return None
    in_path = {name for name in model.model_fields if "{" + name in path}
    if not in_path:
        return model
    kept = {name: (info.annotation, info) for name, info in model.model_fields.items() if name not in in_path}
    if not kept:
        return None
    return create_model(model.__name__, __module__=model.__module__, **kept)  # type: ignore[call-overload]


def _default_present(context: Context, result: Any) -> Any:
    if isinstance(result, BaseModel):
        return result.model_dump(mode="json")
    return result if result is not None else {"ok": True}


def _invalid(errors: Mapping[str, str]) -> Problem:
    """The 422 problem of input that is not valid, naming each field."""
    listed = [{"field": name, "message": text} for name, text in errors.items()]
    return Problem(422, gettext("Some fields are not valid."), errors=listed, kind="validation")


def _json_limit(request: Request) -> int:
    """The lab's body limit, which a JSON body keeps on a route that takes images."""
    return int(request.app.state.settings.security.max_body_bytes)


class ActionRoute(ApiRoute):
    """The JSON API route of ``action``: permission enforced, input from the path and the JSON body,
    the result turned into JSON by ``present`` (default: the result itself, or ``{"ok": true}``).

    An action whose input has image fields (:data:`~labkit.images.ImageUpload`) also takes a
    ``multipart/form-data`` body (:data:`FORM_TYPES`): the same fields as form fields and the images as files, read
    and checked as its page's form is (an image's body limit, :func:`labkit.images.form_body_limit`;
    a JSON body keeps the lab's). The CSRF check is the core's, as for any write: a session needs
    the CSRF token (``X-CSRF-Token`` or a ``csrf_token`` field), an API token does not."""

    def __init__(self, path: str, action: Action[Any, Any], *, method: str = "POST", name: str | None = None,
                 status: int = 200, response: type[BaseModel] | None = None, present: Present | None = None,
                 summary: str = "") -> None:
        self.action = action
        self._present = present or _default_present
        self._status = status
        body = _body_model(action.input, path)
        files = images.file_fields(body)
        super().__init__(path, self._endpoint, methods=[method], name=name or action.name.rpartition(".")[2],
                         summary=summary or action.summary, body=body, response=response,
                         permission=action.permission, status=status, files=files,
                         max_body_bytes=images.form_body_limit if files else None)

    async def _endpoint(self, request: Request) -> Response:
        context = enforce(self.action, request)
        data = await self._input(request)
        try:
            result = await self.action.handler(context, data)
        except Refused as refusal:
            raise problem(refusal) from None
        return JSONResponse(await await_me_maybe(self._present(context, result)), status_code=self._status)

    async def _input(self, request: Request) -> Any:
        """The action's input from the path and the body: a form with files when the action takes
        images and the client sent one, else JSON (a 413 or 422 problem when it is not valid)."""
        if self.action.input is None:
            await read_json_payload(request, required=False)
            return None
        return await read_body(request, self.action.input, forms=bool(self.files))


async def read_body(request: Request, model: type[M], *, forms: bool = True) -> M:
    """``model`` from the request's path parameters and body, as an :class:`ActionRoute` reads it:
    with ``forms``, a form body (:data:`FORM_TYPES`, files included) is read as a page's form and a
    JSON body keeps the lab's body limit (413); else JSON only. Invalid input is a 422 problem
    naming each field. A hand-written API route that takes images (one with a query parameter
    of its own) reads its body with it."""
    content_type = request.headers.get("content-type", "")
    if forms and content_type.startswith(FORM_TYPES):
        form = await read_input(request, model)
        if not form.ok:
            raise _invalid(form.errors or {})
        return form.data
    if forms and len(await request.body()) > _json_limit(request):
        raise Problem(413, gettext("The request is too large: this address accepts at most %(limit)s bytes.",
                                   limit=_json_limit(request)), kind="too-large")
    fixed = {name: value for name, value in request.path_params.items() if name in model.model_fields}
    required = any(info.is_required() for name, info in model.model_fields.items() if name not in fixed)
    payload = await read_json_payload(request, required=required)
    try:
        return model.model_validate({**payload, **fixed})
    except ValidationError as error:
        raise _invalid(error_messages(error)) from None


def _message(message: str | Callable[[Any], str] | None, result: Any) -> str | None:
    if message is None:
        return None
    return gettext(message(result) if callable(message) else message)


class ActionPage(Route):
    """A form page for ``action``: ``GET`` renders ``template`` with ``context(request)`` and the
    ``initial(request)`` values; ``POST`` runs the action and, on success, flashes ``message`` and
    redirects to ``success(ctx, result)``; on invalid input or a refusal it re-renders the form with
    what was typed and the messages: 422, or the refusal's own 409 (a conflict with the current
    state) or 429 (too many) when it names no field. A 403 or 404 refusal is the error page.

    The template receives ``values`` (what is in the fields) and ``errors`` (``{field: message}``;
    ``__all__`` for a message about the whole form) besides ``context``. With ``public_get=True``
    the ``GET`` is shown to everyone (a list with a form for those who may post); the ``POST`` is
    always checked. With ``methods=("POST",)`` the form lives on another page (``template`` is that
    page, re-rendered with the messages) and this address only takes the ``POST``.
    """

    def __init__(self, path: str, action: Action[Any, Any], *, name: str, template: str, success: Target,
                 context: PageContext | None = None, initial: Callable[[Request], Awaitable[dict[str, Any]]] | None = None,
                 message: str | Callable[[Any], str] | None = None, public_get: bool = False,
                 methods: tuple[str, ...] = ("GET", "POST")) -> None:
        self.action = action
        self.public_get = public_get
        self.template = template
        self._context = context
        self._initial = initial
        self._success = success
        self._flash = message
        super().__init__(path, self._endpoint, methods=list(methods), name=name)

    async def _render(self, request: Request, values: dict[str, Any], errors: dict[str, str], status: int) -> Response:
        extra = await self._context(request) if self._context else {}
        return render(request, self.template, {**extra, "values": values, "errors": errors}, status=status)

    async def _endpoint(self, request: Request) -> Response:
        if request.method == "GET" and self.public_get:
            return await self._render(request, await self._initial(request) if self._initial else {}, {}, 200)
        context = enforce(self.action, request)
        if request.method == "GET":
            values = await self._initial(request) if self._initial else {}
            return await self._render(request, values, {}, 200)
        outcome = await submit(request, self.action, context=context)
        if not outcome.ok:
            return await self._render(request, outcome.values, outcome.errors, outcome.status)
        text = _message(self._flash, outcome.result)
        if text:
            flash(request, text)
        return redirect(self._success(context, outcome.result))


@dataclass
class Outcome:
    """What came of a submitted form: the action's ``result``, or what was typed (``values``) with
    the ``errors`` to show (``{field: message}``, ``__all__`` for the whole form) and the status
    to answer with."""

    values: dict[str, Any]
    result: Any = None
    errors: dict[str, str] = field(default_factory=dict)
    refusal: Refused | None = None

    @property
    def ok(self) -> bool:
        """Whether the action ran."""
        return not self.errors

    @property
    def status(self) -> int:
        """The refusal's status when it is about the state (409), this person (403) or too many
        tries (429); otherwise 422: the input is not valid or breaks a rule."""
        return self.refusal.status if self.refusal and self.refusal.status in (403, 409, 429) else 422


async def submit(request: Request, action: Action[Any, Any], values: dict[str, Any] | None = None, *,
                 context: Context | None = None, parse: Parse | None = None) -> Outcome:
    """Run ``action`` with the submitted form (or ``values``) and the path's parameters, for a page
    that shows the outcome its own way (a form posted under another page's content).

    The visitor's permission is checked first (the core's 401/403); a refusal of a kind in
    :data:`PAGE_ERROR_KINDS` is its error page; invalid input and any other refusal come back in
    the :class:`Outcome`, ready to show the form again. ``parse`` turns the form's fields into the
    action's input when they are named otherwise (``score_<id>`` fields into a ``scores`` map).
    """
    context = context or enforce(action, request)
    if values is None:
        values = await form_values(request, action.input)
    data = None
    if action.input is not None:
        form = validate_form(action.input, parse(values) if parse else values, dict(request.path_params))
        if not form.ok:
            return Outcome(values, errors=form.errors or {})
        data = form.data
    try:
        result = await action.handler(context, data)
    except Refused as refusal:
        if refusal.kind in PAGE_ERROR_KINDS:
            raise problem(refusal) from None
        errors = refusal.field_errors()
        if not errors or refusal.message not in refusal.errors.values():
            errors.setdefault("__all__", refusal.text())
        return Outcome(values, errors=errors, refusal=refusal)
    return Outcome(values, result=result)


class ActionButton(Route):
    """A ``POST`` from a button or a small form that runs an action and redirects.

    ``action`` is one :class:`Action`, or a mapping from a choice — the path's ``action``
    parameter, else the submitted ``action`` field — to an action (``{"": support, "withdraw":
    withdraw}``) when one form offers several. On success ``message`` (or ``message[choice]``) is
    flashed and the visitor goes to ``success(ctx, result)``, else back; invalid input or a rule's
    refusal is flashed as an error and the visitor goes back (the form's ``next`` field when it is
    a path on this site, else ``back(ctx, request.path_params)``). A refusal of a kind in
    :data:`PAGE_ERROR_KINDS` is the error page.
    """

    def __init__(self, path: str, action: Action[Any, Any] | Mapping[str, Action[Any, Any]], *, name: str,
                 back: Callable[[Context, dict[str, Any]], str], success: Target | None = None,
                 message: str | Callable[[Any], str] | Mapping[str, str] | None = None) -> None:
        self.actions = action if isinstance(action, Mapping) else {"": action}
        self._back = back
        self._success = success
        self._flash = message
        super().__init__(path, self._endpoint, methods=["POST"], name=name)

    async def _endpoint(self, request: Request) -> Response:
        submitted = await request.form()
        choice = str(request.path_params.get("action") or submitted.get("action", ""))
        choice = choice if choice in self.actions else ""
        action = self.actions.get(choice)
        if action is None:
            raise Problem(400, gettext("This action is not available here."), kind="bad-request")
        context = enforce(action, request)
        back = safe_next(str(submitted.get("next", "")), self._back(context, dict(request.path_params)))
        outcome = await submit(request, action, context=context)
        if not outcome.ok:
            flash(request, next(iter(outcome.errors.values())), "error")
            return redirect(back)
        message = self._flash.get(choice) if isinstance(self._flash, Mapping) else self._flash
        text = _message(message, outcome.result)
        if text:
            flash(request, text)
        return redirect(self._success(context, outcome.result) if self._success else back)
