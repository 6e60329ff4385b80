"""The Splink model on small data: accuracy on synthetic truth, twins, identifiers, backends.

No database: rows are cleaned in memory and linked with the shipped trained parameters.
"""

import os
import re
import shutil
from dataclasses import replace

import duckdb
import pyarrow as pa
import pytest

from lantern.linkage import engine, evaluation, febrl, model, synthetic
from lantern.linkage.cleaning import SourceRecord, linkage_row

SMALL = 3000


def _table(records: list[SourceRecord]) -> pa.Table:
    return engine.rows_to_arrow(linkage_row(r) for r in records)


def _link(records: list[SourceRecord], **kwargs) -> engine.Linked:
    return engine.link(_table(records), parameters=model.load_parameters(), **kwargs)


def _pairs(linked: engine.Linked) -> set[frozenset[int]]:
    return {frozenset((p["unique_id_l"], p["unique_id_r"])) for p in linked.pairs}


def _partition(linked: engine.Linked) -> set[frozenset[int]]:
    groups: dict[str, set[int]] = {}
    for uid, cluster in linked.clusters.items():
        groups.setdefault(cluster, set()).add(uid)
    return {frozenset(g) for g in groups.values()}


@pytest.fixture(scope="module")
def background() -> list[SourceRecord]:
    """Other children, so the prior and term frequencies look like a real population."""
    return synthetic.generate(records=600, seed=11)


def test_shipped_parameters_match_the_model_definition():
    parameters = model.load_parameters()
    assert parameters is not None
    for field in model.fields():
        trained = {int(k) for k in parameters[field.name]}
        expected = {i for i, level in enumerate(field.levels) if not level.is_null_level} - set(
            field.fixed
        )
        assert expected <= trained, field.name


def test_small_synthetic_set_meets_precision_and_recall():
    records = synthetic.generate(records=SMALL, seed=5)
    linked = _link(records, explain=False)
    con = duckdb.connect()
    con.register(
        "truth",
        pa.table(
            {
                "unique_id": [r.unique_id for r in records],
                "child": [r.extra["child"] for r in records],
                "family": [r.extra["family"] for r in records],
                "twin": [r.extra["twin"] for r in records],
            }
        ),
    )
    con.register(
        "clusters",
        pa.table(
            {"unique_id": list(linked.clusters), "cluster_id": list(linked.clusters.values())}
        ),
    )
    scores = evaluation.cluster_scores(con, clusters="clusters", truth="truth")
    assert scores.precision >= 0.99
    assert scores.recall >= 0.95
    assert scores.errors_by_class["twin"] == 0


def _child(uid: int, source: str, first: str, **fields) -> SourceRecord:
    base: dict = dict(
        last_name="Okonkwo-Reid",
        date_of_birth="2011-05-09",
        sex="F",
        postcodes=["N17 6AA"],
    )
    base.update(fields)
    return SourceRecord(unique_id=uid, source=source, first_name=first, **base)


def test_twins_with_different_first_names_stay_apart(background):
    twins = [
        _child(9001, "council", "Amara"),
        _child(9002, "school", "Amara", middle_names="Grace"),
        _child(9003, "police", "Amarah", postcodes=[]),
        _child(9004, "council", "Chioma"),
        _child(9005, "school", "Chioma", middle_names="Joy"),
        _child(9006, "health", "Chioma"),
    ]
    linked = _link([*background, *twins])
    a = {9001, 9002, 9003}
    b = {9004, 9005, 9006}
    pairs = _pairs(linked)
    assert frozenset((9001, 9002)) in pairs  # each twin's own records do link
    assert not any(pair & a and pair & b for pair in pairs)
    assert {linked.clusters[u] for u in a}.isdisjoint({linked.clusters[u] for u in b})


def test_the_same_child_links_across_spelling_nickname_and_swapped_day_and_month(background):
    council = SourceRecord(
        unique_id=9011,
        source="council",
        first_name="Kayden",
        last_name="Smyth",
        date_of_birth="2012-03-04",
        sex="M",
        postcodes=["N17 6AA", "N15 4RX"],
    )
    police = replace(
        council,
        unique_id=9012,
        source="police",
        first_name="Kaiden",
        last_name="Smith",
        date_of_birth="2012-04-03",
        postcodes=["N15 4RX"],
    )
    linked = _link([*background, council, police])
    assert frozenset((9011, 9012)) in _pairs(linked)
    pair = next(p for p in linked.pairs if {p["unique_id_l"], p["unique_id_r"]} == {9011, 9012})
    dob = model.field_by_name("dob")
    assert dob.levels[model.gamma_to_level(dob)[pair["gamma_dob"]]].label == "day and month swapped"


