"""Small, valid import files to start tests from, and a way to break them one cell at a time."""

import csv
from pathlib import Path

from lantern.imports import police, ssda903

# A valid 903 set for Haringey, collection year 2025-26 (1 April 2025 to 31 March 2026).
HEADER = [
    {"CHILD": "C001", "SEX": "1", "DOB": "15/03/2011", "ETHNIC": "WBRI", "UPN": "UN4",
     "MOTHER": "", "MC_DOB": ""},
    {"CHILD": "C002", "SEX": "2", "DOB": "02/09/2009", "ETHNIC": "BAFR", "UPN": "",
     "MOTHER": "0", "MC_DOB": ""},
]  # fmt: skip


def episode(child, decom, dec="", rec="", place="U6", pl_post="N15 4AB", **extra):
    row = {
        "CHILD": child, "DECOM": decom, "RNE": "S", "LS": "C2", "CIN": "N1", "PLACE": place,
        "PLACE_PROVIDER": "PR1", "DEC": dec, "REC": rec, "REASON_PLACE_CHANGE": "",
        "HOME_POST": "N17 6AA", "PL_POST": pl_post, "URN": "",
    }  # fmt: skip
    row.update(extra)
    return row


EPISODES = [
    episode("C001", "01/04/2024"),
    episode("C002", "10/01/2025", "20/06/2025", "X1"),
    episode("C002", "20/06/2025", place="K2", pl_post="BN1 1AA", RNE="P",
            PLACE_PROVIDER="PR4", REASON_PLACE_CHANGE="CARPL"),
]  # fmt: skip


def missing(child, code, start, end=""):
    dob = {"C001": "15/03/2011", "C002": "02/09/2009"}.get(child, "01/01/2010")
    return {"CHILD": child, "DOB": dob, "MISSING": code, "MIS_START": start, "MIS_END": end}


MISSING = [
    missing("C001", "M", "05/05/2025", "07/05/2025"),
    missing("C001", "A", "07/05/2025", "07/05/2025"),  # back to back, and same day
    missing("C001", "M", "07/05/2025", "09/05/2025"),
    missing("C002", "A", "25/06/2025", "26/06/2025"),
    missing("C002", "M", "01/03/2026"),  # still missing at 31 March
]


def write_csv(path: Path, columns, rows) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns))
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_903(directory: Path, header=None, episodes=None, missing_rows=None) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    write_csv(
        directory / "header.csv", ssda903.HEADER_COLUMNS, HEADER if header is None else header
    )
    write_csv(
        directory / "episodes.csv",
        ssda903.EPISODES_COLUMNS,
        EPISODES if episodes is None else episodes,
    )
    write_csv(
        directory / "missing.csv",
        ssda903.MISSING_COLUMNS,
        MISSING if missing_rows is None else missing_rows,
    )
    return directory


def with_cell(rows, index, **changes):
    """A copy of ``rows`` with some cells of one row changed."""
    copied = [dict(r) for r in rows]
    copied[index].update(changes)
    return copied


def report(reference, person_id="P100", **extra):
    row = {
        "police_reference": reference, "person_id": person_id, "first_name": "Tayo",
        "last_name": "Reed", "dob": "04/07/2011", "sex": "M", "home_postcode": "N17 6AA",
        "home_la": "", "looked_after": "N", "whereabouts_known": "N",
        "last_seen_at": "02/05/2025 18:30", "last_seen_place": "Bruce Grove station",
        "last_seen_postcode": "N17 6AA", "reported_at": "02/05/2025 22:10",
        "reporter_kind": "parent_carer", "circumstances": "Did not come home after school",
        "returned_at": "04/05/2025 09:15", "return_how": "police", "found_place": "Flat",
        "found_postcode": "BN1 1AA", "found_with": "Two older males", "risk_grade": "high",
        "graded_at": "02/05/2025 22:40", "graded_by": "PS Khan",
        "grading_rationale": "Young, first time missing, links to older males",
    }  # fmt: skip
    row.update(extra)
    return row


REPORTS = [
    report("MPS-25-0001"),
    report("MPS-25-0002", last_seen_at="20/06/2025 21:00", reported_at="20/06/2025 23:00",
           returned_at="", return_how="", found_place="", found_postcode="", found_with="",
           risk_grade="medium", graded_at="21/06/2025 01:00"),
    report("MPS-25-0003", person_id="P200", first_name="Amira", last_name="Hassan",
           dob="19/11/2010", sex="F", home_postcode="", home_la="E09000014", looked_after="Y",
           last_seen_at="10/03/2025 16:00", reported_at="10/03/2025 20:00",
           returned_at="11/03/2025 08:00", risk_grade="", graded_at="", graded_by="",
           grading_rationale=""),
]  # fmt: skip


def write_police(path: Path, rows=None) -> Path:
    return write_csv(path, police.COLUMNS, REPORTS if rows is None else rows)
