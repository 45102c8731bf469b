(* Compute.v -- computable twins of the definitions of Defs.v, over rat.

   MathComp matrices and big operators are locked, so vm_compute cannot
   evaluate vmax, osc, *m, lprod, tau, inclass or reach on concrete
   instances.  Here every such object gets a twin on plain lists
   (seq rat for vectors, seq (seq rat) for matrices given row by row,
   seq (seq bool) for masks, nat for indices), and we PROVE that each twin
   agrees with the matrix definition on the matrix read off the lists:
     osc_seqE, mulmx_seqE, mulmxv_seqE, id_seqE, lprod_seqE, tau_seqE,
     inclass_seqE, selfloops_seqE, reach_seqE, osc_lprod_seqE.
   Read-off conventions: mx_of_seq n s has entry (i, j) equal to the j-th
   element of the i-th row of s (0 when missing); cv_of_seq n s likewise;
   rel_of_seq n Gs i j = (j-th element of row i of Gs), meaning that token i
   attends to token j.  Twins take the dimension from the length of their
   (first) list argument; the hypotheses of the agreement lemmas say that
   this length is n.+1.  At the end, a 3x3 instance is evaluated with
   vm_compute.  Note: MathComp's rat arithmetic runs on unary nat, so
   numerators and denominators beyond a few thousand make vm_compute slow
   (3x3 examples: a product of 4 factors takes 0.04 s, 5 factors 1.4 s,
   6 factors with denominators up to 5 about 85 s). *)

From mathcomp Require Import all_ssreflect all_algebra.
From RankCollapse Require Import Defs.

Set Implicit Arguments.
Unset Strict Implicit.
Unset Printing Implicit Defensive.

Import GRing.Theory Num.Theory.
Import Order.TTheory.
Local Open Scope ring_scope.

(* ------------------------------------------------------------------ *)
(* The twins.                                                         *)
(* ------------------------------------------------------------------ *)

(* op over f 0, ..., f (m-1) with seed idx: a computable \big[op/idx]_(i<m). *)
Definition bigop_seq (op : rat -> rat -> rat) (idx : rat) (m : nat)
    (f : nat -> rat) : rat :=
  foldr (fun k acc => op (f k) acc) idx (iota 0 m).

Definition sum_seq (m : nat) (f : nat -> rat) : rat := bigop_seq +%R 0 m f.

(* Entry (i, j) of a matrix given as a list of rows; of a boolean mask. *)
Definition ent (s : seq (seq rat)) (i j : nat) : rat := nth 0 (nth [::] s i) j.
Definition gent (Gs : seq (seq bool)) (i j : nat) : bool :=
  nth false (nth [::] Gs i) j.

Definition osc_seq (s : seq rat) : rat :=
  foldr Num.max (head 0 s) s - foldr Num.min (head 0 s) s.

Definition mulmx_seq (A B : seq (seq rat)) : seq (seq rat) :=
  mkseq (fun i => mkseq (fun j =>
    sum_seq (size A) (fun k => ent A i k * ent B k j)) (size A)) (size A).

Definition mulmxv_seq (A : seq (seq rat)) (x : seq rat) : seq rat :=
  mkseq (fun i => sum_seq (size A) (fun k => ent A i k * nth 0 x k)) (size A).

Definition id_seq (m : nat) : seq (seq rat) :=
  mkseq (fun i => mkseq (fun j => (i == j)%:R) m) m.

(* lprod_seq [:: P1; ...; Pt] = Pt ... P1; the identity has the size of P1. *)
Definition lprod_seq (ps : seq (seq (seq rat))) : seq (seq rat) :=
  foldl (fun acc P => mulmx_seq P acc) (id_seq (size (head [::] ps))) ps.

Definition tau_seq (P : seq (seq rat)) : rat :=
  1 - bigop_seq Num.min 1 (size P) (fun i =>
        bigop_seq Num.min 1 (size P) (fun j =>
          sum_seq (size P) (fun k => Num.min (ent P i k) (ent P j k)))).

