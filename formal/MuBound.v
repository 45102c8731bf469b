(* MuBound.v -- Theorem 1 for the paper's rank-collapse measure mu.

   For a token matrix X : 'M[R]_(n.+1, d) (n.+1 tokens, d features) let
   colmean X j be the mean of column j and
       mu2 X = \sum_j \sum_i (X i j - colmean X j)^2,
   i.e. mu(X)^2, the squared Frobenius distance of X from the matrix whose
   rows all equal the mean token.  We prove
   - mu2_osc : mu2 X <= (n+1)/4 * \sum_j osc (col j X)^2
     (Popoviciu's inequality, column by column), and
   - theorem1_mu : under the hypotheses of Theorem 1 (self-loops, every
     token reachable from a centre c within r steps, eps >= 0, every factor
     in the class A_{G,eps}), with all value matrices equal to the identity,
       mu2 (lprod ps *m X)
         <= (n+1)/4 * ((1 - eps^r)^(|ps| / r))^2 * \sum_j osc (col j X)^2.
   Everything is stated with squares (mu^2 rather than mu) so that no square
   root is needed and an arbitrary real field R suffices. *)

From mathcomp Require Import all_ssreflect all_algebra.
From RankCollapse Require Import Defs Oscillation Theorem1 Popoviciu.

Set Implicit Arguments.
Unset Strict Implicit.
Unset Printing Implicit Defensive.

Import GRing.Theory Num.Theory.
Import Order.TTheory.
Local Open Scope ring_scope.

Section MuBound.

Variables (R : realFieldType) (n : nat).

(* Mean of column j (the j-th coordinate of the mean token). *)
Definition colmean d (X : 'M[R]_(n.+1, d)) (j : 'I_d) : R :=
  (\sum_i X i j) / n.+1%:R.

(* mu(X)^2: squared Frobenius distance of X from its mean token. *)
Definition mu2 d (X : 'M[R]_(n.+1, d)) : R :=
  \sum_j \sum_i (X i j - colmean X j) ^+ 2.

Lemma colmeanE d (X : 'M[R]_(n.+1, d)) j : colmean X j = mean (fun i => X i j).
Proof. by []. Qed.

Theorem mu2_osc d (X : 'M[R]_(n.+1, d)) :
  mu2 X <= n.+1%:R / 4%:R * \sum_j (osc (col j X)) ^+ 2.
Proof.
rewrite /mu2 mulr_sumr; apply: ler_sum => j _.
have hb i : vmin (col j X) <= X i j <= vmax (col j X).
  by have := vmin_le (col j X) i; have := le_vmax (col j X) i; rewrite !mxE => -> ->.
by rewrite (le_trans (popoviciu hb)) // /osc mulrAC.
Qed.

Theorem theorem1_mu (G : rel 'I_n.+1) (eps : R) (c : 'I_n.+1) (r : nat)
    (ps : seq 'M[R]_n.+1) :
  selfloops G -> (forall i, reach G r c i) -> 0 <= eps ->
  (forall P, P \in ps -> inclass G eps P) ->
  forall d (X : 'M[R]_(n.+1, d)),
    mu2 (lprod ps *m X) <=
      n.+1%:R / 4%:R * ((1 - eps ^+ r) ^+ (size ps %/ r)) ^+ 2
        * \sum_j (osc (col j X)) ^+ 2.
Proof.
move=> loops reach_all eps0 cps d X.
set k := (1 - eps ^+ r) ^+ (size ps %/ r).
apply: le_trans (mu2_osc _) _.
rewrite -[_ * k ^+ 2 * _]mulrA ler_pmul2l ?divr_gt0 ?ltr0n // mulr_sumr.
apply: ler_sum => j _; rewrite -exprMn.
have h := theorem1_columns loops reach_all eps0 cps X j.
by rewrite ler_sqr ?nnegrE ?osc_ge0 // (le_trans (osc_ge0 _) h).
Qed.

End MuBound.
