r"""Activation functions: how a neuron passes on its pre-activation.

A layer first computes the pre-activation :math:`z = Wx + b`, a linear map. The
activation function :math:`a = g(z)` decides how :math:`z` is passed on to the next
layer, and it is the only place a network becomes non-linear: without it a stack of
layers is still one linear map.

Every activation here is a small ``nn.Module`` whose ``forward`` is one call of torch's
own fused kernel, so it is as fast as ``torch.nn``. Each class also declares, next to
its ``forward``, everything else the book needs to know about it: its derivative
:math:`g'(z)` written out by hand (the formula the chapter teaches, so that a plot or a
test can compare it with autograd), its counterpart in ``torch.nn``, its parameters and
its largest slope (see ``_Activation``). ``get_activation``, ``derivative``,
``activation_names``, the diagnostics and the benchmark all read these declarations.

===============  ==============  ==================================  ===================
name             class           :math:`g(z)`                        keywords
                                                                     (torch's
                                                                     defaults)
===============  ==============  ==================================  ===================
identity         Identity        :math:`z`
sigmoid          Sigmoid         :math:`1 / (1 + e^{-z})`
tanh             Tanh            :math:`2\sigma(2z) - 1`
centred_sigmoid  CentredSigmoid  :math:`\sigma(z) - 1/2`
relu             ReLU            :math:`\max(0, z)`
leaky_relu       LeakyReLU       :math:`\max(s z, z)`                negative_slope=0.01
prelu            PReLU           :math:`\max(\alpha z, z)`, learned  num_parameters=1,
                                                                     init=0.25
elu              ELU             :math:`z` or :math:`\alpha(e^z-1)`  alpha=1.0
gelu             GELU            :math:`z \Phi(z)`                   approximate="none"
silu             SiLU            :math:`z \sigma(z)`
softplus         Softplus        :math:`\log(1+e^{\beta z})/\beta`   beta=1.0,
                                                                     threshold=20.0
===============  ==============  ==================================  ===================

``Maxout`` (a layer with its own weights, not a fixed function) and the output-layer
helpers ``softmax``, ``log_softmax`` and ``output_activation`` complete the module.

Taught in: chapter "Activation functions".
"""

import functools
import inspect
import math

import torch
import torch.nn.functional as F
from torch import nn

from ._validate import check_choice, check_number

__all__ = [
    "activation_names",
    "get_activation",
    "derivative",
    "Identity",
    "Sigmoid",
    "Tanh",
    "CentredSigmoid",
    "ReLU",
    "LeakyReLU",
    "PReLU",
    "ELU",
    "GELU",
    "SiLU",
    "Softplus",
    "Maxout",
    "softmax",
    "log_softmax",
    "output_activation",
]

TASKS = ("regression", "binary", "multiclass")
GELU_APPROXIMATIONS = ("none", "tanh")


def _finite(arg, value, *, low=None, low_open=False):
    """``check_number`` that also rejects ``nan`` and ``inf``; returns a float."""
    return float(check_number(arg, value, low=low, low_open=low_open, finite=True))


@functools.cache  # inspect.signature costs a millisecond, and modules ask often
def _keywords(fn) -> tuple:
    """The keyword names of ``fn``, without ``self`` and ``z``."""
    named = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    return tuple(
        p.name
        for p in inspect.signature(fn).parameters.values()
        if p.kind in named and p.name not in ("self", "z")
    )


class _Activation(nn.Module):
    r"""What every activation declares, next to its ``forward``.

    - ``name``: the name ``get_activation`` and ``derivative`` take.
    - ``torch_class``: torch's own module for the same function. It takes the same
      keywords as the class: ``nn.LeakyReLU(negative_slope=0.2)``.
    - ``derivative(z, **params)``: :math:`g'(z)` written from the formula, with torch's
      subgradient at a kink. A staticmethod: it reads the keywords it is given, not a
      module's, so for a module ``m`` write ``derivative(m.name, z, **m.params)``.
    - ``max_derivative(**params)``: :math:`\sup_z g'(z)`, the largest slope, which the
      diagnostics use to call a unit saturated. Same keywords as ``derivative``.
    - ``params_of(module)``: the keywords of ``derivative``, read off a module of this
      class or off its torch counterpart. By default the attributes of the same names,
      which torch's modules share; ``PReLU`` reads its learned ``weight``.

    ``.params`` is ``params_of(self)``, and the repr is built from it.
    """

    name = ""

    @classmethod
    def params_of(cls, module) -> dict:
        return {key: getattr(module, key) for key in _keywords(cls.derivative)}

    @property
    def params(self) -> dict:
        return self.params_of(self)

    def extra_repr(self) -> str:
        return ", ".join(f"{key}={value!r}" for key, value in self.params.items())


