(* Defs.v: the basic objects of the development, over an arbitrary real
   field R and dimension n.+1 (so index sets are nonempty):
   - vmax / vmin / osc : maximum, minimum and oscillation (max - min) of a
     column vector;
   - stochastic P : P is row-stochastic (nonnegative entries, rows sum to 1);
   - masks G : rel 'I_n.+1 with G i j meaning "token i attends to token j"
     (the paper's graph edge goes j -> i); inclass G eps P is the class
     A_{G,eps}: P stochastic with P i j >= eps on every mask entry;
   - selfloops G, and reach G k c i : i is reachable from c in at most k
     steps along the paper's edges;
   - lprod [:: P1; ...; Pt] = Pt *m ... *m P1 (P1 acts first);
   - tau P : Dobrushin's ergodicity coefficient in overlap form;
   - column_floor P c : the smallest entry of column c. *)
From mathcomp Require Import all_ssreflect all_algebra.

Set Implicit Arguments.
Unset Strict Implicit.
Unset Printing Implicit Defensive.

Import GRing.Theory Num.Theory.
Local Open Scope ring_scope.

Section Defs.

Variables (R : realFieldType) (n : nat).

(* Largest and smallest entry of a column vector. *)
Definition vmax (x : 'cV[R]_n.+1) : R := \big[Num.max/x 0 0]_i x i 0.
Definition vmin (x : 'cV[R]_n.+1) : R := \big[Num.min/x 0 0]_i x i 0.

(* Oscillation (spread) of a vector. *)
Definition osc (x : 'cV[R]_n.+1) : R := vmax x - vmin x.

(* Row-stochastic matrices. *)
Definition stochastic (P : 'M[R]_n.+1) : Prop :=
  (forall i j, 0 <= P i j) /\ (forall i, \sum_j P i j = 1).

(* The class A_{G,eps}: stochastic, and at least eps on every mask entry.
   (Entries off the mask are not required to vanish.) *)
Definition inclass (G : rel 'I_n.+1) (eps : R) (P : 'M[R]_n.+1) : Prop :=
  stochastic P /\ (forall i j, G i j -> eps <= P i j).

Definition selfloops (G : rel 'I_n.+1) : Prop := forall i, G i i.

(* reach G k c i : i can be reached from c in at most k steps, where a step
   goes from j to i whenever G i j (i attends to j). *)
Fixpoint reach (G : rel 'I_n.+1) (k : nat) (c i : 'I_n.+1) : bool :=
  match k with
  | 0 => i == c
  | k.+1 => reach G k c i || [exists j, G i j && reach G k c j]
  end.

(* Left-accumulated product: lprod [:: P1; P2; ...; Pt] = Pt *m ... *m P1. *)
Definition lprod (ps : seq 'M[R]_n.+1) : 'M[R]_n.+1 :=
  foldl (fun acc P => P *m acc) 1%:M ps.

(* Dobrushin's coefficient, overlap form. *)
Definition tau (P : 'M[R]_n.+1) : R :=
  1 - \big[Num.min/1]_i \big[Num.min/1]_j \sum_k Num.min (P i k) (P j k).

(* Smallest entry of column c. *)
Definition column_floor (P : 'M[R]_n.+1) (c : 'I_n.+1) : R :=
  \big[Num.min/P 0 c]_i P i c.

Lemma reach0 G c i : reach G 0 c i = (i == c).
Proof. by []. Qed.

Lemma reachS G k c i :
  reach G k.+1 c i = reach G k c i || [exists j, G i j && reach G k c j].
Proof. by []. Qed.

Lemma lprod_nil : lprod [::] = 1%:M.
Proof. by []. Qed.

End Defs.
