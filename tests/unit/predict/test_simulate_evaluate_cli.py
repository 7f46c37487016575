"""The office simulator, the evaluation report and the `predict` commands (through click's runner)."""

import json
from collections import Counter

import pytest
from click.testing import CliRunner

from qserve.predict.cli import parse_rule, predict
from qserve.predict.evaluate import PREDICTORS, evaluate_log, format_table
from qserve.predict.eventlog import read_eventlog
from qserve.predict.scenarios import SCENARIOS
from qserve.predict.simulate import simulate


def test_the_simulator_is_repeatable_and_its_log_is_consistent():
    rows = simulate("full", days=1, seed=3)
    assert rows == simulate("full", days=1, seed=3)
    outcomes = Counter(r.outcome for r in rows)
    assert outcomes["served"] > 100 and outcomes["no_show"] and outcomes["abandoned"] + outcomes["cancelled"]
    for r in rows:
        assert r.called_at is None or r.joined_at <= r.called_at
        assert (r.started_at is not None) == (r.outcome == "served")
        assert r.finished_at is not None
    assert {r.priority for r in rows} == {0, 1, 2}


def test_the_plain_scenario_is_an_m_m_c_queue():
    rows = simulate("mmc", days=2, seed=1)
    assert {r.service for r in rows} == {"A"} and {r.priority for r in rows} == {0}
    assert len({r.counter for r in rows}) == 4 and {r.outcome for r in rows} == {"served"}


def test_an_unknown_scenario_is_named():
    with pytest.raises(KeyError, match="unknown scenario 'bank'"):
        simulate("bank", days=1)


def test_the_evaluation_reports_every_predictor_at_join_and_at_updates():
    report = evaluate_log(simulate("skills", days=2, seed=2), replications=40)
    assert set(report["predictors"]) == set(PREDICTORS)
    for kinds in report["predictors"].values():
        for kind in ("join", "update"):
            metrics = kinds[kind]
            assert metrics["n"] > 20 and metrics["mae_s"] >= 0 and 0 <= metrics["coverage_80"] <= 1
    assert set(report["targets"]) == {"join", "update"}
    assert "qserve" in format_table(report)


@pytest.mark.parametrize(
    ("text", "kind", "detail"),
    [("strict", "strict", None), ("max_in_row:2", "max_in_row", 2), ("ageing:900", "ageing", 900)],
)
def test_fairness_rules_are_read_from_the_command_line(text, kind, detail):
    rule = parse_rule(text)
    assert rule.kind == kind
    assert detail is None or detail in (rule.max_in_row, rule.credit_s)


def test_simulate_then_evaluate_from_the_command_line(tmp_path):
    runner = CliRunner()
    log = tmp_path / "office.csv"
    result = runner.invoke(
        predict, ["simulate", "--scenario", "mmc", "--days", "2", "--seed", "4", "--out", str(log)]
    )
    assert result.exit_code == 0, result.output
    assert len(read_eventlog(log)) > 300
    report_path = tmp_path / "report.json"
    arguments = ["evaluate", "--log", str(log), "--train-until", "2026-01-06", "--json", str(report_path)]
    result = runner.invoke(predict, [*arguments, "--replications", "40"])
    assert result.exit_code == 0, result.output
    assert "queue_length" in result.output and "coverage" in result.output
    report = json.loads(report_path.read_text())
    assert report["scored_from"].startswith("2026-01-06")


def test_evaluate_refuses_a_log_it_cannot_read(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("ticket_id,service\n1,A\n")
    result = CliRunner().invoke(predict, ["evaluate", "--log", str(bad)])
    assert result.exit_code != 0 and "missing columns" in result.output


def test_train_from_a_log_writes_an_estimator(tmp_path):
    runner = CliRunner()
    log, model = tmp_path / "office.csv", tmp_path / "estimator.pkl"
    runner.invoke(predict, ["simulate", "--scenario", "skills", "--days", "1", "--out", str(log)])
    result = runner.invoke(predict, ["train", "--log", str(log), "--out", str(model), "--sample-every", "4"])
    assert result.exit_code == 0, result.output
    assert model.exists() and "trained on" in result.output


def test_every_scenario_has_a_description_and_the_cli_lists_them():
    result = CliRunner().invoke(predict, ["simulate", "--help"])
    for name, scenario in SCENARIOS.items():
        assert name in result.output and scenario.description
