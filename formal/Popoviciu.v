(* Popoviciu.v -- Popoviciu's inequality for the empirical variance.

   For n.+1 reals x_0, ..., x_n all lying in an interval [m, M],
       \sum_i (x_i - mean x)^2 <= (n+1) * (M - m)^2 / 4,
   where mean x = (\sum_i x_i) / (n+1).  Proof: the sum of squared
   deviations from a constant c is minimised at c = mean x (it equals the
   variance sum plus (n+1) (mean x - c)^2); take c = (M + m) / 2, and note
   (x_i - c)^2 - ((M - m)/2)^2 = (x_i - M) (x_i - m) <= 0.
   Stated for functions 'I_n.+1 -> R and for column vectors 'cV[R]_n.+1,
   over an arbitrary real field R. *)

From mathcomp Require Import all_ssreflect all_algebra.
From mathcomp.algebra_tactics Require Import ring.

Set Implicit Arguments.
Unset Strict Implicit.
Unset Printing Implicit Defensive.

Import GRing.Theory Num.Theory.
Import Order.TTheory.
Local Open Scope ring_scope.

Section Popoviciu.

Variables (R : realFieldType) (n : nat).

(* Arithmetic mean of n.+1 values. *)
Definition mean (x : 'I_n.+1 -> R) : R := (\sum_i x i) / n.+1%:R.

Let N_neq0 : n.+1%:R != 0 :> R. Proof. by rewrite pnatr_eq0. Qed.

(* Deviations from the mean sum to zero. *)
Lemma sum_centered (x : 'I_n.+1 -> R) : \sum_i (x i - mean x) = 0.
Proof.
by rewrite sumrB sumr_const card_ord /mean -[_ *+ n.+1]mulr_natr divfK // subrr.
Qed.

(* Shifting the centre from the mean to c adds (n+1) (mean x - c)^2. *)
Lemma sum_sq_shift (x : 'I_n.+1 -> R) (c : R) :
  \sum_i (x i - c) ^+ 2 =
  \sum_i (x i - mean x) ^+ 2 + n.+1%:R * (mean x - c) ^+ 2.
Proof.
have e i : (x i - c) ^+ 2 = (x i - mean x) ^+ 2 + (mean x - c) ^+ 2
                          + 2%:R * (mean x - c) * (x i - mean x) by ring.
rewrite (eq_bigr _ (fun i _ => e i)) !big_split /=.
rewrite -[\sum_i 2%:R * _ * _]mulr_sumr sum_centered.
by rewrite mulr0 addr0 sumr_const card_ord mulr_natl.
Qed.

(* The mean minimises the sum of squared deviations. *)
Lemma var_le_sum_sq (x : 'I_n.+1 -> R) (c : R) :
  \sum_i (x i - mean x) ^+ 2 <= \sum_i (x i - c) ^+ 2.
Proof. by rewrite (sum_sq_shift x c) ler_addl mulr_ge0 ?ler0n ?sqr_ge0. Qed.

(* A point of [m, M] is within (M - m)/2 of the midpoint (squared form). *)
Lemma sq_dev_mid (m M y : R) :
  m <= y <= M -> (y - (M + m) / 2%:R) ^+ 2 <= ((M - m) / 2%:R) ^+ 2.
Proof.
case/andP=> my yM; rewrite -subr_le0.
have -> : (y - (M + m) / 2%:R) ^+ 2 - ((M - m) / 2%:R) ^+ 2
          = (y - M) * (y - m) by field.
by rewrite mulr_le0_ge0 // ?subr_le0 ?subr_ge0.
Qed.

Theorem popoviciu (x : 'I_n.+1 -> R) (m M : R) :
  (forall i, m <= x i <= M) ->
  \sum_i (x i - mean x) ^+ 2 <= n.+1%:R * (M - m) ^+ 2 / 4%:R.
Proof.
move=> hx; apply: le_trans (var_le_sum_sq x ((M + m) / 2%:R)) _.
have -> : n.+1%:R * (M - m) ^+ 2 / 4%:R = \sum_(i < n.+1) ((M - m) / 2%:R) ^+ 2.
  by rewrite sumr_const card_ord -mulr_natl; field.
by apply: ler_sum => i _; apply: sq_dev_mid.
Qed.

(* The same for a column vector. *)
Definition meanv (x : 'cV[R]_n.+1) : R := mean (fun i => x i 0).

Theorem popoviciu_cV (x : 'cV[R]_n.+1) (m M : R) :
  (forall i, m <= x i 0 <= M) ->
  \sum_i (x i 0 - meanv x) ^+ 2 <= n.+1%:R * (M - m) ^+ 2 / 4%:R.
Proof. exact: popoviciu. Qed.

End Popoviciu.
