r"""A search that outgrows one notebook: an Optuna study of the digits, in a database.

`Optuna <https://optuna.org>`_ (Akiba et al., 2019) organises a search in four parts:

- the **objective** turns one **trial**'s hyperparameters into a score. Here it trains
  the chapter's digits MLP with the learning rate, weight decay and momentum that the
  trial suggests, and returns its validation accuracy;
- the **sampler** proposes the next trial's hyperparameters: ``RandomSampler`` draws
  them independently, ``TPESampler`` (the Tree-structured Parzen Estimator, Bergstra
  et al., 2011) fits two densities to the trials so far, :math:`l(x)` over the best
  fraction :math:`\gamma` of them and :math:`g(x)` over the rest, and proposes the
  candidate with the largest ratio

  .. math::

      x_\text{next} = \arg\max_x \; l(x) / g(x);

- the **pruner** stops unpromising trials early: the objective reports its validation
  accuracy after each epoch (``trial.report``), and successive halving or Hyperband
  (Li et al., 2018) keeps only the best fraction of the trials at each rung;
- the **storage** records every trial. ``sqlite:///study.db`` is a file: the search
  survives a restart, and several worker processes can share it, each running
  ``python -m actlib.study``. The same command with a PostgreSQL or MySQL URL
  (``postgresql://user:password@host/db``) lets workers on many machines share one
  study; nothing else changes.

The search space samples what acts by multiplication on a log scale: the learning
rate, the weight decay and :math:`1 - \beta` for the momentum :math:`\beta`, since
0.9 and 0.99 differ as much as 0.99 and 0.999 (the average runs over about
:math:`1/(1 - \beta)` = 10, 100 and 1000 steps).

A worker that is killed (a closed laptop, a pre-empted machine) leaves its trial in
the state ``RUNNING`` for ever. With a heartbeat (``open_storage(url,
heartbeat_interval=...)``) every worker records that it is alive, and
:func:`fail_stale_trials` marks a trial whose worker has been silent for longer than
the grace period ``FAIL``; without one, :func:`fail_running_trials` marks them once you
know that no worker is left.

Command line (one worker; start several for a parallel search)::

    python -m actlib.study --storage sqlite:///study.db --study-name digits \
        --n-trials 20 --sampler tpe --pruner hyperband --seed 0

Taught in the chapter "Hyperparameter search".
"""

import argparse
import json
import math
import os
import socket
import warnings
from pathlib import Path

import numpy as np
import torch
from torch.nn import functional as F

from .._validate import check_choice, check_number
from ..data import load_digits
from ..models import mlp
from ..training import evaluate

__all__ = [
    "SAMPLERS",
    "PRUNERS",
    "digits_validation_split",
    "suggest_sgd",
    "train_epochs",
    "digits_objective",
    "make_sampler",
    "make_pruner",
    "sqlite_url",
    "open_storage",
    "open_study",
    "fail_stale_trials",
    "fail_running_trials",
    "best_trial_summary",
]

# optuna is imported inside the functions: importing actlib stays fast for the
# chapters that do not search
SAMPLERS = ("tpe", "random")
PRUNERS = ("none", "median", "halving", "hyperband")


def digits_validation_split(seed=2026, device=None):
    """The chapter's digits: 1347 training images cut into training and validation.

    ``load_digits(seed=0)``'s training split, cut by scikit-learn's
    ``train_test_split`` into three quarters that fit the weights and one quarter that
    judges the hyperparameters, stratified so that every digit keeps its share. The
    test images are not returned: a search never sees them.

    Args:
        seed: ``random_state`` of the cut. Default: 2026 (the chapter's ``SEED``).
        device: where the tensors go. Default: ``None`` (the CPU).

    Returns:
        ``(X_tr, y_tr, X_val, y_val)``; X float32 ``(N, 64)``, y int64 ``(N,)``, with
        1010 training and 337 validation images.

    Example::

        >>> X_tr, y_tr, X_val, y_val = digits_validation_split()
        >>> len(X_tr), len(X_val)
        (1010, 337)

    Taught in the chapter "Hyperparameter search".
    """
    from sklearn.model_selection import train_test_split

    seed = check_number("seed", seed, low=0, high=2**32 - 1, integer=True)
    X, y, _, _ = load_digits(seed=0)
    tr, va = train_test_split(
        np.arange(len(y)), test_size=0.25, stratify=y, random_state=seed
    )
    return tuple(t.to(device) for t in (X[tr], y[tr], X[va], y[va]))


