(* Oscillation.v: elementary facts about vmax / vmin / osc, and the three
   contraction estimates for a row-stochastic matrix P acting on a vector x:
   - osc_stochastic_le : osc (P x) <= osc x;
   - osc_contract_column : if every entry of column c of P is >= delta then
     osc (P x) <= (1 - delta) osc x;
   - osc_contract_tau : osc (P x) <= tau P * osc x (Dobrushin). *)
From mathcomp Require Import all_ssreflect all_algebra.
From mathcomp.algebra_tactics Require Import ring.
From RankCollapse Require Import Defs.

Set Implicit Arguments.
Unset Strict Implicit.
Unset Printing Implicit Defensive.

Import GRing.Theory Num.Theory.
Import Order.TTheory.
Local Open Scope ring_scope.

(* A generic fact: one nonnegative summand is below the whole sum. *)
Lemma ler_sum_term (R : numDomainType) (I : finType) (c : I) (F : I -> R) :
  (forall k, 0 <= F k) -> F c <= \sum_k F k.
Proof.
move=> F0; rewrite (bigD1 c) //= ler_addl.
by apply: sumr_ge0 => k _; exact: F0.
Qed.

(* Big minima / maxima (with an arbitrary seed x0) are below / above each
   of their terms; proved along the underlying sequence since x0 is not a
   neutral element. *)
Section BigMinMax.
Variables (R : realDomainType) (I : finType) (x0 : R) (F : I -> R).

Lemma bigmin_le_seq (r : seq I) i :
  i \in r -> \big[Num.min/x0]_(j <- r) F j <= F i.
Proof.
elim: r => // a r IH; rewrite in_cons big_cons le_minl.
by case/orP=> [/eqP->|/IH->]; rewrite ?orbT //; apply/orP; left.
Qed.

Lemma le_bigmax_seq (r : seq I) i :
  i \in r -> F i <= \big[Num.max/x0]_(j <- r) F j.
Proof.
elim: r => // a r IH; rewrite in_cons big_cons le_maxr.
by case/orP=> [/eqP->|/IH->]; rewrite ?orbT //; apply/orP; left.
Qed.

Lemma bigmin_le i : \big[Num.min/x0]_j F j <= F i.
Proof. exact: bigmin_le_seq (mem_index_enum i). Qed.

Lemma le_bigmax i : F i <= \big[Num.max/x0]_j F j.
Proof. exact: le_bigmax_seq (mem_index_enum i). Qed.

End BigMinMax.

Section Oscillation.

Variables (R : realFieldType) (n : nat).
Implicit Types (x y : 'cV[R]_n.+1) (P : 'M[R]_n.+1).

Lemma le_vmax x i : x i 0 <= vmax x.
Proof. exact: (le_bigmax (x 0 0) (fun i => x i 0)). Qed.

Lemma vmin_le x i : vmin x <= x i 0.
Proof. exact: (bigmin_le (x 0 0) (fun i => x i 0)). Qed.

Lemma vmax_le x a : (forall i, x i 0 <= a) -> vmax x <= a.
Proof.
move=> H; rewrite /vmax; elim/big_ind: _ => [|u v hu hv|i _].
- exact: H.
- by rewrite le_maxl hu hv.
- exact: H.
Qed.

Lemma vmin_ge x a : (forall i, a <= x i 0) -> a <= vmin x.
Proof.
move=> H; rewrite /vmin; elim/big_ind: _ => [|u v hu hv|i _].
- exact: H.
- by rewrite le_minr hu hv.
- exact: H.
Qed.

Lemma vmin_le_vmax x : vmin x <= vmax x.
Proof. exact: le_trans (vmin_le x 0) (le_vmax x 0). Qed.

Lemma osc_ge0 x : 0 <= osc x.
Proof. by rewrite subr_ge0 vmin_le_vmax. Qed.

(* Every difference of two entries is bounded by the oscillation ... *)
Lemma sub_le_osc x i j : x i 0 - x j 0 <= osc x.
Proof. exact: ler_sub (le_vmax x i) (vmin_le x j). Qed.

(* ... and the oscillation is the least such bound. *)
Lemma osc_le x b : (forall i j, x i 0 - x j 0 <= b) -> osc x <= b.
Proof.
move=> H; rewrite /osc ler_subl_addr.
apply: vmax_le => i; rewrite -ler_subl_addl.
by apply: vmin_ge => j; rewrite ler_subl_addr -ler_subl_addl.
Qed.

(* Entries of a stochastic matrix are at most 1. *)
Lemma stochastic_le1 P i j : stochastic P -> P i j <= 1.
Proof. by case=> P0 P1; rewrite -(P1 i); apply: ler_sum_term. Qed.

(* One-sided bounds: (P x)_i stays P_ic * (distance of x_c to the extreme)
   away from the extremes of x. *)
