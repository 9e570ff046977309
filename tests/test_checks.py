"""Tests for actlib/checks: the machinery, every registered check, and its reference.

- The machinery (``check_function``, ``check_value``, ``ExerciseError``) on small
  made-up exercises.
- Every check of the registry against its reference answer (it must pass) and against
  each mistake of its catalogue (it must fail with that mistake's hint); a few more
  wrong answers pin where the messages point.
- Every reference against an oracle that shares no code with it: torch (autograd,
  ``torch.nn``, ``torch.nn.init``'s draws, ``BatchNorm1d``), numpy and scipy closed
  forms, scikit-learn, or a brute-force count or simulation.
- The chapters call exactly the registered checks, each from its own chapter.
"""

import itertools
import json
import math
import re
from pathlib import Path

import numpy as np
import pytest
import scipy.integrate
import scipy.linalg
import scipy.optimize
import scipy.special
import scipy.stats
import torch
import torch.nn.functional as F
from sklearn.preprocessing import StandardScaler
from torch import nn

import actlib
from actlib.checks import ExerciseError, check_function, check_value
from actlib.checks.registry import EXERCISES

ROOT = Path(__file__).resolve().parent.parent

# ------------------------------------------------------------------ the machinery


def test_check_function_accepts_a_right_answer_and_prints_one_line(capsys):
    check_function(
        lambda z: z.clamp(min=0),
        torch.relu,
        [torch.linspace(-3, 3, 7)],
        name="relu",
        hint="max(0, z)",
    )
    out = capsys.readouterr().out
    assert out == "Correct: relu matches the reference on 7 inputs.\n"
    pair = lambda low, high: (low, high)  # noqa: E731
    actlib.check_function(pair, pair, [(1, 2), (3, 4)], name="pair", hint="h")
    out = capsys.readouterr().out
    assert out == "Correct: pair matches the reference on 2 inputs (4 values).\n"


def test_check_function_names_input_expected_value_and_hint():
    with pytest.raises(ExerciseError) as info:
        check_function(
            lambda z: z,
            torch.relu,
            [torch.tensor([-2.0, 1.0])],
            name="relu",
            hint="max(0, z)",
        )
    message = str(info.value)
    assert "z = -2" in message and "expected 0" in message and "got -2" in message
    assert "max(0, z)" in message


def test_exercise_error_keeps_the_parts_of_its_message():
    with pytest.raises(ExerciseError) as info:
        check_function(
            lambda z: z, torch.relu, [torch.tensor([-2.0, 1.0])], name="relu", hint="h"
        )
    err = info.value
    assert (err.where, err.expected, err.got, err.hint) == ("z = -2", "0", "-2", "h")
    assert str(err) == err.message() == f"{err.problem} Hint: h"


def test_a_wrong_answer_shows_one_message_in_jupyter_not_a_traceback():
    # IPython (and so Jupyter and Colab) lets an exception render itself: the reader
    # sees the problem and the hint, never the check's frames (reference, mistakes)
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output

    shell = InteractiveShell.instance()
    shell.user_ns.update(actlib=actlib, torch=torch)
    with capture_output() as shown:
        shell.run_cell("actlib.check_sigmoid_grad(lambda z: z * (1 - z))")
    text = shown.stdout + shown.stderr
    assert "ExerciseError: sigmoid_grad is wrong at" in text
    assert "Hint:" in text
    assert "Traceback" not in text and "registry" not in text and "core.py" not in text
    assert len(text.strip().splitlines()) <= 4, text
    with capture_output() as shown:
        shell.run_cell(
            "s = torch.sigmoid; actlib.check_sigmoid_grad(lambda z: s(z) * (1 - s(z)))"
        )
    assert "Correct" in shown.stdout


def test_exercise_error_is_an_assertion_error():
    assert issubclass(ExerciseError, AssertionError)


def test_check_function_rejects_a_non_callable_answer():
    with pytest.raises(TypeError, match="must be a function"):
        check_function(3, torch.relu, [torch.zeros(2)], name="relu", hint="h")


def test_check_function_rejects_bad_reference_and_inputs():
    with pytest.raises(TypeError, match="reference"):
        check_function(torch.relu, "relu", [torch.zeros(2)], name="relu", hint="h")
    with pytest.raises(TypeError, match="inputs"):
        check_function(torch.relu, torch.relu, 3, name="relu", hint="h")
    with pytest.raises(ValueError, match="empty"):
        check_function(torch.relu, torch.relu, [], name="relu", hint="h")