class Identity(_Activation):
    r"""The identity :math:`g(z) = z`: no activation (the output layer of a regression).

    .. math::

        g(z) = z, \qquad g'(z) = 1

    A network whose every activation is the identity is one linear map, however deep.

    Shape:
        Input :math:`(*)`, output :math:`(*)`, the same shape.

    Example::

        >>> g = Identity()
        >>> g(torch.tensor([-1.0, 2.0]))
        tensor([-1.,  2.])

    Taught in: chapter "Activation functions" (and "Why non-linearity").
    """

    name = "identity"
    torch_class = nn.Identity

    def forward(self, z):
        return z

    @staticmethod
    def derivative(z):
        return torch.ones_like(z)  # g'(z) = 1

    @staticmethod
    def max_derivative():
        return 1.0


class Sigmoid(_Activation):
    r"""The logistic sigmoid: squashes :math:`z` into (0, 1), a neuron's "firing rate".

    .. math::

        \sigma(z) = \frac{1}{1 + e^{-z}}, \qquad
        \sigma'(z) = \sigma(z)\,(1 - \sigma(z)) \le \tfrac14
        \ (\text{equality at } z = 0)

    Its three problems in a hidden layer: saturated units kill the gradient
    (:math:`\sigma'(10) \approx 4.54 \times 10^{-5}`: small, not zero, but a deep stack
    multiplies many such factors), its outputs are all positive (not zero-centred), and
    ``exp`` is costly. It remains the right output for binary classification. In float32
    :math:`\sigma(z)` rounds to exactly 1 beyond :math:`z \approx 17`, so the computed
    derivative there is 0.

    Shape:
        Input :math:`(*)`, output :math:`(*)`, the same shape.

    Example::

        >>> g = Sigmoid()
        >>> g(torch.tensor([0.0]))
        tensor([0.5000])

    Taught in: chapter "Activation functions".
    """

    name = "sigmoid"
    torch_class = nn.Sigmoid

    def forward(self, z):
        return torch.sigmoid(z)

    @staticmethod
    def derivative(z):
        s = torch.sigmoid(z)
        return s * (1 - s)  # σ'(z) = σ(z)(1 - σ(z))

    @staticmethod
    def max_derivative():
        return 0.25  # σ'(0) = ½ · ½


class Tanh(_Activation):
    r"""The hyperbolic tangent: a zero-centred, rescaled sigmoid with range (-1, 1).

    .. math::

        \tanh(z) = \frac{e^{z} - e^{-z}}{e^{z} + e^{-z}} = 2\sigma(2z) - 1, \qquad
        \tanh'(z) = 1 - \tanh^2(z) \le 1 \ (\text{equality at } z = 0)

    (Some notes print a minus sign in front of the fraction: that is an erratum.)
    Anti-symmetric and zero-centred, so preferred over the sigmoid in hidden layers
    (LeCun et al., 1998, "Efficient BackProp"), but it still saturates for large
    :math:`|z|`.

    Shape:
        Input :math:`(*)`, output :math:`(*)`, the same shape.

    Example::

        >>> g = Tanh()
        >>> g(torch.tensor([0.0, 1.0]))
        tensor([0.0000, 0.7616])

    Taught in: chapter "Activation functions".
    """

    name = "tanh"
    torch_class = nn.Tanh

    def forward(self, z):
        return torch.tanh(z)

    @staticmethod
    def derivative(z):
        t = torch.tanh(z)
        return 1 - t * t  # tanh'(z) = 1 - tanh²(z)

    @staticmethod
    def max_derivative():
        return 1.0  # tanh'(0)


