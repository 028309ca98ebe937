"""Gradient-descent optimizers.

Each updates one flat parameter vector ``w: (P,)`` in place from its gradient
``g: (P,)``. The network keeps every layer's W and b as views into that one
vector, so a whole update is a few NumPy calls, whatever the depth.
``lr`` may be changed between steps; the next step uses the new value.

``weight_decay`` (L2) adds ``weight_decay * w`` to the gradient, as PyTorch's
``weight_decay`` does: the gradient of ``weight_decay / 2 * ||w||**2``. As there,
``w`` is every parameter, biases too, and the loss reported is the data's alone,
without that penalty.

What an optimizer carries from step to step (momentum's velocity, Adam's
moments and step count) comes out of ``state()`` and goes back with
``set_state()``, so a saved run carries on as if it had never stopped.
"""

from __future__ import annotations

import math

import numpy as np


class Optimizer:
    """Base class: ``step(w, g)`` moves ``w: (P,)`` against ``g = dL/dw: (P,)``, in place."""

    def __init__(self, lr: float, weight_decay: float = 0.0) -> None:
        self.lr = lr
        """Learning rate: the step size along the negative gradient."""
        self.weight_decay = weight_decay
        """L2 penalty coefficient; 0 turns it off."""

    def decay_limit(self) -> float:
        """The lr * weight_decay beyond which the decay alone blows the weights up.

        With no gradient, an SGD step is ``w <- (1 - lr * weight_decay) * w``.
        Past 2 that factor is below -1: each step swings w past 0 to a larger size.
        """
        return 2.0

    def _decayed(self, w: np.ndarray, g: np.ndarray) -> np.ndarray:
        """g + weight_decay * w: the gradient of the data's loss plus the L2 penalty's."""
        if self.weight_decay:
            return g + self.weight_decay * w
        return g

    state_names: tuple[str, ...] = ()
    """The names ``state()`` uses, all present once the first step is taken."""

    def step(self, w: np.ndarray, g: np.ndarray) -> None:
        raise NotImplementedError

    def state(self) -> dict[str, np.ndarray]:
        """What carries over between steps, as arrays (empty before the first step)."""
        return {}

    def set_state(self, state: dict[str, np.ndarray]) -> None:
        """Carry on from ``state()`` of an optimizer of the same kind (checked by check_state)."""

    @classmethod
    def check_state(cls, state: dict[str, np.ndarray], n_params: int) -> None:
        """Raise ValueError saying what is wrong if ``state`` cannot be carried on from."""
        if state and set(state) != set(cls.state_names):
            expected = ", ".join(cls.state_names) or "nothing"
            raise ValueError(f"{cls.__name__} state needs {expected}, got {', '.join(sorted(state))}")
        for name, value in state.items():
            if name == "t":
                if value.shape != () or value.dtype.kind not in "iu" or value < 1:
                    raise ValueError("the step count t must be a whole number of at least 1")
            elif value.shape != (n_params,) or value.dtype.kind != "f":
                raise ValueError(f"{name} must be {n_params} floating-point numbers, one per weight")
            elif not np.isfinite(value).all():
                raise ValueError(f"{name} holds NaN or infinite values")


class SGD(Optimizer):
    """w <- w - lr * g."""

    def step(self, w: np.ndarray, g: np.ndarray) -> None:
        w -= self.lr * self._decayed(w, g)


class Momentum(Optimizer):
    """v <- mu * v + g;  w <- w - lr * v   (PyTorch's SGD with momentum)."""

    def __init__(self, lr: float, weight_decay: float = 0.0, momentum: float = 0.9) -> None:
        super().__init__(lr, weight_decay)
        self.momentum = momentum
        self.v: np.ndarray | None = None

    state_names = ("v",)

    def decay_limit(self) -> float:
        return 2 * (1 + self.momentum)  # the heavy ball in a bowl of curvature weight_decay

    def step(self, w: np.ndarray, g: np.ndarray) -> None:
        g = self._decayed(w, g)
        if self.v is None:
            self.v = g.copy()  # PyTorch starts the buffer at the first gradient
        else:
            self.v *= self.momentum
            self.v += g
        w -= self.lr * self.v

    def state(self) -> dict[str, np.ndarray]:
        return {} if self.v is None else {"v": self.v}

    def set_state(self, state: dict[str, np.ndarray]) -> None:
        self.v = np.array(state["v"]) if state else None


class Adam(Optimizer):
    """Kingma & Ba 2015, with PyTorch's defaults.

    m <- b1 m + (1 - b1) g;   v <- b2 v + (1 - b2) g**2
    w <- w - lr * (m / (1 - b1**t)) / (sqrt(v / (1 - b2**t)) + eps)
    """

    def __init__(
        self,
        lr: float,
        weight_decay: float = 0.0,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
    ) -> None:
        super().__init__(lr, weight_decay)
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        self.t = 0
        self.m: np.ndarray | None = None
        self.v: np.ndarray | None = None

    state_names = ("m", "v", "t")

    def decay_limit(self) -> float:
        return math.inf  # m / sqrt(v) is about 1 whatever g's size: a step moves w by about lr

    def step(self, w: np.ndarray, g: np.ndarray) -> None:
        g = self._decayed(w, g)
        if self.m is None or self.v is None:
            self.m, self.v = np.zeros_like(w), np.zeros_like(w)
        self.t += 1
        self.m *= self.beta1
        self.m += (1 - self.beta1) * g
        self.v *= self.beta2
        self.v += (1 - self.beta2) * (g * g)
        m_hat_scale = self.lr / (1 - self.beta1**self.t)
        v_hat = self.v / (1 - self.beta2**self.t)
        w -= m_hat_scale * self.m / (np.sqrt(v_hat) + self.eps)

    def state(self) -> dict[str, np.ndarray]:
        if self.m is None or self.v is None:
            return {}
        return {"m": self.m, "v": self.v, "t": np.array(self.t)}

    def set_state(self, state: dict[str, np.ndarray]) -> None:
        if not state:
            self.m = self.v = None
            self.t = 0
            return
        self.m, self.v, self.t = np.array(state["m"]), np.array(state["v"]), int(state["t"])

    @classmethod
    def check_state(cls, state: dict[str, np.ndarray], n_params: int) -> None:
        super().check_state(state, n_params)
        if state and (state["v"] < 0).any():
            raise ValueError("v, a running mean of squared gradients, cannot be negative")


OPTIMIZERS: dict[str, type[Optimizer]] = {"sgd": SGD, "momentum": Momentum, "adam": Adam}
"""Optimizers by the name used in settings and saved files."""
