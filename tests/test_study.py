"""Tests for actlib/study: the Optuna objective, the storage helpers and the workers.

- ``train_epochs`` against ``actlib.fit``, whose steps ``torch.optim.SGD`` takes.
- The search space against its definition: log scales, momentum = 1 - (1 - beta).
- The objective's reports, pruning and divergence; a study in SQLite that resumes.
- The command line, its errors, and two worker processes on one SQLite study, one of
  them killed mid-trial: no completed trial is lost, the killed one ends ``FAIL``.
"""

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import optuna
import pytest
import torch

import actlib
from actlib.study import main

ROOT = Path(__file__).resolve().parent.parent
optuna.logging.set_verbosity(optuna.logging.WARNING)
State = optuna.trial.TrialState


@pytest.fixture(scope="module")
def data():
    X_tr, y_tr, X_val, y_val = actlib.digits_validation_split()
    # a small slice keeps the objective's trainings short
    return X_tr[:256], y_tr[:256], X_val[:128], y_val[:128]


def fixed(lr=0.1, weight_decay=1e-4, one_minus_momentum=0.1):
    return optuna.trial.FixedTrial(
        {
            "lr": lr,
            "weight_decay": weight_decay,
            "one_minus_momentum": one_minus_momentum,
        }
    )


# ------------------------------------------------------------------ data, search space


def test_the_validation_split_is_the_chapters_stratified_quarter():
    X_tr, y_tr, X_val, y_val = actlib.digits_validation_split()
    assert (len(X_tr), len(X_val)) == (1010, 337)
    X_train, y_train, _, _ = actlib.load_digits(seed=0)
    # together they are the training split, each image once
    rows = torch.cat([X_tr, X_val])
    assert torch.equal(rows.sum(0), X_train.sum(0)) or torch.allclose(
        rows.sum(0), X_train.sum(0), atol=1e-3
    )
    share = np.bincount(y_val.numpy(), minlength=10) / len(y_val)
    full = np.bincount(y_train.numpy(), minlength=10) / len(y_train)
    assert np.abs(share - full).max() < 0.01  # stratified
    again = actlib.digits_validation_split()
    assert all(torch.equal(a, b) for a, b in zip(again, (X_tr, y_tr, X_val, y_val)))


def test_suggest_sgd_returns_fits_keywords_with_momentum_one_minus_beta():
    trial = fixed(lr=0.3, weight_decay=1e-5, one_minus_momentum=0.01)
    hp = actlib.suggest_sgd(trial)
    assert hp == pytest.approx({"lr": 0.3, "weight_decay": 1e-5, "momentum": 0.99})


def test_suggest_sgd_samples_each_decade_equally():
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    draws = [actlib.suggest_sgd(study.ask()) for _ in range(600)]
    for key, (low, high) in [
        ("lr", (1e-3, 1.0)),
        ("weight_decay", (1e-6, 1e-1)),
    ]:
        x = np.log10([d[key] for d in draws])
        assert x.min() >= np.log10(low) and x.max() <= np.log10(high)
        counts = np.histogram(x, bins=int(np.log10(high / low)))[0] / len(x)
        assert np.abs(counts - 1 / len(counts)).max() < 0.07, (key, counts)
    # 1 - momentum: half of the draws in [0.01, 0.1] (momentum 0.9 to 0.99)
    one_minus = np.array([1 - d["momentum"] for d in draws])
    assert abs((one_minus < 0.1).mean() - 0.5) < 0.07
    # on a linear scale of the momentum only 10% of [0, 0.99] lies above 0.9
    assert (one_minus < 0.1).mean() > 0.4


@pytest.mark.parametrize(
    "kwargs, error, words",
    [
        ({"lr": (1.0, 0.1)}, ValueError, "lr=(1.0, 0.1)"),
        ({"lr": 0.1}, TypeError, "lr must be a pair"),
        ({"weight_decay": (0.0, 1e-2)}, ValueError, "weight_decay[0]=0.0"),
        ({"one_minus_momentum": (0.1, 2.0)}, ValueError, "one_minus_momentum"),
    ],
)
def test_suggest_sgd_rejects_bad_ranges(kwargs, error, words):
    with pytest.raises(error) as info:
        actlib.suggest_sgd(fixed(), **kwargs)
    assert words in str(info.value)