def _check_log_range(name, bounds):
    if not (isinstance(bounds, (tuple, list)) and len(bounds) == 2):
        raise TypeError(f"{name} must be a pair (low, high), got {bounds!r}")
    low = check_number(f"{name}[0]", bounds[0], low=0, low_open=True, finite=True)
    high = check_number(f"{name}[1]", bounds[1], low=0, low_open=True, finite=True)
    if high <= low:
        raise ValueError(f"{name}={tuple(bounds)!r}: high must be larger than low")
    return low, high


def suggest_sgd(
    trial, *, lr=(1e-3, 1.0), weight_decay=(1e-6, 1e-1), one_minus_momentum=(1e-2, 1.0)
):
    r"""Ask ``trial`` for SGD's learning rate, weight decay and momentum, on log scales.

    .. math::

        \log \text{lr},\ \log \lambda,\ \log(1 - \beta) \ \text{uniform}, \qquad
        \beta = 1 - (1 - \beta)

    :math:`1 - \beta` is sampled rather than :math:`\beta`: the momentum averages
    about :math:`1 / (1 - \beta)` gradients, so 0.9, 0.99 and 0.999 are equal steps
    on this scale. The trial records the momentum as its user attribute
    ``"momentum"``.

    Args:
        trial: an ``optuna.Trial`` (from ``study.optimize`` or ``study.ask()``).
        lr: range of the learning rate. Default: ``(1e-3, 1.0)``.
        weight_decay: range of the weight decay. Default: ``(1e-6, 1e-1)``.
        one_minus_momentum: range of :math:`1 - \beta`. Default: ``(1e-2, 1.0)``,
            momentum 0 to 0.99.

    Returns:
        ``{"lr": ..., "weight_decay": ..., "momentum": ...}``, the keywords of
        ``actlib.fit``.

    Example::

        >>> hp = suggest_sgd(optuna.trial.FixedTrial(
        ...     {"lr": 0.1, "weight_decay": 1e-4, "one_minus_momentum": 0.1}))
        >>> round(hp["momentum"], 6)
        0.9

    Taught in the chapter "Hyperparameter search".
    """
    ranges = {
        "lr": _check_log_range("lr", lr),
        "weight_decay": _check_log_range("weight_decay", weight_decay),
        "one_minus_momentum": _check_log_range(
            "one_minus_momentum", one_minus_momentum
        ),
    }
    if ranges["one_minus_momentum"][1] > 1:
        raise ValueError(
            f"one_minus_momentum={tuple(one_minus_momentum)!r} must lie in (0, 1]: "
            "the momentum must lie in [0, 1)"
        )
    x = {name: trial.suggest_float(name, *r, log=True) for name, r in ranges.items()}
    momentum = 1.0 - x["one_minus_momentum"]
    trial.set_user_attr("momentum", momentum)
    return {"lr": x["lr"], "weight_decay": x["weight_decay"], "momentum": momentum}