def test_check_function_reports_a_wrong_shape():
    with pytest.raises(
        ExerciseError, match=r"returned shape \(\).*expected shape \(5,\).*element-wise"
    ):
        check_function(
            lambda z: torch.relu(z).sum(),
            torch.relu,
            [torch.randn(5)],
            name="relu",
            hint="h",
        )


def _not_implemented(z):
    raise NotImplementedError("write relu")


@pytest.mark.parametrize(
    "answer, match",
    [
        (lambda z: None, "returned None.*return"),
        (lambda z: 1 / 0, "raised ZeroDivisionError.*Hint: h"),
        (_not_implemented, "not written yet"),
        (lambda z: "0", "returned a str"),
        (lambda z: True, "a truth value"),
    ],
)
def test_check_function_reports_none_exceptions_and_non_numbers(answer, match):
    with pytest.raises(ExerciseError, match=match):
        check_function(answer, torch.relu, [torch.zeros(2)], name="relu", hint="h")


def test_check_function_explains_non_finite_values():
    with pytest.raises(ExerciseError, match="not a finite number"):
        check_function(
            lambda z: torch.exp(z) / torch.exp(z),
            torch.ones_like,
            [torch.tensor([1000.0])],
            name="one",
            hint="h",
        )


def test_check_function_does_not_let_the_answer_spoil_the_input(capsys):
    def in_place(z):
        return z.clamp_(min=0)  # changes its input: the reference must not see it

    check_function(
        in_place, torch.relu, [torch.tensor([-1.0, 2.0])], name="relu", hint="h"
    )
    assert capsys.readouterr().out.startswith("Correct")


def test_check_function_names_a_known_mistake():
    with pytest.raises(ExerciseError, match="known slip"):
        check_function(
            lambda z: -z,
            lambda z: z,
            [torch.ones(3)],
            name="f",
            hint="generic",
            mistakes=[(lambda z: -z, "known slip")],
        )


def test_an_answer_that_is_mostly_nan_matches_no_known_mistake():
    # overflowed entries are excused when matching known mistakes (see the minus sign of
    # tanh_from_sigmoid below), but not all of them
    with pytest.raises(ExerciseError) as info:
        check_function(
            lambda z: torch.full_like(z, float("nan")),
            lambda z: z,
            [torch.ones(10)],
            name="f",
            hint="generic",
            mistakes=[(lambda z: -z, "known slip")],
        )
    assert "generic" in str(info.value) and "known slip" not in str(info.value)


def test_check_value(capsys):
    check_value(0.25, 1 / 4, name="the largest slope", hint="σ'(0)")
    assert capsys.readouterr().out == "Correct: the largest slope = 0.25.\n"
    with pytest.raises(ExerciseError) as info:
        check_value(0.3, 1 / 4, name="the largest slope", hint="σ'(0)")
    message = str(info.value)
    assert "σ'(0)" in message and "0.25" not in message  # the answer is not given away
    with pytest.raises(ExerciseError, match="is None"):
        check_value(None, 1.0, name="x", hint="h")
    with pytest.raises(ExerciseError, match="shape"):
        check_value(torch.ones(2), torch.ones(3), name="x", hint="h")


# --------------------------------------------------------------- every registered check


def _answers():
    """(check, answer, hint): each check's reference (hint None) and its mistakes."""
    for name, ex in EXERCISES.items():
        yield pytest.param(ex.check, ex.reference, None, id=f"{name}-reference")
        for i, mistake in enumerate(ex.mistakes):
            yield pytest.param(ex.check, mistake.answer, mistake.hint, id=f"{name}-{i}")


@pytest.mark.parametrize("check, answer, hint", list(_answers()))
def test_a_check_accepts_its_reference_and_names_each_mistake(
    check, answer, hint, capsys
):
    if hint is None:
        check(answer)
        assert capsys.readouterr().out.startswith("Correct: ")
    else:
        with pytest.raises(ExerciseError) as info:
            check(answer)
        assert info.value.hint == hint
        assert str(info.value).endswith(f"Hint: {hint}")


@pytest.mark.parametrize("name", EXERCISES)
def test_a_check_refuses_an_answer_that_is_not_a_function(name):
    with pytest.raises(TypeError, match="must be a function"):
        EXERCISES[name].check(0.5)  # the answer called instead of passed


def test_the_registry_holds_every_check_with_mistakes():
    # which checks exist is the chapters' business: the chapters call exactly the
    # registered checks (test_the_chapters_call_exactly_the_registered_checks_...)
    assert EXERCISES
    for name, ex in EXERCISES.items():
        assert getattr(actlib, name) is ex.check and name in actlib.__all__
        assert ex.mistakes, f"{name} names no common mistake"