# ------------------------------------------------------------------ training


def test_train_epochs_takes_the_steps_of_fit_and_torch_optim(data):
    X_tr, y_tr, X_val, y_val = data
    hp = {"lr": 0.05, "momentum": 0.9, "weight_decay": 1e-3}
    nets = [
        actlib.mlp([64, 32, 10], generator=torch.Generator().manual_seed(1))
        for _ in range(2)
    ]
    ours = list(
        actlib.train_epochs(
            nets[0], X_tr, y_tr, X_val, y_val, epochs=3, batch_size=32, seed=5, **hp
        )
    )
    # actlib.fit steps with torch.optim.SGD: the oracle
    history = actlib.fit(
        nets[1],
        X_tr,
        y_tr,
        epochs=3,
        batch_size=32,
        seed=5,
        X_val=X_val,
        y_val=y_val,
        progress=False,
        **hp,
    )
    assert [e for e, _, _ in ours] == [1, 2, 3]
    torch.testing.assert_close(
        [v for _, v, _ in ours], history.val_loss, rtol=1e-4, atol=1e-6
    )
    assert [a for _, _, a in ours] == history.val_acc
    for p, q in zip(nets[0].parameters(), nets[1].parameters()):
        torch.testing.assert_close(p, q, rtol=1e-4, atol=1e-6)


def test_train_epochs_stops_when_the_loss_diverges(data):
    net = actlib.mlp([64, 32, 10], generator=torch.Generator().manual_seed(0))
    epochs = list(actlib.train_epochs(net, *data, epochs=5, lr=1e6))
    assert len(epochs) < 5


def test_train_epochs_rejects_bad_hyperparameters(data):
    net = actlib.mlp([64, 32, 10])
    for kwargs, words in [
        ({"lr": 0.0}, "lr=0.0"),
        ({"lr": 0.1, "momentum": 1.0}, "momentum=1"),
        ({"lr": 0.1, "weight_decay": -1.0}, "weight_decay=-1.0"),
        ({"lr": 0.1, "epochs": 0}, "epochs=0"),
    ]:
        kwargs = {"epochs": 2, **kwargs}
        with pytest.raises(ValueError, match=words):
            next(actlib.train_epochs(net, *data, **kwargs))


# ------------------------------------------------------------------ the objective


def test_the_objective_reports_every_epoch_and_returns_the_last(data):
    study = optuna.create_study(direction="maximize")
    study.enqueue_trial({"lr": 0.1, "weight_decay": 1e-4, "one_minus_momentum": 0.1})
    study.optimize(actlib.digits_objective(data, epochs=3), n_trials=1)
    trial = study.trials[0]
    assert trial.state == State.COMPLETE
    assert sorted(trial.intermediate_values) == [1, 2, 3]
    assert trial.value == trial.intermediate_values[3] > 0.5
    assert trial.user_attrs["epochs"] == 3
    assert trial.user_attrs["momentum"] == pytest.approx(0.9)
    # the same run by hand
    net = actlib.mlp([64, 64, 10], generator=torch.Generator().manual_seed(0))
    hand = list(
        actlib.train_epochs(
            net, *data, epochs=3, lr=0.1, weight_decay=1e-4, momentum=0.9, seed=0
        )
    )
    assert trial.value == hand[-1][2]


class PruneAfterOne(optuna.pruners.BasePruner):
    def prune(self, study, trial):
        return True


def test_a_pruned_trial_stops_after_the_epoch_the_pruner_rejects(data):
    study = optuna.create_study(direction="maximize", pruner=PruneAfterOne())
    study.optimize(actlib.digits_objective(data, epochs=4), n_trials=2)
    assert [t.state for t in study.trials] == [State.PRUNED] * 2
    assert all(list(t.intermediate_values) == [1] for t in study.trials)
    assert all(t.user_attrs["epochs"] == 1 for t in study.trials)