def train_epochs(
    net,
    X,
    y,
    X_val,
    y_val,
    *,
    epochs,
    lr,
    weight_decay=0.0,
    momentum=0.0,
    batch_size=64,
    seed=0,
):
    r"""Train ``net`` as ``actlib.fit`` does, yielding the validation score each epoch.

    The same shuffling (a ``torch.Generator`` seeded by ``seed``), the same batches
    and the same SGD steps as ``fit(net, X, y, optimizer="sgd", ...)``,

    .. math::

        v \leftarrow \mu v + \nabla_\theta L + \lambda\theta, \qquad
        \theta \leftarrow \theta - \text{lr}\, v,

    but a generator: after each epoch it yields ``(epoch, val_loss, val_acc)``
    (epochs counted from 1), so a pruner can stop the training between two epochs.
    The training set is not evaluated (``fit`` does), which saves a third of the
    time. A non-finite training loss ends the generator early: the learning rate is
    far too high.

    The step is written out rather than taken by ``torch.optim.SGD`` (the tests check
    that both agree): the first ``torch.optim`` step of a process imports
    ``torch._dynamo``, which cost a fresh worker process more time than a short trial.

    Args:
        net: an ``nn.Module`` returning logits; trained in place on its device.
        X, y: training inputs ``(N, d_in)`` and int64 labels ``(N,)``.
        X_val, y_val: validation inputs and labels.
        epochs: passes over the data, at least 1.
        lr, weight_decay, momentum: SGD's hyperparameters, as in ``fit``.
        batch_size: examples per step. Default: 64.
        seed: seed of the shuffling. Default: 0.

    Yields:
        ``(epoch, val_loss, val_acc)`` after each completed epoch.

    Example::

        >>> for epoch, loss, acc in train_epochs(net, X_tr, y_tr, X_val, y_val,
        ...                                      epochs=3, lr=0.1):
        ...     print(epoch, round(acc, 3))

    Taught in the chapter "Hyperparameter search".
    """
    epochs = check_number("epochs", epochs, low=1, integer=True)
    lr = check_number("lr", lr, low=0, low_open=True, finite=True)
    weight_decay = check_number("weight_decay", weight_decay, low=0, finite=True)
    momentum = check_number("momentum", momentum, low=0, high=1)
    if momentum == 1:
        raise ValueError("momentum=1 is out of range; valid values lie in [0, 1)")
    batch_size = check_number("batch_size", batch_size, low=1, integer=True)
    device = next(net.parameters()).device
    X, y, X_val, y_val = (t.to(device) for t in (X, y, X_val, y_val))
    params = [p for p in net.parameters() if p.requires_grad]
    velocity = [torch.zeros_like(p) for p in params]
    generator = torch.Generator().manual_seed(seed)  # the shuffling, as in fit
    for epoch in range(1, epochs + 1):
        net.train()
        order = torch.randperm(len(X), generator=generator).to(device)  # (N,)
        for start in range(0, len(X), batch_size):
            idx = order[start : start + batch_size]
            loss = F.cross_entropy(net(X[idx]), y[idx])
            if not math.isfinite(loss.item()):  # diverged: stop here
                return
            grads = torch.autograd.grad(loss, params)
            with torch.no_grad():
                for p, g, v in zip(params, grads, velocity):
                    # v <- mu v + (g + lambda theta);  theta <- theta - lr v
                    v.mul_(momentum).add_(g).add_(p, alpha=weight_decay)
                    p.sub_(v, alpha=lr)
        val_loss, val_acc = evaluate(net, X_val, y_val)
        yield epoch, val_loss, val_acc


def digits_objective(
    data=None, *, epochs=10, sizes=(64, 64, 10), batch_size=64, seed=0, ranges=None
):
    r"""An Optuna objective: train the digits MLP with a trial's SGD hyperparameters.

    Each call of the returned ``objective(trial)`` asks the trial for a learning rate,
    a weight decay and a momentum (:func:`suggest_sgd`), trains a fresh ``mlp(sizes)``
    (initial weights drawn from ``seed``: every trial starts from the same network)
    for up to ``epochs`` epochs with :func:`train_epochs`, and returns the final
    validation accuracy. After each epoch it reports the validation accuracy
    (``trial.report(acc, epoch)``); when the study's pruner says so
    (``trial.should_prune()``) it stops and raises ``optuna.TrialPruned``. A trial
    whose loss becomes non-finite scores 0 and records the user attribute
    ``"diverged"``. Every trial records ``"epochs"``, the epochs it trained.

    Args:
        data: ``(X_tr, y_tr, X_val, y_val)``. Default: ``None``,
            :func:`digits_validation_split` on the CPU.
        epochs: the most epochs a trial trains (the pruner's maximum resource).
            Default: 10.
        sizes: layer widths of the MLP. Default: ``(64, 64, 10)``.
        batch_size: examples per step. Default: 64.
        seed: seed of the initial weights and of the shuffling. Default: 0.
        ranges: keywords of :func:`suggest_sgd` (its ranges). Default: its defaults.

    Returns:
        ``objective(trial) -> float``, for ``study.optimize(objective, ...)``; it
        maximises (``direction="maximize"``).

    Example::

        >>> study = optuna.create_study(direction="maximize")
        >>> study.optimize(digits_objective(epochs=3), n_trials=5)
        >>> study.best_params        # {'lr': ..., 'weight_decay': ..., ...}

    Taught in the chapter "Hyperparameter search".
    """
    import optuna

    epochs = check_number("epochs", epochs, low=1, integer=True)
    seed = check_number("seed", seed, low=0, high=2**63 - 1, integer=True)
    ranges = {} if ranges is None else dict(ranges)
    X_tr, y_tr, X_val, y_val = digits_validation_split() if data is None else data

    def objective(trial):
        hp = suggest_sgd(trial, **ranges)
        net = mlp(list(sizes), generator=torch.Generator().manual_seed(seed))
        net = net.to(X_tr.device)
        acc, done = 0.0, 0
        for epoch, _, acc in train_epochs(
            net, X_tr, y_tr, X_val, y_val, epochs=epochs, batch_size=batch_size,
            seed=seed, **hp,
        ):  # fmt: skip
            done = epoch
            trial.report(acc, epoch)
            if trial.should_prune():
                trial.set_user_attr("epochs", done)
                raise optuna.TrialPruned()
        trial.set_user_attr("epochs", done)
        if done < epochs:  # the loss became non-finite
            trial.set_user_attr("diverged", True)
            return 0.0
        return acc

    return objective


