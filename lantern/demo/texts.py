"""Free-text snippets for synthetic records. Plain, varied and never about real people."""

LAST_SEEN_HOME = (
    "Home address",
    "Outside the family home",
    "Bus stop near home",
    "Local park",
    "High street",
    "Friend's address",
)
LAST_SEEN_CARE = (
    "Placement address",
    "Children's home",
    "Outside the placement",
    "Walking away from the placement",
    "Bus stop near the placement",
)
LAST_SEEN_EDUCATION = ("School gates", "School", "College", "Leaving school at lunchtime")
LAST_SEEN_OTHER = ("Shopping centre", "Train station", "Bus station", "Fast food restaurant")

CIRCUMSTANCES_HOME = (
    "Did not come home after school.",
    "Left home after an argument about curfew and did not return.",
    "Went out with friends and was not home by the agreed time.",
    "Left the house late at night without telling anyone.",
    "Parent found the bedroom empty in the morning.",
)
CIRCUMSTANCES_CARE = (
    "Did not return to the placement after school.",
    "Left the placement after a disagreement with staff.",
    "Was collected by a car outside the placement and did not return by curfew.",
    "Left the placement late in the evening and stopped answering the phone.",
    "Did not return from agreed family time.",
)
CIRCUMSTANCES_OTHER = (
    "Left school at lunchtime and did not return.",
    "Left the hospital ward without telling staff.",
    "Was last seen with a group of older young people.",
)

FOUND_WITH_LOCAL = (
    "Alone",
    "With friends of the same age",
    "With a boyfriend",
    "With a girlfriend",
    "With family members",
    "With a group of young people",
)
FOUND_WITH_EXPLOITED = (
    "With older males not known to the family",
    "With two adults not known to professionals",
    "With an older boy known to police",
    "With a group of older young people from another area",
)
RETURNED_PLACE_HOME = "Returned home"
RETURNED_PLACE_CARE = "Returned to the placement"

GRADED_BY = ("PC", "PS", "Insp", "DS")
RATIONALE = {
    "very_low": "No information to suggest a risk of harm. Carer to keep trying the phone.",
    "low": "Risk of harm possible but minimal. Has gone missing before and returned safely.",
    "medium": "Risk of harm likely but not serious. Vulnerable by age and recent episodes.",
    "high": "Risk of serious harm very likely. Known links to exploitation; phone switched off.",
    "nar_absent": "No apparent risk. Whereabouts believed known; carer to review at curfew.",
    "absent_2013": "Not where expected to be; no apparent risk. Monitor and review.",
}

REPORTER_ROLE = {
    "school": "Designated safeguarding lead",
    "health": "School nurse",
    "charity": "Outreach worker",
    "social_worker": "Social worker",
    "police": "Police officer",
    "childrens_home": "Residential support worker",
    "other": "Youth worker",
}

LEAD_TITLES_LAC = ("Social worker", "Senior social worker", "Advanced practitioner")
LEAD_TITLES_CIN = ("Social worker", "Early help key worker")
LEAD_CHANGE_REASONS = (
    "Previous social worker left the authority",
    "Case transferred to the children in care team",
    "Case transferred after the child moved placement",
    "Caseload rebalancing",
    "Previous social worker on long-term leave",
    "Team restructure",
)

PUSH = ("family_conflict", "abuse", "school", "mental_health", "boredom", "substances")
PUSH_CARE = ("placement", "family_conflict", "school", "mental_health", "boredom")
PULL = ("relationships", "affection", "family_contact", "boredom", "substances")
PULL_EXPLOITED = ("money", "status", "debt", "fear", "affection", "relationships")

WHERE_LOCAL = (
    "At a friend's house in the area",
    "In the local park and then a friend's flat",
    "Riding buses overnight",
    "At a relative's address",
    "At a party at an address they would not give",
)
HOW_TRAVELLED_LOCAL = ("On foot", "By bus", "By bus and on foot", "Lift from a friend's parent")
HOW_TRAVELLED_FAR = (
    "By train; the ticket was bought for them",
    "Driven by an adult they did not know well",
    "By coach, paid for by someone else",
)
HARM_NONE = "No harm disclosed."
HARM_SOME = (
    "Said they had not eaten for a day.",
    "Had a minor injury they would not explain.",
    "Said they had been drinking alcohol.",
    "Was very tired and had slept outside.",
)
ACTIONS = (
    "Share the interview with the social worker and the police missing persons coordinator.",
    "Safety plan agreed; carer to update the Philomena Protocol form.",
    "Referral to the exploitation panel.",
    "Offer of weekly sessions with the return interview worker.",
    "School to check in with the child each morning.",
    "Family time arrangements to be reviewed.",
)
NOT_COMPLETED_DETAIL = {
    "no_contact": "Three attempts to make contact by phone and visit.",
    "missing_again": "Went missing again before the interview could take place.",
    "carer_refused": "Parent did not agree to the interview.",
    "child_declined": "Did not want to talk after an initial visit.",
    "other": "Moved placement before the interview could take place.",
}

DISCLOSURES = {
    "county_lines": (
        "Said an older boy bought them a train ticket to {town} and told them to hold a bag.",
        "Said they stayed in a flat in {town} with adults they did not know.",
        "Was given a phone in {town} and told to answer it when it rang.",
        "Had a large amount of cash and a second phone when found in {town}.",
    ),
    "cce": (
        "Said they owe money to older boys after a package was 'taken' from them.",
        "Said they were asked to carry a package across the borough.",
        "Said older boys told them they would be hurt if they stopped.",
    ),
    "cse": (
        "Said an older man bought them alcohol and gifts.",
        "Said they went to a party with adults at an address they did not know.",
        "Said a much older boyfriend picks them up in a car.",
    ),
    "gang": ("Said they spend time with a group who fight young people from another area.",),
    "online": ("Said they met someone online who asked them to meet up.",),
    "financial": ("Said someone uses their bank card to move money.",),
}
DISCLOSURES_PLAIN = (
    "Said they stayed at a friend's house and felt safe.",
    "Said they left after an argument about phone use.",
    "Said they wanted to see their mum.",
    "Said they are unhappy at school and do not want to go.",
    "Said they were bored and wanted to be with friends.",
)
