(* LayerNormScale.v: scale invariance of the paper's LayerNorm.

   The paper's LayerNorm (dynamics (3)) only rescales each token (a row
   vector y of length d) to unit Euclidean norm: no centring, gain, bias or
   epsilon.  Over a real closed field R (which has square roots) we define
     nrm y = sqrt (sum_j y_j^2),      ln y = (nrm y)^-1 * y
   (so ln 0 = 0, MathComp's 0^-1 = 0) and prove:
   - nrm_scale : nrm (c y) = |c| nrm y;
   - layernorm_scale_invariant : c > 0 -> ln (c y) = ln y, and
     layernorm_scale_neg : c < 0 -> ln (c y) = - ln y
     (LayerNorm only sees the direction, up to sign for c < 0);
   - ln_unit : y <> 0 -> nrm (ln y) = 1 (tokens land on the unit sphere);
   - layernorm_centred_scale_invariant : the same invariance for
     ln (y P) with an arbitrary right factor P, which covers the centring
     P = I - 11^T/d of the real (torch) LayerNorm with eps = 0, no gain/bias
     (up to its constant factor sqrt d);
   - lnrows_value_scale and post_ln_traj_value_scale : Section 4.3.1's remark
     "any positive rescaling c W_V gives the same dynamics": for the
     post-LN dynamics X(t+1) = LN_rows(A(X(t)) X(t) W(t)), with any map X |->
     A(X) giving the attention matrix (masked softmax or anything else),
     replacing every W(t) by c(t) W(t) with c(t) > 0 leaves the whole
     trajectory unchanged.  This is what lets the paper normalise W_V to
     ||W_V||_2 = 1 (assumption A3) in Theorem 3 without changing anything.
   Nothing here concerns the pre-LN variant or the epsilon of practical
   LayerNorm (with eps > 0 the invariance fails). *)
From mathcomp Require Import all_ssreflect all_algebra.

Set Implicit Arguments.
Unset Strict Implicit.
Unset Printing Implicit Defensive.

Import GRing.Theory Num.Theory.
Import Order.TTheory.
Local Open Scope ring_scope.

Section LayerNorm.

Variables (R : rcfType) (d : nat).
Implicit Types (y z : 'rV[R]_d) (c : R).

(* Euclidean norm of a token and the paper's LayerNorm. *)
Definition nrm y : R := Num.sqrt (\sum_j y 0 j ^+ 2).
Definition ln y : 'rV[R]_d := (nrm y)^-1 *: y.

Lemma nrm_ge0 y : 0 <= nrm y.
Proof. exact: sqrtr_ge0. Qed.

Lemma nrm_scale c y : nrm (c *: y) = `|c| * nrm y.
Proof.
rewrite /nrm -sqrtr_sqr -sqrtrM ?sqr_ge0 // mulr_sumr.
by congr (Num.sqrt _); apply: eq_bigr => j _; rewrite mxE exprMn.
Qed.

(* The norm vanishes only at the zero token. *)
Lemma nrm_gt0 y : y != 0 -> 0 < nrm y.
Proof.
move=> yn0; rewrite /nrm sqrtr_gt0 lt_def sumr_ge0 ?andbT; last first.
  by move=> j _; exact: sqr_ge0.
apply/negP=> /eqP s0; case/negP: yn0; apply/eqP/rowP => j.
have /eqP := @psumr_eq0P _ _ predT (fun j => y 0 j ^+ 2)
  (fun j _ => sqr_ge0 (y 0 j)) s0 j isT.
by rewrite sqrf_eq0 mxE => /eqP.
Qed.

Theorem layernorm_scale_invariant c y : 0 < c -> ln (c *: y) = ln y.
Proof.
move=> c0; rewrite /ln nrm_scale gtr0_norm // scalerA invfM.
by rewrite mulrAC mulVf ?mul1r // gt_eqF.
Qed.

Theorem layernorm_scale_neg c y : c < 0 -> ln (c *: y) = - ln y.
Proof.
move=> c0; rewrite /ln nrm_scale ltr0_norm // scalerA invfM invrN.
by rewrite !mulNr mulrAC mulVf ?mul1r ?scaleNr // lt_eqF.
Qed.

Theorem ln_unit y : y != 0 -> nrm (ln y) = 1.
Proof.
move=> yn0; have n0 := nrm_gt0 yn0.
by rewrite /ln nrm_scale gtr0_norm ?invr_gt0 // mulVf // gt_eqF.
Qed.

(* Centred (or otherwise linearly preprocessed) LayerNorm. *)
Theorem layernorm_centred_scale_invariant c y (P : 'M[R]_d) :
  0 < c -> ln ((c *: y) *m P) = ln (y *m P).
Proof. by move=> c0; rewrite -scalemxAl layernorm_scale_invariant. Qed.

End LayerNorm.

Section Dynamics.

Variables (R : rcfType) (N d : nat).

(* Row-wise LayerNorm of a token matrix. *)
Definition lnrows (X : 'M[R]_(N, d)) : 'M[R]_(N, d) :=
  \matrix_(i, j) ln (row i X) 0 j.

Lemma row_lnrows X i : row i (lnrows X) = ln (row i X).
Proof. by apply/rowP => j; rewrite !mxE. Qed.

Lemma lnrows_scale c (X : 'M[R]_(N, d)) : 0 < c -> lnrows (c *: X) = lnrows X.
Proof.
move=> c0; apply/row_matrixP => i; rewrite !row_lnrows.
have -> : row i (c *: X) = c *: row i X by apply/rowP => j; rewrite !mxE.
exact: layernorm_scale_invariant.
Qed.

(* One post-LN step with the attention matrix A and value matrix W. *)
Definition post_ln_step (A : 'M[R]_N) (W : 'M[R]_d) X := lnrows (A *m X *m W).

Theorem lnrows_value_scale c (A : 'M[R]_N) (X : 'M[R]_(N, d)) (W : 'M[R]_d) :
  0 < c -> post_ln_step A (c *: W) X = post_ln_step A W X.
Proof. by move=> c0; rewrite /post_ln_step -scalemxAr lnrows_scale. Qed.

(* The trajectory X(t+1) = LN_rows(att(X(t)) X(t) W(t)), where the attention
   matrix att X may depend on the current tokens in any way. *)
Fixpoint post_ln_traj (att : 'M[R]_(N, d) -> 'M[R]_N) (W : nat -> 'M[R]_d)
    (X0 : 'M[R]_(N, d)) (t : nat) : 'M[R]_(N, d) :=
  match t with
  | 0 => X0
  | t.+1 => let X := post_ln_traj att W X0 t in post_ln_step (att X) (W t) X
  end.

Theorem post_ln_traj_value_scale att W (c : nat -> R) X0 :
  (forall t, 0 < c t) ->
  forall t, post_ln_traj att (fun s => c s *: W s) X0 t = post_ln_traj att W X0 t.
Proof.
move=> c0; elim=> [//|t IH] /=.
by rewrite IH lnrows_value_scale.
Qed.

End Dynamics.