def test_a_diverged_trial_scores_zero(data):
    study = optuna.create_study(direction="maximize")
    objective = actlib.digits_objective(data, epochs=3, ranges={"lr": (1e5, 1e6)})
    study.optimize(objective, n_trials=1)
    trial = study.trials[0]
    assert trial.value == 0.0 and trial.user_attrs["diverged"]


# ------------------------------------------------------------------ samplers, pruners


def test_samplers_and_pruners_by_name():
    assert isinstance(actlib.make_sampler("tpe", 0), optuna.samplers.TPESampler)
    assert isinstance(actlib.make_sampler("random"), optuna.samplers.RandomSampler)
    kinds = {
        "none": optuna.pruners.NopPruner,
        "median": optuna.pruners.MedianPruner,
        "halving": optuna.pruners.SuccessiveHalvingPruner,
        "hyperband": optuna.pruners.HyperbandPruner,
    }
    for name, kind in kinds.items():
        assert isinstance(actlib.make_pruner(name), kind)
    with pytest.raises(ValueError, match=r"sampler='cmaes'.*\['tpe', 'random'\]"):
        actlib.make_sampler("cmaes")
    with pytest.raises(ValueError, match=r"pruner='asha'.*'hyperband'"):
        actlib.make_pruner("asha")
    with pytest.raises(ValueError, match="reduction_factor=1"):
        actlib.make_pruner("halving", reduction_factor=1)


# ------------------------------------------------------------------ storage


def test_storage_urls_and_their_errors(tmp_path):
    assert actlib.sqlite_url(tmp_path / "s.db") == f"sqlite:///{tmp_path}/s.db"
    with pytest.raises(ValueError, match="storage='study.db' is not a database URL"):
        actlib.open_storage("study.db")
    with pytest.raises(ValueError, match="grace_period needs a heartbeat_interval"):
        actlib.open_storage(actlib.sqlite_url(tmp_path / "s.db"), grace_period=3)
    with pytest.raises(ValueError, match="study_name must be a non-empty"):
        actlib.open_study(actlib.sqlite_url(tmp_path / "s.db"), " ")


def test_a_study_in_sqlite_resumes_after_a_restart(tmp_path, data):
    url = actlib.sqlite_url(tmp_path / "study.db")
    objective = actlib.digits_objective(data, epochs=1)
    study = actlib.open_study(url, "digits", seed=0)
    study.optimize(objective, n_trials=2)
    del study  # the kernel restarts: only the file remains
    study = actlib.open_study(url, "digits", seed=1)
    assert len(study.trials) == 2
    study.optimize(objective, n_trials=1)
    assert [t.number for t in study.trials] == [0, 1, 2]
    assert all(t.state == State.COMPLETE for t in study.trials)
    assert study.direction == optuna.study.StudyDirection.MAXIMIZE


def test_fail_running_trials_marks_an_abandoned_trial(tmp_path):
    study = actlib.open_study(actlib.sqlite_url(tmp_path / "s.db"), "s")
    study.tell(study.ask(), 0.5)
    study.ask()  # a trial whose worker never tells: RUNNING for ever
    assert actlib.fail_running_trials(study) == [1]
    assert [t.state for t in study.trials] == [State.COMPLETE, State.FAIL]
    summary = actlib.best_trial_summary(study)
    assert (summary["complete"], summary["failed"], summary["running"]) == (1, 1, 0)
    assert summary["best_value"] == 0.5 and summary["best_trial"] == 0


def test_a_trial_without_a_heartbeat_is_never_stale(tmp_path):
    # a worker killed between creating a trial and its first beat: no beat, no stale
    storage = actlib.open_storage(
        actlib.sqlite_url(tmp_path / "s.db"), heartbeat_interval=1, grace_period=1
    )
    study = actlib.open_study(storage, "s")
    with pytest.warns(UserWarning, match="Heartbeat of storage"):  # ask() never beats
        study.ask()  # RUNNING, and no heartbeat thread ever beats for it
    time.sleep(2.5)  # well past the grace period
    assert actlib.fail_stale_trials(study) == []
    assert actlib.fail_running_trials(study) == [0]