def _sigmoid_grad_overflowing(z):
    return torch.exp(-z) / (1 + torch.exp(-z)) ** 2


# Wrong answers beyond the catalogue: where the message points, the generic hint, the
# overflow note, a known mistake written another way.
@pytest.mark.parametrize(
    "name, answer, match",
    [
        ("check_sigmoid_grad", _sigmoid_grad_overflowing, "z = -10000.*not a finite"),
        (
            "check_elu_grad",
            lambda z, alpha: torch.where(z >= 0, 1.0, alpha * torch.exp(z)),
            "z = 0, alpha = 0.5.*left piece",
        ),
        (
            "check_chain_gain",
            lambda w, L: 0.25**L * abs(w) ** L,
            "w = -4, L = 1: expected -1, got 1",
        ),
        (
            "check_largest_safe_lr",
            lambda lrs, dead: float(lrs[0]),
            "expected 0.5, got 0.1",
        ),
        (
            "check_logsumexp",
            lambda z: torch.log(torch.exp(z).sum(-1)),
            "1000, 0, -1000.*got inf.*subtract the row's maximum",
        ),
        (
            "check_logsumexp",
            lambda z: torch.logsumexp(z, dim=-1, keepdim=True),
            r"shape \(1,\).*expected shape \(\)",
        ),
        ("check_is_affine", lambda f, x: 1.0, "True or False"),
        ("check_xor_relu", lambda x: 1 - (x[:, 0] != x[:, 1]).double(), "XNOR"),
        ("check_whiten", lambda X: X[:, :1], "same shape"),
        ("check_running_var_after", lambda bs, m: bs, "running_var"),
        ("check_layer_norm_backward", lambda dy, z, g, eps: dy, "return three tensors"),
        ("check_which_bug", lambda case: 5, "does a prediction depend"),
        (  # scaling the columns fails on a non-square W, before it can be named
            "check_fold_batchnorm",
            lambda W, b, g, be, m, v, eps: (W * (g / torch.sqrt(v + eps)), b),
            "raised RuntimeError.*each ROW of W is scaled",
        ),
    ],
)
def test_other_wrong_answers(name, answer, match):
    with pytest.raises(ExerciseError, match=match):
        EXERCISES[name].check(answer)


def test_a_prediction_in_range_passes_and_a_wrong_one_gets_its_hint(capsys):
    def right(X, y, w, b):
        return ((X @ w + b > 0).long() == y).double().mean()

    actlib.check_line_accuracy(right, prediction=0.75)
    assert "prediction" in capsys.readouterr().out.splitlines()[-1]
    with pytest.raises(ExerciseError, match="better than a coin"):
        actlib.check_line_accuracy(right, prediction=0.5)
    with pytest.raises(ExerciseError, match="10 cuts make 11"):
        actlib.check_count_plateaus(lambda v: 1 + (v.diff() != 0).sum(), prediction=10)
    actlib.check_line_accuracy(right, prediction=...)  # the skeleton: reported only
    assert "No prediction" in capsys.readouterr().out
    with pytest.raises(ExerciseError, match="one number"):
        actlib.check_line_accuracy(right, prediction=[0.75, 0.5])


def test_the_mystery_networks_are_affine_exactly_where_the_exercise_says():
    from actlib.checks.nonlinearity import _mystery_points, mystery_networks

    x, nets = _mystery_points(), mystery_networks()
    for name, f in nets.items():
        active = [float((f[:i](x) > 0).double().mean()) for i in (2, 4)]
        if name == "a":
            assert active == [1.0, 1.0]  # every ReLU is the identity on the data
        if name == "c":
            assert active[0] == 0.0  # every first-layer unit is dead
    assert [EXERCISES["check_is_affine"].reference(f, x) for f in nets.values()] == [
        True,
        False,
        True,
        False,
    ]


# ------------------------------------------------------------------ the references


def _close(got, want, rtol=1e-9, atol=1e-12):
    np.testing.assert_allclose(np.asarray(got, dtype=float), want, rtol=rtol, atol=atol)


def _np(t):
    return t.detach().numpy()


def _args(case):
    return case if isinstance(case, tuple) else (case,)


def oracle_sigmoid_grad(ref, cases):
    for z in cases:
        s = scipy.special.expit(_np(z))
        _close(ref(z), s * (1 - s))


