"""Small descriptive statistics for consultation results: means with 95% confidence intervals,
medians and quartiles, and the agreement rule of consensus rounds.

Hand-written on purpose: the only inferential piece is one t quantile, and SciPy (a large compiled
dependency) would be installed for that single number. The table below is the standard two-sided
95% t quantile (Student's t, 0.975 point); between listed degrees of freedom we interpolate
linearly in 1/df, which is accurate to the third decimal, and above 120 we use the normal quantile
(``statistics.NormalDist``), which differs from t by less than 0.02 there.
"""

import math
import statistics

# Two-sided 95% quantiles of Student's t (the 0.975 point) by degrees of freedom.
T975 = {
    1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262, 10: 2.228,
    11: 2.201, 12: 2.179, 13: 2.160, 14: 2.145, 15: 2.131, 16: 2.120, 17: 2.110, 18: 2.101, 19: 2.093,
    20: 2.086, 21: 2.080, 22: 2.074, 23: 2.069, 24: 2.064, 25: 2.060, 26: 2.056, 27: 2.052, 28: 2.048,
    29: 2.045, 30: 2.042, 40: 2.021, 50: 2.009, 60: 2.000, 80: 1.990, 100: 1.984, 120: 1.980,
}
Z975 = statistics.NormalDist().inv_cdf(0.975)  # 1.95996…

# Consensus (Delphi rounds): an item reaches consensus when at least this share of answers lies
# within one scale point of the median. Diamond et al. (2014, J Clin Epidemiol 67:401–409,
# "Defining consensus: a systematic review…") found percent agreement the most common definition
# in Delphi studies, with 75% the median threshold; we adopt both.
CONSENSUS_SHARE = 0.75
CONSENSUS_BAND = 1


def t975(df):
    """The 0.975 quantile of Student's t with ``df`` degrees of freedom (df ≥ 1)."""
    if df < 1:
        raise ValueError("df must be at least 1")
    if df in T975:
        return T975[df]
    if df > 120:
        return Z975
    keys = sorted(T975)
    lower = max(k for k in keys if k < df)
    upper = min(k for k in keys if k > df)
    # Interpolate in 1/df: the quantile is close to linear in it.
    w = (1 / lower - 1 / df) / (1 / lower - 1 / upper)
    return T975[lower] + w * (T975[upper] - T975[lower])


def summary(values, *, low=None, high=None):
    """n, mean, sd, 95% CI of the mean (t-based), median and quartiles of a list of numbers.

    The CI needs at least two values; with one it is left empty rather than made up.

    ``low`` and ``high`` are the ends of the answer scale, when it has them (1 and 5 on a 5-point
    scale). The t interval assumes a scale without ends, so with few answers near an end it runs
    past it ("3.23 – 6.10" on a 1–5 scale), which no mean of such answers can reach. The interval
    is then cut at the end and ``ci_clipped`` says so, so every page, file and API response that
    reads this summary shows the same, possible, numbers and can say why a bound equals the end.
    """
    values = [float(v) for v in values]
    n = len(values)
    if n == 0:
        return {"n": 0}
    mean = statistics.fmean(values)
    result = {"n": n, "mean": mean, "median": statistics.median(values), "min": min(values), "max": max(values),
              "sd": None, "ci_low": None, "ci_high": None, "ci_clipped": False, "q1": None, "q3": None,
              "iqr": None}
    if n >= 2:
        sd = statistics.stdev(values)
        half = t975(n - 1) * sd / math.sqrt(n)
        q1, _median, q3 = statistics.quantiles(values, n=4, method="inclusive")
        ci_low, ci_high = mean - half, mean + half
        clipped = (low is not None and ci_low < low) or (high is not None and ci_high > high)
        if low is not None:
            ci_low = max(ci_low, low)
        if high is not None:
            ci_high = min(ci_high, high)
        result.update(sd=sd, ci_low=ci_low, ci_high=ci_high, ci_clipped=bool(clipped), q1=q1, q3=q3, iqr=q3 - q1)
    else:
        result.update(q1=values[0], q3=values[0], iqr=0.0)
    return result


def agreement(values, band=CONSENSUS_BAND):
    """Share of numeric answers within ``band`` points of their median (see CONSENSUS_SHARE)."""
    values = [float(v) for v in values]
    if not values:
        return None
    median = statistics.median(values)
    share = sum(1 for v in values if abs(v - median) <= band) / len(values)
    return {"share": share, "median": median, "consensus": share >= CONSENSUS_SHARE}


def modal_agreement(counts):
    """For unordered choices: the share of the most chosen option (same 75% threshold)."""
    total = sum(counts.values())
    if not total:
        return None
    value, top = max(counts.items(), key=lambda kv: kv[1])
    share = top / total
    return {"share": share, "mode": value, "consensus": share >= CONSENSUS_SHARE}