def test_the_summary_of_a_study_without_a_complete_trial():
    study = optuna.create_study(direction="maximize", study_name="empty")
    summary = actlib.best_trial_summary(study)
    assert summary["best_value"] is None and summary["complete"] == 0
    json.dumps(summary)


# ------------------------------------------------------------------ the command line


def test_the_command_line_runs_trials_and_writes_the_best(tmp_path, capsys):
    url = actlib.sqlite_url(tmp_path / "study.db")
    out = tmp_path / "best.json"
    argv = ["--storage", url, "--study-name", "cli", "--n-trials", "2", "--epochs"]
    assert main([*argv, "1", "--seed", "3", "--output", str(out), "--no-progress"]) == 0
    summary = json.loads(out.read_text())
    assert summary["complete"] == 2 and summary["study_name"] == "cli"
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1]) == summary
    study = optuna.load_study(study_name="cli", storage=url)
    assert summary["best_value"] == study.best_value
    assert all("worker" in t.user_attrs for t in study.trials)


def test_the_command_line_trains_on_the_tensors_of_a_data_file(tmp_path, capsys):
    # three classes of 5-D points: the MLP becomes (5, 64, 3), and the trials agree
    # with the objective on the same tensors
    g = torch.Generator().manual_seed(0)
    X, X_val = torch.randn(90, 5, generator=g), torch.randn(30, 5, generator=g)
    y, y_val = X[:, :3].argmax(1), X_val[:, :3].argmax(1)
    torch.save((X, y, X_val, y_val), tmp_path / "data.pt")
    url = actlib.sqlite_url(tmp_path / "study.db")
    argv = ["--storage", url, "--study-name", "d", "--n-trials", "2", "--epochs", "2"]
    argv += ["--data", str(tmp_path / "data.pt"), "--seed", "1", "--no-progress"]
    assert main([*argv, "--output", str(tmp_path / "best.json")]) == 0
    study = optuna.load_study(study_name="d", storage=url)
    objective = actlib.digits_objective(
        (X, y, X_val, y_val), epochs=2, sizes=(5, 64, 3)
    )
    for t in study.trials:
        assert objective(optuna.trial.FixedTrial(t.params)) == t.value


@pytest.mark.parametrize(
    "content, words",
    [
        (None, ["--data", "no such file"]),
        (b"not a tensor file", ["--data", "not a file of torch.save"]),
        ((torch.zeros(3, 2),), ["--data", "a tuple (X_tr, y_tr, X_val, y_val)"]),
        (
            (torch.zeros(3, 2), torch.zeros(3), torch.zeros(2, 2), torch.zeros(2)),
            ["--data", "train labels must be an int64 tensor"],
        ),
        (
            (
                torch.zeros(3, 2),
                torch.zeros(3).long(),
                torch.zeros(2, 4),
                torch.zeros(2).long(),
            ),
            ["--data", "different widths"],
        ),  # fmt: skip
    ],
)
def test_the_command_line_names_a_bad_data_file(tmp_path, content, words, capsys):
    path = tmp_path / "data.pt"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        torch.save(content, path)
    argv = ["--storage", actlib.sqlite_url(tmp_path / "s.db"), "--study-name", "s"]
    with pytest.raises(SystemExit) as info:
        main([*argv, "--n-trials", "1", "--data", str(path)])
    assert info.value.code == 2
    err = capsys.readouterr().err
    for word in words:
        assert word in err, (word, err)
    assert not (tmp_path / "s.db").exists(), "a bad --data file creates no study"


@pytest.mark.parametrize(
    "args, words",
    [
        (["--sampler", "grid"], ["--sampler", "'grid'", "tpe", "random"]),
        (["--pruner", "asha"], ["--pruner", "'asha'", "none", "median", "hyperband"]),
        (["--n-trials", "0"], ["--n-trials", "'0'", ">= 1"]),
        (["--seed", "-1"], ["--seed", "'-1'"]),
        (["--storage", "study.db"], ["--storage", "'study.db'", "sqlite:///"]),
        (["--study-name", " "], ["--study-name", "' '"]),
    ],
)
def test_the_command_line_names_a_bad_argument_and_its_choices(args, words, capsys):
    base = {"--storage": "sqlite:///x.db", "--study-name": "s", "--n-trials": "1"}
    base.update(dict(zip(args[::2], args[1::2])))
    with pytest.raises(SystemExit) as info:
        main([x for kv in base.items() for x in kv])
    assert info.value.code == 2
    err = capsys.readouterr().err
    for word in words:
        assert word in err, (word, err)