def oracle_chain_gain(ref, cases):
    for w, L in cases:  # autograd through the chain, in float64
        a0 = torch.zeros((), dtype=torch.float64, requires_grad=True)
        a = a0
        for _ in range(L):
            a = torch.sigmoid(w * a) - 0.5
        (grad,) = torch.autograd.grad(a, a0)
        _close(ref(w, L), grad.item())


def oracle_leaky_mean(ref, cases):
    for s, sigma in cases:  # the mean as an integral over the normal density
        mean, _ = scipy.integrate.quad(
            lambda z: max(s * z, z) * scipy.stats.norm.pdf(z, scale=sigma),
            -np.inf,
            np.inf,
        )
        _close(ref(s, sigma), mean, rtol=1e-7, atol=1e-9)


def oracle_elu_grad(ref, cases):
    for z, alpha in cases:
        x = _np(z)
        _close(ref(z, alpha), np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0))))


def oracle_logsumexp(ref, cases):
    for z in cases:
        _close(ref(z), scipy.special.logsumexp(_np(z), axis=-1))


def oracle_line_accuracy(ref, cases):
    for X, y, w, b in cases:  # one point at a time, in plain Python
        right = [
            (sum(wi * xi for wi, xi in zip(w.tolist(), x)) + float(b) > 0) == bool(t)
            for x, t in zip(X.tolist(), y.tolist())
        ]
        _close(ref(X, y, w, b), sum(right) / len(right))


def oracle_count_plateaus(ref, cases):
    for losses in cases:
        _close(ref(losses), len(list(itertools.groupby(losses.tolist()))), atol=0)


def oracle_is_affine(ref, cases):
    for f, x in cases:  # affine iff every midpoint maps to the midpoint of the images
        i = torch.randperm(len(x), generator=torch.Generator().manual_seed(0))
        mid = f((x + x[i]) / 2)
        gap = float((mid - (f(x) + f(x[i])) / 2).abs().max() / f(x).abs().max())
        assert ref(f, x) == (gap < 1e-9), gap


def oracle_xor_relu(ref, cases):
    for x in cases:
        _close(ref(x), [int(a) ^ int(b) for a, b in x.tolist()], atol=0)


def oracle_hat(ref, cases):
    for x in cases:  # the triangle through (-1, 0), (0, 1), (1, 0); 0 outside
        _close(ref(x), np.interp(_np(x), [-1, 0, 1], [0, 1, 0]))


def oracle_maxout_square(ref, cases):
    for x, k in cases:
        # x² is convex: the largest tangent at x is the one at the centre t of the
        # cell holding x, and the gap x² - (2tx - t²) = (x - t)² is at most 1/k².
        cell = np.clip(np.floor((_np(x) + 1) * k / 2), 0, k - 1)
        t = -1 + (2 * cell + 1) / k
        _close(ref(x, k), _np(x) ** 2 - (_np(x) - t) ** 2)
        assert float((x**2 - ref(x, k)).max()) <= 1 / k**2 + 1e-12


def oracle_condition_number(ref, cases):
    for X in cases:
        lam = np.linalg.eigvalsh(_np(X).T @ _np(X) / len(X))
        _close(ref(X), lam.max() / lam.min(), rtol=1e-7)


def oracle_standardize(ref, cases):
    for X_train, X_test in cases:  # StandardScaler also divides a constant feature by 1
        scaler = StandardScaler().fit(_np(X_train))
        _close(ref(X_train, X_test), scaler.transform(_np(X_test)))


def oracle_kappa_mean_spread(ref, cases):
    for m, sd, D in cases:  # the eigenvalues of s^2 I + m^2 11^T, numerically
        lam = np.linalg.eigvalsh(sd**2 * np.eye(D) + m**2 * np.ones((D, D)))
        _close(ref(m, sd, D), lam.max() / lam.min(), rtol=1e-7)


def oracle_which_transform(ref, cases):
    from actlib.checks.preprocessing import _which_cases

    truth = [name for _, name in _which_cases()]  # the transforms that made the data
    assert [ref(Z) for Z in cases] == truth


def oracle_bias_scale(ref, cases):
    from actlib.checks.preprocessing import _kappa_with_bias

    for X in cases:  # brute force: no c on a fine grid does better than ref's
        s = float(X.std())
        grid = [s * f for f in np.linspace(0.2, 3, 281)]
        best = min(float(_kappa_with_bias(X, c)) for c in grid)
        assert float(_kappa_with_bias(X, ref(X))) <= best * 1.01


