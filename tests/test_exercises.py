"""Tests for actlib/exercises.py: every check accepts the reference answer and rejects typical wrong
answers with a message that says where the answer is wrong and gives the hint.

The reference answers here are the ones in the solution cells of the chapters (they are stripped
from the student edition, so they are kept here too).
"""
import math

import pytest
import torch
import torch.nn.functional as F

import actlib
from actlib.exercises import ExerciseError, check_function, check_value


# ------------------------------------------------------------------ reference answers (the solutions)


def sigmoid_grad(z):
    a = torch.sigmoid(z)
    return a * (1 - a)


def tanh_from_sigmoid(z):
    return 2 * torch.sigmoid(2 * z) - 1


def elu_grad(z, alpha=1.0):
    return torch.where(z > 0, torch.ones_like(z), alpha * torch.exp(z))


def sigmoid_depth(eps):
    layers = 1
    while 0.25**layers >= eps:
        layers += 1
    return layers


def maxout_params(d_in, d_out, k):
    return k * (d_in * d_out + d_out)


def logsumexp(z):
    m = z.max(dim=-1, keepdim=True).values
    return m.squeeze(-1) + torch.log(torch.exp(z - m).sum(dim=-1))


# ------------------------------------------------------------------ the generic helpers


def test_check_function_accepts_a_right_answer_and_prints_one_line(capsys):
    check_function(lambda z: z.clamp(min=0), torch.relu, [torch.linspace(-3, 3, 7)], name="relu", hint="max(0, z)")
    out = capsys.readouterr().out
    assert out == "Correct: relu matches the reference on 7 inputs.\n"


def test_check_function_names_input_expected_value_and_hint():
    with pytest.raises(ExerciseError) as info:
        check_function(lambda z: z, torch.relu, [torch.tensor([-2.0, 1.0])], name="relu", hint="max(0, z)")
    message = str(info.value)
    assert "z = -2" in message and "expected 0" in message and "got -2" in message and "max(0, z)" in message


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
    with pytest.raises(ExerciseError, match=r"returned shape \(\).*expected shape \(5,\).*element-wise"):
        check_function(lambda z: torch.relu(z).sum(), torch.relu, [torch.randn(5)], name="relu", hint="h")


def test_check_function_reports_none_exceptions_and_non_numbers():
    with pytest.raises(ExerciseError, match="returned None.*return"):
        check_function(lambda z: None, torch.relu, [torch.zeros(2)], name="relu", hint="h")
    with pytest.raises(ExerciseError, match="raised ZeroDivisionError.*Hint: h"):
        check_function(lambda z: 1 / 0, torch.relu, [torch.zeros(2)], name="relu", hint="h")
    with pytest.raises(ExerciseError, match="not written yet"):
        check_function(_not_implemented, torch.relu, [torch.zeros(2)], name="relu", hint="h")
    with pytest.raises(ExerciseError, match="returned a str"):
        check_function(lambda z: "0", torch.relu, [torch.zeros(2)], name="relu", hint="h")


def _not_implemented(z):
    raise NotImplementedError("write relu")


def test_check_function_explains_non_finite_values():
    with pytest.raises(ExerciseError, match="not a finite number"):
        check_function(lambda z: torch.exp(z) / torch.exp(z), torch.ones_like, [torch.tensor([1000.0])],
                       name="one", hint="h")


def test_check_function_does_not_let_the_answer_spoil_the_input():
    def in_place(z):
        return z.clamp_(min=0)  # changes its input: the reference must not see the change

    check_function(in_place, torch.relu, [torch.tensor([-1.0, 2.0])], name="relu", hint="h")


def test_check_function_names_a_known_mistake():
    with pytest.raises(ExerciseError, match="known slip"):
        check_function(lambda z: -z, lambda z: z, [torch.ones(3)], name="f", hint="generic",
                       mistakes=[(lambda z: -z, "known slip")])


def test_check_value(capsys):
    check_value(0.25, 1 / 4, name="the largest slope", hint="σ'(0)")
    assert capsys.readouterr().out == "Correct: the largest slope = 0.25.\n"
    with pytest.raises(ExerciseError) as info:
        check_value(0.3, 1 / 4, name="the largest slope", hint="σ'(0)")
    assert "σ'(0)" in str(info.value) and "0.25" not in str(info.value)  # the answer is not given away
    with pytest.raises(ExerciseError, match="is None"):
        check_value(None, 1.0, name="x", hint="h")
    with pytest.raises(ExerciseError, match="shape"):
        check_value(torch.ones(2), torch.ones(3), name="x", hint="h")


# ------------------------------------------------------------------ chapter "Activation functions"


