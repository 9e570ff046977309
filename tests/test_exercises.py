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


def collapse(weights, biases):
    W, b = weights[0], biases[0]
    for W_l, b_l in zip(weights[1:], biases[1:]):
        W, b = W_l @ W, W_l @ b + b_l
    return W, b


def xor_relu(x):
    s = x[:, 0] + x[:, 1]
    return torch.relu(s) - 2 * torch.relu(s - 1)


def hat(x):
    return torch.relu(x + 1) - 2 * torch.relu(x) + torch.relu(x - 1)


def maxout_square(x, k):
    t = -1 + (2 * torch.arange(1, k + 1, dtype=x.dtype) - 1) / k
    return (2 * t * x[:, None] - t**2).amax(dim=1)


def test_collapse(capsys):
    actlib.check_collapse(collapse)
    assert capsys.readouterr().out.startswith("Correct: collapse matches")
    with pytest.raises(ExerciseError, match="not b \\+ b_l"):
        actlib.check_collapse(lambda ws, bs: (collapse(ws, bs)[0], sum(bs)))
    with pytest.raises(ExerciseError, match="earlier biases do not vanish"):
        actlib.check_collapse(lambda ws, bs: (collapse(ws, bs)[0], bs[-1]))
    with pytest.raises(ExerciseError, match="stands on the right"):
        actlib.check_collapse(lambda ws, bs: collapse(ws[::-1], bs[::-1]))
    with pytest.raises(ExerciseError, match="return W, b"):
        actlib.check_collapse(lambda ws, bs: collapse(ws, bs)[0])
    with pytest.raises(TypeError):
        actlib.check_collapse(collapse([torch.eye(2)], [torch.zeros(2)]))  # called instead of passed


def test_xor_relu(capsys):
    actlib.check_xor_relu(xor_relu)
    assert "Correct" in capsys.readouterr().out
    with pytest.raises(ExerciseError, match="x1 \\+ x2 is linear"):
        actlib.check_xor_relu(lambda x: x[:, 0] + x[:, 1])
    with pytest.raises(ExerciseError, match="Subtract the second unit twice"):
        actlib.check_xor_relu(lambda x: torch.relu(x.sum(1)) - torch.relu(x.sum(1) - 1))
    with pytest.raises(ExerciseError, match="XNOR"):
        actlib.check_xor_relu(lambda x: 1 - xor_relu(x))


def test_hat(capsys):
    actlib.check_hat(hat)
    assert "Correct" in capsys.readouterr().out
    with pytest.raises(ExerciseError, match="keeps falling"):
        actlib.check_hat(lambda x: torch.relu(x + 1) - torch.relu(x) - torch.relu(x - 1))
    with pytest.raises(ExerciseError, match="ramp stays at 1"):
        actlib.check_hat(lambda x: torch.relu(x + 1) - torch.relu(x))
    with pytest.raises(ExerciseError, match="negative outside"):
        actlib.check_hat(lambda x: 1 - x.abs())


def test_maxout_square(capsys):
    actlib.check_maxout_square(maxout_square)
    assert "Correct" in capsys.readouterr().out
    t = lambda k: -1 + (2 * torch.arange(1, k + 1, dtype=torch.float64) - 1) / k  # noqa: E731
    with pytest.raises(ExerciseError, match="the constant is -t\\^2"):
        actlib.check_maxout_square(lambda x, k: (2 * t(k) * x[:, None] + t(k) ** 2).amax(1))
    with pytest.raises(ExerciseError, match="not the smallest"):
        actlib.check_maxout_square(lambda x, k: (2 * t(k) * x[:, None] - t(k) ** 2).amin(1))
    with pytest.raises(ExerciseError, match="centres of the k cells"):
        actlib.check_maxout_square(lambda x, k: (2 * torch.linspace(-1, 1, k, dtype=x.dtype) * x[:, None]
                                                 - torch.linspace(-1, 1, k, dtype=x.dtype) ** 2).amax(1))


# ---------------------------------------------------------- chapter "Zero-centring and data preprocessing"
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


# ---------------------------------------------------------- chapter "Weight initialisation"
# (tests of this chapter's checks go here)


def test_xavier_std(capsys):
    actlib.check_xavier_std(lambda fan_in, fan_out: math.sqrt(2 / (fan_in + fan_out)))
    assert "Correct" in capsys.readouterr().out
    with pytest.raises(ExerciseError, match="erratum"):
        actlib.check_xavier_std(lambda n, m: 2 / math.sqrt(n + m))
    with pytest.raises(ExerciseError, match="variance"):
        actlib.check_xavier_std(lambda n, m: 2 / (n + m))
    with pytest.raises(ExerciseError, match="uniform"):
        actlib.check_xavier_std(lambda n, m: math.sqrt(6 / (n + m)))
    with pytest.raises(ExerciseError, match="LeCun"):
        actlib.check_xavier_std(lambda n, m: 1 / math.sqrt(n))


