(* Theorem1.v: the rank-collapse bound (Theorem 1 of the paper, in
   oscillation form).  If the mask G has self-loops, every token is reachable
   from a centre token c within r steps, eps >= 0, and every factor of ps
   lies in the class A_{G,eps}, then for every vector x
       osc (lprod ps x) <= (1 - eps^r)^(|ps| / r) * osc x,
   and the same bound holds column by column for a matrix X. *)
From mathcomp Require Import all_ssreflect all_algebra.
From RankCollapse Require Import Defs Oscillation CentreColumn.

Set Implicit Arguments.
Unset Strict Implicit.
Unset Printing Implicit Defensive.

Import GRing.Theory Num.Theory.
Import Order.TTheory.
Local Open Scope ring_scope.

Section Theorem1.

Variables (R : realFieldType) (n : nat).
Variables (G : rel 'I_n.+1) (eps : R) (c : 'I_n.+1) (r : nat).
Hypotheses (loops : selfloops G) (reach_all : forall i, reach G r c i)
           (eps0 : 0 <= eps).

Implicit Types (ps qs : seq 'M[R]_n.+1) (x y : 'cV[R]_n.+1).

Local Notation inA ps := (forall P, P \in ps -> inclass G eps P).

Lemma inA_stochastic ps : inA ps -> stochastic (lprod ps).
Proof. by move=> cps; apply: stochastic_lprod => P /cps /inclass_stochastic. Qed.

(* One block of r factors contracts the oscillation by 1 - eps^r. *)
Lemma block_contract qs : size qs = r -> inA qs ->
  forall y, osc (lprod qs *m y) <= (1 - eps ^+ r) * osc y.
Proof.
move=> sz cqs y; apply: osc_contract_column (inA_stochastic cqs) _.
exact: centre_column loops reach_all sz cqs eps0.
Qed.

(* The contraction factor is nonnegative as soon as one block exists:
   eps^r is an entry lower bound of a stochastic matrix, hence <= 1. *)
Lemma block_factor_ge0 qs : size qs = r -> inA qs -> 0 <= 1 - eps ^+ r.
Proof.
move=> sz cqs; rewrite subr_ge0.
apply: le_trans (centre_column loops reach_all sz cqs eps0 0) _.
exact: stochastic_le1 (inA_stochastic cqs).
Qed.

(* m consecutive blocks (taken from the front, i.e. acting first), followed
   by an arbitrary remainder. *)
Lemma blocks_contract m ps : (m * r <= size ps)%N -> inA ps ->
  forall x, osc (lprod ps *m x) <= (1 - eps ^+ r) ^+ m * osc x.
Proof.
elim: m ps => [|m IH] ps hsz cps x.
  (* no block: a stochastic matrix does not increase the oscillation *)
  by rewrite expr0 mul1r; apply: osc_stochastic_le (inA_stochastic cps).
have hr : (r <= size ps)%N by apply: leq_trans hsz; rewrite mulSn leq_addr.
(* split ps into its first block and the rest *)
rewrite -(cat_take_drop r ps) lprod_cat -mulmxA.
have szT : size (take r ps) = r by rewrite size_takel.
have cT : inA (take r ps) by move=> P /mem_take /cps.
have cD : inA (drop r ps) by move=> P /mem_drop /cps.
have szD : (m * r <= size (drop r ps))%N by rewrite size_drop leq_subRL // -mulSn.
apply: le_trans (IH _ szD cD _) _.
rewrite exprSr -mulrA; apply: ler_wpmul2l.
  by rewrite exprn_ge0 // (block_factor_ge0 szT cT).
exact: block_contract.
Qed.

Theorem theorem1_core_sec ps : inA ps ->
  forall x, osc (lprod ps *m x) <= (1 - eps ^+ r) ^+ (size ps %/ r) * osc x.
Proof. by move=> cps x; apply: blocks_contract => //; exact: leq_trunc_div. Qed.

End Theorem1.

Section Statements.

Variables (R : realFieldType) (n : nat).

(* Theorem 1, vector form. *)
Theorem theorem1_core (G : rel 'I_n.+1) (eps : R) (c : 'I_n.+1) (r : nat)
    (ps : seq 'M[R]_n.+1) :
  selfloops G -> (forall i, reach G r c i) -> 0 <= eps ->
  (forall P, P \in ps -> inclass G eps P) ->
  forall x : 'cV[R]_n.+1,
    osc (lprod ps *m x) <= (1 - eps ^+ r) ^+ (size ps %/ r) * osc x.
Proof. by move=> loops reach_all eps0; apply: theorem1_core_sec. Qed.

Lemma col_mulmx m p d (A : 'M[R]_(m, p)) (X : 'M[R]_(p, d)) (j : 'I_d) :
  col j (A *m X) = A *m col j X.
Proof. by rewrite !colE mulmxA. Qed.

(* Theorem 1, matrix form: every column of the token matrix X. *)
Theorem theorem1_columns (G : rel 'I_n.+1) (eps : R) (c : 'I_n.+1) (r : nat)
    (ps : seq 'M[R]_n.+1) :
  selfloops G -> (forall i, reach G r c i) -> 0 <= eps ->
  (forall P, P \in ps -> inclass G eps P) ->
  forall d (X : 'M[R]_(n.+1, d)) (j : 'I_d),
    osc (col j (lprod ps *m X)) <=
      (1 - eps ^+ r) ^+ (size ps %/ r) * osc (col j X).
Proof.
move=> loops reach_all eps0 cps d X j; rewrite col_mulmx.
exact: theorem1_core loops reach_all eps0 cps _.
Qed.

End Statements.