def test_sigmoid_grad(capsys):
    actlib.check_sigmoid_grad(sigmoid_grad)
    assert capsys.readouterr().out.startswith("Correct: sigmoid_grad matches")
    with pytest.raises(ExerciseError, match="to z itself"):
        actlib.check_sigmoid_grad(lambda z: z * (1 - z))
    with pytest.raises(ExerciseError, match="not its derivative"):
        actlib.check_sigmoid_grad(torch.sigmoid)
    with pytest.raises(ExerciseError, match="z = -10000.*not a finite number"):  # exp(-z) overflows
        actlib.check_sigmoid_grad(lambda z: torch.exp(-z) / (1 + torch.exp(-z)) ** 2)
    with pytest.raises(TypeError):
        actlib.check_sigmoid_grad(sigmoid_grad(torch.zeros(3)))  # called instead of passed


def test_tanh_from_sigmoid(capsys):
    actlib.check_tanh_from_sigmoid(tanh_from_sigmoid)
    assert "Correct" in capsys.readouterr().out
    with pytest.raises(ExerciseError, match="tanh\\(z/2\\)"):
        actlib.check_tanh_from_sigmoid(lambda z: 2 * torch.sigmoid(z) - 1)
    with pytest.raises(ExerciseError, match="minus sign"):
        actlib.check_tanh_from_sigmoid(lambda z: -(torch.exp(z) - torch.exp(-z)) / (torch.exp(z) + torch.exp(-z)))


def test_elu_grad(capsys):
    actlib.check_elu_grad(elu_grad)
    assert "Correct" in capsys.readouterr().out
    with pytest.raises(ExerciseError, match="multiply by alpha"):
        actlib.check_elu_grad(lambda z, alpha=1.0: torch.where(z > 0, torch.ones_like(z), torch.exp(z)))
    with pytest.raises(ExerciseError, match="z = 0, alpha = 0.5.*left piece"):
        actlib.check_elu_grad(lambda z, alpha=1.0: torch.where(z >= 0, torch.ones_like(z), alpha * torch.exp(z)))
    with pytest.raises(ExerciseError, match="ReLU's derivative"):
        actlib.check_elu_grad(lambda z, alpha=1.0: (z > 0).double())
    with pytest.raises(ExerciseError, match="not its derivative"):
        actlib.check_elu_grad(lambda z, alpha=1.0: F.elu(z, alpha))


def test_sigmoid_depth(capsys):
    actlib.check_sigmoid_depth(sigmoid_depth)
    assert "Correct" in capsys.readouterr().out
    with pytest.raises(ExerciseError, match="eps = 0.25: expected 2, got 1.*exact power"):
        actlib.check_sigmoid_depth(lambda eps: math.ceil(math.log(eps) / math.log(0.25)))
    with pytest.raises(ExerciseError, match="one layer short"):
        actlib.check_sigmoid_depth(lambda eps: sigmoid_depth(eps) - 1)


def test_maxout_params(capsys):
    actlib.check_maxout_params(maxout_params)
    assert "Correct" in capsys.readouterr().out
    with pytest.raises(ExerciseError, match="biases too"):
        actlib.check_maxout_params(lambda d_in, d_out, k: k * d_in * d_out)
    with pytest.raises(ExerciseError, match="one linear layer"):
        actlib.check_maxout_params(lambda d_in, d_out, k: d_in * d_out + d_out)


def test_logsumexp(capsys):
    actlib.check_logsumexp(logsumexp)
    assert "Correct" in capsys.readouterr().out
    with pytest.raises(ExerciseError, match="1000, 0, -1000.*got inf.*subtract the row's maximum"):
        actlib.check_logsumexp(lambda z: torch.log(torch.exp(z).sum(-1)))
    with pytest.raises(ExerciseError, match="each row's own maximum"):
        actlib.check_logsumexp(lambda z: z.max() + torch.log(torch.exp(z - z.max()).sum(-1)))
    with pytest.raises(ExerciseError, match="add it back"):
        actlib.check_logsumexp(lambda z: torch.log(torch.exp(z - z.max(-1, keepdim=True).values).sum(-1)))
    with pytest.raises(ExerciseError, match=r"shape \(1,\).*expected shape \(\)"):
        actlib.check_logsumexp(lambda z: torch.logsumexp(z, dim=-1, keepdim=True))


def test_an_answer_that_is_mostly_nan_matches_no_known_mistake():
    # overflowed entries are excused when matching known mistakes (test_tanh_from_sigmoid), but not all of them
    with pytest.raises(ExerciseError) as info:
        check_function(lambda z: torch.full_like(z, float("nan")), lambda z: z, [torch.ones(10)], name="f",
                       hint="generic", mistakes=[(lambda z: -z, "known slip")])
    assert "generic" in str(info.value) and "known slip" not in str(info.value)