def test_he_std(capsys):
    actlib.check_he_std(lambda fan_in, negative_slope=0.0: math.sqrt(2 / (1 + negative_slope**2) / fan_in))
    assert "Correct" in capsys.readouterr().out
    with pytest.raises(ExerciseError, match="ReLU only"):
        actlib.check_he_std(lambda n, a: math.sqrt(2 / n))
    with pytest.raises(ExerciseError, match="square the slope"):
        actlib.check_he_std(lambda n, a: math.sqrt(2 / (1 + a) / n))
    with pytest.raises(ExerciseError, match="square root"):
        actlib.check_he_std(lambda n, a: 2 / ((1 + a**2) * n))
    with pytest.raises(ExerciseError, match="factor 2"):
        actlib.check_he_std(lambda n, a: 1 / math.sqrt(n))


def test_conv_fans(capsys):
    actlib.check_conv_fans(lambda o, i, kh, kw: (i * kh * kw, o * kh * kw))
    assert "Correct" in capsys.readouterr().out
    with pytest.raises(ExerciseError, match="receptive field"):
        actlib.check_conv_fans(lambda o, i, kh, kw: (i, o))
    with pytest.raises(ExerciseError, match="swapped"):
        actlib.check_conv_fans(lambda o, i, kh, kw: (o * kh * kw, i * kh * kw))
    with pytest.raises(ExerciseError, match="fan_out counts"):
        actlib.check_conv_fans(lambda o, i, kh, kw: (i * kh * kw, o))


def test_torch_default_std(capsys):
    actlib.check_torch_default_std(lambda fan_in: 1 / math.sqrt(3 * fan_in))
    assert "Correct" in capsys.readouterr().out
    with pytest.raises(ExerciseError, match="limit"):
        actlib.check_torch_default_std(lambda n: 1 / math.sqrt(n))
    with pytest.raises(ExerciseError, match="not 3"):
        actlib.check_torch_default_std(lambda n: 1 / (3 * math.sqrt(n)))
    with pytest.raises(ExerciseError, match="He's"):
        actlib.check_torch_default_std(lambda n: math.sqrt(2 / n))


# ---------------------------------------------------------- chapter "Batch Normalisation"
# (tests of this chapter's checks go here)


def batch_norm_train(z, gamma, beta, eps=1e-5):
    mu = z.mean(0)
    var = ((z - mu) ** 2).mean(0)
    return gamma * (z - mu) / torch.sqrt(var + eps) + beta


def running_var_update(running_var, z, momentum=0.1):
    return (1 - momentum) * running_var + momentum * z.var(0, unbiased=True)


def undo_batchnorm(z, eps=1e-5):
    return torch.sqrt(z.var(0, unbiased=False) + eps), z.mean(0)


def fold_batchnorm(W, b, gamma, beta, running_mean, running_var, eps=1e-5):
    s = gamma / torch.sqrt(running_var + eps)
    return s[:, None] * W, s * (b - running_mean) + beta


@pytest.mark.parametrize("check, answer", [
    (actlib.check_batch_norm_train, batch_norm_train),
    (actlib.check_running_var_update, running_var_update),
    (actlib.check_undo_batchnorm, undo_batchnorm),
    (actlib.check_fold_batchnorm, fold_batchnorm),
])
def test_bn_right_answers_pass(check, answer, capsys):
    check(answer)
    assert capsys.readouterr().out.startswith("Correct:")


def _normalise(z, var, eps):
    return (z - z.mean(0)) / torch.sqrt(var + eps)


@pytest.mark.parametrize("wrong, match", [
    (lambda z, g, b, eps: g * _normalise(z, z.var(0, unbiased=True), eps) + b, "biased batch variance"),
    (lambda z, g, b, eps: g * (z - z.mean(0)) / z.std(0, unbiased=False) + b, "add eps inside"),
    (lambda z, g, b, eps: g * (z - z.mean(0)) / (z.std(0, unbiased=False) + eps) + b, "not sqrt.var. . eps"),
    (lambda z, g, b, eps: g * (z - z.mean(1, keepdim=True)) / torch.sqrt(z.var(1, unbiased=False, keepdim=True) + eps) + b,
     "Layer Normalisation"),
    (lambda z, g, b, eps: _normalise(z, z.var(0, unbiased=False), eps), "did not scale and shift"),
    (lambda z, g, b, eps: z, "divide by N"),
])
def test_bn_forward_mistakes(wrong, match):
    with pytest.raises(ExerciseError, match=match):
        actlib.check_batch_norm_train(wrong)


@pytest.mark.parametrize("wrong, match", [
    (lambda rv, z, m: (1 - m) * rv + m * z.var(0, unbiased=False), "unbiased batch variance"),
    (lambda rv, z, m: m * rv + (1 - m) * z.var(0, unbiased=True), "weight of the NEW batch"),
    (lambda rv, z, m: z.var(0, unbiased=True), "keep the old value"),
    (lambda rv, z, m: rv, "new = "),
])
def test_bn_running_var_mistakes(wrong, match):
    with pytest.raises(ExerciseError, match=match):
        actlib.check_running_var_update(wrong)