def oracle_whiten(ref, cases):
    for X in cases:  # ZCA: X_c Σ^(-1/2), Σ^(-1/2) by scipy's matrix power
        Y, Xc = _np(ref(X)), _np(X - X.mean(0))
        sigma = np.cov(Xc.T, bias=True)
        _close(Y, Xc @ scipy.linalg.fractional_matrix_power(sigma, -0.5), atol=1e-9)
        _close(Y.mean(axis=0), 0, atol=1e-10)
        _close(np.cov(Y.T, bias=True), np.eye(X.shape[1]), atol=1e-10)


def oracle_dead_for_good(ref, cases):
    for (masks,) in cases:  # unit by unit: silent, and fed by inputs that never move
        silent_layers = [layer for layer, m in enumerate(masks) if all(m.tolist())]
        deepest = silent_layers[-1] if silent_layers else -1  # no gradient below it
        expected = [
            bool(silent) and (layer == 0 or layer <= deepest + 1)
            for layer, m in enumerate(masks)
            for silent in m.tolist()
        ]
        assert ref(masks).tolist() == expected


def oracle_largest_safe_lr(ref, cases):
    for lrs, dead in cases:  # row by row
        safe = [lr for lr, row in zip(lrs.tolist(), dead.tolist()) if max(row) == 0]
        assert float(ref(lrs, dead)) == max(safe)


def _std_of_draw(init_, shape, **kwargs):
    """The standard deviation torch.nn.init drew with: its draw over the N(0, 1) one.

    ``init_`` fills the tensor by ``normal_(0, std)``, which is ``std`` times the
    standard normal draw of the same generator state.
    """
    w = init_(
        torch.empty(shape, dtype=torch.float64),
        generator=torch.Generator().manual_seed(0),
        **kwargs,
    )
    z = torch.empty(shape, dtype=torch.float64).normal_(
        generator=torch.Generator().manual_seed(0)
    )
    ratio = w / z
    assert float(ratio.max() - ratio.min()) < 1e-12
    return float(ratio.mean())


def oracle_xavier_std(ref, cases):
    for fan_in, fan_out in cases:  # a Linear weight has shape (fan_out, fan_in)
        std = _std_of_draw(nn.init.xavier_normal_, (fan_out, fan_in))
        _close(ref(fan_in, fan_out), std)


def oracle_he_std(ref, cases):
    for fan_in, a in cases:
        std = _std_of_draw(
            nn.init.kaiming_normal_, (1, fan_in), a=a, nonlinearity="leaky_relu"
        )
        _close(ref(fan_in, a), std)


def oracle_conv_fans(ref, cases):
    for o, i, kh, kw in cases:
        weight = torch.rand(o, i, kh, kw, dtype=torch.float64) + 0.5  # no zero
        # fan_in: how many inputs one output value reads
        x = torch.zeros(1, i, kh, kw, dtype=torch.float64, requires_grad=True)
        F.conv2d(x, weight)[0, 0].sum().backward()
        fan_in = int((x.grad != 0).sum())
        # fan_out: how many output values one input value feeds
        one = torch.zeros(1, i, 1, 1, dtype=torch.float64)
        one[0, 0] = 1.0
        fan_out = int((F.conv2d(one, weight, padding=(kh - 1, kw - 1)) != 0).sum())
        assert tuple(ref(o, i, kh, kw)) == (fan_in, fan_out)


def oracle_torch_default_std(ref, cases):
    for fan_in in cases:
        with torch.random.fork_rng():
            torch.manual_seed(0)
            layer = nn.Linear(fan_in, math.ceil(200_000 / fan_in))
        w = layer.weight.detach().double()
        assert float(w.abs().max()) <= 1 / math.sqrt(fan_in)  # U(-l, l), l = 1/√fan_in
        _close(ref(fan_in), float(w.std()), rtol=0.01)


def oracle_zero_init_loss(ref, cases):
    for counts in cases:  # train a softmax bias alone, the only parameter that learns
        y = torch.repeat_interleave(
            torch.arange(len(counts)), counts.long()
        )  # the labels themselves
        b = torch.zeros(len(counts), dtype=torch.float64, requires_grad=True)
        opt = torch.optim.LBFGS([b], max_iter=200, tolerance_grad=1e-12)

        def closure():
            opt.zero_grad()
            loss = F.cross_entropy(b.expand(len(y), -1), y)
            loss.backward()
            return loss

        opt.step(closure)
        with torch.no_grad():
            loss = F.cross_entropy(b.expand(len(y), -1), y)
        _close(ref(counts), float(loss), rtol=1e-6, atol=1e-8)


