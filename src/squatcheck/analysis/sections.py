"""Settings dataclasses read from one profile section each."""

from __future__ import annotations

from dataclasses import fields
from typing import ClassVar


class ProfileSection:
    """Mix into a frozen dataclass whose fields are the keys of profile section ``SECTION``."""

    SECTION: ClassVar[str]

    @classmethod
    def from_profile(cls, profile):
        sec = profile.section(cls.SECTION)
        return cls(**{f.name: sec[f.name] for f in fields(cls)})
