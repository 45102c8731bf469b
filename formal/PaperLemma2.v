(* PaperLemma2.v: the paper's Lemma 2 (Appendix B.1), its two bounds, and a
   counterexample to the lower bound (12) as printed.

   Convention: column vectors, x(t+1) = A(t) x(t) with A(t) row-stochastic
   (the paper's row-vector form is the transpose; nothing else changes).
   Write m = vmin x, M = vmax x and suppose the i-th entry is the convex
   combination x_i = p m + (1 - p) M, 0 <= p <= 1.  If the self-loop weight
   of token i is at least pi0, i.e. A_ii >= pi0, then
     (11)  (A x)_i <= p pi0 m + (1 - p pi0) M               [lemma2_upper]
     (12') (A x)_i >= (1 - p) pi0 M + (1 - (1 - p) pi0) m   [lemma2_lower_corrected]
   The same holds after T steps with pi0 replaced by pi0^T, for a product
   A(T-1) ... A(0) = lprod [:: A(0); ...; A(T-1)] whose every factor is
   stochastic with i-th diagonal entry >= pi0 >= 0
   [lemma2_upper_lprod, lemma2_lower_corrected_lprod]; m and M stay the
   extremes of the initial vector x.
   The paper prints (12) as
     (12)  (A x)_i >= p pi0 M + (1 - p pi0) m,
   i.e. with p where (1 - p) belongs.  That is false: for the causal
   A = [[1, 0], [1/2, 1/2]], x = (0, 1), i = 0, p = 1 and pi0 = A_00 = 1 all
   hypotheses hold, (A x)_0 = 0 and the printed right-hand side is 1
   [lemma2_printed_lower_false, over any real field].  The failure is not
   an artefact of asking A_ii >= pi0 at the single token i: with
   pi0 = 1/2, the same A lies in the causal class A_{G,1/2} (every diagonal
   entry >= 1/2) and the printed right-hand side is 1/2 > 0
   [lemma2_printed_lower_false_causal_class].  Finally
   [lemma2_printed_lower_not_general] packages the refutation as the
   negation of the universally quantified printed statement.
   The upper bound (11) and the symmetric corrected bound (12') are what
   Lemma 3 needs; this file does not re-derive Lemma 3 itself. *)
From mathcomp Require Import all_ssreflect all_algebra.
From mathcomp.algebra_tactics Require Import ring.
From RankCollapse Require Import Defs Oscillation CentreColumn.

Set Implicit Arguments.
Unset Strict Implicit.
Unset Printing Implicit Defensive.

Import GRing.Theory Num.Theory.
Import Order.TTheory.
Local Open Scope ring_scope.

Section Lemma2.

Variables (R : realFieldType) (n : nat).
Implicit Types (A : 'M[R]_n.+1) (x : 'cV[R]_n.+1) (ps : seq 'M[R]_n.+1).

(* Lemma 2, upper bound (11), one step. *)
Theorem lemma2_upper A x i p pi0 :
  stochastic A -> pi0 <= A i i -> 0 <= p <= 1 ->
  x i 0 = p * vmin x + (1 - p) * vmax x ->
  (A *m x) i 0 <= p * pi0 * vmin x + (1 - p * pi0) * vmax x.
Proof.
move=> sA hii /andP[p0 _] xi.
apply: le_trans (stoch_upper x i i sA) _.
(* vmax x - x_i = p (M - m) >= 0 *)
have -> : vmax x - x i 0 = p * (vmax x - vmin x) by rewrite xi; ring.
have hd : 0 <= p * (vmax x - vmin x) by rewrite mulr_ge0 // subr_ge0 vmin_le_vmax.
apply: le_trans (ler_sub (lexx _) (ler_wpmul2r hd hii)) _.
by rewrite le_eqVlt; apply/orP; left; apply/eqP; ring.
Qed.

(* Lemma 2, corrected lower bound (12'), one step. *)
Theorem lemma2_lower_corrected A x i p pi0 :
  stochastic A -> pi0 <= A i i -> 0 <= p <= 1 ->
  x i 0 = p * vmin x + (1 - p) * vmax x ->
  (1 - p) * pi0 * vmax x + (1 - (1 - p) * pi0) * vmin x <= (A *m x) i 0.
Proof.
move=> sA hii /andP[_ p1] xi.
apply: le_trans _ (stoch_lower x i i sA).
(* x_i - m = (1 - p) (M - m) >= 0 *)
have -> : x i 0 - vmin x = (1 - p) * (vmax x - vmin x) by rewrite xi; ring.
have hd : 0 <= (1 - p) * (vmax x - vmin x).
  by rewrite mulr_ge0 // subr_ge0 ?vmin_le_vmax.
apply: le_trans _ (ler_add (lexx _) (ler_wpmul2r hd hii)).
by rewrite le_eqVlt; apply/orP; left; apply/eqP; ring.
Qed.

(* The i-th diagonal entry of a product of stochastic matrices whose i-th
   diagonal entries are >= pi0 >= 0 is >= pi0 ^ (number of factors). *)
Lemma lprod_diag_ge ps i pi0 : 0 <= pi0 ->
  (forall A, A \in ps -> stochastic A /\ pi0 <= A i i) ->
  pi0 ^+ size ps <= (lprod ps) i i.
Proof.
move=> pi00; elim/last_ind: ps => [|ps A IH] hps.
  by rewrite lprod_nil expr0 mxE eqxx.
have [sA hA] : stochastic A /\ pi0 <= A i i.
  by apply: hps; rewrite mem_rcons mem_head.
have hps' B : B \in ps -> stochastic B /\ pi0 <= B i i.
  by move=> Bps; apply: hps; rewrite mem_rcons in_cons Bps orbT.
have sP : stochastic (lprod ps).
  by apply: stochastic_lprod => B /hps' [].
rewrite size_rcons lprod_rcons exprS.
apply: le_trans (mul_entry_ge i i i sA sP).
by apply: ler_pmul; rewrite ?exprn_ge0 //; apply: IH.
Qed.

Lemma lprod_stochastic_diag ps i pi0 :
  (forall A, A \in ps -> stochastic A /\ pi0 <= A i i) ->
  stochastic (lprod ps).
Proof. by move=> hps; apply: stochastic_lprod => A /hps []. Qed.

(* Lemma 2 over T = size ps steps: x(T) = A(T-1) ... A(0) x(0). *)
Theorem lemma2_upper_lprod ps x i p pi0 :
  0 <= pi0 -> (forall A, A \in ps -> stochastic A /\ pi0 <= A i i) ->
  0 <= p <= 1 -> x i 0 = p * vmin x + (1 - p) * vmax x ->
  (lprod ps *m x) i 0 <=
    p * pi0 ^+ size ps * vmin x + (1 - p * pi0 ^+ size ps) * vmax x.
Proof.
move=> pi00 hps hp xi; apply: lemma2_upper => //.
  exact: lprod_stochastic_diag hps.
exact: lprod_diag_ge.
Qed.

Theorem lemma2_lower_corrected_lprod ps x i p pi0 :
  0 <= pi0 -> (forall A, A \in ps -> stochastic A /\ pi0 <= A i i) ->
  0 <= p <= 1 -> x i 0 = p * vmin x + (1 - p) * vmax x ->
  (1 - p) * pi0 ^+ size ps * vmax x + (1 - (1 - p) * pi0 ^+ size ps) * vmin x
    <= (lprod ps *m x) i 0.
Proof.
move=> pi00 hps hp xi; apply: lemma2_lower_corrected => //.
  exact: lprod_stochastic_diag hps.
exact: lprod_diag_ge.
Qed.

End Lemma2.

(* ------------------------------------------------------------------ *)
(* The counterexample to the printed (12).                              *)
(* ------------------------------------------------------------------ *)

Section Counterexample.

Variable R : realFieldType.

(* The causal 2 x 2 attention matrix [[1, 0], [1/2, 1/2]] ... *)
Definition Acaus : 'M[R]_2 :=
  \matrix_(i, j) if (i : nat) == 0%N then (if (j : nat) == 0%N then 1 else 0)
                 else 2^-1.

(* ... and the vector x = (0, 1). *)
Definition xcaus : 'cV[R]_2 := \col_(i < 2) (i : nat)%:R.

Definition i1 : 'I_2 := ord_max.

Lemma Acaus00 : Acaus 0 0 = 1. Proof. by rewrite mxE. Qed.
Lemma Acaus01 : Acaus 0 i1 = 0. Proof. by rewrite mxE. Qed.
Lemma Acaus10 : Acaus i1 0 = 2^-1. Proof. by rewrite mxE. Qed.
Lemma Acaus11 : Acaus i1 i1 = 2^-1. Proof. by rewrite mxE. Qed.

Lemma sum2 (F : 'I_2 -> R) : \sum_j F j = F 0 + F i1.
Proof.
rewrite big_ord_recl big_ord1; congr (_ + F _).
by apply: val_inj.
Qed.

Lemma half_ge0 : 0 <= 2^-1 :> R.
Proof. by rewrite invr_ge0 ler0n. Qed.

Lemma half_add : 2^-1 + 2^-1 = 1 :> R.
Proof. by have := splitr (1 : R); rewrite mul1r => <-. Qed.

Lemma ord2_cases (i : 'I_2) : i = 0 \/ i = i1.
Proof.
by case: i => [[|[|//]] hi]; [left | right]; apply: val_inj.
Qed.

Lemma Acaus_stochastic : stochastic Acaus.
Proof.
split=> [i j|i].
  rewrite mxE; case: ifP => _; last exact: half_ge0.
  by case: ifP => _; rewrite ?ler01 ?lexx.
rewrite sum2; case: (ord2_cases i) => ->.
  by rewrite Acaus00 Acaus01 addr0.
by rewrite Acaus10 Acaus11 half_add.
Qed.

Lemma xcaus0 : xcaus 0 0 = 0. Proof. by rewrite mxE. Qed.
Lemma xcaus1 : xcaus i1 0 = 1. Proof. by rewrite mxE. Qed.

Lemma vmax_xcaus : vmax xcaus = 1.
Proof.
apply/eqP; rewrite eq_le; apply/andP; split.
  apply: vmax_le => i; case: (ord2_cases i) => ->.
    by rewrite xcaus0 ler01.
  by rewrite xcaus1.
by rewrite -{1}xcaus1; apply: le_vmax.
Qed.

Lemma vmin_xcaus : vmin xcaus = 0.
Proof.
apply/eqP; rewrite eq_le; apply/andP; split.
  by rewrite -xcaus0; apply: vmin_le.
apply: vmin_ge => i; case: (ord2_cases i) => ->.
  by rewrite xcaus0.
by rewrite xcaus1 ler01.
Qed.

Lemma Axcaus0 : (Acaus *m xcaus) 0 0 = 0.
Proof. by rewrite mxE sum2 Acaus00 Acaus01 xcaus0 xcaus1 mulr0 mul0r addr0. Qed.

(* The instance prescribed by the brief: p = 1, pi0 = A_00 = 1, i = 0.
   Every hypothesis of Lemma 2 holds, the printed (12) fails. *)
Theorem lemma2_printed_lower_false :
  exists (A : 'M[R]_2) (x : 'cV[R]_2) (i : 'I_2) (p pi0 : R),
    [/\ stochastic A, pi0 <= A i i, 0 <= pi0, 0 <= p <= 1 &
        x i 0 = p * vmin x + (1 - p) * vmax x] /\
    ~ (p * pi0 * vmax x + (1 - p * pi0) * vmin x <= (A *m x) i 0).
Proof.
exists Acaus, xcaus, 0, 1, 1; split.
  split; rewrite ?Acaus00 ?ler01 ?lexx //; first exact: Acaus_stochastic.
  by rewrite xcaus0 vmin_xcaus vmax_xcaus subrr mulr0 mul0r addr0.
rewrite Axcaus0 vmax_xcaus vmin_xcaus mulr1 mul1r subrr mul0r addr0.
by move/(lt_le_trans ltr01); rewrite ltxx.
Qed.

(* The same matrix lies in the causal class A_{G,1/2} (G i j := j <= i,
   all self-loops present, every diagonal entry >= 1/2), A_01 = 0 (strictly
   causal), and with pi0 = 1/2, p = 1 the printed (12) still fails:
   (A x)_0 = 0 < 1/2 = p pi0 M + (1 - p pi0) m. *)
Theorem lemma2_printed_lower_false_causal_class :
  let A := Acaus in let x := xcaus in let p : R := 1 in let pi0 : R := 2^-1 in
  [/\ inclass (fun i j : 'I_2 => (j <= i)%N) pi0 A, A 0 i1 = 0 &
      forall j, pi0 <= A j j] /\
  [/\ 0 <= pi0, 0 <= p <= 1 & x 0 0 = p * vmin x + (1 - p) * vmax x] /\
  (A *m x) 0 0 < p * pi0 * vmax x + (1 - p * pi0) * vmin x.
Proof.
move=> A x p pi0; split; last split; last first.
- rewrite Axcaus0 vmax_xcaus vmin_xcaus /p /pi0 mulr1 mul1r mulr0 addr0.
  by rewrite invr_gt0 ltr0n.
- split; first exact: half_ge0.
    by rewrite /p ler01 lexx.
  by rewrite xcaus0 vmin_xcaus vmax_xcaus /p subrr mulr0 mul0r addr0.
split.
- split; first exact: Acaus_stochastic.
  move=> i j; case: (ord2_cases i) => ->; case: (ord2_cases j) => -> //= _.
  + by rewrite Acaus00 invf_le1 ?ltr0n // ler1n.
  + by rewrite Acaus10.
  + by rewrite Acaus11.
- exact: Acaus01.
- move=> j; case: (ord2_cases j) => ->; last by rewrite Acaus11.
  by rewrite Acaus00 invf_le1 ?ltr0n // ler1n.
Qed.

(* The printed (12), universally quantified over all instances of the
   hypotheses (here at dimension 2), is refuted. *)
Theorem lemma2_printed_lower_not_general :
  ~ (forall (A : 'M[R]_2) (x : 'cV[R]_2) (i : 'I_2) (p pi0 : R),
       stochastic A -> pi0 <= A i i -> 0 <= pi0 -> 0 <= p <= 1 ->
       x i 0 = p * vmin x + (1 - p) * vmax x ->
       p * pi0 * vmax x + (1 - p * pi0) * vmin x <= (A *m x) i 0).
Proof.
move=> H; have [A [x [i [p [pi0 [[sA hii pi00 hp xi] nH]]]]]] :=
  lemma2_printed_lower_false.
exact: nH (H A x i p pi0 sA hii pi00 hp xi).
Qed.

End Counterexample.

(* The rational instance, for the record. *)
Theorem lemma2_printed_lower_false_rat :
  exists (A : 'M[rat]_2) (x : 'cV[rat]_2) (i : 'I_2) (p pi0 : rat),
    [/\ stochastic A, pi0 <= A i i, 0 <= pi0, 0 <= p <= 1 &
        x i 0 = p * vmin x + (1 - p) * vmax x] /\
    ~ (p * pi0 * vmax x + (1 - p * pi0) * vmin x <= (A *m x) i 0).
Proof. exact: lemma2_printed_lower_false. Qed.