def test_conflicting_nhs_numbers_block_a_match(background):
    one = _child(9021, "health", "Precious", nhs_number="4000000001")
    same = replace(one, unique_id=9022, source="council")
    linked = _link([*background, one, same])
    assert frozenset((9021, 9022)) in _pairs(linked)  # the control links
    conflicting = replace(same, nhs_number="4000000002")
    linked = _link([*background, one, conflicting])
    assert frozenset((9021, 9022)) not in _pairs(linked)
    assert linked.clusters[9021] != linked.clusters[9022]


def _namesakes() -> list[SourceRecord]:
    """Two children with the same name and date of birth in different towns, each known to
    health (NHS number) and school (UPN); the police hold a record of the first (9041-9043,
    then 9044-9045)."""

    def known(uid: int, source: str, postcode: str, **fields) -> SourceRecord:
        return _child(uid, source, "Precious", last_name="Smith", postcodes=[postcode], **fields)

    return [
        known(9041, "health", "N17 6AA", nhs_number="4000000001"),
        known(9042, "school", "N17 6AA", upn="Z309000000001"),
        known(9043, "police", "N17 6AA"),
        known(9044, "health", "LS6 2AB", nhs_number="4000000002"),
        known(9045, "school", "LS6 2AB", upn="Z309000000002"),
    ]


def _namesakes_apart(linked: engine.Linked) -> bool:
    clusters = linked.clusters
    return (
        len({clusters[u] for u in (9041, 9042, 9043)}) == 1
        and len({clusters[u] for u in (9044, 9045)}) == 1
        and clusters[9041] != clusters[9044]
    )


def test_namesakes_are_not_chained_into_one_cluster_through_records_without_identifiers(
    background,
):
    # Compared directly, one namesake's health record and the other's school record share no
    # identifier and score as a match, so connected components alone would make one cluster
    # of all five records; the clusters must not hold two NHS numbers or two UPNs.
    linked = _link([*background, *_namesakes()])
    assert any(pair & {9041, 9042, 9043} and pair & {9044, 9045} for pair in _pairs(linked))
    assert _namesakes_apart(linked)


def test_an_agreeing_identifier_links_records_with_little_else_in_common(background):
    one = SourceRecord(unique_id=9031, source="ssda903", upn="Z309000012345", sex="F")
    other = _child(9032, "school", "Tia", upn="Z309000012345")
    linked = _link([*background, one, other])
    assert frozenset((9031, 9032)) in _pairs(linked)


def test_febrl1_links_at_f1_0999():
    result = febrl.run(1, u_pairs=5e5)
    assert result.scores.f1 >= 0.999


def _java_available() -> bool:
    return shutil.which("java") is not None


@pytest.mark.slow
@pytest.mark.skipif(
    not _java_available() and os.environ.get("CI") != "true",
    reason="Java is not installed (CI always runs this test)",
)
def test_spark_backend_finds_the_same_pairs_as_duckdb():
    # With the namesakes, the clusters are split on both backends too.
    records = [*synthetic.generate(records=250, seed=3), *_namesakes()]
    table = _table(records)
    parameters = model.load_parameters()
    on_duckdb = engine.link(table, parameters=parameters, explain=False)
    session = engine.spark_session(partitions=2)
    on_spark = engine.link(
        table, db_api=engine.spark_api(session), parameters=parameters, explain=False
    )
    assert on_spark.prior == pytest.approx(on_duckdb.prior)
    assert _pairs(on_spark) == _pairs(on_duckdb)
    assert _partition(on_spark) == _partition(on_duckdb)
    assert _namesakes_apart(on_spark)
    duck = {
        frozenset((p["unique_id_l"], p["unique_id_r"])): p["match_probability"]
        for p in on_duckdb.pairs
    }
    for p in on_spark.pairs:
        assert p["match_probability"] == pytest.approx(
            duck[frozenset((p["unique_id_l"], p["unique_id_r"]))], abs=1e-6
        )


def test_every_trained_comparison_is_trained_by_some_em_session():
    # Splink's EM leaves out comparisons that read a column of the session's blocking rule;
    # a comparison left out of every session would keep untrained m probabilities.
    sessions = [
        set(re.findall(r'[lr]\."(\w+)"', rule.get_blocking_rule("duckdb").blocking_rule_sql))
        for rule in model.training_rules()
    ]
    for field in model.fields():
        trained = {i for i, level in enumerate(field.levels) if not level.is_null_level}
        if trained <= set(field.fixed):
            continue
        used = model.columns(field)
        assert any(not (used & blocked) for blocked in sessions), field.name