def make_sampler(name="tpe", seed=None):
    """Optuna's sampler ``"tpe"`` (``TPESampler``) or ``"random"`` (``RandomSampler``).

    Give every worker of one study its own ``seed``: workers with the same seed
    propose the same first trials.

    Taught in the chapter "Hyperparameter search".
    """
    import optuna

    check_choice("sampler", name, SAMPLERS)
    if seed is not None:
        seed = check_number("seed", seed, low=0, high=2**32 - 1, integer=True)
    if name == "tpe":
        return optuna.samplers.TPESampler(seed=seed)
    return optuna.samplers.RandomSampler(seed=seed)


def make_pruner(name="none", *, max_resource=10, reduction_factor=3):
    """Optuna's pruner ``"none"``, ``"median"``, ``"halving"`` or ``"hyperband"``.

    - ``"median"``: stops a trial whose accuracy at an epoch is below the median of
      the earlier trials at that epoch (after 5 trials and 1 epoch);
    - ``"halving"``: successive halving from 1 epoch; at each rung (1, 3, 9, ...
      epochs for ``reduction_factor=3``) a trial goes on only if it is in the best
      third of the trials that reached that rung;
    - ``"hyperband"``: several brackets of successive halving that start at different
      numbers of epochs, up to ``max_resource`` (Li et al., 2018).

    Args:
        name: one of ``PRUNERS``. Default: ``"none"``.
        max_resource: the most epochs of a trial (Hyperband only). Default: 10.
        reduction_factor: the kept fraction at each rung is ``1 / reduction_factor``.
            Default: 3.

    Taught in the chapter "Hyperparameter search".
    """
    import optuna

    check_choice("pruner", name, PRUNERS)
    max_resource = check_number("max_resource", max_resource, low=1, integer=True)
    reduction_factor = check_number(
        "reduction_factor", reduction_factor, low=2, integer=True
    )
    if name == "median":
        return optuna.pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=1)
    if name == "halving":
        return optuna.pruners.SuccessiveHalvingPruner(
            min_resource=1, reduction_factor=reduction_factor
        )
    if name == "hyperband":
        return optuna.pruners.HyperbandPruner(
            min_resource=1, max_resource=max_resource, reduction_factor=reduction_factor
        )
    return optuna.pruners.NopPruner()