class CentredSigmoid(_Activation):
    r"""The sigmoid shifted down by a half: zero-centred, with the sigmoid's slope.

    .. math::

        g(z) = \sigma(z) - \tfrac12 = \tfrac12 \tanh(z / 2), \qquad
        g'(z) = \sigma'(z) = \tfrac14 \bigl(1 - \tanh^2(z / 2)\bigr) \le \tfrac14

    It keeps everything of the sigmoid but the offset: the same slope at every
    :math:`z`, the same saturation, outputs in :math:`(-\tfrac12, \tfrac12)` instead of
    :math:`(0, 1)`. Set beside the sigmoid and tanh in an experiment, it separates the
    sigmoid's two handicaps: its outputs that are all positive (it removes that one) and
    its slope of at most :math:`\tfrac14` (it keeps that one; tanh has slope 1). The
    forward pass uses the tanh form, which keeps full precision near 0. torch has no
    module for it: ``torch_class`` is ``None``.

    Shape:
        Input :math:`(*)`, output :math:`(*)`, the same shape.

    Example::

        >>> g = CentredSigmoid()
        >>> g(torch.tensor([0.0, 2.0]))
        tensor([0.0000, 0.3808])

    Taught in: chapter "Activation functions".
    """

    name = "centred_sigmoid"
    torch_class = None  # no counterpart in torch.nn

    def forward(self, z):
        return 0.5 * torch.tanh(0.5 * z)  # σ(z) - ½, without the cancellation

    @staticmethod
    def derivative(z):
        t = torch.tanh(0.5 * z)
        return 0.25 * (1 - t * t)  # ¼ (1 - tanh²(z/2)) = σ(z)(1 - σ(z))

    @staticmethod
    def max_derivative():
        return 0.25  # at z = 0, as the sigmoid's


class ReLU(_Activation):
    r"""The rectified linear unit :math:`\max(0, z)`: the default hidden activation.

    .. math::

        \mathrm{ReLU}(z) = \max(0, z), \qquad
        \mathrm{ReLU}'(z) = \begin{cases} 1 & z > 0 \\ 0 & z \le 0 \end{cases}

    The derivative is 0 or 1; at :math:`z = 0` it does not exist and torch (and this
    module) use the subgradient 0. It does not saturate for :math:`z > 0` and is cheap,
    but a unit whose :math:`z` is negative for every example gets no gradient and never
    recovers (a dead ReLU). Papers: Nair & Hinton (2010), "Rectified linear units
    improve restricted Boltzmann machines"; Glorot, Bordes & Bengio (2011), "Deep sparse
    rectifier neural networks".

    Shape:
        Input :math:`(*)`, output :math:`(*)`, the same shape.

    Example::

        >>> g = ReLU()
        >>> g(torch.tensor([-2.0, 3.0]))
        tensor([0., 3.])

    Taught in: chapter "Activation functions".
    """

    name = "relu"
    torch_class = nn.ReLU

    def forward(self, z):
        return F.relu(z)

    @staticmethod
    def derivative(z):
        return (z > 0).to(z.dtype)  # 1 if z > 0 else 0 (subgradient 0 at z = 0)

    @staticmethod
    def max_derivative():
        return 1.0


class LeakyReLU(_Activation):
    r"""Leaky ReLU :math:`\max(s z, z)`: a ReLU with a small slope for :math:`z < 0`.

    .. math::

        \mathrm{LeakyReLU}(z) = \begin{cases} z & z > 0 \\ s\,z & z \le 0 \end{cases},
        \qquad
        \mathrm{LeakyReLU}'(z) = \begin{cases} 1 & z > 0 \\ s & z \le 0 \end{cases}

    with :math:`s` = ``negative_slope`` (torch's subgradient at 0 is :math:`s`). A unit
    never dies: some gradient always flows. Paper: Maas, Hannun & Ng (2013), "Rectifier
    nonlinearities improve neural network acoustic models".

    Args:
        negative_slope: the slope :math:`s` for :math:`z \le 0`. Default: ``0.01``.

    Shape:
        Input :math:`(*)`, output :math:`(*)`, the same shape.

    Example::

        >>> g = LeakyReLU(negative_slope=0.1)
        >>> g(torch.tensor([-2.0, 3.0]))
        tensor([-0.2000,  3.0000])

    Taught in: chapter "Activation functions".
    """

    name = "leaky_relu"
    torch_class = nn.LeakyReLU

    def __init__(self, negative_slope=0.01):
        super().__init__()
        self.negative_slope = _finite("negative_slope", negative_slope)

    def forward(self, z):
        return F.leaky_relu(z, self.negative_slope)

    @staticmethod
    def derivative(z, negative_slope=0.01):
        s = _finite("negative_slope", negative_slope)
        one = torch.ones_like(z)
        return torch.where(z > 0, one, s * one)  # 1 if z > 0 else s

    @staticmethod
    def max_derivative(negative_slope=0.01):
        return max(1.0, _finite("negative_slope", negative_slope))


