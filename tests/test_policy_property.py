"""AC3: the two faces of the access policy agree, and both agree with the spec.

Hypothesis builds random organisation and share graphs: children with a home LA, placements
(placing and host LA), missing episodes (police force, found force, reporting and recording
organisation), return interviews (offering and conducting organisation) and shares (active,
expired, revoked, and decisions not to share), plus users with random roles in random
organisations. For every (user, child) pair the queryset face, the reasons and the object face
must give the same answer, and that answer must equal an oracle computed here from the generated
facts alone (never from the database).
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context

from lantern.accounts import policy
from lantern.accounts.models import (
    Membership,
    Organisation,
    OrgType,
    Share,
    ShareDecision,
    User,
)
from lantern.accounts.roles import Role
from lantern.episodes.models import MissingEpisode
from lantern.interviews.models import ReturnInterview
from lantern.people.models import Child, Placement

# Indexes into the organisation list built by the fixture.
LAS = [0, 1, 2, 3]
FORCES = [4, 5, 6]
CHARITY = 7
SCHOOL = 8
ALL_ORGS = [*LAS, *FORCES, CHARITY, SCHOOL]

# Written out here rather than imported from roles.py, so the oracle is independent of the code.
ROLES_THAT_SEE_CHILDREN = {"practitioner", "manager", "rhi_worker", "panel_member", "panel_chair"}
ALL_ROLES = [r.value for r in Role]

org_index = st.sampled_from(ALL_ORGS)
maybe_org = st.none() | org_index


@dataclass
class PlacementFact:
    placing: int
    host: int | None


@dataclass
class EpisodeFact:
    police: int | None
    found: int | None
    reporting: int | None
    recording: int | None


@dataclass
class InterviewFact:
    offered: int
    conducted: int


@dataclass
class ShareFact:
    to: int
    frm: int
    state: str  # active | expired | revoked | not_share


@dataclass
class ChildFact:
    home: int
    merged: bool
    placements: list[PlacementFact] = field(default_factory=list)
    episodes: list[EpisodeFact] = field(default_factory=list)
    interviews: list[InterviewFact] = field(default_factory=list)
    shares: list[ShareFact] = field(default_factory=list)


@dataclass
class MembershipFact:
    org: int
    role: str
    active: bool


@dataclass
class UserFact:
    memberships: list[MembershipFact]
    acting: int  # index into memberships; -1: let the policy choose (first by id)
    is_active: bool


child_facts = st.builds(
    ChildFact,
    home=st.sampled_from(LAS),
    merged=st.sampled_from([False, False, True]),
    placements=st.lists(
        st.builds(
            PlacementFact, placing=st.sampled_from(LAS), host=st.none() | st.sampled_from(LAS)
        ),
        max_size=2,
    ),
    episodes=st.lists(
        st.builds(
            EpisodeFact,
            police=st.none() | st.sampled_from(FORCES),
            found=st.none() | st.sampled_from(FORCES),
            reporting=maybe_org,
            recording=maybe_org,
        ),
        max_size=3,
    ),
    interviews=st.lists(
        st.builds(InterviewFact, offered=org_index, conducted=org_index), max_size=2
    ),
    shares=st.lists(
        st.builds(
            ShareFact,
            to=org_index,
            frm=org_index,
            state=st.sampled_from(["active", "expired", "revoked", "not_share"]),
        ),
        max_size=3,
    ),
)


def user_in(org: int) -> st.SearchStrategy[UserFact]:
    """A user whose first membership is in ``org`` (so every organisation is looked from)."""
    return st.builds(
        UserFact,
        memberships=st.tuples(
            st.builds(
                MembershipFact,
                org=st.just(org),
                # Mostly roles that open records, so most pairs test the links themselves.
                role=st.sampled_from([*ALL_ROLES, "practitioner", "practitioner", "manager"]),
                active=st.sampled_from([True, True, True, True, False]),
            )
        ).map(list),
        acting=st.sampled_from([-1, 0, 0]),
        is_active=st.sampled_from([True, True, True, True, True, False]),
    )


every_org_user = st.tuples(*[user_in(org) for org in ALL_ORGS]).map(list)

user_facts = st.builds(
    UserFact,
    memberships=st.lists(
        st.builds(
            MembershipFact,
            org=org_index,
            role=st.sampled_from(ALL_ROLES),
            active=st.sampled_from([True, True, True, False]),
        ),
        min_size=1,
        max_size=2,
        unique_by=lambda m: (m.org, m.role),
    ),
    acting=st.sampled_from([-1, 0, 1]),
    is_active=st.sampled_from([True, True, True, True, False]),
)


def oracle_acting(user: UserFact) -> MembershipFact | None:
    """The membership the user acts under, from the facts: the chosen one, else the first."""
    if not user.is_active:
        return None
    if 0 <= user.acting < len(user.memberships):
        chosen = user.memberships[user.acting]
        return chosen if chosen.active else None
    return next((m for m in user.memberships if m.active), None)


def oracle_links(org: int, child: ChildFact) -> set[str]:
    """Every kind of link the organisation has to the child, from the facts."""
    links: set[str] = set()
    if child.home == org:
        links.add("home LA")
    for p in child.placements:
        if org == p.placing:
            links.add("placing LA")
        if org == p.host:
            links.add("host LA")
    for e in child.episodes:
        if org == e.police:
            links.add("police force")
        if org == e.found:
            links.add("found force")
        if org in (e.reporting, e.recording):
            links.add("reported or recorded episode")
    for i in child.interviews:
        if org in (i.offered, i.conducted):
            links.add("interview")
    for s in child.shares:
        if s.to == org:
            links.add("share" if s.state == "active" else f"{s.state} share (grants nothing)")
    return links


def oracle_sees(user: UserFact, child: ChildFact) -> bool:
    """The spec (issue §3, domain §5.2), applied to the raw facts."""
    acting = oracle_acting(user)
    if acting is None or acting.role not in ROLES_THAT_SEE_CHILDREN or child.merged:
        return False
    return any("grants nothing" not in link for link in oracle_links(acting.org, child))


@pytest.fixture
def orgs(db) -> list[Organisation]:
    """Four LAs and three forces from the seeded register, plus a charity and a school."""
    las = list(
        Organisation.objects.filter(
            ons_code__in=["E09000014", "E06000043", "E09000012", "E08000025"]
        ).order_by("ons_code")
    )
    forces = list(
        Organisation.objects.filter(ons_code__in=["E23000001", "E23000033", "E23000014"]).order_by(
            "ons_code"
        )
    )
    assert [o.type for o in las] == [OrgType.LOCAL_AUTHORITY] * 4
    assert [o.type for o in forces] == [OrgType.POLICE] * 3
    charity = Organisation.objects.create(name="Safe Return Project", type=OrgType.VOLUNTARY)
    school = Organisation.objects.create(name="Northside Academy", type=OrgType.EDUCATION)
    return [*las, *forces, charity, school]


class _Rollback(Exception):
    pass


def _build(orgs: list[Organisation], children: list[ChildFact], users: list[UserFact]):
    """Write the facts with bulk_create (no services: this is about the policy, not the rules)."""
    now = timezone.now()
    decider = User.objects.create(username="decider")
    child_rows = Child.objects.bulk_create(
        [
            Child(
                first_name=f"Child{n}",
                last_name="Test",
                date_of_birth=date(2010, 1, 1),
                home_la=orgs[c.home],
            )
            for n, c in enumerate(children)
        ]
    )
    # A merged record points at the first child that is not itself merged (if any).
    survivor = next(
        (row for row, c in zip(child_rows, children, strict=True) if not c.merged), None
    )
    for row, c in zip(child_rows, children, strict=True):
        if c.merged:
            target = survivor or Child.objects.create(
                first_name="Survivor",
                last_name="Test",
                date_of_birth=date(2010, 1, 1),
                home_la=orgs[LAS[0]],
            )
            Child.objects.filter(pk=row.pk).update(merged_into=target)
    placements, episodes, interviews, shares = [], [], [], []
    base = now - timedelta(days=400)
    for row, c in zip(child_rows, children, strict=True):
        for p in c.placements:
            placements.append(
                Placement(
                    child=row,
                    placing_la=orgs[p.placing],
                    host_la=None if p.host is None else orgs[p.host],
                    place="U4",
                    provider="PR1",
                    postcode="N17 6AA",
                    started_on=date(2024, 1, 1),
                )
            )
        for n, e in enumerate(c.episodes):
            start = base + timedelta(days=10 * n)
            episodes.append(
                MissingEpisode(
                    child=row,
                    setting="home",
                    whereabouts="unknown",
                    looked_after=False,
                    last_seen_at=start,
                    reported_at=start + timedelta(hours=1),
                    returned_at=start + timedelta(days=1),
                    reporter_kind="parent_carer",
                    police_force=None if e.police is None else orgs[e.police],
                    found_force=None if e.found is None else orgs[e.found],
                    reporting_organisation=None if e.reporting is None else orgs[e.reporting],
                    recording_organisation=None if e.recording is None else orgs[e.recording],
                )
            )
        for i in c.interviews:
            interviews.append(
                ReturnInterview(
                    child=row,
                    offered_at=base,
                    offered_by_name="Worker",
                    offered_by_organisation=orgs[i.offered],
                    conducted_by_organisation=orgs[i.conducted],
                )
            )
        for s in c.shares:
            not_share = s.state == "not_share"
            shares.append(
                Share(
                    child=row,
                    from_organisation=orgs[s.frm],
                    to_organisation=orgs[s.to],
                    decision=ShareDecision.NOT_SHARE if not_share else ShareDecision.SHARE,
                    purpose="Safeguarding",
                    lawful_basis="6_1_e",
                    condition="sch1_18",
                    reason="Not needed" if not_share else "",
                    decided_by=decider,
                    decided_at=now - timedelta(days=30),
                    expires_at=None
                    if not_share
                    else now + timedelta(days=-1 if s.state == "expired" else 30),
                    revoked_at=now - timedelta(days=1) if s.state == "revoked" else None,
                )
            )
    Placement.objects.bulk_create(placements)
    MissingEpisode.objects.bulk_create(episodes)
    ReturnInterview.objects.bulk_create(interviews)
    Share.objects.bulk_create(shares)

    user_rows = User.objects.bulk_create(
        [User(username=f"user{n}", is_active=u.is_active) for n, u in enumerate(users)]
    )
    # Memberships one at a time, in order, so "first by id" is the first in the facts.
    acting_rows = []
    for row, u in zip(user_rows, users, strict=True):
        made = [
            Membership.objects.create(
                user=row, organisation=orgs[m.org], role=m.role, active=m.active
            )
            for m in u.memberships
        ]
        acting_rows.append(made[u.acting] if 0 <= u.acting < len(made) else None)
    return child_rows, user_rows, acting_rows


def _signed_in(user_row: User, acting: Membership | None) -> User:
    """A fresh user object as the middleware would hand it over: chosen membership attached."""
    user = User.objects.get(pk=user_row.pk)
    if acting is not None:
        user.acting_membership = acting
    return user


def _found(get_for, user: User, pk: int) -> bool:
    try:
        get_for(user, pk)
    except Http404:
        return False
    return True


def _check_all(
    orgs: list[Organisation], children: list[ChildFact], users: list[UserFact]
) -> dict[tuple[int, int], bool]:
    """Build the facts, compare every face with the oracle for every pair, then roll back.

    Returns what the oracle said for each (user index, child index).
    """
    seen: dict[tuple[int, int], bool] = {}
    try:
        with transaction.atomic():
            child_rows, user_rows, acting_rows = _build(orgs, children, users)
            fresh_children = [Child.objects.get(pk=row.pk) for row in child_rows]
            first_episode = [c.episodes.first() for c in fresh_children]
            first_interview = [c.interviews.first() for c in fresh_children]
            for u, (user_row, acting, ufact) in enumerate(
                zip(user_rows, acting_rows, users, strict=True)
            ):
                user = _signed_in(user_row, acting)
                acting_fact = oracle_acting(ufact)
                visible = set(policy.children_visible_to(user).values_list("pk", flat=True))
                for n, (child, cfact) in enumerate(zip(fresh_children, children, strict=True)):
                    expected = oracle_sees(ufact, cfact)
                    seen[(u, n)] = expected
                    reasons = policy.access_reasons(user, child)
                    faces = (
                        child.pk in visible,
                        bool(reasons),
                        _found(policy.child_get_for, user, child.pk),
                    )
                    assert faces == (expected, expected, expected), (ufact, cfact, reasons)
                    # Episodes and interviews are reached through their child.
                    if first_episode[n] is not None:
                        assert _found(policy.episode_get_for, user, first_episode[n].pk) == expected
                    if first_interview[n] is not None:
                        found = _found(policy.interview_get_for, user, first_interview[n].pk)
                        assert found == expected
                    if currently_in_test_context() and acting_fact is not None:
                        # Coverage, shown by --hypothesis-show-statistics.
                        links = oracle_links(acting_fact.org, cfact)
                        if acting_fact.role not in ROLES_THAT_SEE_CHILDREN:
                            links = {f"{acting_fact.role} (grants nothing)"}
                        if len(links) == 1 and not cfact.merged:
                            event(f"only link: {links.pop()}")
                        if cfact.merged and links:
                            event("merged child with a link (grants nothing)")
            raise _Rollback
    except _Rollback:
        pass
    return seen


@settings(
    max_examples=40,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    children=st.lists(child_facts, min_size=1, max_size=6),
    one_per_org=every_org_user,
    extra_users=st.lists(user_facts, max_size=3),
)
def test_object_check_and_queryset_agree_with_each_other_and_the_spec(
    orgs, children, one_per_org, extra_users
):
    _check_all(orgs, children, one_per_org + extra_users)


def _user(org: int, role: str = "practitioner", *, active: bool = True, user_active: bool = True):
    return UserFact([MembershipFact(org, role, active)], acting=0, is_active=user_active)


HOME, OTHER_LA, FORCE = LAS[0], LAS[1], FORCES[0]
# Each case: one user, one child whose only tie to the user's organisation is the one named.
# Random graphs rarely isolate a single link, so every link (and every non-link) is pinned here.
SINGLE_LINK_CASES = {
    "home LA": (_user(HOME), ChildFact(HOME, False), True),
    "placing LA": (
        _user(OTHER_LA),
        ChildFact(HOME, False, placements=[PlacementFact(OTHER_LA, None)]),
        True,
    ),
    "host LA": (
        _user(OTHER_LA),
        ChildFact(HOME, False, placements=[PlacementFact(HOME, OTHER_LA)]),
        True,
    ),
    "police force": (
        _user(FORCE),
        ChildFact(HOME, False, episodes=[EpisodeFact(FORCE, None, None, None)]),
        True,
    ),
    "found force": (
        _user(FORCE),
        ChildFact(HOME, False, episodes=[EpisodeFact(None, FORCE, None, None)]),
        True,
    ),
    "reported an episode": (
        _user(SCHOOL),
        ChildFact(HOME, False, episodes=[EpisodeFact(None, None, SCHOOL, None)]),
        True,
    ),
    "recorded an episode": (
        _user(CHARITY),
        ChildFact(HOME, False, episodes=[EpisodeFact(None, None, None, CHARITY)]),
        True,
    ),
    "offered an interview": (
        _user(CHARITY, "rhi_worker"),
        ChildFact(HOME, False, interviews=[InterviewFact(CHARITY, HOME)]),
        True,
    ),
    "conducted an interview": (
        _user(CHARITY, "rhi_worker"),
        ChildFact(HOME, False, interviews=[InterviewFact(HOME, CHARITY)]),
        True,
    ),
    "active share": (
        _user(SCHOOL),
        ChildFact(HOME, False, shares=[ShareFact(SCHOOL, HOME, "active")]),
        True,
    ),
    "expired share": (
        _user(SCHOOL),
        ChildFact(HOME, False, shares=[ShareFact(SCHOOL, HOME, "expired")]),
        False,
    ),
    "revoked share": (
        _user(SCHOOL),
        ChildFact(HOME, False, shares=[ShareFact(SCHOOL, HOME, "revoked")]),
        False,
    ),
    "decision not to share": (
        _user(SCHOOL),
        ChildFact(HOME, False, shares=[ShareFact(SCHOOL, HOME, "not_share")]),
        False,
    ),
    "share to someone else": (
        _user(SCHOOL),
        ChildFact(HOME, False, shares=[ShareFact(CHARITY, HOME, "active")]),
        False,
    ),
    "no link at all": (_user(OTHER_LA), ChildFact(HOME, False), False),
    "analyst at the home LA": (_user(HOME, "analyst"), ChildFact(HOME, False), False),
    "org admin at the home LA": (_user(HOME, "org_admin"), ChildFact(HOME, False), False),
    "inactive membership at the home LA": (
        _user(HOME, active=False),
        ChildFact(HOME, False),
        False,
    ),
    "deactivated user at the home LA": (
        _user(HOME, user_active=False),
        ChildFact(HOME, False),
        False,
    ),
    "merged record at the home LA": (_user(HOME), ChildFact(HOME, True), False),
    "acting as the other membership": (
        UserFact(
            [MembershipFact(HOME, "practitioner", True), MembershipFact(OTHER_LA, "manager", True)],
            acting=1,
            is_active=True,
        ),
        ChildFact(HOME, False),
        False,
    ),
    "acting as an analyst though a practitioner too": (
        UserFact(
            [MembershipFact(HOME, "practitioner", True), MembershipFact(HOME, "analyst", True)],
            acting=1,
            is_active=True,
        ),
        ChildFact(HOME, False),
        False,
    ),
}


@pytest.mark.parametrize("case", SINGLE_LINK_CASES)
def test_each_link_alone_decides(orgs, case):
    user, child, expected = SINGLE_LINK_CASES[case]
    assert _check_all(orgs, [child], [user]) == {(0, 0): expected}
