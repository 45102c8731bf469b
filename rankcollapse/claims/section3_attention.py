"""Claims about the building blocks: masked attention."""
from __future__ import annotations

import numpy as np

from numeric import masks
from numeric.weights import gaussian
from theory.attention_facts import row_stochastic, row_stochastic_symbolic
from theory.evidence import combine, sampled

from . import Config, claim


@claim("attention-row-stochastic", "Section 3, masked softmax",
       "For a mask in which every token attends to some token, masked softmax attention is "
       "row-stochastic with support exactly the mask.",
       assumptions=("every row of M nonempty (implied by A1)",),
       test="tests/test_attention.py::test_row_stochastic_claim_negative_control",
       notes="Masked attention is row-stochastic",
       kind="lemma",
       tex=(r"A_{ij}=\frac{e^{R_{ij}}\,\mathbb{1}[(j,i)\in E]}{\sum_{k:(k,i)\in "
            r"E}e^{R_{ik}}},\quad \sum_j A_{ij}=1"),
       uses=["assumption-a1"],
       idea_paper=("Section 3.1 defines the masked softmax and uses its row-stochasticity "
                   "without a separate proof: each allowed weight is exp(R_ij) divided by "
                   "the sum of exp(R_ik) over the row's keys N_i, so the row sums to 1 and "
                   "is positive exactly on the edges of G; A1 guarantees that every N_i is "
                   "nonempty, so the quotient is defined."),
       idea_ours=("SymPy with real score symbols proves that the weights sum to 1 and are "
                  "positive for every row of in-degree n <= 6 (entries off the mask are 0 "
                  "by definition); arb balls then certify, on four sampled instances "
                  "(causal, sliding window, strided and global-window masks, scaled "
                  "Gaussian X, W_Q, W_K), that every on-mask weight is positive, every "
                  "off-mask weight is exactly 0 and each row sum is 1 up to a certified "
                  "1e-45."))
def attention_row_stochastic(cfg: Config):
    rng = np.random.default_rng(cfg.seed)
    parts = []
    n, d = (12, 6) if cfg.thorough else (6, 3)
    for M in (masks.causal(n), masks.sliding_window(n, 1), masks.strided(n, 3),
              masks.global_window(n, 1)):
        X = rng.standard_normal((n, d)) * 3
        parts.append(row_stochastic(M, X, gaussian(d, d, rng, 2.0), gaussian(d, d, rng, 2.0)))
    inst = combine("A row-stochastic with support M on causal, window, strided and "
                   f"global-window masks (N={n}, d={d}, random scaled weights)", parts,
                   {"instances": len(parts), "seed": cfg.seed},
                   scope=sampled(len(parts), f"causal, sliding_window(1), strided(3), "
                                 f"global_window(1) at N = {n}, d = {d}; X Gaussian times 3, "
                                 "W_Q, W_K Gaussian (scale 2)", cfg.seed))
    return combine("masked softmax rows sum to 1 with positive weights exactly on the mask: "
                   "symbolic for every row of in-degree <= 6 and every real scores; "
                   "certified in arb on sampled instances",
                   [row_stochastic_symbolic(8 if cfg.thorough else 6), inst])