def _prelu_alpha(alpha, z):
    """α for ``PReLU.derivative``: one number, or one per channel (dimension 1 of z)."""
    many = isinstance(alpha, (list, tuple, torch.Tensor))
    if many and torch.as_tensor(alpha).numel() != 1:
        a = torch.as_tensor(alpha, dtype=z.dtype, device=z.device)
        if a.ndim != 1 or z.ndim < 2 or z.shape[1] != a.numel():
            raise ValueError(
                f"alpha has {a.numel()} values, so z needs {a.numel()} channels on "
                f"dimension 1; got z of shape {tuple(z.shape)}"
            )
        if not torch.isfinite(a).all():
            raise ValueError(
                f"alpha={a.tolist()!r} is not finite; valid values are finite numbers"
            )
        # (C,) -> (C, 1, ..., 1): broadcasts on dimension 1
        return a.reshape(-1, *([1] * (z.ndim - 2)))
    if many:
        alpha = torch.as_tensor(alpha).reshape(()).item()  # one shared slope
    return _finite("alpha", alpha)


class PReLU(_Activation):
    r"""Parametric ReLU :math:`\max(\alpha z, z)`: a leaky ReLU that learns its slope.

    .. math::

        \mathrm{PReLU}(z) = \begin{cases} z & z > 0 \\ \alpha z & z \le 0 \end{cases},
        \qquad
        \frac{\partial}{\partial z}
        = \begin{cases} 1 & z > 0 \\ \alpha & z \le 0 \end{cases}, \qquad
        \frac{\partial}{\partial \alpha}
        = \begin{cases} 0 & z > 0 \\ z & z \le 0 \end{cases}

    :math:`\alpha` is the parameter ``weight`` (torch's name), trained by backprop like
    any weight: one slope shared by all units, or one per channel (dimension 1 of the
    input). Paper: He, Zhang, Ren & Sun (2015), "Delving deep into rectifiers".

    Args:
        num_parameters: 1 (one shared :math:`\alpha`) or the number of channels.
            Default: ``1``.
        init: the starting value of :math:`\alpha`. Default: ``0.25``.

    Shape:
        Input :math:`(*)` (channels on dimension 1 when ``num_parameters > 1``), output
        the same.

    Example::

        >>> g = PReLU()
        >>> g(torch.tensor([-2.0, 3.0]))      # alpha starts at 0.25
        tensor([-0.5000,  3.0000], grad_fn=<PreluKernelBackward0>)

    ``params`` reports the current learned value, ``{"alpha": 0.25}`` (a list when
    ``num_parameters > 1``), the keyword ``derivative("prelu", z, alpha=...)`` takes.

    Taught in: chapter "Activation functions".
    """

    name = "prelu"
    torch_class = nn.PReLU

    def __init__(self, num_parameters=1, init=0.25):
        super().__init__()
        self.num_parameters = check_number(
            "num_parameters", num_parameters, low=1, integer=True
        )
        self.init = _finite("init", init)
        # alpha, (C,)
        self.weight = nn.Parameter(torch.full((self.num_parameters,), self.init))

    @classmethod
    def params_of(cls, module):
        alpha = module.weight.detach().cpu()  # this module's or nn.PReLU's
        return {"alpha": alpha.item() if alpha.numel() == 1 else alpha.tolist()}

    def extra_repr(self):
        return f"num_parameters={self.num_parameters}, init={self.init}"

    def forward(self, z):
        return F.prelu(z, self.weight)

    @staticmethod
    def derivative(z, alpha=0.25):
        a = _prelu_alpha(alpha, z)
        one = torch.ones_like(z)
        return torch.where(z > 0, one, a * one)  # 1 if z > 0 else α

    @staticmethod
    def max_derivative(alpha=0.25):
        alphas = torch.as_tensor(alpha, dtype=torch.float64).reshape(-1).tolist()
        return max(1.0, *(_finite("alpha", a) for a in alphas))  # the steepest slope


