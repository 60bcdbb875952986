"""The directory's rules as plain functions: what a profile is found by, and the filters.

The free-text search looks, word by word, in ``Profile.search_text``: the name, bio, free tags,
region and the names (in every language) and keys of the person's skills and interests, folded
(lower case, no accents). It is a ``LIKE '%word%'`` over published profiles only (``published`` is
indexed), the same on SQLite and PostgreSQL; the skill, interest, region and "looking" filters use
the join tables (a key matches one topic, so no profile comes twice) and indexed columns.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from tortoise.queryset import QuerySet

from labkit.filters import QueryFilters, flag, text
from labkit.text import fold

from labkit_people.models import Profile, Topic

MAX_WORDS = 8


def search_text(profile: Profile, topics: list[Topic]) -> str:
    """What the free-text search looks in for ``profile`` with these skills and interests, folded."""
    names = " ".join(f"{topic.key} {' '.join((topic.names or {}).values())}" for topic in topics)
    return fold(" ".join([profile.name, profile.bio[:1000], " ".join(profile.tag_list), profile.region, names]))


def stored_tags(tags: list[str]) -> str:
    """Free tags as stored: ``|one|two|`` (so a filter can look for ``|one|``)."""
    return f"|{'|'.join(tags)}|" if tags else ""


def published() -> QuerySet[Profile]:
    """The profiles their owners chose to publish: the only ones anybody else sees."""
    return Profile.filter(published=True, person__is_active=True)


@dataclass
class Filters(QueryFilters):
    """The directory's filters, from a query string: ``q`` words, ``skill``, ``interest``, ``tag``,
    ``region`` and ``looking`` (people looking for a team)."""

    q: str = ""
    skill: str = ""
    interest: str = ""
    tag: str = ""
    region: str = ""
    looking: bool = False

    @classmethod
    def from_query(cls, params: Mapping[str, str]) -> Filters:
        """The filters of a query string (over-long values are cut)."""
        return cls(q=text(params, "q"), skill=text(params, "skill", 40).lower(),
                   interest=text(params, "interest", 40).lower(), tag=" ".join(text(params, "tag", 30).lower().split()),
                   region=text(params, "region", 40), looking=flag(params, "looking"))

    def apply(self, query: QuerySet[Profile]) -> QuerySet[Profile]:
        """``query`` narrowed to the profiles matching every filter."""
        for word in fold(self.q).split()[:MAX_WORDS]:
            query = query.filter(search_text__contains=word)
        if self.skill:
            query = query.filter(skills__key=self.skill)
        if self.interest:
            query = query.filter(interests__key=self.interest)
        if self.tag and "|" not in self.tag:
            query = query.filter(tags__contains=f"|{self.tag}|")
        if self.region:
            query = query.filter(region=self.region)
        if self.looking:
            query = query.filter(looking_for_team=True)
        return query


async def regions_in_use() -> list[str]:
    """The regions of published profiles, for the directory's region menu."""
    return sorted({region for region in await published().values_list("region", flat=True) if region})