Lemma stoch_upper P x i c : stochastic P ->
  (P *m x) i 0 <= vmax x - P i c * (vmax x - x c 0).
Proof.
case=> P0 P1; rewrite ler_subr_addl -ler_subr_addr.
(* vmax x - (P x)_i = \sum_k P_ik (vmax x - x_k) *)
have -> : vmax x - (P *m x) i 0 = \sum_k P i k * (vmax x - x k 0).
  rewrite mxE; under [RHS]eq_bigr do rewrite mulrBr.
  by rewrite sumrB -mulr_suml P1 mul1r.
apply: (@ler_sum_term _ _ c (fun k => P i k * (vmax x - x k 0))) => k.
by rewrite mulr_ge0 // subr_ge0 le_vmax.
Qed.

Lemma stoch_lower P x i c : stochastic P ->
  vmin x + P i c * (x c 0 - vmin x) <= (P *m x) i 0.
Proof.
case=> P0 P1; rewrite -ler_subr_addl.
(* (P x)_i - vmin x = \sum_k P_ik (x_k - vmin x) *)
have -> : (P *m x) i 0 - vmin x = \sum_k P i k * (x k 0 - vmin x).
  rewrite mxE; under [RHS]eq_bigr do rewrite mulrBr.
  by rewrite sumrB -mulr_suml P1 mul1r.
apply: (@ler_sum_term _ _ c (fun k => P i k * (x k 0 - vmin x))) => k.
by rewrite mulr_ge0 // subr_ge0 vmin_le.
Qed.

(* Contraction by a column whose entries are all at least delta. *)
Theorem osc_contract_column P x c delta :
  stochastic P -> (forall i, delta <= P i c) ->
  osc (P *m x) <= (1 - delta) * osc x.
Proof.
move=> sP Hd; apply: osc_le => i j.
have hM : 0 <= vmax x - x c 0 by rewrite subr_ge0 le_vmax.
have hm : 0 <= x c 0 - vmin x by rewrite subr_ge0 vmin_le.
(* bound (P x)_i from above and (P x)_j from below *)
apply: le_trans (ler_sub (stoch_upper x i c sP) (stoch_lower x j c sP)) _.
(* replace the entries P_ic, P_jc by their lower bound delta *)
apply: le_trans (ler_sub (ler_sub (lexx _) (ler_wpmul2r hM (Hd i)))
                         (ler_add (lexx _) (ler_wpmul2r hm (Hd j)))) _.
(* what remains is an algebraic identity *)
by rewrite le_eqVlt; apply/orP; left; apply/eqP; rewrite /osc; ring.
Qed.

Theorem osc_stochastic_le P x : stochastic P -> osc (P *m x) <= osc x.
Proof.
move=> sP; have := osc_contract_column x (c := 0) (delta := 0) sP.
by rewrite subr0 mul1r; apply=> i; case: sP.
Qed.

(* Dobrushin's estimate. *)
Theorem osc_contract_tau P x : stochastic P -> osc (P *m x) <= tau P * osc x.
Proof.
case=> P0 P1; apply: osc_le => i j.
(* the overlap of rows i and j *)
pose c k := Num.min (P i k) (P j k); pose s := \sum_k c k.
have ci k : 0 <= P i k - c k by rewrite subr_ge0 le_minl lexx.
have cj k : 0 <= P j k - c k by rewrite subr_ge0 le_minl lexx orbT.
have split l : (P *m x) l 0 =
    \sum_k c k * x k 0 + \sum_k (P l k - c k) * x k 0.
  by rewrite mxE -big_split; apply: eq_bigr => k _ /=; ring.
(* the excess mass of each row is 1 - s *)
have mass l : \sum_k (P l k - c k) = 1 - s by rewrite sumrB P1.
have up : \sum_k (P i k - c k) * x k 0 <= (1 - s) * vmax x.
  rewrite -(mass i) mulr_suml; apply: ler_sum => k _.
  by apply: ler_wpmul2l; [exact: ci | exact: le_vmax].
have lo : (1 - s) * vmin x <= \sum_k (P j k - c k) * x k 0.
  rewrite -(mass j) mulr_suml; apply: ler_sum => k _.
  by apply: ler_wpmul2l; [exact: cj | exact: vmin_le].
(* the overlap s is at least the minimal overlap appearing in tau P *)
have hs : 1 - s <= tau P.
  rewrite /tau ler_sub // /s /c.
  apply: le_trans (bigmin_le _ _ i) _; exact: bigmin_le.
rewrite !split opprD addrACA subrr add0r.
apply: le_trans (ler_sub up lo) _; rewrite -mulrBr.
by apply: ler_wpmul2r; [exact: osc_ge0 | exact: hs].
Qed.

End Oscillation.
