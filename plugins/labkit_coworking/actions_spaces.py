"""What the staff do with spaces: save a space (its hours and guidelines), add and remove closures,
save a resource — each declared once (the permission is ``coworking.manage_spaces``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from tortoise.transactions import in_transaction

from labkit import images
from labkit.actions import Context, action, not_found
from labkit.i18n import N_

from labkit_coworking import holds, rules, services
from labkit_coworking.forms import ClosureForm, ClosureRef, ResourceForm, SpaceForm
from labkit_coworking.models import Booking, Closure, Resource, Space

_HOURS = {f"hours_{day}" for day in range(7)}
_PHOTO = {"photo", "photo_alt", "photo_remove"}


async def find_space(space_id: int) -> Space:
    """Any space, active or not (the staff's view); refused as not found if there is none."""
    space = await Space.get_or_none(id=space_id)
    if space is None:
        raise not_found(N_("No such space."))
    return space


async def find_resource(resource_id: int) -> Resource:
    """Any resource (the staff's view); refused as not found if there is none."""
    resource = await Resource.get_or_none(id=resource_id)
    if resource is None:
        raise not_found(N_("No such resource."))
    return resource


@action("coworking.save_space", input=SpaceForm, permission="coworking.manage_spaces")
async def save_space(ctx: Context, data: SpaceForm) -> Space:
    """Create or change a space: its description, opening hours, guidelines and photo."""
    fields = data.model_dump(exclude={"space_id", *_HOURS, *_PHOTO})
    fields["opening_hours"] = rules.hours_to_json(data.opening_hours())
    space = await find_space(data.space_id) if data.space_id is not None else None
    photo = await images.prepare(data.photo, data.photo_alt, "photo")
    if space is None:
        space = await Space.create(**fields)
    else:
        await space.update_from_dict(fields).save()
    await images.attach(ctx, space, "photo", photo, data.photo_alt, remove=data.photo_remove)
    return space


@dataclass
class ClosureAdded:
    """A new closure and how many bookings fall on its days (the staff review them)."""

    closure: Closure
    clashing: int


@action("coworking.add_closure", input=ClosureForm, permission="coworking.manage_spaces")
async def add_closure(ctx: Context, data: ClosureForm) -> ClosureAdded:
    """Close a space for some days (bookings on them are kept, and counted for review)."""
    space = await find_space(data.space_id)
    closure = await Closure.create(space=space, **data.model_dump(exclude={"space_id"}))
    timezone = services.timezone_of(ctx.app)
    clashing = await Booking.filter(
        resource__space_id=space.id, status__in=("pending", "approved"),
        start__gte=rules.wall_clock_to_utc(data.first_day, 0, timezone),
        start__lt=rules.wall_clock_to_utc(data.last_day + timedelta(days=1), 0, timezone)).count()
    return ClosureAdded(closure, clashing)


@action("coworking.remove_closure", input=ClosureRef, permission="coworking.manage_spaces")
async def remove_closure(ctx: Context, data: ClosureRef) -> Closure:
    """Reopen the days of a closure."""
    closure = await Closure.get_or_none(id=data.closure_id)
    if closure is None:
        raise not_found(N_("No such closure."))
    await closure.delete()
    return closure


@action("coworking.save_resource", input=ResourceForm, permission="coworking.manage_spaces")
async def save_resource(ctx: Context, data: ResourceForm) -> Resource:
    """Create a resource in a space, or change one: capacity, approval and booking limits. An
    active resource is taken by the holds its space is under (:func:`labkit_coworking.holds.cover`);
    one booked by members during a hold is refused (409) and nothing is saved."""
    fields = data.model_dump(exclude={"space_id", "resource_id", "min_notice_hours", "max_length_hours"})
    fields["min_notice_minutes"] = round(data.min_notice_hours * 60)
    fields["max_length_minutes"] = round(data.max_length_hours * 60)
    resource = await find_resource(data.resource_id) if data.resource_id is not None else None
    space_id = resource.space_id if resource is not None else (await find_space(data.space_id or 0)).id
    async with in_transaction():
        await holds.lock_space(space_id)
        if resource is None:
            resource = await Resource.create(space_id=space_id, **fields)
        else:
            await resource.update_from_dict(fields).save()
        await holds.cover(resource)
    return resource