Definition inclass_seq (Gs : seq (seq bool)) (eps : rat) (P : seq (seq rat))
    : bool :=
  all (fun i =>
    [&& all (fun j => 0 <= ent P i j) (iota 0 (size P)),
        sum_seq (size P) (fun j => ent P i j) == 1 &
        all (fun j => gent Gs i j ==> (eps <= ent P i j)) (iota 0 (size P))])
    (iota 0 (size P)).

Definition selfloops_seq (Gs : seq (seq bool)) : bool :=
  all (fun i => gent Gs i i) (iota 0 (size Gs)).

(* The set of tokens reachable from c in at most k steps, as a bool list;
   computed level by level (no exponential blow-up). *)
Fixpoint reachset_seq (Gs : seq (seq bool)) (k c : nat) : seq bool :=
  match k with
  | 0 => mkseq (fun i => i == c) (size Gs)
  | k'.+1 =>
      let r := reachset_seq Gs k' c in  (* evaluated once under vm_compute *)
      mkseq (fun i => nth false r i ||
               has (fun j => gent Gs i j && nth false r j) (iota 0 (size Gs)))
            (size Gs)
  end.

Definition reach_seq (Gs : seq (seq bool)) (k c i : nat) : bool :=
  nth false (reachset_seq Gs k c) i.

(* ------------------------------------------------------------------ *)
(* Reading matrices, vectors and masks off the lists.                 *)
(* ------------------------------------------------------------------ *)

Section Agreement.

Variable n : nat.

Definition mx_of_seq (s : seq (seq rat)) : 'M[rat]_n.+1 :=
  \matrix_(i, j) ent s i j.
Definition cv_of_seq (s : seq rat) : 'cV[rat]_n.+1 := \col_i nth 0 s i.
Definition rel_of_seq (Gs : seq (seq bool)) : rel 'I_n.+1 :=
  fun i j => gent Gs i j.

Lemma bigop_seqE op idx m f :
  bigop_seq op idx m f = \big[op/idx]_(i < m) f i.
Proof. by rewrite -(big_mkord xpredT) /index_iota subn0 unlock. Qed.

Lemma bigop_seq_nth op idx s :
  bigop_seq op idx (size s) (nth 0 s) = foldr op idx s.
Proof. by rewrite /bigop_seq -foldr_map -/(mkseq _ _) mkseq_nth. Qed.

