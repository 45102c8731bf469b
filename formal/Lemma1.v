(* Lemma1.v -- the paper's Lemma 1 in field form.

   If the unnormalised attention weights u_i (= exp(score_i)) of one
   query over n.+1 tokens all lie in an interval [a, b] with 0 < a, then
   every softmax weight u_i / (sum_k u_k) is at least a / ((n+1) * b).
   (The paper phrases this as "each attention weight is >= a / (n b)" for
   n tokens; here the number of tokens is n.+1.)  Everything is proved
   over an arbitrary real field R. *)

From mathcomp Require Import all_ssreflect all_algebra.

Set Implicit Arguments.
Unset Strict Implicit.
Unset Printing Implicit Defensive.

Import GRing.Theory Num.Theory.
Import Order.TTheory. (* lt_le_trans, le_trans, ... *)
Local Open Scope ring_scope.

Section Lemma1.

Variable R : realFieldType.

(* Bounds on the normalising constant \sum_k u k. *)
Lemma sum_weights_bounds n (u : 'I_n.+1 -> R) a b :
  (forall i, a <= u i <= b) ->
  n.+1%:R * a <= \sum_k u k <= n.+1%:R * b.
Proof.
move=> hu.
have cst (c : R) : \sum_(k < n.+1) c = n.+1%:R * c.
  by rewrite sumr_const card_ord mulr_natl.
by rewrite -!cst; apply/andP; split; apply: ler_sum => k _; case/andP: (hu k).
Qed.

Lemma lemma1_weight n (u : 'I_n.+1 -> R) a b :
  0 < a -> (forall i, a <= u i <= b) ->
  forall i, a / (n.+1%:R * b) <= u i / \sum_k u k.
Proof.
move=> a_gt0 hu i.
have [ua ub] : a <= u i /\ u i <= b by apply/andP; exact: hu.
have b_gt0 : 0 < b by rewrite (lt_le_trans a_gt0) // (le_trans ua).
have N_gt0 : 0 < n.+1%:R :> R by rewrite ltr0n.
have Nb_gt0 : 0 < n.+1%:R * b by rewrite mulr_gt0.
have /andP[S_ge S_le] := sum_weights_bounds hu.
have S_gt0 : 0 < \sum_k u k by rewrite (lt_le_trans _ S_ge) // mulr_gt0.
(* a / (N b) * S <= a / (N b) * (N b) = a <= u i *)
rewrite ler_pdivl_mulr //; apply: le_trans ua.
have c_ge0 : 0 <= a / (n.+1%:R * b) by rewrite divr_ge0 // ltW.
apply: le_trans (ler_wpmul2l c_ge0 S_le) _.
by rewrite divfK // gt_eqF.
Qed.

End Lemma1.
