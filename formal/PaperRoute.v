(* PaperRoute.v: the Dobrushin-coefficient route to Theorem 1.
   - tau P always lies in [0, 1] for a stochastic P (tau_ge0, tau_le1);
   - a stochastic matrix whose column c is bounded below by delta has
     tau P <= 1 - delta (tau_le_column);
   - hence every block of r factors of the class A_{G,eps} (self-loops, all
     tokens within r steps of c, eps >= 0) has Dobrushin coefficient at most
     1 - eps^r (tau_block), and contracts the oscillation by that factor
     through osc_contract_tau (osc_block_tau). *)
From mathcomp Require Import all_ssreflect all_algebra.
From RankCollapse Require Import Defs Oscillation CentreColumn.

Set Implicit Arguments.
Unset Strict Implicit.
Unset Printing Implicit Defensive.

Import GRing.Theory Num.Theory.
Import Order.TTheory.
Local Open Scope ring_scope.

Section PaperRoute.

Variables (R : realFieldType) (n : nat).
Implicit Types (P : 'M[R]_n.+1).

(* The minimal overlap of two rows appearing in tau. *)
Local Notation overlap P :=
  (\big[Num.min/1]_i \big[Num.min/1]_j \sum_k Num.min (P i k) (P j k)).

(* A big minimum is below its seed ... *)
Lemma bigmin_le_seed (I : finType) (x0 : R) (F : I -> R) :
  \big[Num.min/x0]_j F j <= x0.
Proof.
elim: (index_enum I) => [|a r IH]; first by rewrite big_nil.
by rewrite big_cons le_minl IH orbT.
Qed.

(* ... and above any common lower bound of the seed and the terms. *)
Lemma bigmin_ge (I : finType) (x0 a : R) (F : I -> R) :
  a <= x0 -> (forall j, a <= F j) -> a <= \big[Num.min/x0]_j F j.
Proof.
move=> ha hF; elim: (index_enum I) => [|b r IH]; first by rewrite big_nil.
by rewrite big_cons le_minr hF IH.
Qed.

Lemma tau_ge0 P : 0 <= tau P.
Proof.
rewrite /tau subr_ge0; apply: le_trans (bigmin_le_seed _ _) _.
by [].
Qed.

(* For a stochastic matrix all overlaps are nonnegative. *)
Lemma tau_le1 P : stochastic P -> tau P <= 1.
Proof.
case=> P0 _; rewrite /tau ler_subl_addr ler_addl.
apply: bigmin_ge => [|i]; first exact: ler01.
apply: bigmin_ge => [|j]; first exact: ler01.
by apply: sumr_ge0 => k _; rewrite le_minr !P0.
Qed.

(* A column floor delta forces every pair of rows to overlap by delta. *)
Theorem tau_le_column P c delta :
  stochastic P -> (forall i, delta <= P i c) -> tau P <= 1 - delta.
Proof.
move=> sP hd; case: (sP) => P0 _; rewrite /tau ler_sub //.
have d1 : delta <= 1 by apply: le_trans (hd 0) (stochastic_le1 0 c sP).
apply: bigmin_ge => // i; apply: bigmin_ge => // j.
(* the overlap of rows i, j is at least their common mass on column c *)
apply: (@le_trans _ _ (Num.min (P i c) (P j c))); first by rewrite le_minr !hd.
apply: (@ler_sum_term _ _ c (fun k => Num.min (P i k) (P j k))) => k.
by rewrite le_minr !P0.
Qed.

(* The paper's route: a block of r factors from A_{G,eps} is scrambling,
   with Dobrushin coefficient at most 1 - eps^r ... *)
Theorem tau_block (G : rel 'I_n.+1) (eps : R) (c : 'I_n.+1) (r : nat)
    (qs : seq 'M[R]_n.+1) :
  selfloops G -> (forall i, reach G r c i) -> size qs = r ->
  (forall P, P \in qs -> inclass G eps P) -> 0 <= eps ->
  tau (lprod qs) <= 1 - eps ^+ r.
Proof.
move=> loops reach_all sz cqs eps0.
apply: tau_le_column (centre_column loops reach_all sz cqs eps0).
by apply: stochastic_lprod => P /cqs /inclass_stochastic.
Qed.

(* ... hence, by Dobrushin's estimate, contracts the oscillation. *)
Theorem osc_block_tau (G : rel 'I_n.+1) (eps : R) (c : 'I_n.+1) (r : nat)
    (qs : seq 'M[R]_n.+1) :
  selfloops G -> (forall i, reach G r c i) -> size qs = r ->
  (forall P, P \in qs -> inclass G eps P) -> 0 <= eps ->
  forall x : 'cV[R]_n.+1, osc (lprod qs *m x) <= (1 - eps ^+ r) * osc x.
Proof.
move=> loops reach_all sz cqs eps0 x.
have sQ : stochastic (lprod qs).
  by apply: stochastic_lprod => P /cqs /inclass_stochastic.
apply: le_trans (osc_contract_tau x sQ) _.
apply: ler_wpmul2r; first exact: osc_ge0.
exact: tau_block loops reach_all sz cqs eps0.
Qed.

End PaperRoute.
