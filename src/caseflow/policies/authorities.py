"""The authority data files as a document kind: one market's regulators, police and courts.

The files (``caseflow/policies/data/authorities/<market>.yaml``) are read by :mod:`.phrases` into the
built-in phrase sets ``regulators``, ``police``, ``courts`` and their ``<kind>.<market>`` sets. This
module is their document model, from which their JSON Schema is generated (``caseflow schema
authorities``), as for every other YAML kind.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ..model._base import JsonDict
from .schema import Document, document_schema

__all__ = ["AuthoritiesDocument", "AuthorityDocument", "authorities_schema"]


class AuthorityDocument(Document):
    """One authority (or a group of them) buyers name, with the phrases they name it by."""

    name: str = Field(min_length=1, description="who it is, for people reading the file")
    kind: Literal["regulator", "police", "court"] = Field(
        description="the built-in sets it joins: regulator -> regulators, police -> police, court -> courts"
    )
    phrases: dict[str, list[str]] = Field(
        min_length=1, description="phrases per language (en, zh, id, vi, ...), matched as phrase sets are"
    )
    except_: list[str] = Field(
        default_factory=list, alias="except", description="exceptions: phrases that hold a phrase in another sense"
    )


class AuthoritiesDocument(Document):
    """The authorities of one market (``cn``, ``tw``, ``hk``, ``id``, ``vn``, ``us``, ``eu``, ``uk``)."""

    market: str = Field(pattern=r"^[a-z]{2}$", description="the market's code, the file's name")
    name: str = Field(min_length=1, description="the market's name")
    authorities: list[AuthorityDocument] = Field(min_length=1)


def authorities_schema() -> JsonDict:
    """The JSON Schema of an authority data file, generated from :class:`AuthoritiesDocument`."""
    return document_schema(AuthoritiesDocument, "authorities", "caseflow authorities of one market")
