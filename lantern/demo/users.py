"""Demo partner organisations and demo users: one per role and organisation type.

Every demo user shares one published password, so ``demo_load`` refuses to run in production.
"""

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction

from lantern.accounts.models import Membership, Organisation, OrgType, User
from lantern.accounts.roles import Role
from lantern.demo.records import DEMO_CHARITY, DEMO_HEALTH, DEMO_SCHOOL, DEMO_YJ, NHS_ISSUER

# Published on purpose: demo data only, and demo_load refuses to run in production.
DEMO_PASSWORD = "lantern-demo-2026"  # noqa: S105
SIGN_IN_URL = "http://127.0.0.1:8000/"

HARINGEY = "E09000014"
ENFIELD = "E09000010"
MET = "E23000001"
SUSSEX = "E23000033"

# Partner organisations created for the demo; "(demo)" marks them as invented.
ORGANISATIONS: dict[str, tuple[str, str]] = {
    DEMO_CHARITY: ("Safe Return Project (demo)", OrgType.VOLUNTARY),
    DEMO_SCHOOL: ("Northside Academy (demo)", OrgType.EDUCATION),
    DEMO_HEALTH: ("North London Community Health (demo)", OrgType.HEALTH),
    DEMO_YJ: ("Haringey Youth Justice Service (demo)", OrgType.YOUTH_JUSTICE),
    NHS_ISSUER: ("NHS number issuer (demo)", OrgType.HEALTH),
}


@dataclass(frozen=True)
class Persona:
    username: str
    display_name: str
    role: str
    organisation: str  # an ONS code or a demo organisation key
    job: str


PERSONAS: tuple[Persona, ...] = (
    Persona("haringey-sw", "Sam Patel", Role.PRACTITIONER, HARINGEY, "Social worker"),
    Persona("haringey-manager", "Maria Costa", Role.MANAGER, HARINGEY, "Team manager"),
    Persona("haringey-chair", "Chris Obi", Role.PANEL_CHAIR, HARINGEY, "Exploitation panel chair"),
    Persona("haringey-panel", "Hana Yilmaz", Role.PANEL_MEMBER, HARINGEY, "Panel member"),
    Persona("haringey-analyst", "Andy Ward", Role.ANALYST, HARINGEY, "Performance analyst"),
    Persona("haringey-admin", "Olive Grant", Role.ORG_ADMIN, HARINGEY, "Organisation admin"),
    Persona("met-coordinator", "Pete Lewis", Role.PRACTITIONER, MET, "Missing persons coordinator"),
    Persona(
        "sussex-coordinator",
        "Priya Shah",
        Role.PRACTITIONER,
        SUSSEX,
        "Missing persons coordinator (no Haringey link)",
    ),
    Persona(
        "charity-rhi", "Grace Achebe", Role.RHI_WORKER, DEMO_CHARITY, "Return interview worker"
    ),
    Persona(
        "school-dsl", "Nadia Brooks", Role.PRACTITIONER, DEMO_SCHOOL, "Designated safeguarding lead"
    ),
    Persona("health-nurse", "Helen Ford", Role.PRACTITIONER, DEMO_HEALTH, "School nurse"),
    Persona("yj-worker", "Yusuf Khan", Role.PRACTITIONER, DEMO_YJ, "Youth justice worker"),
    Persona(
        "enfield-sw", "Ella Turner", Role.PRACTITIONER, ENFIELD, "Social worker (neighbour LA)"
    ),
)


def demo_organisations() -> dict[str, Organisation]:
    """The demo partner organisations, created when missing; keyed by their demo key."""
    found = {}
    for key, (name, org_type) in ORGANISATIONS.items():
        org = Organisation.objects.filter(name=name, type=org_type).order_by("id").first()
        if org is None:
            org = Organisation.objects.create(name=name, type=org_type)
        found[key] = org
    return found


def organisation_for(key: str, demo_orgs: dict[str, Organisation]) -> Organisation:
    if key in demo_orgs:
        return demo_orgs[key]
    return Organisation.objects.get(ons_code=key)


@transaction.atomic
def demo_users_ensure(password: str = DEMO_PASSWORD) -> list[str]:
    """Create any missing demo user with the shared demo password; returns the usernames made.

    Existing demo users are left as they are. The password is hashed once for all of them
    (Argon2 is slow on purpose, and they share it anyway).
    """
    demo_orgs = demo_organisations()
    existing = set(
        User.objects.filter(username__in=[p.username for p in PERSONAS]).values_list(
            "username", flat=True
        )
    )
    hashed = make_password(password)
    created = []
    for persona in PERSONAS:
        if persona.username in existing:
            continue
        user = User.objects.create(
            username=persona.username, password=hashed, display_name=persona.display_name
        )
        Membership.objects.create(
            user=user,
            organisation=organisation_for(persona.organisation, demo_orgs),
            role=persona.role,
        )
        created.append(persona.username)
    return created


@dataclass(frozen=True)
class SignIn:
    username: str
    name: str
    role: str
    organisation: str
    job: str


def demo_signins() -> list[SignIn]:
    """The demo users that exist, in persona order, with their role and organisation."""
    rows = []
    by_name = {p.username: p for p in PERSONAS}
    memberships = (
        Membership.objects.select_related("user", "organisation")
        .filter(user__username__in=list(by_name), active=True)
        .order_by("id")
    )
    seen = set()
    for membership in memberships:
        username = membership.user.username
        if username in seen:
            continue
        seen.add(username)
        rows.append(
            SignIn(
                username=username,
                name=membership.user.display_name,
                role=membership.get_role_display(),
                organisation=membership.organisation.name,
                job=by_name[username].job,
            )
        )
    order = [p.username for p in PERSONAS]
    return sorted(rows, key=lambda row: order.index(row.username))