def sqlite_url(path):
    """The storage URL of an SQLite file: ``sqlite:///`` and its absolute path.

    Example::

        >>> sqlite_url("/tmp/study.db")
        'sqlite:////tmp/study.db'
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or a path, got {type(path).__name__}")
    return "sqlite:///" + str(Path(path).resolve())


def open_storage(url, *, heartbeat_interval=None, grace_period=None, timeout=60.0):
    """An ``optuna.storages.RDBStorage`` for ``url``, ready for several workers.

    SQLite lets one process write at a time; ``timeout`` makes a worker wait that many
    seconds for the lock instead of failing. With ``heartbeat_interval`` (seconds)
    each running trial records that its worker is alive; a trial silent for longer than
    ``grace_period`` (default: twice the interval) is stale, and the next worker to
    start a trial, or :func:`fail_stale_trials`, marks it ``FAIL``. Optuna calls the
    heartbeat experimental; its warning is silenced here.

    Args:
        url: a SQLAlchemy URL: ``sqlite:///study.db`` (a file beside the notebook),
            ``postgresql://user:password@host/db``, ``mysql+pymysql://...``.
        heartbeat_interval: seconds between heartbeats, or ``None`` (no heartbeat).
            Default: ``None``.
        grace_period: seconds after which a silent trial is stale. Default: ``None``.
        timeout: seconds SQLite waits for a lock. Default: 60.

    Taught in the chapter "Hyperparameter search".
    """
    import optuna

    if not isinstance(url, str) or "://" not in url:
        raise ValueError(
            f"storage={url!r} is not a database URL; use e.g. 'sqlite:///study.db' "
            "or 'postgresql://user:password@host/db'"
        )
    engine_kwargs = None
    if url.startswith("sqlite"):
        timeout = check_number("timeout", timeout, low=0, finite=True)
        engine_kwargs = {"connect_args": {"timeout": timeout}}
    beat = {}
    if heartbeat_interval is not None:
        beat["heartbeat_interval"] = check_number(
            "heartbeat_interval", heartbeat_interval, low=1, integer=True
        )
        if grace_period is not None:
            beat["grace_period"] = check_number(
                "grace_period", grace_period, low=1, integer=True
            )
    elif grace_period is not None:
        raise ValueError("grace_period needs a heartbeat_interval")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        return optuna.storages.RDBStorage(url, engine_kwargs=engine_kwargs, **beat)


def open_study(
    storage, study_name, *, sampler="tpe", pruner="none", seed=None, max_resource=10
):
    """Create the study ``study_name`` in ``storage``, or load it if it exists.

    Every worker calls this with the same storage and name and gets the same study:
    its trials so far, its direction (maximise the validation accuracy). The sampler
    and pruner are the worker's own (they are not stored).

    Args:
        storage: a URL (see :func:`open_storage`) or an ``optuna`` storage.
        study_name: the study's name in the database.
        sampler: ``"tpe"`` or ``"random"``, or an ``optuna`` sampler. Default:
            ``"tpe"``.
        pruner: one of ``PRUNERS``, or an ``optuna`` pruner. Default: ``"none"``.
        seed: the sampler's seed (give each worker its own). Default: ``None``.
        max_resource: the most epochs of a trial (for Hyperband). Default: 10.

    Returns:
        an ``optuna.Study``.

    Example::

        >>> study = open_study("sqlite:///study.db", "digits", pruner="hyperband")
        >>> study.optimize(digits_objective(), n_trials=20)

    Taught in the chapter "Hyperparameter search".
    """
    import optuna

    if not isinstance(study_name, str) or not study_name.strip():
        raise ValueError(f"study_name must be a non-empty string, got {study_name!r}")
    if isinstance(storage, str):
        storage = open_storage(storage)
    if isinstance(sampler, str):
        sampler = make_sampler(sampler, seed)
    if isinstance(pruner, str):
        pruner = make_pruner(pruner, max_resource=max_resource)
    return optuna.create_study(
        storage=storage,
        study_name=study_name,
        sampler=sampler,
        pruner=pruner,
        direction="maximize",
        load_if_exists=True,
    )


def fail_stale_trials(study):
    """Mark ``FAIL`` the running trials whose worker's heartbeat stopped; return them.

    ``optuna.storages.fail_stale_trials``, without its experimental warning, returning
    the numbers of the trials it failed. Needs a storage opened with a heartbeat
    (:func:`open_storage`); without one it fails nothing. A trial that never recorded
    a heartbeat (its worker died between creating it and the first beat) is never
    stale: :func:`fail_running_trials` clears it once no worker is left.

    Taught in the chapter "Hyperparameter search".
    """
    import optuna

    running = _numbers(study, optuna.trial.TrialState.RUNNING)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        optuna.storages.fail_stale_trials(study)
    return sorted(running & _numbers(study, optuna.trial.TrialState.FAIL))


def fail_running_trials(study):
    """Mark every ``RUNNING`` trial of ``study`` ``FAIL``; return their numbers.

    For a storage without a heartbeat, after a crash: run it only when no worker is
    running, or it fails trials that are still training.

    Taught in the chapter "Hyperparameter search".
    """
    import optuna

    running = sorted(_numbers(study, optuna.trial.TrialState.RUNNING))
    for number in running:
        study.tell(number, state=optuna.trial.TrialState.FAIL, skip_if_finished=True)
    return running


def _numbers(study, state):
    return {t.number for t in study.get_trials(deepcopy=False, states=(state,))}


def best_trial_summary(study):
    """The study's best trial and its counts of trials, as a dict ready for JSON.

    Keys: ``study_name``, ``best_value`` (validation accuracy), ``best_trial`` (its
    number), ``params`` (as sampled), ``momentum``, ``epochs``, and ``complete``,
    ``pruned``, ``failed``, ``running`` (numbers of trials in each state). Without a
    complete trial the best fields are ``None``.

    Taught in the chapter "Hyperparameter search".
    """
    import optuna

    states = optuna.trial.TrialState
    trials = study.get_trials(deepcopy=False)
    count = {s: sum(t.state == s for t in trials) for s in states}
    summary = {"study_name": study.study_name}
    best = None
    if count[states.COMPLETE]:
        best = study.best_trial
    summary.update(
        best_value=None if best is None else best.value,
        best_trial=None if best is None else best.number,
        params=None if best is None else best.params,
        momentum=None if best is None else best.user_attrs.get("momentum"),
        epochs=None if best is None else best.user_attrs.get("epochs"),
        complete=count[states.COMPLETE],
        pruned=count[states.PRUNED],
        failed=count[states.FAIL],
        running=count[states.RUNNING],
    )
    return summary


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        value = None
    if value is None or value < 1:
        raise argparse.ArgumentTypeError(
            f"invalid value {text!r}: expected an integer >= 1"
        )
    return value


def _seed(text):
    try:
        value = int(text)
    except ValueError:
        value = None
    if value is None or not 0 <= value < 2**32:
        raise argparse.ArgumentTypeError(
            f"invalid value {text!r}: expected an integer in [0, 2**32)"
        )
    return value


def _parser():
    p = argparse.ArgumentParser(
        prog="python -m actlib.study",
        description="One worker of an Optuna study of the digits MLP (SGD learning "
        "rate, weight decay, momentum). Start several with the same --storage and "
        "--study-name to search in parallel; they share the study's trials.",
    )
    p.add_argument(
        "--storage",
        required=True,
        help="database URL: sqlite:///study.db (a file), postgresql://user:pw@host/db",
    )
    p.add_argument("--study-name", required=True, help="the study's name")
    p.add_argument(
        "--n-trials", type=_positive_int, required=True, help="trials this worker runs"
    )
    p.add_argument("--sampler", choices=SAMPLERS, default="tpe")
    p.add_argument("--pruner", choices=PRUNERS, default="none")
    p.add_argument(
        "--seed", type=_seed, default=None, help="sampler seed (one per worker)"
    )
    p.add_argument(
        "--epochs", type=_positive_int, default=10, help="most epochs of a trial"
    )
    p.add_argument(
        "--threads", type=_positive_int, default=1, help="torch threads (default 1)"
    )
    p.add_argument(
        "--heartbeat",
        type=_positive_int,
        default=10,
        help="seconds between heartbeats; a trial silent for twice as long is "
        "marked FAIL by the next worker (default 10)",
    )
    p.add_argument(
        "--output",
        default=None,
        help="JSON file of the best trial (default: STUDY_NAME-best.json)",
    )
    p.add_argument(
        "--data",
        default=None,
        help="train on this file, torch.save((X_tr, y_tr, X_val, y_val), PATH): "
        "float inputs (N, d) and int64 labels (N,); the MLP becomes (d, 64, "
        "classes). Default: the digits validation split",
    )
    p.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    return p


def _load_data(parser, path):
    """``(X_tr, y_tr, X_val, y_val)`` from ``--data`` and the MLP's sizes; a bad file
    ends the command line with a message that names it."""

    def bad(why):
        parser.error(f"argument --data: invalid value {path!r}: {why}")

    try:
        data = torch.load(path, weights_only=True)
    except FileNotFoundError:
        bad("no such file")
    except Exception as e:  # not a torch.save file
        bad(f"not a file of torch.save ({type(e).__name__})")
    if not (isinstance(data, (tuple, list)) and len(data) == 4):
        bad("expected a tuple (X_tr, y_tr, X_val, y_val)")
    X, y, X_val, y_val = data
    for name, x, labels in (("train", X, y), ("validation", X_val, y_val)):
        if not (torch.is_tensor(x) and x.ndim == 2 and x.is_floating_point()):
            bad(f"the {name} inputs must be a float tensor (N, d)")
        if not (torch.is_tensor(labels) and labels.dtype == torch.int64):
            bad(f"the {name} labels must be an int64 tensor (N,)")
        if labels.shape != x.shape[:1] or (labels < 0).any():
            bad(f"the {name} labels must be (N,) classes 0, 1, ..., one per input")
    if X_val.shape[1] != X.shape[1]:
        bad("the train and validation inputs have different widths")
    classes = int(max(y.max(), y_val.max())) + 1
    return (X, y, X_val, y_val), (X.shape[1], 64, classes)


def main(argv=None):
    """The command line ``python -m actlib.study``: one worker of a study; returns 0.

    Runs ``--n-trials`` trials of :func:`digits_objective` (on the digits, or on
    the tensors of ``--data``: a worker started from a notebook gets the notebook's
    data, and skips loading the digits with scikit-learn) in the study
    ``--study-name`` of ``--storage`` (created if it does not exist), with a
    progress bar, then prints the study's best trial and writes it to a JSON file
    (:func:`best_trial_summary`). Several workers may run at once on one study;
    each trial records its worker (``"host:pid"``) as the user attribute
    ``"worker"``, and the heartbeat (every ``--heartbeat`` seconds) lets the other
    workers mark ``FAIL`` the trial of a worker that was killed.
    Bad arguments end it with a message naming the argument, the value and the
    valid choices (exit status 2).

    Taught in the chapter "Hyperparameter search".
    """
    import optuna
    from tqdm.auto import tqdm

    parser = _parser()
    args = parser.parse_args(argv)
    if not args.study_name.strip():
        parser.error(f"argument --study-name: invalid value {args.study_name!r}")
    if "://" not in args.storage:
        parser.error(
            f"argument --storage: invalid value {args.storage!r}: not a database URL; "
            f"use e.g. sqlite:///{args.storage}"
        )
    data, sizes = (None, (64, 64, 10))
    if args.data is not None:
        data, sizes = _load_data(parser, args.data)
    torch.set_num_threads(args.threads)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    storage = open_storage(args.storage, heartbeat_interval=args.heartbeat)
    study = open_study(
        storage,
        args.study_name,
        sampler=args.sampler,
        pruner=args.pruner,
        seed=args.seed,
        max_resource=args.epochs,
    )
    bar = tqdm(total=args.n_trials, desc=args.study_name, disable=args.no_progress)

    def tick(study, trial):
        bar.update(1)
        if any(t.state.name == "COMPLETE" for t in study.get_trials(deepcopy=False)):
            bar.set_postfix(best=f"{study.best_value:.4f}")

    train = digits_objective(data, epochs=args.epochs, sizes=sizes, seed=0)
    worker = f"{socket.gethostname()}:{os.getpid()}"

    def objective(trial):
        trial.set_user_attr("worker", worker)  # which process ran the trial
        return train(trial)

    study.optimize(objective, n_trials=args.n_trials, callbacks=[tick])
    bar.close()
    summary = best_trial_summary(study)
    output = Path(args.output or f"{args.study_name}-best.json")
    partial = output.with_name(output.name + f".{os.getpid()}.tmp")
    partial.write_text(json.dumps(summary, indent=2) + "\n")
    partial.replace(output)  # atomic: two workers never write half a file
    print(json.dumps(summary))
    return 0
