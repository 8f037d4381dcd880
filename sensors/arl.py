"""Average run lengths of control charts by theory: how many points until an alarm, in control and after a shift.

The in-control ARL is the mean number of points between false alarms; the out-of-control ARL after a step of
``delta`` sigma is the mean delay to notice it. Shewhart (one point beyond ``L`` sigma) is exact; tabular
CUSUM uses the Markov chain of Brook & Evans (1972) with the two sides combined as
1/ARL = 1/ARL+ + 1/ARL- ; EWMA uses the Markov chain of Lucas & Saccucci (1990) with asymptotic limits.
``benchmarks/bench_spc.py --arl`` checks the product's charts against these by simulation.
"""

from __future__ import annotations


def shewhart_arl(delta: float = 0.0, L: float = 3.0) -> float:
    """Exact ARL of the one-point rule on independent normal data: 1 / P(|z + delta| > L)."""
    from scipy.stats import norm

    return 1.0 / (norm.cdf(-L - delta) + norm.sf(L - delta))


def _one_sided_cusum(delta: float, k: float, h: float, states: int) -> float:
    import numpy as np
    from scipy.stats import norm

    w = 2 * h / (2 * states - 1)  # state 0 holds [0, w/2); state j is centred on j*w; beyond h = signal
    centres = np.arange(states) * w
    step = centres[None, :] - centres[:, None] + k - delta  # next value = C + x - k, x ~ N(delta, 1)
    r = norm.cdf(step + w / 2) - norm.cdf(step - w / 2)
    r[:, 0] = norm.cdf(k - centres + w / 2 - delta)  # everything below w/2 (the max(0, .) floor included)
    arl = np.linalg.solve(np.eye(states) - r, np.ones(states))
    return float(arl[0])


def cusum_arl(delta: float = 0.0, k: float = 0.5, h: float = 5.0, states: int = 400) -> float:
    """Two-sided tabular CUSUM ARL (reference ``k``, decision interval ``h``, sigma units), started at zero."""
    up = _one_sided_cusum(delta, k, h, states)
    down = _one_sided_cusum(-delta, k, h, states)
    return 1.0 / (1.0 / up + 1.0 / down)


def ewma_arl(delta: float = 0.0, lam: float = 0.2, L: float = 3.0, states: int = 201) -> float:
    """EWMA ARL with asymptotic limits +-L*sqrt(lam/(2-lam)), started at the centre line."""
    import numpy as np
    from scipy.stats import norm

    if lam >= 1:
        return shewhart_arl(delta, L)
    hw = L * (lam / (2 - lam)) ** 0.5
    w = 2 * hw / states
    centres = -hw + w * (np.arange(states) + 0.5)
    base = (1 - lam) * centres[:, None]  # z' = (1-lam) z + lam x  ->  x = (z' - (1-lam) z) / lam
    r = norm.cdf((centres[None, :] + w / 2 - base) / lam - delta) - norm.cdf((centres[None, :] - w / 2 - base) / lam - delta)
    arl = np.linalg.solve(np.eye(states) - r, np.ones(states))
    return float(arl[states // 2])
