"""Claims of Appendix B.1 (Lemmas 2-3, Corollary 2), the Dobrushin facts behind them, and
the reading of Theorem 1's rate.  All checks are exact (fractions / SymPy); the functions
live in :mod:`theory.ergodicity`."""
from __future__ import annotations

from fractions import Fraction

from theory import ergodicity as E

from . import Config, claim

T = "tests/test_ergodicity.py::"
NOTES = "Ergodicity lemmas (Appendix B.1)"


def _eps_grid(thorough: bool) -> list[Fraction]:
    den = 40 if thorough else 12
    return [Fraction(k, den) for k in range(1, den)] + [Fraction(1, 1000), Fraction(999, 1000)]


@claim("dobrushin-submultiplicative", "background to Lemma 3 / Corollary 2 (not stated in "
       "the paper; Dobrushin 1956, Seneta 2006)",
       "For row-stochastic P, Q: tau(P) = 1/2 max_ij ||P_i - P_j||_1 = 1 - min_ij sum_k "
       "min(P_ik, P_jk); tau(PQ) <= tau(P) tau(Q); osc(P x) <= tau(P) osc(x), with equality "
       "for some 0/1 vector x.",
       assumptions=("row-stochastic",), test=T + "test_dobrushin_negative_controls",
       notes=NOTES)
def dobrushin_submultiplicative(config: Config):
    return E.suite_dobrushin(config.seed, instances=400 if config.thorough else 80,
                             max_n=7 if config.thorough else 5,
                             parts=("formulas", "submultiplicative", "contraction"))


@claim("dobrushin-column-bound", "background to Lemma 3 / Corollary 2 (not stated in the paper)",
       "If every entry of some column of a row-stochastic P is >= delta, then tau(P) <= "
       "1 - delta; more generally tau(P) <= 1 - sum_k min_i P_ik.",
       assumptions=("row-stochastic",), test=T + "test_column_bound_negative_control",
       notes=NOTES)
def dobrushin_column_bound(config: Config):
    return E.suite_dobrushin(config.seed, instances=400 if config.thorough else 80,
                             max_n=7 if config.thorough else 5, parts=("column",))


@claim("lemma-2", "Lemma 2 (Appendix B.1), eqs. (11)-(12)",
       "For row-stochastic A(t..t+T-1) and x_i(t) = p m(t) + (1-p) M(t), with pi = prod_n "
       "A_ii(n): x_i(t+T) <= p pi m + (1 - p pi) M, and (symmetric form) x_i(t+T) >= "
       "(1-p) pi M + (1 - (1-p) pi) m; with self-loops A_ii >= eps, pi may be replaced by "
       "eps^T.",
       assumptions=("row-stochastic", "A1 with weight eps (A_ii >= eps) for the eps form"),
       test=T + "test_lemma2_negative_controls", notes=NOTES)
def lemma_2(config: Config):
    return E.suite_lemma2(config.seed, instances=150 if config.thorough else 40,
                          max_n=6 if config.thorough else 4, steps=5 if config.thorough else 4)


@claim("lemma-2-printed-lower-bound", "Lemma 2 (Appendix B.1), eq. (12) as printed",
       "As printed, (12) uses the same p as (11): x_i(t) = p m + (1-p) M  =>  x_i(t+T) >= "
       "p pi M + (1 - p pi) m.  Expected to fail for p > 1/2 (it is the symmetric form with "
       "p and 1-p swapped); the narrower statement records what holds.",
       assumptions=("row-stochastic",), test=T + "test_lemma2_printed_form_fails", notes=NOTES)
def lemma_2_printed(config: Config):
    return E.suite_lemma2_printed(config.seed, instances=150 if config.thorough else 30)


@claim("lemma-3", "Lemma 3 (Appendix B.1), eq. (13)",
       "G quasi-strongly connected with A1, radius r, A(n) in A_{G,eps} (A_ij >= eps on edges, "
       "0 off G): M(t+kr) - m(t+kr) <= (1 - p eps^r)^k (M(t) - m(t)) for all t, k >= 0 and "
       "every p in [0, 1] (p = 1 strongest); key fact: every product of r consecutive A's has "
       "each centre's column >= eps^r, so tau <= 1 - eps^r.",
       assumptions=("A1", "quasi-strongly connected", "A(n) in A_{G,eps}"),
       test=T + "test_lemma3_negative_controls", notes=NOTES)
def lemma_3(config: Config):
    if config.thorough:
        return E.suite_lemma3(config.seed, sizes=(2, 3, 4, 5, 6, 7), n_random=60, blocks=3)
    return E.suite_lemma3(config.seed, sizes=(2, 3, 4, 5, 6), n_random=16, blocks=2)


@claim("corollary-2", "Corollary 2 (Appendix B.1)",
       "Under Lemma 3's assumptions, M(t) - m(t) <= C (1 - eps^r)^(t/r) for all t >= 0, with "
       "C = osc(x(0)) (1 - eps^r)^(-(r-1)/r) (no floor on t/r needed; this C is attained, so "
       "C = osc(x(0)) is not enough).",
       assumptions=("A1", "quasi-strongly connected", "A(n) in A_{G,eps}"),
       test=T + "test_corollary2_negative_controls", notes=NOTES)
def corollary_2(config: Config):
    if config.thorough:
        return E.suite_corollary2(config.seed, sizes=(2, 3, 4, 5, 6, 7), n_random=60, blocks=4)
    return E.suite_corollary2(config.seed, sizes=(2, 3, 4, 5, 6), n_random=16, blocks=3)


@claim("rate-monotone-in-r-and-eps", "Theorem 1 discussion (Section 4.1)",
       "The rate (1 - eps^r)^(1/r) is strictly increasing in r > 0 (larger radius, slower "
       "collapse) and strictly decreasing in eps in (0, 1), proved symbolically and checked "
       "on an exact rational grid.",
       test=T + "test_rate_monotone_negative_control", notes=NOTES)
def rate_monotone(config: Config):
    from theory.evidence import combine

    sym = E.rate_monotone_symbolic()
    grid = E.rate_monotone_grid(_eps_grid(config.thorough), 16 if config.thorough else 8)
    return combine("(1 - eps^r)^(1/r) increases with r and decreases with eps", [sym, grid])
