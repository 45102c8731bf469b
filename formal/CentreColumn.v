(* CentreColumn.v: algebra of left-accumulated products (lprod), closure of
   row-stochastic matrices under products, and the "centre column" lemma:
   if G has self-loops and every token is reachable from c within r steps
   (along the paper's edges), then any product of r matrices of the class
   A_{G,eps} (eps >= 0) has all entries of column c at least eps^r. *)
From mathcomp Require Import all_ssreflect all_algebra.
From RankCollapse Require Import Defs Oscillation.

Set Implicit Arguments.
Unset Strict Implicit.
Unset Printing Implicit Defensive.

Import GRing.Theory Num.Theory.
Import Order.TTheory.
Local Open Scope ring_scope.

Section CentreColumn.

Variables (R : realFieldType) (n : nat).
Implicit Types (P Q : 'M[R]_n.+1) (ps qs : seq 'M[R]_n.+1).

(* ---------------- products of sequences ---------------- *)

Lemma lprod_rcons ps P : lprod (rcons ps P) = P *m lprod ps.
Proof. by rewrite /lprod -cats1 foldl_cat. Qed.

Lemma lprod_cat ps qs : lprod (ps ++ qs) = lprod qs *m lprod ps.
Proof.
elim/last_ind: qs => [|qs Q IH]; first by rewrite cats0 lprod_nil mul1mx.
by rewrite -rcons_cat !lprod_rcons IH mulmxA.
Qed.

Lemma lprod_cons P ps : lprod (P :: ps) = lprod ps *m P.
Proof. by rewrite -cat1s lprod_cat /lprod /= mulmx1. Qed.

(* ---------------- stochastic matrices ---------------- *)

Lemma stochastic1 : stochastic (1%:M : 'M[R]_n.+1).
Proof.
split=> [i j|i]; first by rewrite mxE ler0n.
rewrite (bigD1 i) //= big1 => [|j /negbTE ji]; last by rewrite mxE eq_sym ji.
by rewrite mxE eqxx addr0.
Qed.

Lemma stochastic_mul P Q : stochastic P -> stochastic Q -> stochastic (P *m Q).
Proof.
case=> P0 P1 [Q0 Q1]; split=> [i j|i].
  by rewrite mxE; apply: sumr_ge0 => k _; rewrite mulr_ge0.
(* swap the two sums, then use the row sums of Q and of P *)
under eq_bigr do rewrite mxE.
rewrite exchange_big /= -(P1 i); apply: eq_bigr => k _.
by rewrite -mulr_sumr Q1 mulr1.
Qed.

Lemma stochastic_lprod ps :
  (forall P, P \in ps -> stochastic P) -> stochastic (lprod ps).
Proof.
elim/last_ind: ps => [|ps P IH] sps; first exact: stochastic1.
rewrite lprod_rcons; apply: stochastic_mul.
  by apply: sps; rewrite mem_rcons mem_head.
by apply: IH => Q Qps; apply: sps; rewrite mem_rcons in_cons Qps orbT.
Qed.

Lemma inclass_stochastic G eps P : inclass G eps P -> stochastic P.
Proof. by case. Qed.

(* An entry of a product of nonnegative matrices dominates each of the
   terms of its defining sum. *)
Lemma mul_entry_ge P Q i j c : stochastic P -> stochastic Q ->
  P i j * Q j c <= (P *m Q) i c.
Proof.
case=> P0 _ [Q0 _]; rewrite mxE.
by apply: (@ler_sum_term _ _ j (fun k => P i k * Q k c)) => k; rewrite mulr_ge0.
Qed.

(* ---------------- the centre column ---------------- *)

Section Centre.

Variables (G : rel 'I_n.+1) (eps : R) (c : 'I_n.+1).
Hypothesis (loops : selfloops G) (eps0 : 0 <= eps).

(* Strengthened statement, by induction on the sequence (adding factors at
   the end, i.e. on the left of the product). *)
Lemma centre_column_reach ps :
  (forall P, P \in ps -> inclass G eps P) ->
  forall i, reach G (size ps) c i -> eps ^+ size ps <= (lprod ps) i c.
Proof.
elim/last_ind: ps => [|ps P IH] cps i.
  by rewrite /= lprod_nil => /eqP->; rewrite expr0 mxE eqxx.
have cP : inclass G eps P by apply: cps; rewrite mem_rcons mem_head.
have cps' Q : Q \in ps -> inclass G eps Q.
  by move=> Qps; apply: cps; rewrite mem_rcons in_cons Qps orbT.
have sQ : stochastic (lprod ps).
  by apply: stochastic_lprod => Q /cps' /inclass_stochastic.
rewrite size_rcons lprod_rcons exprS reachS.
(* choose an intermediate token j with G i j and reach (size ps) c j:
   either j = i itself (self-loop), or the neighbour given by reachS *)
have step j : G i j -> reach G (size ps) c j ->
    eps * eps ^+ size ps <= (P *m lprod ps) i c.
  move=> Gij rj.
  apply: le_trans (@mul_entry_ge P (lprod ps) i j c (inclass_stochastic cP) sQ).
  by apply: ler_pmul; rewrite ?exprn_ge0 //; [case: cP => _; apply | exact: IH].
case/orP=> [ri|/existsP[j /andP[Gij rj]]]; last exact: step Gij rj.
exact: step (loops i) ri.
Qed.

End Centre.

(* The centre-column lemma, hypotheses in the order of the paper's argument.
   The hypothesis 0 <= eps is necessary: for eps < 0 the class constraint
   is vacuous while eps ^+ r may exceed 1 (e.g. eps = -2, r = 2). *)
Theorem centre_column (G : rel 'I_n.+1) (eps : R) (c : 'I_n.+1) (r : nat) ps :
  selfloops G -> (forall i, reach G r c i) -> size ps = r ->
  (forall P, P \in ps -> inclass G eps P) -> 0 <= eps ->
  forall i, eps ^+ r <= (lprod ps) i c.
Proof.
move=> loops reach_all sz cps eps0 i; rewrite -sz.
by apply: centre_column_reach => //; rewrite sz.
Qed.

End CentreColumn.