def oracle_grad_ratios(ref, cases):
    n, N = 300, 400
    for c, depth in cases:  # a linear network, simulated; autograd gives the gradients
        g = torch.Generator().manual_seed(depth)
        Ws = [
            (
                math.sqrt(c / n) * torch.randn(n, n, generator=g, dtype=torch.float64)
            ).requires_grad_()
            for _ in range(depth)
        ]
        x = torch.randn(N, n, generator=g, dtype=torch.float64)
        zs, h = [], x
        for W in Ws:
            h = h @ W.T
            h.retain_grad()
            zs.append(h)
        r = torch.randn(N, n, generator=g, dtype=torch.float64)
        (h * r).sum().backward()  # dL/dz at the top: random, unit variance
        w_ratio = float(Ws[0].grad.std() / Ws[-1].grad.std())
        z_ratio = float(zs[0].grad.std() / zs[-1].grad.std())
        want_w, want_z = ref(c, depth)
        _close(w_ratio, want_w, rtol=0.15)
        _close(z_ratio, want_z, rtol=0.15)


def oracle_odd_layer(ref, cases):
    for a_std in cases:  # brute force: the layer whose removal leaves the most alike
        factors = (a_std[1:] / a_std[:-1]).log()
        spread = [
            float(torch.cat([factors[:k], factors[k + 1 :]]).std())
            for k in range(len(factors))
        ]
        assert ref(a_std) == 1 + int(np.argmin(spread))


def oracle_branch_scale(ref, cases):
    for depth, growth in cases:  # solve (1 + a^2)^depth = growth numerically
        alpha = scipy.optimize.brentq(
            lambda a: depth * math.log1p(a * a) - math.log(growth), 0.0, 10.0
        )
        _close(ref(depth, growth), alpha, rtol=1e-8)


def oracle_running_var_after(ref, cases):
    for batches, momentum in cases:  # numpy, batch by batch from torch's start at 1
        want = np.ones(batches[0].shape[1])
        for t, z in enumerate(batches, start=1):
            w = 1 / t if momentum is None else momentum
            want = (1 - w) * want + w * np.var(_np(z), axis=0, ddof=1)
        if momentum is None:  # the plain average of the unbiased variances
            mean = np.mean([np.var(_np(z), axis=0, ddof=1) for z in batches], axis=0)
            _close(want, mean, rtol=1e-12)
        _close(ref(batches, momentum), want)


def oracle_layer_norm_backward(ref, cases):
    for dy, z, gamma, eps in cases:  # central finite differences of sum(dy * y)

        def loss(z, gamma, beta):  # each row normalised over its own features
            mu = z.mean(1, keepdim=True)
            var = ((z - mu) ** 2).mean(1, keepdim=True)
            return float((dy * (gamma * (z - mu) / torch.sqrt(var + eps) + beta)).sum())

        beta = torch.zeros_like(gamma)
        args, h = [z, gamma, beta], 1e-6
        for k, got in enumerate(ref(dy, z, gamma, eps)):
            want = torch.zeros_like(args[k])
            for index in np.ndindex(*args[k].shape):
                plus = [a.clone() for a in args]
                minus = [a.clone() for a in args]
                plus[k][index] += h
                minus[k][index] -= h
                want[index] = (loss(*plus) - loss(*minus)) / (2 * h)
            _close(got, want, atol=1e-6, rtol=1e-5)


def oracle_grad_ratio(ref, cases):
    g = torch.Generator().manual_seed(0)
    W = torch.randn(4, 6, generator=g, dtype=torch.float64)
    x = torch.randn(16, 6, generator=g, dtype=torch.float64)
    v = torch.randn(16, 4, generator=g, dtype=torch.float64)

    def grad_norm(c):  # measured with torch's BatchNorm1d
        Wc = (c * W).requires_grad_()
        bn = nn.BatchNorm1d(4, eps=1e-15, affine=False).double().train()
        (bn(x @ Wc.T) * v).sum().backward()
        return float(Wc.grad.norm())

    for c in cases:
        _close(ref(c), grad_norm(c) / grad_norm(1.0), rtol=1e-4)


