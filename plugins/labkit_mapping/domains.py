"""Whose domain is it: the registrable domain of a web or e-mail address (the Public Suffix
List, bundled with ``publicsuffixlist``, so nothing is fetched) and the shared services whose
addresses prove nothing about an organisation."""

from __future__ import annotations

from functools import cache

from publicsuffixlist import PublicSuffixList

SHARED = frozenset({
    "gmail.com", "googlemail.com", "google.com", "outlook.com", "hotmail.com", "live.com", "msn.com",
    "yahoo.com", "yahoo.com.br", "ymail.com", "icloud.com", "me.com", "aol.com", "proton.me", "protonmail.com",
    "gmx.com", "gmx.net", "mail.com", "zoho.com", "yandex.com", "bol.com.br", "uol.com.br", "terra.com.br",
    "ig.com.br", "globo.com", "r7.com", "hotmail.fr", "orange.fr", "free.fr", "laposte.net", "wanadoo.fr",
    "hotmail.es", "telefonica.net", "facebook.com", "instagram.com", "linktr.ee", "github.com", "gitlab.com",
    "medium.com", "wordpress.com", "wixsite.com", "wix.com", "linkedin.com", "x.com", "twitter.com",
})
"""Registrable domains anyone can have an address or a page at (free mail, social networks, site
builders): an address there does not prove a tie to an organisation, nor does a website there."""


@cache
def _list() -> PublicSuffixList:
    return PublicSuffixList()


def registrable(host: str) -> str:
    """The registrable domain of ``host`` ("mail.codigo.org.br" -> "codigo.org.br"); "" when the
    host is itself a public suffix or empty."""
    host = host.strip().lower().rstrip(".")
    if not host:
        return ""
    return _list().privatesuffix(host) or ""


def of_email(address: str) -> str:
    """The registrable domain of an e-mail address's host."""
    return registrable(address.rpartition("@")[2])


def is_shared(domain: str) -> bool:
    """Whether ``domain`` (registrable) belongs to a service anyone can sign up to."""
    return domain in SHARED
