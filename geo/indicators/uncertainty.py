"""Honest uncertainty for small communes: intervals, precision flags, smoothing and funnel limits.

A commune with 12 children under five can show 0 % or 25 % stunting by chance alone. The counts
here are registers, not samples, but a rate is still read as an estimate of the commune's underlying
risk, and with few children that estimate is imprecise. Everything here is pure numpy/pandas (no
scipy) and vectorised over communes; all rates are in percent.

Yes/no indicators (numerator 0/1 over denominator 1) are facts about a commune, not estimates from
counts of children: do not give them intervals, flags or smoothing at commune level.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from geo.indicators.registry import LOWER_IS_BETTER, Target
from geo.indicators.status import NO_DATA, NO_TARGET

CLEARLY_MET = "clearly_met"
CLEARLY_NOT_MET = "clearly_not_met"
NOT_CLEARLY_DIFFERENT = "not_clearly_different"
UNCERTAINTY_STATUSES = (CLEARLY_MET, CLEARLY_NOT_MET, NOT_CLEARLY_DIFFERENT, NO_DATA, NO_TARGET)

#: Denominators below this are flagged as imprecise (a 95 % interval of about +/- 14 points at 50 %).
LOW_PRECISION_THRESHOLD = 50
#: z for the 95 % and 99.8 % funnel limits (two-sided; Spiegelhalter 2005 uses 2 and 3 SD, ~these).
FUNNEL_Z = (1.96, 3.09)


def wilson_interval(numerator, denominator, z: float = 1.96):
    """Wilson score interval (without continuity correction) for x/n, as (lo, hi) in percent.

    Why Wilson: unlike the usual "p +/- z*SE" (Wald) interval it keeps close to its nominal coverage
    for small n and for rates near 0 % or 100 %, never leaves [0, 100] and is not zero-width at 0/n or
    n/n (Newcombe 1998, Stat Med 17:857; Brown, Cai & DasGupta 2001, Stat Sci 16:101). Formula:
    ``(p + z²/2n ± z*sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n)``. Vectorised; Series in, Series out
    (index of the first Series), otherwise numpy arrays (floats for scalars). NaN when n is 0 or missing.
    """
    index = next((a.index for a in (numerator, denominator) if isinstance(a, pd.Series)), None)
    x = np.asarray(numerator, dtype=float)
    n = np.asarray(denominator, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        valid = np.isfinite(x) & np.isfinite(n) & (n > 0)
        n_safe = np.where(valid, n, 1.0)
        p = np.clip(np.where(valid, x, 0.0) / n_safe, 0.0, 1.0)
        z2 = z * z
        denom = 1.0 + z2 / n_safe
        centre = (p + z2 / (2.0 * n_safe)) / denom
        half = z / denom * np.sqrt(p * (1.0 - p) / n_safe + z2 / (4.0 * n_safe * n_safe))
        lo = np.where(p <= 0.0, 0.0, np.clip(centre - half, 0.0, 1.0))  # exact ends at 0/n and n/n
        hi = np.where(p >= 1.0, 1.0, np.clip(centre + half, 0.0, 1.0))
    lo = np.where(valid, lo * 100.0, np.nan)
    hi = np.where(valid, hi * 100.0, np.nan)
    if index is not None:
        return pd.Series(lo, index=index, dtype=float), pd.Series(hi, index=index, dtype=float)
    if lo.ndim == 0:
        return float(lo), float(hi)
    return lo, hi


def classify_with_uncertainty(lo, hi, value, target: Target | None, direction: str) -> pd.Series:
    """Whether the whole interval meets the target, fails it, or straddles it.

    ``clearly_met``: even the unfavourable end of the interval meets the target; ``clearly_not_met``:
    even the favourable end fails; ``not_clearly_different``: the interval crosses the target, so the
    data cannot tell. ``no_data`` when the value or either bound is missing (a value without counts
    has no known precision); ``no_target`` when the plan sets none.
    """
    index = next((a.index for a in (value, lo, hi) if isinstance(a, pd.Series)), None)
    lo_s, hi_s, v_s = (pd.Series(np.asarray(a, dtype=float).reshape(-1), index=index) for a in (lo, hi, value))
    missing = lo_s.isna() | hi_s.isna() | v_s.isna()
    if target is None:
        return pd.Series(NO_TARGET, index=v_s.index, dtype="string").mask(missing, NO_DATA)
    worst, best = (hi_s, lo_s) if direction == LOWER_IS_BETTER else (lo_s, hi_s)
    clearly_met = target.met_mask(worst).fillna(False).astype(bool)
    clearly_not = ~target.met_mask(best).fillna(True).astype(bool)
    out = np.select([missing, clearly_met, clearly_not], [NO_DATA, CLEARLY_MET, CLEARLY_NOT_MET],
                    default=NOT_CLEARLY_DIFFERENT)
    return pd.Series(out, index=v_s.index, dtype="string")


def flag_low_precision(denominator, threshold: float = LOW_PRECISION_THRESHOLD) -> pd.Series:
    """True where 0 < denominator < threshold: a rate that should be shown with a caution mark.

    Missing or zero denominators are False: there is no rate to caution about (that is "no data").
    """
    den = denominator if isinstance(denominator, pd.Series) else pd.Series(np.asarray(denominator, dtype=float))
    den = pd.to_numeric(den, errors="coerce").astype(float)
    return ((den > 0) & (den < float(threshold))).rename("low_precision")


def smooth_rates_eb(numerator, denominator, groups) -> pd.Series:
    """Empirical-Bayes rates (percent): each commune shrunk towards its group's (province's) rate.

    Estimator: beta-binomial posterior mean with a method-of-moments prior per group, the binomial
    form of Marshall's (1991, Appl Stat 40:283) local EB estimator. In group g with pooled rate
    ``m = sum x / sum n``, the between-commune variance is ``A = s² - m(1-m)/n̄`` where
    ``s² = sum n_i (r_i - m)² / sum n_i`` and ``n̄`` is the mean denominator; ``A`` is floored at 0.
    The prior is Beta with mean m and variance A, i.e. strength ``M = m(1-m)/A - 1``, and the smoothed
    rate is ``(x_i + m M) / (n_i + M)``: a commune's own rate gets weight ``n_i / (n_i + M)``, so small
    communes move most. Zero counts need no special case (an all-zero group has m = 0, A = 0 and every
    commune is smoothed to 0 %); a group with no between-commune variation beyond chance gets its
    pooled rate. NaN where the denominator is 0 or missing.
    """
    index = next((a.index for a in (numerator, denominator, groups) if isinstance(a, pd.Series)), None)
    x = pd.Series(np.asarray(numerator, dtype=float), index=index)
    n = pd.Series(np.asarray(denominator, dtype=float), index=index)
    g = pd.Series(np.asarray(groups, dtype=object), index=index)
    valid = x.notna() & n.notna() & (n > 0)
    xv, nv = x.where(valid, 0.0), n.where(valid, 0.0)
    work = pd.DataFrame({"x": xv, "n": nv, "k": valid.astype(float), "g": g.fillna("\0nan")})
    grouped = work.groupby("g", sort=False)
    sum_x, sum_n, k = grouped["x"].transform("sum"), grouped["n"].transform("sum"), grouped["k"].transform("sum")
    with np.errstate(divide="ignore", invalid="ignore"):
        m = (sum_x / sum_n).clip(0.0, 1.0)
        r = (xv / nv).where(valid)
        work["dev"] = (nv * (r - m) ** 2).where(valid, 0.0)
        s2 = work.groupby("g", sort=False)["dev"].transform("sum") / sum_n
        n_bar = sum_n / k
        between = (s2 - m * (1.0 - m) / n_bar).clip(lower=0.0)
        strength = m * (1.0 - m) / between - 1.0  # inf when between == 0: full shrinkage
        strength = strength.where(between > 0, np.inf).clip(lower=0.0)
        weight = (nv / (nv + strength)).where(np.isfinite(strength), 0.0)
        smoothed = weight * r + (1.0 - weight) * m
    return (100.0 * smoothed).where(valid).rename("smoothed")


def funnel_limits(p0: float, n_grid: Sequence[float], z_levels: Sequence[float] = FUNNEL_Z, *,
                  method: str = "exact") -> pd.DataFrame:
    """Control limits around a reference rate ``p0`` (percent) for each denominator in ``n_grid``.

    Funnel plot of Spiegelhalter (2005, Stat Med 24:1185). ``method="exact"`` (default): binomial
    quantiles with Spiegelhalter's interpolation (his appendix A.1.1), so the steps of the discrete
    distribution do not show; ``"normal"``: ``p0 ± z*sqrt(p0(1-p0)/n)``, fine for large n only. Limits
    are clipped to [0, 100]. Returns long rows: n, z, coverage (two-sided), lo, hi.
    """
    if method not in ("exact", "normal"):
        raise ValueError(f"method must be 'exact' or 'normal', not {method!r}")
    p = min(max(float(p0) / 100.0, 0.0), 1.0)
    ns = np.asarray(n_grid, dtype=float)
    ns = ns[np.isfinite(ns) & (ns > 0)]
    if method == "exact":
        ns = np.unique(np.round(ns))
        ns = ns[ns > 0]
    probs = [q for z in z_levels for q in (_normal_cdf(-z), _normal_cdf(z))]
    if method == "exact":  # one binomial distribution per n for every limit (a funnel chart draws 4 of them)
        exact = np.array([_binomial_limits(int(n), p, probs) for n in ns]).reshape(len(ns), len(probs))
    rows = []
    for i, z in enumerate(z_levels):
        lower_p, upper_p = probs[2 * i], probs[2 * i + 1]
        if method == "normal":
            half = z * np.sqrt(p * (1.0 - p) / ns)
            lo, hi = p - half, p + half
        else:
            lo, hi = exact[:, 2 * i], exact[:, 2 * i + 1]
        rows.append(pd.DataFrame({
            "n": ns, "z": float(z), "coverage": upper_p - lower_p,
            "lo": 100.0 * np.clip(lo, 0.0, 1.0), "hi": 100.0 * np.clip(hi, 0.0, 1.0),
        }))
    return pd.concat(rows, ignore_index=True)


def _normal_cdf(z: float) -> float:
    return 0.5 * (1.0 + math.erf(z / math.sqrt(2.0)))


def _binomial_limits(n: int, p: float, probs: Sequence[float]) -> list[float]:
    """Spiegelhalter's interpolated binomial quantiles (r - alpha) / n, as proportions, one per ``probs``."""
    if p <= 0.0 or p >= 1.0:
        return [p] * len(probs)
    # pmf on a window of +/- 12 SD around the mean (the mass outside is < 1e-30), by the ratio recurrence.
    sd = math.sqrt(n * p * (1.0 - p))
    k0 = max(0, int(math.floor(n * p - 12.0 * sd - 5)))
    k1 = min(n, int(math.ceil(n * p + 12.0 * sd + 5)))
    k = np.arange(k0, k1 + 1, dtype=float)
    log_start = (math.lgamma(n + 1) - math.lgamma(k0 + 1) - math.lgamma(n - k0 + 1)
                 + k0 * math.log(p) + (n - k0) * math.log1p(-p))
    steps = np.log((n - k[:-1]) / (k[:-1] + 1.0)) + math.log(p) - math.log1p(-p)
    log_pmf = log_start + np.concatenate(([0.0], np.cumsum(steps)))
    cdf = np.cumsum(np.exp(log_pmf))
    out = []
    for prob in probs:
        i = int(np.searchsorted(cdf, prob - 1e-12))  # first r with F(r) >= prob
        i = min(i, len(cdf) - 1)
        f_r = cdf[i]
        f_prev = cdf[i - 1] if i > 0 else 0.0
        alpha = (f_r - prob) / (f_r - f_prev) if f_r > f_prev else 0.0
        out.append((k0 + i - alpha) / n)
    return out