def oracle_which_bug(ref, cases):
    assert sorted(cases) == [0, 1, 2, 3]
    bn = nn.BatchNorm1d(3).train()
    x, other = torch.randn(1, 3), torch.randn(2, 1, 3)
    with torch.no_grad():  # case 0: in training mode a prediction has company
        pair = [bn(torch.cat([x, o]))[0] for o in other]
        assert not torch.allclose(*pair) and ref(0) == 1
        assert 1025 % 64 == 1  # case 1: the last batch holds one image
        with pytest.raises(ValueError, match="more than 1 value"):
            bn(torch.randn(1, 3))
        assert ref(1) == 2
        before = bn.running_mean.clone()  # case 2: buffers move under no_grad
        bn(100 + torch.randn(8, 3))
        assert not torch.allclose(before, bn.running_mean) and ref(2) == 3
    assert ref(3) == 4  # the one left: batches too small in training


def oracle_which_bug_stats(ref, cases):
    assert sorted(cases) == [0, 1, 2]
    hidden, logits = 0.58, 410  # table 0: the only badly scaled output is the last
    assert logits > 100 * hidden and ref(0) == 5
    running_gap, batch_accuracy = 31.0, 0.95  # table 1: the batch's statistics work
    assert running_gap > 10 and batch_accuracy > 0.9 and ref(1) == 3
    with torch.no_grad():  # table 2: BN turns a batch of two into +-1
        y = nn.BatchNorm1d(3, eps=1e-12).train()(torch.randn(2, 3))
    torch.testing.assert_close(y.abs(), torch.ones(2, 3))
    assert ref(2) in (1, 4)


def oracle_fold_batchnorm(ref, cases):
    for W, b, gamma, beta, mean, var, eps in cases:
        d_out, d_in = W.shape
        linear = nn.Linear(d_in, d_out).double()
        bn = nn.BatchNorm1d(d_out, eps=eps).double().eval()
        with torch.no_grad():
            for param, value in [
                (linear.weight, W),
                (linear.bias, b),
                (bn.weight, gamma),
                (bn.bias, beta),
                (bn.running_mean, mean),
                (bn.running_var, var),
            ]:
                param.copy_(value)
            W2, b2 = ref(W, b, gamma, beta, mean, var, eps)
            x = torch.randn(6, d_in, dtype=torch.float64)
            torch.testing.assert_close(x @ W2.T + b2, bn(linear(x)))


def oracle_log_uniform_stats(ref, cases):
    for low, high in cases:  # quantiles of 10**u on a fine, even grid of exponents u
        lr = 10 ** np.linspace(np.log10(low), np.log10(high), 2_000_001)
        median, mean = np.asarray(ref(low, high), dtype=float)
        _close(median, np.median(lr), rtol=1e-5)
        _close(mean, lr.mean(), rtol=1e-5)


def oracle_hit_probability(ref, cases):
    rng = np.random.default_rng(0)
    repeats = 40_000
    for q, n in cases:  # simulate n trials, `repeats` times: does one land below q?
        hit = (rng.random((repeats, n)) < q).any(axis=1).mean()
        p = ref(q, n)
        assert abs(hit - p) <= 5 * math.sqrt(p * (1 - p) / repeats) + 1e-9


def oracle_kfold_sizes(ref, cases):
    for n, k in cases:
        parts = np.array_split(np.arange(n), k)  # consecutive, as even as can be
        assert list(ref(n, k)) == [len(part) for part in parts]


def oracle_log_position(ref, cases):
    steps = 100_000
    for best, low, high in cases:  # where best falls among points spread evenly in log
        grid = np.geomspace(low, high, steps + 1)
        position = np.argmin(np.abs(np.log(grid) - np.log(best))) / steps
        _close(ref(best, low, high), position, atol=1 / steps)


def oracle_first_loss(ref, cases):
    for C in cases:  # torch's cross-entropy of equal logits: every class gets 1/C
        want = F.cross_entropy(
            torch.zeros(1, C, dtype=torch.float64), torch.tensor([0])
        )
        _close(ref(C), float(want))


def oracle_diagnose(ref, cases):
    from actlib.checks.hyperparameters import _curves

    # the made-up runs were drawn to be what their labels say
    assert [ref(h) for h in cases] == [label for _, label in _curves()]