class ELU(_Activation):
    r"""Exponential linear unit: ReLU for :math:`z > 0`, a smooth exponential below.

    .. math::

        \mathrm{ELU}(z) = \begin{cases} z & z > 0 \\
        \alpha (e^{z} - 1) & z \le 0 \end{cases}, \qquad
        \mathrm{ELU}'(z) = \begin{cases} 1 & z > 0 \\ \alpha e^{z} & z \le 0 \end{cases}

    Outputs closer to zero mean than ReLU; for very negative :math:`z` it saturates at
    :math:`-\alpha`, which the paper argues makes it robust to noise. At :math:`z = 0`
    torch uses :math:`\alpha` (the two sides agree only when :math:`\alpha = 1`).
    Paper: Clevert, Unterthiner & Hochreiter (2016), "Fast and accurate deep network
    learning by exponential linear units (ELUs)".

    Args:
        alpha: the saturation value :math:`-\alpha` for :math:`z \to -\infty`, at
            least 0. Default: ``1.0``.

    Shape:
        Input :math:`(*)`, output :math:`(*)`, the same shape.

    Example::

        >>> g = ELU(alpha=1.0)
        >>> g(torch.tensor([-1.0, 2.0]))
        tensor([-0.6321,  2.0000])

    Taught in: chapter "Activation functions".
    """

    name = "elu"
    torch_class = nn.ELU

    def __init__(self, alpha=1.0):
        super().__init__()
        self.alpha = _finite("alpha", alpha, low=0.0)

    def forward(self, z):
        return F.elu(z, self.alpha)

    @staticmethod
    def derivative(z, alpha=1.0):
        a = _finite("alpha", alpha, low=0.0)
        ez = torch.exp(z.clamp(max=0))  # e^min(z, 0): never overflows
        return torch.where(z > 0, torch.ones_like(z), a * ez)  # 1 if z > 0 else α e^z

    @staticmethod
    def max_derivative(alpha=1.0):
        return max(1.0, _finite("alpha", alpha, low=0.0))  # α at z = 0


_SQRT_HALF = math.sqrt(0.5)
_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)
_SQRT_2_OVER_PI = math.sqrt(2 / math.pi)
_KAPPA = 0.044715


class GELU(_Activation):
    r"""Gaussian error linear unit :math:`z\,\Phi(z)`: the transformer default.

    .. math::

        \mathrm{GELU}(z) = z\,\Phi(z), \qquad
        \mathrm{GELU}'(z) = \Phi(z) + z\,\varphi(z),

    with :math:`\Phi` the standard normal CDF and
    :math:`\varphi(z) = e^{-z^2/2}/\sqrt{2\pi}` its density: a smooth ReLU.
    With ``approximate="tanh"``:

    .. math::

        \mathrm{GELU}(z) \approx \tfrac12 z\,(1 + \tanh u), \quad
        u = \sqrt{2/\pi}\,(z + 0.044715 z^3), \qquad
        \mathrm{GELU}'(z) \approx \tfrac12 (1 + \tanh u)
        + \tfrac12 z\,(1 - \tanh^2 u)\,\sqrt{2/\pi}\,(1 + 3 \cdot 0.044715 z^2)

    Paper: Hendrycks & Gimpel (2016), "Gaussian error linear units (GELUs)".

    Args:
        approximate: ``"none"`` (the exact :math:`\Phi`) or ``"tanh"``.
            Default: ``"none"``.

    Shape:
        Input :math:`(*)`, output :math:`(*)`, the same shape.

    Example::

        >>> g = GELU()
        >>> g(torch.tensor([-1.0, 1.0]))
        tensor([-0.1587,  0.8413])

    Taught in: chapter "Activation functions".
    """

    name = "gelu"
    torch_class = nn.GELU

    def __init__(self, approximate="none"):
        super().__init__()
        self.approximate = check_choice("approximate", approximate, GELU_APPROXIMATIONS)

    def forward(self, z):
        return F.gelu(z, approximate=self.approximate)

    @staticmethod
    def derivative(z, approximate="none"):
        check_choice("approximate", approximate, GELU_APPROXIMATIONS)
        if approximate == "tanh":
            u = _SQRT_2_OVER_PI * (z + _KAPPA * z * z * z)
            t = torch.tanh(u)
            du = _SQRT_2_OVER_PI * (1 + 3 * _KAPPA * z * z)
            # ½(1 + tanh u) + ½ z (1 - tanh²u) u'
            return 0.5 * (1 + t) + 0.5 * z * (1 - t * t) * du
        Phi = 0.5 * (1 + torch.erf(z * _SQRT_HALF))  # Φ(z)
        # φ(z): exactly 0 for |z| >~ 40, so z φ(z) = 0 there
        phi = torch.exp(-0.5 * z * z) * _INV_SQRT_2PI
        return Phi + z * phi  # Φ(z) + z φ(z)

    @staticmethod
    def max_derivative(approximate="none"):
        check_choice("approximate", approximate, GELU_APPROXIMATIONS)
        if approximate == "tanh":
            return 1.128993  # read off a grid, at z ≈ 1.4185
        # GELU''(z) = φ(z)(2 - z²) = 0 at z = √2: Φ(√2) + √2 φ(√2) ≈ 1.1289
        return 0.5 * (1 + math.erf(1.0)) + math.sqrt(2) * math.exp(-1.0) * _INV_SQRT_2PI


