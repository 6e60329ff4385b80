"""Roles and what each may do, in plain English (after opensafely's permissions-as-code)."""

from django.db import models


class Role(models.TextChoices):
    PRACTITIONER = "practitioner", "Practitioner"
    MANAGER = "manager", "Manager"
    RHI_WORKER = "rhi_worker", "Return interview worker"
    PANEL_MEMBER = "panel_member", "Panel member"
    PANEL_CHAIR = "panel_chair", "Panel chair"
    ANALYST = "analyst", "Analyst (aggregates only)"
    ORG_ADMIN = "org_admin", "Organisation administrator"


# Roles that may open individual children's records. Analysts see aggregates only (AC10) and
# organisation administrators manage people and access, not cases (need to know).
CASE_ROLES = frozenset(
    {Role.PRACTITIONER, Role.MANAGER, Role.RHI_WORKER, Role.PANEL_MEMBER, Role.PANEL_CHAIR}
)
# Roles that may change a child's record (report episodes, record returns, placements...).
WRITE_ROLES = frozenset({Role.PRACTITIONER, Role.MANAGER, Role.RHI_WORKER, Role.PANEL_CHAIR})
# Roles that may see who has opened a record (AD10) and make or refuse shares.
MANAGER_ROLES = frozenset({Role.MANAGER, Role.PANEL_CHAIR})

DESCRIPTIONS = {
    Role.PRACTITIONER: "Opens and updates the records of children their organisation works with.",
    Role.MANAGER: "As a practitioner, and can see who has viewed a record and share records.",
    Role.RHI_WORKER: "Records return home interviews for children their organisation works with.",
    Role.PANEL_MEMBER: "Reads records of children their organisation works with for panel work.",
    Role.PANEL_CHAIR: "As a panel member, and can record panel decisions and share records.",
    Role.ANALYST: "Sees counts and figures only, never an individual child's record.",
    Role.ORG_ADMIN: "Manages their organisation's people and access; sees no case records.",
}