@pytest.mark.parametrize("wrong, match", [
    (lambda z, eps: (torch.sqrt(z.var(0, unbiased=True) + eps), z.mean(0)), "biased variance"),
    (lambda z, eps: (z.std(0, unbiased=False), z.mean(0)), "eps included"),
    (lambda z, eps: (z.mean(0), torch.sqrt(z.var(0, unbiased=False) + eps)), "swapped"),
    (lambda z, eps: (1 / torch.sqrt(z.var(0, unbiased=False) + eps), -z.mean(0)), "normalises a second time"),
    (lambda z, eps: torch.ones(z.shape[1]), "return two tensors"),
])
def test_bn_undo_mistakes(wrong, match):
    with pytest.raises(ExerciseError, match=match):
        actlib.check_undo_batchnorm(wrong)


def _s(g, v, eps):
    return g / torch.sqrt(v + eps)


@pytest.mark.parametrize("wrong, match", [
    (lambda W, b, g, be, m, v, eps: (_s(g, v, eps)[:, None] * W, be - _s(g, v, eps) * m), "old bias b"),
    (lambda W, b, g, be, m, v, eps: (_s(g, v, 0)[:, None] * W, _s(g, v, 0) * (b - m) + be), "eps included"),
    (lambda W, b, g, be, m, v, eps: (W * _s(g, v, eps)[None, :], _s(g, v, eps) * (b - m) + be), "ROW of W"),
])
def test_bn_fold_mistakes(wrong, match):
    with pytest.raises(ExerciseError, match=match):
        actlib.check_fold_batchnorm(wrong)


def test_bn_fold_matches_torch_eval():
    lin, bn = torch.nn.Linear(5, 3).double(), torch.nn.BatchNorm1d(3).double()
    for _ in range(3):
        bn(lin(torch.randn(8, 5, dtype=torch.float64)))
    bn.eval()
    W2, b2 = fold_batchnorm(lin.weight, lin.bias, bn.weight, bn.bias, bn.running_mean, bn.running_var, bn.eps)
    x = torch.randn(4, 5, dtype=torch.float64)
    torch.testing.assert_close(x @ W2.T + b2, bn(lin(x)))


# ---------------------------------------------------------- chapter "Hyperparameter search"


def hp_log_uniform(u, low, high):
    a, b = math.log10(low), math.log10(high)
    return 10 ** (a + u * (b - a))


def hp_hit_probability(q, n):
    return 1 - (1 - q) ** n


def hp_kfold_sizes(n, k):
    return [n // k + (1 if i < n % k else 0) for i in range(k)]


def hp_log_position(best, low, high):
    return (math.log10(best) - math.log10(low)) / (math.log10(high) - math.log10(low))


def test_log_uniform(capsys):
    actlib.check_log_uniform(hp_log_uniform)
    assert "Correct" in capsys.readouterr().out
    with pytest.raises(ExerciseError, match="linear scale"):
        actlib.check_log_uniform(lambda u, low, high: low + u * (high - low))
    with pytest.raises(ExerciseError, match="start at log10\\(low\\)"):
        actlib.check_log_uniform(lambda u, low, high: 10 ** (u * (math.log10(high) - math.log10(low))))
    with pytest.raises(ExerciseError, match="not log10\\(high\\)"):
        actlib.check_log_uniform(lambda u, low, high: 10 ** (math.log10(low) + u * math.log10(high)))


def test_hit_probability(capsys):
    actlib.check_hit_probability(hp_hit_probability)
    assert "Correct" in capsys.readouterr().out
    with pytest.raises(ExerciseError, match="adding the n chances"):
        actlib.check_hit_probability(lambda q, n: q * n)
    with pytest.raises(ExerciseError, match="take 1 minus it"):
        actlib.check_hit_probability(lambda q, n: (1 - q) ** n)
    with pytest.raises(ExerciseError, match="every trial hits"):
        actlib.check_hit_probability(lambda q, n: 1 - q ** n)


def test_kfold_sizes(capsys):
    actlib.check_kfold_sizes(hp_kfold_sizes)
    assert "Correct" in capsys.readouterr().out
    with pytest.raises(ExerciseError, match="left over"):
        actlib.check_kfold_sizes(lambda n, k: [n // k] * k)
    with pytest.raises(ExerciseError, match="whole remainder in the last fold"):
        actlib.check_kfold_sizes(lambda n, k: [n // k] * (k - 1) + [n - (k - 1) * (n // k)])


def test_log_position(capsys):
    actlib.check_log_position(hp_log_position)
    assert "Correct" in capsys.readouterr().out
    with pytest.raises(ExerciseError, match="linear scale"):
        actlib.check_log_position(lambda best, low, high: (best - low) / (high - low))