# ------------------------------------------------------------------ two workers


def _worker(url, seed, n_trials, epochs, tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "actlib.study",
            "--storage",
            url,
            "--study-name",
            "shared",
            "--n-trials",
            str(n_trials),
            "--epochs",
            str(epochs),
            "--seed",
            str(seed),
            "--heartbeat",
            "1",
            "--output",
            str(tmp_path / f"best{seed}.json"),
            "--no-progress",
        ],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _wait(condition, timeout, what):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        found = condition()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _has_heartbeat(path, trial):
    """Whether Optuna's table of heartbeats holds a beat of ``trial``."""
    with contextlib.closing(sqlite3.connect(path, timeout=60)) as db:
        row = db.execute(
            "SELECT 1 FROM trial_heartbeats WHERE trial_id = ?", (trial._trial_id,)
        ).fetchone()
    return row is not None


def test_two_workers_share_a_study_and_a_killed_trial_ends_failed(tmp_path):
    url = actlib.sqlite_url(tmp_path / "study.db")
    storage = actlib.open_storage(url, heartbeat_interval=1, grace_period=2)
    killed = _worker(url, seed=0, n_trials=1000, epochs=20, tmp_path=tmp_path)
    survivor = _worker(url, seed=1, n_trials=3, epochs=20, tmp_path=tmp_path)
    try:
        study = _wait(
            lambda: (
                optuna.load_study(study_name="shared", storage=storage)
                if "shared" in optuna.get_all_study_names(storage)
                else None
            ),
            60,
            "the study",
        )
        me = f":{killed.pid}"

        def mid_trial():  # the victim has completed a trial and is inside another
            trials = study.get_trials(deepcopy=False)
            mine = [t for t in trials if t.user_attrs.get("worker", "").endswith(me)]
            done = [t for t in mine if t.state == State.COMPLETE]
            # the heartbeat thread writes its first beat while the objective starts:
            # wait for it, a trial killed before its first beat is never stale
            running = [
                t
                for t in mine
                if t.state == State.RUNNING and _has_heartbeat(tmp_path / "study.db", t)
            ]
            return running[0].number if done and running else None

        victim = _wait(mid_trial, 120, "a trial of the first worker")
        killed.send_signal(signal.SIGKILL)
        killed.wait(10)
        t_kill = time.monotonic()
        before = {t.number: t.value for t in study.get_trials(states=(State.COMPLETE,))}
        assert survivor.wait(120) == 0, survivor.stderr.read().decode()
    finally:
        for p in (killed, survivor):
            if p.poll() is None:
                p.kill()
                p.wait()
    # the heartbeat stopped at the kill: after the grace period the trial is stale
    time.sleep(max(0.0, 3.0 - (time.monotonic() - t_kill)))
    actlib.fail_stale_trials(study)
    trials = {t.number: t for t in study.get_trials()}
    assert trials[victim].state == State.FAIL
    # no completed trial is lost, the survivor's trials are all there
    assert all(trials[n].state == State.COMPLETE for n in before)
    assert all(trials[n].value == v for n, v in before.items())
    theirs = [
        t
        for t in trials.values()
        if t.user_attrs["worker"].endswith(f":{survivor.pid}")
    ]
    assert [t.state for t in theirs] == [State.COMPLETE] * 3
    assert not [t for t in trials.values() if t.state == State.RUNNING]
    summary = json.loads((tmp_path / "best1.json").read_text())
    assert summary["complete"] >= len(before) and summary["best_trial"] != victim
    final = actlib.best_trial_summary(study)
    assert final["complete"] == sum(t.state == State.COMPLETE for t in trials.values())