class SiLU(_Activation):
    r"""Sigmoid-weighted linear unit :math:`z\,\sigma(z)`: Swish with :math:`\beta = 1`.

    .. math::

        \mathrm{SiLU}(z) = z\,\sigma(z), \qquad
        \mathrm{SiLU}'(z) = \sigma(z)\,\bigl(1 + z\,(1 - \sigma(z))\bigr)

    Smooth, non-monotonic (a small dip below 0 near :math:`z \approx -1.28`).
    Papers: Elfwing, Uchibe & Doya (2018), "Sigmoid-weighted linear units for neural
    network function approximation in reinforcement learning"; Ramachandran, Zoph & Le
    (2017), "Searching for activation functions" (Swish).

    Shape:
        Input :math:`(*)`, output :math:`(*)`, the same shape.

    Example::

        >>> g = SiLU()
        >>> g(torch.tensor([0.0, 1.0]))
        tensor([0.0000, 0.7311])

    Taught in: chapter "Activation functions".
    """

    name = "silu"
    torch_class = nn.SiLU

    def forward(self, z):
        return F.silu(z)

    @staticmethod
    def derivative(z):
        s = torch.sigmoid(z)
        return s * (1 + z * (1 - s))  # σ(z)(1 + z(1 - σ(z)))

    @staticmethod
    def max_derivative():
        # SiLU''(z) = σ'(z)(2 - z tanh(z/2)) = 0 at z ≈ 2.3994
        return 1.099839


class Softplus(_Activation):
    r"""Softplus :math:`\frac{1}{\beta}\log(1 + e^{\beta z})`: a smooth ReLU.

    .. math::

        \mathrm{Softplus}(z) = \frac{1}{\beta} \log\bigl(1 + e^{\beta z}\bigr), \qquad
        \mathrm{Softplus}'(z) = \sigma(\beta z)

    Its derivative is a sigmoid. Where :math:`\beta z` exceeds ``threshold`` torch
    returns :math:`z` itself (the curves agree to float precision there), so the
    derivative is exactly 1 there. Paper: Dugas, Bengio, Bélisle, Nadeau & Garcia
    (2001), "Incorporating second-order functional knowledge for better option pricing".

    Args:
        beta: the sharpness :math:`\beta > 0`; large :math:`\beta` approaches ReLU.
            Default: ``1.0``.
        threshold: above :math:`\beta z >` ``threshold`` the function is linear.
            Default: ``20.0``.

    Shape:
        Input :math:`(*)`, output :math:`(*)`, the same shape.

    Example::

        >>> g = Softplus()
        >>> g(torch.tensor([0.0, 30.0]))
        tensor([ 0.6931, 30.0000])

    Taught in: chapter "Activation functions".
    """

    name = "softplus"
    torch_class = nn.Softplus

    def __init__(self, beta=1.0, threshold=20.0):
        super().__init__()
        self.beta = _finite("beta", beta, low=0.0, low_open=True)
        self.threshold = _finite("threshold", threshold, low=0.0, low_open=True)

    def forward(self, z):
        return F.softplus(z, self.beta, self.threshold)

    @staticmethod
    def derivative(z, beta=1.0, threshold=20.0):
        b = _finite("beta", beta, low=0.0, low_open=True)
        t = _finite("threshold", threshold, low=0.0, low_open=True)
        bz = b * z
        # σ(βz); 1 where torch returns z itself
        return torch.where(bz > t, torch.ones_like(z), torch.sigmoid(bz))

    @staticmethod
    def max_derivative(beta=1.0, threshold=20.0):
        _finite("beta", beta, low=0.0, low_open=True)
        _finite("threshold", threshold, low=0.0, low_open=True)
        return 1.0  # σ(βz) -> 1, and exactly 1 where βz > threshold