def oracle_halving_cost(ref, cases):
    for n, eta, rungs, e0 in cases:  # train trial by trial, one epoch at a time
        trained, alive, target = [0] * n, list(range(n)), e0
        for rung in range(rungs):
            if rung:
                alive, target = alive[: max(1, len(alive) // eta)], target * eta
            for k in alive:
                while trained[k] < target:
                    trained[k] += 1
        assert ref(n, eta, rungs, e0) == sum(trained)


def oracle_expected_improvement(ref, cases):
    for mu, sigma, best in cases:  # integrate max(f - best, 0) against N(mu, sigma^2)
        got = _np(ref(mu, sigma, best))
        for m, s, g in zip(_np(mu), _np(sigma), got):
            f = np.linspace(m - 12 * s, m + 12 * s, 200_001)
            density = np.exp(-(((f - m) / s) ** 2) / 2) / (s * math.sqrt(2 * math.pi))
            want = np.trapezoid(np.maximum(f - best, 0) * density, f)
            _close(g, want, rtol=1e-5, atol=1e-10)


ORACLES = {
    name: globals()[f"oracle_{name.removeprefix('check_')}"] for name in EXERCISES
}


@pytest.mark.parametrize("name", EXERCISES)
def test_a_reference_agrees_with_an_independent_oracle(name):
    ex = EXERCISES[name]
    ORACLES[name](ex.reference, ex.inputs())


@pytest.mark.parametrize(
    "name, wrong",
    [
        ("check_hat", lambda x: 1 - x.abs()),
        ("check_chain_gain", lambda w, L: 0.25**L),
        ("check_leaky_mean", lambda s, sigma: (1 - s) * sigma / 2),
        ("check_dead_for_good", lambda masks: torch.cat(list(masks))),
        ("check_kfold_sizes", lambda n, k: [n // k] * k),
        ("check_xavier_std", lambda n, m: 2 / (n + m)),
        ("check_fold_batchnorm", lambda W, b, g, be, m, v, eps: (W, b)),
        ("check_layer_norm_backward", lambda dy, z, g, eps: (dy, g, g)),
        ("check_grad_ratio", lambda c: 1 / c**2),
        ("check_whiten", lambda X: X - X.mean(0)),
        ("check_hit_probability", lambda q, n: min(q * n, 1.0)),
        ("check_log_uniform_stats", lambda low, high: (high / 2, low + high / 2)),
        ("check_zero_init_loss", lambda c: torch.tensor(math.log(len(c)))),
        ("check_grad_ratios", lambda c, L: (c ** ((L - 1) / 2),) * 2),
        ("check_odd_layer", lambda s: int(s.argmin())),
        ("check_branch_scale", lambda L, g: math.sqrt((g - 1) / L)),
        ("check_count_plateaus", lambda losses: losses.unique().numel()),
        ("check_kappa_mean_spread", lambda m, s, D: 1 + m**2 / s**2),
        ("check_which_transform", lambda Z: "center"),
        ("check_bias_scale", lambda X: torch.tensor(1.0, dtype=torch.float64)),
        ("check_is_affine", lambda f, x: True),
        (
            "check_line_accuracy",
            lambda X, y, w, b: ((X @ w + b >= 0).long() == y).mean(dtype=torch.float64),
        ),
        ("check_first_loss", lambda C: math.log10(C)),
        ("check_diagnose", lambda h: "fine"),
        ("check_halving_cost", lambda n, eta, rungs, e0: n * e0 * eta ** (rungs - 1)),
        ("check_expected_improvement", lambda mu, sigma, best: (mu - best).clamp(0)),
    ],
)
def test_an_oracle_can_fail(name, wrong):
    with pytest.raises(AssertionError):
        ORACLES[name](wrong, EXERCISES[name].inputs())


# ------------------------------------------------------------------ the chapters


def _checks_called():
    """{check name: {chapter}} over the code cells of every chapter notebook."""
    called = {}
    for path in sorted((ROOT / "chapters").glob("*.ipynb")):
        for cell in json.loads(path.read_text())["cells"]:
            if cell["cell_type"] == "code":
                text = "".join(cell["source"])
                for name in re.findall(r"\bactlib\.(check_\w+)\(", text):
                    called.setdefault(name, set()).add(path.stem)
    return called


def test_the_chapters_call_exactly_the_registered_checks_each_from_its_own():
    called = _checks_called()
    assert sorted(called) == sorted(EXERCISES)
    for name, chapters in called.items():
        assert chapters == {EXERCISES[name].chapter}, name


# ----------------------------------------------------- the instructor page's example


def test_the_instructor_pages_own_check_accepts_a_stable_answer_and_hints_a_naive_one():
    """The example of chapters/instructors.md ("An exercise of your own") runs as
    printed: it passes a softplus that does not overflow and stops a naive one."""
    page = (ROOT / "chapters" / "instructors.md").read_text()
    section = page.split("**An exercise of your own.**")[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    namespace = {}
    exec(code, namespace)
    namespace["check_softplus"](lambda z: torch.logaddexp(z, 0 * z))
    with pytest.raises(ExerciseError, match="Hint: log"):
        namespace["check_softplus"](lambda z: torch.log(1 + torch.exp(z)))
