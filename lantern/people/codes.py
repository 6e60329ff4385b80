"""DfE SSDA903 code lists used on children and placements (domain.md §3.4, [V])."""

from django.db import models


class Sex(models.TextChoices):
    # 903 Header SEX: 1 male, 2 female (to 2023-24); 2024-25 validator accepts M/F/U ([R]).
    MALE = "M", "Male"
    FEMALE = "F", "Female"
    UNKNOWN = "U", "Not known"


class Ethnicity(models.TextChoices):
    WBRI = "WBRI", "White British"
    WIRI = "WIRI", "White Irish"
    WOTH = "WOTH", "Any other White background"
    WIRT = "WIRT", "Traveller of Irish heritage"
    WROM = "WROM", "Gypsy/Roma"
    MWBC = "MWBC", "White and Black Caribbean"
    MWBA = "MWBA", "White and Black African"
    MWAS = "MWAS", "White and Asian"
    MOTH = "MOTH", "Any other mixed background"
    AIND = "AIND", "Indian"
    APKN = "APKN", "Pakistani"
    ABAN = "ABAN", "Bangladeshi"
    AOTH = "AOTH", "Any other Asian background"
    BCRB = "BCRB", "Caribbean"
    BAFR = "BAFR", "African"
    BOTH = "BOTH", "Any other Black background"
    CHNE = "CHNE", "Chinese"
    OOTH = "OOTH", "Any other ethnic group"
    REFU = "REFU", "Refused"
    NOBT = "NOBT", "Information not yet obtained"


class CareStatus(models.TextChoices):
    NONE = "none", "No social care involvement"
    CHILD_IN_NEED = "cin", "Child in need"
    CHILD_PROTECTION = "cp", "Child protection plan"
    LOOKED_AFTER = "lac", "Looked after"
    CARE_LEAVER = "leaver", "Care leaver"


class LegalStatus(models.TextChoices):
    C1 = "C1", "C1 Interim care order"
    C2 = "C2", "C2 Full care order"
    D1 = "D1", "D1 Freeing order"
    E1 = "E1", "E1 Placement order"
    V2 = "V2", "V2 Single period of accommodation under s.20"
    V3 = "V3", "V3 Short-break series (agreed)"
    V4 = "V4", "V4 Short-break series (other)"
    L1 = "L1", "L1 Police protection"
    L2 = "L2", "L2 Emergency protection order"
    L3 = "L3", "L3 Child assessment order"
    J1 = "J1", "J1 Remanded to LA accommodation"
    J2 = "J2", "J2 PACE accommodation"
    J3 = "J3", "J3 Youth rehabilitation order with residence requirement"


class PlacementType(models.TextChoices):
    A3 = "A3", "A3 Placed for adoption (consent, with current foster carer)"
    A4 = "A4", "A4 Placed for adoption (consent, not with current foster carer)"
    A5 = "A5", "A5 Placed for adoption (placement order, with current foster carer)"
    A6 = "A6", "A6 Placed for adoption (placement order, not with current foster carer)"
    H5 = "H5", "H5 Semi-independent living"
    K1 = "K1", "K1 Secure children's home"
    K2 = "K2", "K2 Children's home"
    K3 = "K3", "K3 Registered supported accommodation"
    P1 = "P1", "P1 Placed with parent(s)"
    P2 = "P2", "P2 Independent living"
    P3 = "P3", "P3 Residential employment"
    R1 = "R1", "R1 Residential care home"
    R2 = "R2", "R2 NHS or health trust"
    R3 = "R3", "R3 Family centre or mother and baby unit"
    R5 = "R5", "R5 Young offender institution"
    S1 = "S1", "S1 Residential school"
    T0 = "T0", "T0 Temporary move (all)"
    T1 = "T1", "T1 Temporary move: hospital"
    T2 = "T2", "T2 Temporary move: holiday"
    T3 = "T3", "T3 Temporary move: carer's holiday"
    T4 = "T4", "T4 Temporary move: 7 days or less"
    U1 = "U1", "U1 Foster, relative or friend: long term"
    U2 = "U2", "U2 Foster, relative or friend: fostering for adoption"
    U3 = "U3", "U3 Foster, relative or friend: other"
    U4 = "U4", "U4 Foster, other carer: long term"
    U5 = "U5", "U5 Foster, other carer: fostering for adoption"
    U6 = "U6", "U6 Foster, other carer: other"
    Z1 = "Z1", "Z1 Other placement"


class PlacementProvider(models.TextChoices):
    PR0 = "PR0", "PR0 Parent or person with parental responsibility"
    PR1 = "PR1", "PR1 Own local authority"
    PR2 = "PR2", "PR2 Other local authority"
    PR3 = "PR3", "PR3 Other public provision"
    PR4 = "PR4", "PR4 Private provision"
    PR5 = "PR5", "PR5 Voluntary or third sector"


class IdentifierKind(models.TextChoices):
    LA_CHILD_ID = "la_child_id", "Local authority child ID"
    NHS_NUMBER = "nhs", "NHS number"
    UPN = "upn", "Unique pupil number"
    POLICE_ID = "police_id", "Police person ID"
    OTHER = "other", "Other"


class AliasKind(models.TextChoices):
    ALIAS = "alias", "Alias"
    PREVIOUS = "previous", "Previous name"
    KNOWN_AS = "known_as", "Known as or nickname"
    STREET = "street", "Street name"