Lemma mem_iota_ord (i : 'I_n.+1) : (i : nat) \in iota 0 n.+1.
Proof. by rewrite mem_iota add0n ltn_ord. Qed.

Lemma osc_seqE s : size s = n.+1 -> osc_seq s = osc (cv_of_seq s).
Proof.
move=> hs.
have big_cv op : \big[op/cv_of_seq s 0 0]_i cv_of_seq s i 0 = foldr op (head 0 s) s.
  rewrite -bigop_seq_nth hs bigop_seqE mxE.
  have -> : head 0 s = nth 0 s 0 by case: (s).
  by apply: eq_bigr => i _; rewrite mxE.
by rewrite /osc /vmax /vmin !big_cv.
Qed.

Lemma mulmx_seqE A B :
  size A = n.+1 -> mx_of_seq (mulmx_seq A B) = mx_of_seq A *m mx_of_seq B.
Proof.
move=> hA; apply/matrixP => i j; rewrite !mxE /ent /mulmx_seq hA.
rewrite !nth_mkseq // /sum_seq bigop_seqE.
by apply: eq_bigr => k _; rewrite !mxE.
Qed.

Lemma mulmxv_seqE A x :
  size A = n.+1 -> cv_of_seq (mulmxv_seq A x) = mx_of_seq A *m cv_of_seq x.
Proof.
move=> hA; apply/matrixP => i j; rewrite !mxE /mulmxv_seq hA.
rewrite nth_mkseq // /sum_seq bigop_seqE.
by apply: eq_bigr => k _; rewrite !mxE.
Qed.

Lemma id_seqE : mx_of_seq (id_seq n.+1) = 1%:M.
Proof. by apply/matrixP => i j; rewrite !mxE /ent /id_seq !nth_mkseq. Qed.

Lemma size_mulmx_seq A B : size (mulmx_seq A B) = size A.
Proof. exact: size_mkseq. Qed.

Lemma size_foldl_mulmx qs acc :
  size acc = n.+1 -> all (fun P => size P == n.+1) qs ->
  size (foldl (fun acc P => mulmx_seq P acc) acc qs) = n.+1.
Proof.
elim: qs acc => //= P qs IH acc _ /andP[/eqP hP hqs].
by apply: IH; rewrite ?size_mulmx_seq.
Qed.

Lemma size_lprod_seq ps :
  ps != [::] -> all (fun P => size P == n.+1) ps -> size (lprod_seq ps) = n.+1.
Proof.
case: ps => // P1 ps _ hall; have /andP[/eqP h1 _] := hall.
by apply: size_foldl_mulmx hall; rewrite size_mkseq.
Qed.

Lemma lprod_seqE ps :
  ps != [::] -> all (fun P => size P == n.+1) ps ->
  mx_of_seq (lprod_seq ps) = lprod (map mx_of_seq ps).
Proof.
case: ps => // P1 ps _ hall; rewrite /lprod_seq /lprod.
have -> : size (head [::] (P1 :: ps)) = n.+1 by case/andP: hall => /eqP.
rewrite -id_seqE.
elim: (P1 :: ps) (id_seq n.+1) hall => //= P qs IH acc /andP[/eqP hP hqs].
by rewrite IH // mulmx_seqE.
Qed.

Lemma tau_seqE P : size P = n.+1 -> tau_seq P = tau (mx_of_seq P).
Proof.
move=> hP; rewrite /tau_seq /tau hP bigop_seqE; congr (1 - _).
apply: eq_bigr => i _; rewrite bigop_seqE; apply: eq_bigr => j _.
by rewrite /sum_seq bigop_seqE; apply: eq_bigr => k _; rewrite !mxE.
Qed.

Lemma inclass_seqE Gs eps P :
  size P = n.+1 ->
  reflect (inclass (rel_of_seq Gs) eps (mx_of_seq P)) (inclass_seq Gs eps P).
Proof.
move=> hP; rewrite /inclass_seq hP; apply: (iffP allP) => [h | ].
  split; [split|] => [i j | i | i j gij].
  - have /and3P[/allP h0 _ _] := h i (mem_iota_ord i).
    by rewrite mxE; apply: h0 (mem_iota_ord j).
  - have /and3P[_ /eqP <- _] := h i (mem_iota_ord i).
    by rewrite /sum_seq bigop_seqE; apply: eq_bigr => j _; rewrite mxE.
  - have /and3P[_ _ /allP h2] := h i (mem_iota_ord i).
    by have /implyP := h2 j (mem_iota_ord j); rewrite mxE; apply.
case=> [[h0 h1] h2] i; rewrite mem_iota add0n => /andP[_ lti].
apply/and3P; split.
- apply/allP => j; rewrite mem_iota add0n => /andP[_ ltj].
  by have := h0 (Ordinal lti) (Ordinal ltj); rewrite mxE.
- apply/eqP; rewrite -(h1 (Ordinal lti)) /sum_seq bigop_seqE.
  by apply: eq_bigr => j _; rewrite mxE.
- apply/allP => j; rewrite mem_iota add0n => /andP[_ ltj]; apply/implyP => g.
  by have := h2 (Ordinal lti) (Ordinal ltj) g; rewrite mxE.
Qed.

Lemma selfloops_seqE Gs :
  size Gs = n.+1 -> reflect (selfloops (rel_of_seq Gs)) (selfloops_seq Gs).
Proof.
move=> hG; rewrite /selfloops_seq hG; apply: (iffP allP) => [h i | h i].
  exact: h _ (mem_iota_ord i).
by rewrite mem_iota add0n => /andP[_ lti]; exact: h (Ordinal lti).
Qed.

Lemma reach_seqE Gs k (c i : 'I_n.+1) :
  size Gs = n.+1 -> reach_seq Gs k c i = reach (rel_of_seq Gs) k c i.
Proof.
move=> hG; elim: k i => [|k IH] i; rewrite /reach_seq /= hG nth_mkseq //.
congr (_ || _); first exact: IH.
apply/hasP/existsP => [[j] | [j /andP[g r]]].
  rewrite mem_iota add0n => /andP[_ ltj] /andP[g r].
  by exists (Ordinal ltj); rewrite -IH; apply/andP.
exists (nat_of_ord j); first exact: mem_iota_ord.
by apply/andP; split; [exact: g | rewrite -IH in r].
Qed.

(* The composite used for instance checks. *)
Lemma osc_lprod_seqE ps x :
  ps != [::] -> all (fun P => size P == n.+1) ps ->
  osc_seq (mulmxv_seq (lprod_seq ps) x) =
  osc (lprod (map mx_of_seq ps) *m cv_of_seq x).
Proof.
move=> ne hall; have hl := size_lprod_seq ne hall.
rewrite osc_seqE; last by rewrite size_mkseq.
by rewrite mulmxv_seqE // lprod_seqE.
Qed.

End Agreement.

(* The dimension argument n is explicit in all three read-off functions. *)
Arguments rel_of_seq n Gs _ _ : clear implicits.

(* ------------------------------------------------------------------ *)
(* A 3x3 instance.                                                    *)
(* Rationals are written in ring_scope as quotients of numerals, e.g. *)
(* 1/3 (this parses as 1 / 3%:~R); decimals such as 0.25%Q also work. *)
(* To print a rational result in a machine-readable form, evaluate    *)
(*   Eval vm_compute in (let q := ... in (numq q, denq q)).           *)
(* which prints e.g.  = (17%Z, 15%Z)  or  = ((-13)%Z, 15%Z)           *)
(*                     : int * int                                    *)
(* (denq q > 0 and the fraction is reduced).                          *)
(* ------------------------------------------------------------------ *)

Definition P1_ex : seq (seq rat) :=
  [:: [:: 1/2; 1/2; 0]; [:: 1/3; 1/3; 1/3]; [:: 0; 1/4; 3/4]].
Definition P2_ex : seq (seq rat) :=
  [:: [:: 1; 0; 0]; [:: 1/2; 1/2; 0]; [:: 1/5; 2/5; 2/5]].
Definition x_ex : seq rat := [:: 0; 1; 3].

(* Eval vm_compute in
     (let q := osc_seq (mulmxv_seq (lprod_seq [:: P1_ex; P2_ex]) x_ex) in
      (numq q, denq q)).
   prints
     = (17%Z, 15%Z)
     : int * int                                                        *)

Example osc_ex_numden :
  (let q := osc_seq (mulmxv_seq (lprod_seq [:: P1_ex; P2_ex]) x_ex) in
   (numq q, denq q)) = (17%:Z, 15%:Z).
Proof. by vm_compute. Qed.

(* The same value, transported to the matrix definitions of Defs.v. *)
Example osc_ex_matrix :
  osc (lprod [:: mx_of_seq 2 P1_ex; mx_of_seq 2 P2_ex] *m cv_of_seq 2 x_ex)
  = 17 / 15.
Proof. by rewrite -(osc_lprod_seqE (ps := [:: P1_ex; P2_ex])) //; apply/eqP; vm_compute. Qed.

Example tau_ex : tau (mx_of_seq 2 P1_ex) = 3 / 4.
Proof. by rewrite -tau_seqE //; apply/eqP; vm_compute. Qed.

Example inclass_ex :
  inclass (rel_of_seq 2 [:: [:: true; true; false];
                            [:: true; true; true];
                            [:: false; true; true]]) (1/4) (mx_of_seq 2 P1_ex).
Proof. by apply/inclass_seqE => //; vm_compute. Qed.

Example reach_ex :
  reach (rel_of_seq 2 [:: [:: true; true; false];
                          [:: false; true; true];
                          [:: false; false; true]]) 2 (2 : 'I_3) (0 : 'I_3).
Proof. by rewrite -reach_seqE //; vm_compute. Qed.
