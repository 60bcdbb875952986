"""What people and staff do in the network: each use case once, for the pages and the API alike."""

from __future__ import annotations

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from labkit.actions import Context, Refused, action, invalid, not_found
from labkit.i18n import N_
from labkit.timezones import now

from labkit_people.forms import NoInput, ProfileIn, TopicEdit, TopicIn, TopicRef
from labkit_people.models import Profile, Topic
from labkit_people.rules import search_text, stored_tags

PUBLISH = "people.publish"
MANAGE = "people.manage_topics"

# ---------------------------------------------------------------------------------- profiles


async def _chosen(keys: list[str], field: str) -> list[Topic]:
    topics = await Topic.filter(key__in=keys) if keys else []
    if len(topics) != len(keys):
        raise invalid(field, N_("Choose from the lab's list of skills and interests."))
    return sorted(topics, key=lambda topic: keys.index(topic.key))


@action("people.save_profile", input=ProfileIn, permission=PUBLISH)
async def save_profile(ctx: Context, data: ProfileIn) -> Profile:
    """Write one's own profile (it stays as public, or as private, as it was)."""
    skills, interests = await _chosen(data.skills, "skills"), await _chosen(data.interests, "interests")
    values = {"name": data.name, "bio": data.bio, "region": data.region, "tags": stored_tags(data.tags),
              "links": data.links, "looking_for_team": data.looking_for_team,
              "show_organisations": data.show_organisations}
    try:
        async with in_transaction():
            profile = await Profile.get_or_none(person_id=ctx.actor.id)
            if profile is None:
                profile = Profile(person_id=ctx.actor.id, **values)
            else:
                profile.update_from_dict(values)
            profile.search_text = search_text(profile, [*skills, *interests])
            await profile.save()
            await profile.skills.clear()
            await profile.interests.clear()
            if skills:
                await profile.skills.add(*skills)
            if interests:
                await profile.interests.add(*interests)
    except IntegrityError:
        raise Refused(N_("Your profile was just saved from elsewhere. Open it again and repeat your change."),
                      409, kind="conflict") from None
    return profile


async def _own_profile(ctx: Context) -> Profile:
    profile = await Profile.get_or_none(person_id=ctx.actor.id)
    if profile is None:
        raise Refused(N_("Fill in your profile before publishing it."), 409, kind="no-profile")
    return profile


@action("people.publish", input=NoInput, permission=PUBLISH)
async def publish(ctx: Context, data: NoInput) -> Profile:
    """Make one's profile public: the directory, the API and the Popolo export show it."""
    profile = await _own_profile(ctx)
    profile.published = True
    profile.published_at = profile.published_at or now()
    await profile.save(update_fields=["published", "published_at", "updated_at"])
    await ctx.emit("people.profile_published", profile_id=profile.id)
    return profile


@action("people.unpublish", input=NoInput, permission=PUBLISH)
async def unpublish(ctx: Context, data: NoInput) -> Profile:
    """Hide one's profile at once, everywhere; it is kept, private, to publish again later."""
    profile = await _own_profile(ctx)
    profile.published = False
    await profile.save(update_fields=["published", "updated_at"])
    await ctx.emit("people.profile_hidden", profile_id=profile.id)
    return profile


# ------------------------------------------------------------------------- the lab's list


async def _refresh_search(profile_ids: list[int]) -> None:
    """Recompute the search text of these profiles (after a topic they name changed)."""
    for profile in await Profile.filter(id__in=profile_ids).prefetch_related("skills", "interests"):
        profile.search_text = search_text(profile, [*profile.skills, *profile.interests])
        await profile.save(update_fields=["search_text"])


async def _holders(topic: Topic) -> list[int]:
    skilled = await Profile.filter(skills__id=topic.id).values_list("id", flat=True)
    interested = await Profile.filter(interests__id=topic.id).values_list("id", flat=True)
    return sorted({*skilled, *interested})


@action("people.add_topic", input=TopicIn, permission=MANAGE)
async def add_topic(ctx: Context, data: TopicIn) -> Topic:
    """Add a skill or interest to the lab's list."""
    try:
        return await Topic.create(key=data.key, names=data.names())
    except IntegrityError:
        raise invalid("key", N_("The list already has a topic with this key.")) from None


@action("people.update_topic", input=TopicEdit, permission=MANAGE)
async def update_topic(ctx: Context, data: TopicEdit) -> Topic:
    """Rename a topic of the list (profiles that chose it follow)."""
    topic = await Topic.get_or_none(id=data.topic_id)
    if topic is None:
        raise not_found()
    topic.key, topic.names = data.key, data.names()
    try:
        await topic.save()
    except IntegrityError:
        raise invalid("key", N_("The list already has a topic with this key.")) from None
    await _refresh_search(await _holders(topic))
    return topic


@action("people.delete_topic", input=TopicRef, permission=MANAGE)
async def delete_topic(ctx: Context, data: TopicRef) -> None:
    """Remove a topic from the list and from every profile that chose it."""
    topic = await Topic.get_or_none(id=data.topic_id)
    if topic is None:
        raise not_found()
    holders = await _holders(topic)
    await topic.delete()
    await _refresh_search(holders)
