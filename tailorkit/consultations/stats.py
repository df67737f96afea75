"""Small descriptive statistics for consultation results: means with 95% confidence intervals,
medians and quartiles, and the agreement rule of consensus rounds.

Hand-written on purpose: the only inferential piece is one t quantile, and SciPy (a large compiled
dependency) would be installed for that single number. The table below is the standard two-sided
95% t quantile (Student's t, 0.975 point); between listed degrees of freedom we interpolate
linearly in 1/df, which is accurate to the third decimal, and above 120 we use the normal quantile
(``statistics.NormalDist``), which differs from t by less than 0.02 there.

Every figure is computed from counts of identical values (``{value: how many}``), not from a list
with one item per answer: the results page counts identical answers in the database (issue 11), so
its memory and work grow with the number of distinct answers (five on a 5-point scale), not with the
number of respondents. ``statistics`` has no weighted median, quantiles or standard deviation,
hence the few lines below; ``summary`` and ``agreement`` of a plain list go through the same code,
so both give the same numbers.
"""

import bisect
import math
import statistics
from collections import Counter

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
    """n, mean, sd, 95% CI of the mean (t-based), median and quartiles of a list of numbers
    (``summary_of_counts`` of the same numbers counted)."""
    return summary_of_counts(Counter(float(v) for v in values), low=low, high=high)


class _Sorted:
    """The i-th smallest (from 0) of a multiset given as ``{value: count}``, without expanding it."""

    def __init__(self, counts):
        self.values = sorted(v for v, c in counts.items() if c > 0)
        self.ends, total = [], 0
        for v in self.values:
            total += counts[v]
            self.ends.append(total)
        self.n = total

    def __getitem__(self, i):
        return self.values[bisect.bisect_right(self.ends, i)]

    def median(self):
        half = self.n // 2
        return self[half] if self.n % 2 else (self[half - 1] + self[half]) / 2

    def quartiles(self):
        """As ``statistics.quantiles(values, n=4, method="inclusive")``."""
        m, result = self.n - 1, []
        for i in (1, 2, 3):
            j, delta = divmod(i * m, 4)
            result.append((self[j] * (4 - delta) + self[j + 1] * delta) / 4 if delta else float(self[j]))
        return result


def summary_of_counts(counts, *, low=None, high=None):
    """n, mean, sd, 95% CI of the mean (t-based), median and quartiles of the numbers in ``counts``
    (``{number: how many answers gave it}``).

    The CI needs at least two values; with one it is left empty rather than made up.

    ``low`` and ``high`` are the ends of the answer scale, when it has them (1 and 5 on a 5-point
    scale). The t interval assumes a scale without ends, so with few answers near an end it runs
    past it ("3.23 – 6.10" on a 1–5 scale), which no mean of such answers can reach. The interval
    is then cut at the end and ``ci_clipped`` says so, so every page, file and API response that
    reads this summary shows the same, possible, numbers and can say why a bound equals the end.
    """
    counts = {float(v): c for v, c in counts.items() if c > 0}
    ordered = _Sorted(counts)
    n = ordered.n
    if n == 0:
        return {"n": 0}
    mean = math.fsum(v * c for v, c in counts.items()) / n
    result = {"n": n, "mean": mean, "median": ordered.median(), "min": ordered.values[0],
              "max": ordered.values[-1], "sd": None, "ci_low": None, "ci_high": None, "ci_clipped": False,
              "q1": None, "q3": None, "iqr": None}
    if n >= 2:
        sd = math.sqrt(math.fsum(c * (v - mean) ** 2 for v, c in counts.items()) / (n - 1))
        half = t975(n - 1) * sd / math.sqrt(n)
        q1, _median, q3 = ordered.quartiles()
        ci_low, ci_high = mean - half, mean + half
        clipped = (low is not None and ci_low < low) or (high is not None and ci_high > high)
        if low is not None:
            ci_low = max(ci_low, low)
        if high is not None:
            ci_high = min(ci_high, high)
        result.update(sd=sd, ci_low=ci_low, ci_high=ci_high, ci_clipped=bool(clipped), q1=q1, q3=q3, iqr=q3 - q1)
    else:
        result.update(q1=ordered.values[0], q3=ordered.values[0], iqr=0.0)
    return result


def mean_of_counts(counts):
    """The mean of the numbers in ``{number: how many}``, or None when there are none."""
    n = sum(counts.values())
    return math.fsum(float(v) * c for v, c in counts.items()) / n if n else None


def agreement(values, band=CONSENSUS_BAND):
    """Share of numeric answers within ``band`` points of their median (see CONSENSUS_SHARE)."""
    return agreement_of_counts(Counter(float(v) for v in values), band)


def agreement_of_counts(counts, band=CONSENSUS_BAND):
    """``agreement`` of the numbers in ``{number: how many}``."""
    counts = {float(v): c for v, c in counts.items() if c > 0}
    ordered = _Sorted(counts)
    if not ordered.n:
        return None
    median = ordered.median()
    share = sum(c for v, c in counts.items() if abs(v - median) <= band) / ordered.n
    return {"share": share, "median": median, "consensus": share >= CONSENSUS_SHARE}


def modal_agreement(counts):
    """For unordered choices: the share of the most chosen option (same 75% threshold)."""
    total = sum(counts.values())
    if not total:
        return None
    value, top = max(counts.items(), key=lambda kv: kv[1])
    share = top / total
    return {"share": share, "mode": value, "consensus": share >= CONSENSUS_SHARE}