# ---------------------------------------------------------- chapter "Why non-linearity"
# (tests of this chapter's checks go here)


# ---------------------------------------------------------- chapter "Zero-centring and data preprocessing"
# (tests of this chapter's checks go here)


# ---------------------------------------------------------- chapter "Weight initialisation"
# (tests of this chapter's checks go here)


# ---------------------------------------------------------- chapter "Batch Normalisation"
# (tests of this chapter's checks go here)


# ---------------------------------------------------------- chapter "Hyperparameter search"
# (tests of this chapter's checks go here)


# reference answers of chapter "Zero-centring and data preprocessing" (its solution cells)


def one_sign_fraction(G):
    return ((G > 0).all(dim=1) | (G < 0).all(dim=1)).float().mean()


def condition_number(X):
    lam = torch.linalg.eigvalsh(X.T @ X / len(X))
    return lam[-1] / lam[0]


def standardize(X_train, X_test):
    mean = X_train.mean(dim=0)
    std = X_train.std(dim=0, correction=0)
    std = torch.where(std > 0, std, torch.ones_like(std))
    return (X_test - mean) / std


def whiten(X):
    Xc = X - X.mean(dim=0)
    lam, U = torch.linalg.eigh(Xc.T @ Xc / len(Xc))
    return Xc @ U / torch.sqrt(lam)


def _raises(check, answer, match):
    with pytest.raises(ExerciseError, match=match):
        check(answer)


def test_one_sign_fraction(capsys):
    actlib.check_one_sign_fraction(one_sign_fraction)
    assert capsys.readouterr().out.startswith("Correct: one_sign_fraction")
    check = actlib.check_one_sign_fraction
    _raises(check, lambda G: (G > 0).all(dim=1).float().mean(), "all-negative")
    _raises(check, lambda G: ((G > 0).all(dim=0) | (G < 0).all(dim=0)).float().mean(), "columns")
    _raises(check, lambda G: ((G >= 0).all(dim=1) | (G <= 0).all(dim=1)).float().mean(), "strictly")


def test_condition_number(capsys):
    actlib.check_condition_number(condition_number)
    assert capsys.readouterr().out.startswith("Correct: condition_number")
    check = actlib.check_condition_number
    _raises(check, lambda X: torch.linalg.cond(X), "square")
    _raises(check, lambda X: 1 / condition_number(X), "upside down")
    _raises(check, lambda X: torch.linalg.eigvalsh(X.T @ X / len(X))[-1], "λ_max alone")


def test_standardize(capsys):
    actlib.check_standardize(standardize)
    assert capsys.readouterr().out.startswith("Correct: standardize")
    check = actlib.check_standardize

    def own_stats(Xtr, Xte):
        return standardize(Xte, Xte)

    _raises(check, own_stats, "test split's own")
    _raises(check, lambda Xtr, Xte: (Xte - Xtr.mean(0)) / torch.where(Xtr.std(0) > 0, Xtr.std(0), 1.0), "N - 1")
    _raises(check, lambda Xtr, Xte: (Xte - Xtr.mean(0)) / Xtr.std(0, correction=0), "divide it by 1")
    _raises(check, lambda Xtr, Xte: (Xte - Xtr.mean(0)) / (Xtr.std(0, correction=0) + 1e-8), "tiny eps")


def test_whiten(capsys):
    actlib.check_whiten(whiten)
    assert capsys.readouterr().out.startswith("Correct: whiten")
    check = actlib.check_whiten

    def by_lambda(X):
        Xc = X - X.mean(0)
        lam, U = torch.linalg.eigh(Xc.T @ Xc / len(Xc))
        return Xc @ U / lam

    def not_centred(X):
        lam, U = torch.linalg.eigh(torch.cov(X.T, correction=0))
        return X @ U / torch.sqrt(lam)

    _raises(check, by_lambda, "square root")
    _raises(check, not_centred, "centre X first")
    _raises(check, lambda X: standardize(X, X), "correlated")
    _raises(check, lambda X: whiten(X)[:, :1], "same shape")
    zca = lambda X: whiten(X) @ torch.linalg.eigh(torch.cov(X.T, correction=0))[1].T   # another whitening
    actlib.check_whiten(zca)


def dead_fraction(A):
    return (A == 0).all(dim=0).float().mean()


def test_dead_fraction(capsys):
    actlib.check_dead_fraction(dead_fraction)
    assert capsys.readouterr().out.startswith("Correct: dead_fraction")
    check = actlib.check_dead_fraction
    _raises(check, lambda A: (A == 0).float().mean(), "zero entries")
    _raises(check, lambda A: (A == 0).all(dim=1).float().mean(), "rows")
    _raises(check, lambda A: (A == 0).any(dim=0).float().mean(), "every example")