class Maxout(nn.Module):
    r"""Maxout unit: the maximum of :math:`k` learned linear pieces.

    .. math::

        y_j = \max_{i = 1..k}\, (W_i x + b_i)_j, \qquad
        \frac{\partial y_j}{\partial (W_i x + b_i)_j}
        = \begin{cases} 1 & i \text{ is the maximum} \\
        0 & \text{otherwise} \end{cases}

    One ``nn.Linear`` (``self.linear``) computes all pieces at once; its weight stacks
    :math:`[W_1; W_2; \dots; W_k]`, shape ``(k * out_features, in_features)``. Maxout
    generalises ReLU (:math:`k = 2`, :math:`W_2 = 0`, :math:`b_2 = 0`) and Leaky ReLU
    with slope :math:`0 \le a \le 1` (:math:`k = 2`, :math:`W_2 = a W_1` and
    :math:`b_2 = a b_1`: both, so that the second piece is :math:`a` times the first),
    and never dies: some piece always passes a gradient. The price is :math:`k` times
    the parameters of a plain layer. Paper: Goodfellow, Warde-Farley, Mirza, Courville &
    Bengio (2013), "Maxout networks".

    Args:
        in_features: size of each input :math:`x`.
        out_features: number of maxout units :math:`y_j`.
        k: number of linear pieces per unit, at least 1. Default: ``2``.
        bias: whether the pieces have biases :math:`b_i`. Default: ``True``.

    Shape:
        Input :math:`(*, \text{in\_features})`,
        output :math:`(*, \text{out\_features})`.

    Example::

        >>> layer = Maxout(3, 4, k=2)
        >>> layer(torch.randn(5, 3)).shape
        torch.Size([5, 4])

    Taught in: chapter "Activation functions" (and "Why non-linearity").
    """

    name = "maxout"

    def __init__(self, in_features, out_features, k=2, bias=True):
        super().__init__()
        self.in_features = check_number("in_features", in_features, low=1, integer=True)
        self.out_features = check_number(
            "out_features", out_features, low=1, integer=True
        )
        self.k = check_number("k", k, low=1, integer=True)
        if not isinstance(bias, bool):
            raise TypeError(f"bias must be True or False, got {bias!r}")
        self.linear = nn.Linear(self.in_features, self.k * self.out_features, bias=bias)

    @property
    def params(self):
        return {"k": self.k}

    def extra_repr(self):
        bias = self.linear.bias is not None
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"k={self.k}, bias={bias}"
        )

    def forward(self, x):
        z = self.linear(x)  # (*, D_in) -> (*, k * D_out)
        # (*, k * D_out) -> (*, k, D_out) -> (*, D_out)
        return z.unflatten(-1, (self.k, self.out_features)).amax(dim=-2)


class Softmax(nn.Module):
    r"""Softmax over one dimension (the last by default): the multi-class output.

    .. math::

        \mathrm{softmax}(z)_i = \frac{e^{z_i}}{\sum_j e^{z_j}}

    Returned by ``output_activation("multiclass")``; see ``softmax`` for the stable
    formula.
    """

    name = "softmax"

    def __init__(self, dim=-1):
        super().__init__()
        self.dim = check_number("dim", dim, integer=True)

    @property
    def params(self):
        return {"dim": self.dim}

    def extra_repr(self):
        return f"dim={self.dim}"

    def forward(self, z):
        return torch.softmax(z, self.dim)


# The activations by name, in the order the chapter meets them: the one list that
# get_activation, derivative, the diagnostics and the benchmark read.
ACTIVATIONS = {
    cls.name: cls
    for cls in (
        Identity,
        Sigmoid,
        Tanh,
        CentredSigmoid,
        ReLU,
        LeakyReLU,
        PReLU,
        ELU,
        GELU,
        SiLU,
        Softplus,
    )
}


def activation_names() -> list:
    """The names ``get_activation`` and ``derivative`` take, in the chapter's order."""
    return list(ACTIVATIONS)


def _check_keywords(name, params, accepted):
    for key in params:
        if key not in accepted:
            raise TypeError(
                f"activation {name!r} got an unexpected keyword {key!r}; "
                f"it accepts {list(accepted)}"
            )


def get_activation(name, **params) -> nn.Module:
    """The activation module called ``name``, built with ``params`` (defaults as torch).

    ``name`` is one of ``activation_names()``. The module has ``.name`` and ``.params``;
    for ``prelu`` ``.params`` is the current learned slope ``{"alpha": ...}``.

    Example::

        >>> g = get_activation("leaky_relu", negative_slope=0.2)
        >>> g.params
        {'negative_slope': 0.2}

    Taught in: chapter "Activation functions".
    """
    check_choice("name", name, activation_names())
    cls = ACTIVATIONS[name]
    _check_keywords(name, params, _keywords(cls.__init__))
    return cls(**params)


