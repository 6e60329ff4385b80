"""The persona cast for every test (after healthchecks' Alice/Bob/Charlie and Primero's scope specs).

Organisations (seeded by migration): Haringey (LA), Metropolitan Police, Brighton and Hove (an
unrelated LA), Sussex Police (an unrelated force), plus a return-interview charity and a school.

People:
- sam     practitioner (social worker), Haringey
- maria   manager, Haringey
- pete    police missing-persons coordinator, Metropolitan Police (polices Haringey children)
- priya   police coordinator, Sussex Police (has no link to Haringey children)
- rita    return-interview worker, the charity
- bella   practitioner, Brighton and Hove (unrelated council)
- andy    analyst, Haringey (aggregates only)
- olive   organisation administrator, Haringey
- chris   panel chair, Haringey
"""

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.utils import timezone

from lantern.accounts.models import Organisation, OrgType
from lantern.accounts.roles import Role
from lantern.accounts.services import organisations_seed, user_create

PASSWORD = "correct-horse-battery-staple"


@dataclass
class World:
    haringey: Organisation
    met: Organisation
    brighton: Organisation
    sussex: Organisation
    charity: Organisation
    school: Organisation
    users: dict

    def __getattr__(self, name: str):
        users = self.__dict__.get("users", {})
        if name in users:
            return users[name]
        raise AttributeError(name)


@pytest.fixture
def world(db) -> World:
    # Transactional tests (browser, live server) flush the seeded organisations; seed again.
    if not Organisation.objects.filter(ons_code="E09000014").exists():
        organisations_seed()
    haringey = Organisation.objects.get(ons_code="E09000014")
    met = Organisation.objects.get(ons_code="E23000001")
    brighton = Organisation.objects.get(ons_code="E06000043")
    sussex = Organisation.objects.get(ons_code="E23000033")
    charity = Organisation.objects.create(name="Safe Return Project", type=OrgType.VOLUNTARY)
    school = Organisation.objects.create(name="Northside Academy", type=OrgType.EDUCATION)
    cast = {
        "sam": (haringey, Role.PRACTITIONER),
        "maria": (haringey, Role.MANAGER),
        "pete": (met, Role.PRACTITIONER),
        "priya": (sussex, Role.PRACTITIONER),
        "rita": (charity, Role.RHI_WORKER),
        "bella": (brighton, Role.PRACTITIONER),
        "andy": (haringey, Role.ANALYST),
        "olive": (haringey, Role.ORG_ADMIN),
        "chris": (haringey, Role.PANEL_CHAIR),
    }
    users = {
        name: user_create(
            username=name,
            password=PASSWORD,
            organisation=org,
            role=role,
            display_name=name.title(),
        )
        for name, (org, role) in cast.items()
    }
    return World(haringey, met, brighton, sussex, charity, school, users)


@pytest.fixture
def child(world):
    """A looked-after Haringey child with no episodes yet."""
    from lantern.people.services import child_create

    return child_create(
        actor=world.sam,
        first_name="Kayden",
        last_name="Smyth",
        date_of_birth=date.today() - timedelta(days=14 * 365 + 40),
        home_la=world.haringey,
        sex="M",
        home_postcode="N17 6AA",
        care_status="lac",
        legal_status="C2",
    )


@pytest.fixture
def now():
    return timezone.now()
