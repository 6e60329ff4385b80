"""Pure rules for intelligence: normalising phones and registrations, finding phone numbers and
postcodes in free text, and when two episodes count as "found together" or "missing together".

No ORM here; unit-tested directly.
"""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings

from lantern.geo.postcodes import normalise_postcode

# UK numbers: 0 or +44/0044 (optionally "(0)"), then 9 or 10 digits in groups. The national
# form must be 11 digits (mobiles, most landlines) or 10 digits for some 01 area codes.
_PHONE_RE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)44[\s-]?(?:\(0\)[\s-]?)?|\(?0)"
    r"(\d{2,4}\)?(?:[\s-]?\d){6,8})(?![\d])"
)
_POSTCODE_IN_TEXT_RE = re.compile(r"\b([A-Z]{1,2}[0-9][A-Z0-9]?)\s?([0-9][A-Z]{2})\b", re.I)
_HANDLE_RE = re.compile(r"^@?[A-Za-z0-9_.]{2,60}$")
_VRM_RE = re.compile(r"^[A-Z0-9]{2,8}$")


def phone_normalise(value: str) -> str | None:
    """'+44 (0)7700 900123' -> '07700900123'; None when it is not a UK phone number."""
    text = (value or "").strip()
    digits = re.sub(r"\D", "", text)
    if text.startswith("+44") or text.startswith("0044"):
        digits = digits[4:] if text.startswith("0044") else digits[2:]
        if digits.startswith("0"):  # "+44 (0)7700 ..."
            digits = digits[1:]
        national = "0" + digits
    else:
        national = digits
    if not national.startswith("0") or national.startswith("00"):
        return None
    if len(national) == 11 and national[1] in "123578":
        return national
    if len(national) == 10 and national.startswith("01"):
        return national
    return None


def handle_normalise(value: str) -> str | None:
    """'@Some.Name' -> '@some.name'; None when it does not look like a handle."""
    text = (value or "").strip()
    if not _HANDLE_RE.match(text):
        return None
    return "@" + text.lstrip("@").lower()


def phones_in_text(text: str) -> list[str]:
    """Every UK phone number in free text, normalised, in order of first appearance."""
    found: list[str] = []
    for match in _PHONE_RE.finditer(text or ""):
        normal = phone_normalise(match.group(0))
        if normal and normal not in found:
            found.append(normal)
    return found


def phone_display(normalised: str) -> str:
    """'07700900123' -> '07700 900123' for reading aloud and scanning."""
    if normalised.startswith("07") and len(normalised) == 11:
        return f"{normalised[:5]} {normalised[5:]}"
    if normalised.startswith("02") and len(normalised) == 11:
        return f"{normalised[:3]} {normalised[3:7]} {normalised[7:]}"
    return normalised


def postcodes_in_text(text: str) -> list[str]:
    """Every full postcode in free text, normalised ('n17 6aa' -> 'N17 6AA')."""
    found: list[str] = []
    for match in _POSTCODE_IN_TEXT_RE.finditer(text or ""):
        normal = normalise_postcode(f"{match.group(1)} {match.group(2)}")
        if normal and normal not in found:
            found.append(normal)
    return found


def vrm_normalise(value: str) -> str | None:
    """'ab12 cde' -> 'AB12CDE'; None when it cannot be a registration mark."""
    text = re.sub(r"[\s-]", "", (value or "").upper())
    return text if _VRM_RE.match(text) else None


def sector_of(postcode: str) -> str:
    """'SS1 2AB' -> 'SS1 2' (postcode sector); '' when not a postcode."""
    normal = normalise_postcode(postcode or "")
    return normal[:-2] if normal else ""


def district_of(postcode: str) -> str:
    normal = normalise_postcode(postcode or "")
    return normal.split(" ")[0] if normal else ""


def lantern_setting(name: str, default: int) -> int:
    """A number from settings.LANTERN, else the named Django setting, else the default."""
    value = getattr(settings, "LANTERN", {}).get(name)
    if value is None:
        value = getattr(settings, f"LANTERN_{name}", None)
    return int(value) if value is not None else default


def together_hours() -> int:
    """How close in time two children's returns (or disappearances) must be to count as together."""
    return lantern_setting("FOUND_TOGETHER_HOURS", 24)


def escalate_hours() -> int:
    """How long a notification may stay unacknowledged before it escalates to managers."""
    return lantern_setting("NOTIFICATION_ESCALATE_HOURS", 24)


@dataclass(frozen=True)
class EpisodeWindow:
    episode_id: int
    child_id: int
    last_seen_at: datetime
    returned_at: datetime | None
    last_seen_postcode: str = ""
    found_postcode: str = ""


def windows_overlap(a: EpisodeWindow, b: EpisodeWindow) -> bool:
    a_end = a.returned_at or datetime.max.replace(tzinfo=a.last_seen_at.tzinfo)
    b_end = b.returned_at or datetime.max.replace(tzinfo=b.last_seen_at.tzinfo)
    return a.last_seen_at < b_end and b.last_seen_at < a_end


def found_together(a: EpisodeWindow, b: EpisodeWindow, hours: int | None = None) -> bool:
    """Two children were missing at the same time and were found in the same postcode sector
    within ``hours`` of each other."""
    if a.child_id == b.child_id or a.returned_at is None or b.returned_at is None:
        return False
    sector = sector_of(a.found_postcode)
    if not sector or sector != sector_of(b.found_postcode):
        return False
    window = timedelta(hours=together_hours() if hours is None else hours)
    return windows_overlap(a, b) and abs(a.returned_at - b.returned_at) <= window


def missing_together(a: EpisodeWindow, b: EpisodeWindow, hours: int | None = None) -> bool:
    """Two children went missing from the same postcode sector within ``hours`` of each other
    and their episodes overlap."""
    if a.child_id == b.child_id:
        return False
    sector = sector_of(a.last_seen_postcode)
    if not sector or sector != sector_of(b.last_seen_postcode):
        return False
    window = timedelta(hours=together_hours() if hours is None else hours)
    return windows_overlap(a, b) and abs(a.last_seen_at - b.last_seen_at) <= window