def derivative(name, z, **params) -> torch.Tensor:
    r"""The closed-form derivative :math:`g'(z)` of activation ``name``: the formula.

    Same dtype, device and shape as ``z``; finite for :math:`|z|` up to :math:`10^4` in
    float32. ``params`` are those of ``get_activation``, except ``prelu``, which takes
    the slope ``alpha`` (default 0.25): so ``derivative(m.name, z, **m.params)`` works
    for every module ``m``. At :math:`z = 0` the ReLU family uses torch's subgradient
    (relu: 0; leaky_relu, prelu: the slope; elu: :math:`\alpha`). Each class declares
    its own formula as the staticmethod ``derivative``.

    Example::

        >>> derivative("sigmoid", torch.tensor([0.0, 10.0]))
        tensor([2.5000e-01, 4.5417e-05])

    Taught in: chapter "Activation functions".
    """
    check_choice("name", name, activation_names())
    fn = ACTIVATIONS[name].derivative
    _check_keywords(name, params, _keywords(fn))
    if not isinstance(z, torch.Tensor) or not z.is_floating_point():
        kind = (
            f"a tensor of dtype {z.dtype}" if isinstance(z, torch.Tensor) else repr(z)
        )
        raise TypeError(f"z must be a floating-point torch.Tensor, got {kind}")
    return fn(z, **params)


# --- output layers --------------------------------------------------------------------


def _check_logits(z, dim):
    if not isinstance(z, torch.Tensor) or not z.is_floating_point():
        kind = (
            f"a tensor of dtype {z.dtype}" if isinstance(z, torch.Tensor) else repr(z)
        )
        raise TypeError(f"z must be a floating-point torch.Tensor, got {kind}")
    return check_number("dim", dim, integer=True)


def softmax(z, dim=-1) -> torch.Tensor:
    r"""Softmax along ``dim``, in the numerically stable form.

    .. math::

        \mathrm{softmax}(z)_i = \frac{e^{z_i}}{\sum_j e^{z_j}}
        = \frac{e^{z_i - m}}{\sum_j e^{z_j - m}}, \qquad m = \max_j z_j

    Subtracting the maximum changes nothing mathematically but keeps every exponent
    :math:`\le 0`, so ``exp`` cannot overflow: logits ``[1000, 0, -1000]`` give
    ``[1, 0, 0]`` where the naive formula gives ``inf / inf = nan``.

    Args:
        z: the logits.
        dim: the dimension the probabilities sum to 1 over. Default: ``-1``.

    Example::

        >>> softmax(torch.tensor([1000.0, 0.0, -1000.0]))
        tensor([1., 0., 0.])

    Taught in: chapter "Activation functions" (output layers).
    """
    dim = _check_logits(z, dim)
    m = z.amax(
        dim=dim, keepdim=True
    ).detach()  # a constant shift: softmax(z - m) = softmax(z)
    e = torch.exp(z - m)  # every exponent <= 0
    return e / e.sum(dim=dim, keepdim=True)


def log_softmax(z, dim=-1) -> torch.Tensor:
    r"""Log of the softmax along ``dim``, via the stable log-sum-exp.

    .. math::

        \log \mathrm{softmax}(z)_i = z_i - \log \sum_j e^{z_j}
        = (z_i - m) - \log \sum_j e^{z_j - m}, \qquad m = \max_j z_j

    Finite even where the softmax itself underflows to 0 (its log would be
    :math:`-\infty`): logits ``[1000, 0, -1000]`` give ``[0, -1000, -2000]``.

    Args:
        z: the logits.
        dim: the dimension to normalise over. Default: ``-1``.

    Example::

        >>> log_softmax(torch.tensor([1000.0, 0.0, -1000.0]))
        tensor([    0., -1000., -2000.])

    Taught in: chapter "Activation functions" (output layers).
    """
    dim = _check_logits(z, dim)
    m = z.amax(dim=dim, keepdim=True).detach()
    shifted = z - m  # (..., C), every entry <= 0
    return shifted - torch.log(torch.exp(shifted).sum(dim=dim, keepdim=True))


def output_activation(task) -> nn.Module:
    """The activation of the output layer for ``task``.

    ``"regression"``: ``Identity`` (predict any real number); ``"binary"``: ``Sigmoid``
    (a probability in (0, 1)); ``"multiclass"``: a softmax over the last dimension
    (probabilities that sum to 1). In training, the loss usually takes the logits
    instead (``BCEWithLogitsLoss``, ``CrossEntropyLoss``), which fuses the activation
    with the log in a stable way.

    Example::

        >>> output_activation("binary")
        Sigmoid()

    Taught in: chapter "Activation functions" (output layers).
    """
    check_choice("task", task, TASKS)
    if task == "regression":
        return Identity()
    if task == "binary":
        return Sigmoid()
    return Softmax(dim=-1)
