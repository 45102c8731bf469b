(* JordanChain.v: the algebra behind Theorem 3 (1) (Appendix F.1): the
   full-rank equilibria of the causal post-LN dynamics are Jordan chains
   of W_V at eigenvalue 1.

   Setting (row vectors, tokens X_0, ..., X_{N-1} numbered from 0):
   W_Q = W_K = 0 with the causal mask, so token i attends uniformly to tokens
   0..i and (A X)_i = (1/(i+1)) s_i with s_i = X_0 + ... + X_i.  The paper's
   value matrix is W = I + w J with J the d x d superdiagonal shift.
   Proved here:
   - jordan_shift : x (I - W) = - w (x J) for W = I + w J, and
     shift_succ / shift_zero : (x J)_j = x_{j-1} for j >= 1, (x J)_0 = 0;
   - jordan_kernel : for w <> 0, x (I - W) = 0 iff x vanishes off the last
     coordinate; jordan_preimage : y (I - W) = x iff x_0 = 0 and
     y_{j-1} = - x_j / w for j >= 1 (y's last coordinate is free);
   - jordan_chain_equilibrium_step (any W, any field): if X_i = s_i W then
     X_{i+1} = (s_i + X_{i+1}) W  <->  X_{i+1} (I - W) = X_i, and
     equilibrium_step_beta : the paper's recursion
     X_{i+1} = beta_{i+1} (X_i / beta_i + X_{i+1} W) for general factors;
   - equilibrium_chain_iff : the system "X_i = s_i W for all i < k" (the
     equilibrium equations when every normalisation factor beta_i is 1)
     holds iff X_0 (I - W) = 0 and X_{i+1} (I - W) = X_i for i + 1 < k;
   - jordan_chain_independent : a chain X_0 <> 0, X_0 D = 0,
     X_{i+1} D = X_i (any matrix D) is linearly independent, so k tokens
     forming such a chain span a k-dimensional space (rank k);
   - jordan_chain_equilibrium (over a real closed field): unit-norm tokens
     forming such a chain for D = I - W are a fixed point of the post-LN
     causal-average step X |-> LN_rows(A_causal X W) of LayerNormScale.v
     (the 1/(i+1) of the average disappears by scale invariance);
   - jordan_equilibrium_rank : the two together: such a fixed point has
     linearly independent tokens;
   - theorem3_full_rank_equilibria : existence, i.e. Theorem 3 (1) in its
     full-rank case for the paper's W = I + w J: for every d = n+1, every
     N with 1 <= N <= d, every w with w^2 >= 1 and every sign sequence sg,
     the explicit chain of F.1 (X_0 = +-e_d, then X_{i+1} has coordinates
     -X_{i,j+1}/w followed by a last coordinate +-sqrt(1 - sum of the
     squares of the others)) consists of N unit tokens, is a fixed point of
     the post-LN causal-average step, and its tokens are linearly
     independent (rank N).  The paper's w >= N is not needed for this
     case: w^2 >= 1 suffices.
   NOT covered: the equilibria of rank k < N (where the normalisation
   factors beta_i differ from 1 and the paper's condition w >= N enters);
   that the 2^N sign choices give pairwise distinct equilibria (true when
   w^2 > 1, not proved here); the anisotropy bounds of F.2; stability; the
   non-collapse analysis of F.3 (part (2) of Theorem 3). *)
From mathcomp Require Import all_ssreflect all_algebra.
From RankCollapse Require Import LayerNormScale.

Set Implicit Arguments.
Unset Strict Implicit.
Unset Printing Implicit Defensive.

Import GRing.Theory Num.Theory.
Import Order.TTheory.
Local Open Scope ring_scope.

(* ------------------------------------------------------------------ *)
(* The shift J and the value matrix W = I + w J.                        *)
(* ------------------------------------------------------------------ *)

Section Shift.

Variables (R : fieldType) (d : nat).
Implicit Types (x y : 'rV[R]_d) (w : R).

(* J i j = 1 iff j = i + 1: ones on the superdiagonal. *)
Definition J : 'M[R]_d := \matrix_(i, j) ((i.+1 == j :> nat)%:R).
Definition Wj w : 'M[R]_d := 1%:M + w *: J.

Theorem jordan_shift w x : x *m (1%:M - Wj w) = - w *: (x *m J).
Proof.
by rewrite /Wj opprD addrA subrr add0r mulmxN -scalemxAr scaleNr.
Qed.

(* x J shifts the coordinates of x one place to the right. *)
Lemma shift_succ x (i j : 'I_d) : i.+1 = j -> (x *m J) 0 j = x 0 i.
Proof.
move=> ij; rewrite mxE (bigD1 i) //= big1 ?addr0 => [|k ki].
  by rewrite mxE ij eqxx mulr1.
by rewrite mxE -ij eqSS val_eqE (negbTE ki) mulr0.
Qed.

Lemma shift_zero x (j : 'I_d) : (j : nat) = 0%N -> (x *m J) 0 j = 0.
Proof. by move=> j0; rewrite mxE big1 // => k _; rewrite mxE j0 mulr0. Qed.

(* The kernel of I - W: vectors supported on the last coordinate. *)
Theorem jordan_kernel w x : w != 0 ->
  x *m (1%:M - Wj w) = 0 <-> (forall i : 'I_d, (i.+1 < d)%N -> x 0 i = 0).
Proof.
move=> w0; rewrite jordan_shift; split=> [H i id|H].
  move/eqP: H; rewrite scaler_eq0 oppr_eq0 (negbTE w0) /= => /eqP xJ0.
  by rewrite -(shift_succ x (j := Ordinal id)) // xJ0 mxE.
apply/eqP; rewrite scaler_eq0; apply/orP; right; apply/eqP/rowP => j.
rewrite mxE [RHS]mxE big1 // => k _; rewrite mxE.
have [kj|_] := eqVneq (k.+1 : nat) j; last by rewrite mulr0.
by rewrite H ?mul0r // kj.
Qed.

(* Solving y (I - W) = x: x must vanish at coordinate 0, and y is then
   determined except for its last coordinate. *)
Theorem jordan_preimage w x y : w != 0 ->
  y *m (1%:M - Wj w) = x <->
  (forall j : 'I_d, (j : nat) = 0%N -> x 0 j = 0) /\
  (forall i j : 'I_d, i.+1 = j -> y 0 i = - w^-1 * x 0 j).
Proof.
move=> w0; rewrite jordan_shift; split=> [<-|[H0 HS]].
  split=> [j j0|i j ij]; rewrite mxE.
    by rewrite shift_zero // mulr0.
  by rewrite (shift_succ _ ij) mulrA mulrNN mulVf // mul1r.
apply/rowP => j; rewrite mxE.
case: (posnP j) => [j0|jp].
  by rewrite shift_zero // mulr0 H0.
have id : (j.-1 < d)%N by apply: leq_ltn_trans (leq_pred j) (ltn_ord j).
rewrite (@shift_succ y (Ordinal id) j) /= ?prednK //.
by rewrite (HS _ j) /= ?prednK // mulrA mulrNN divff // mul1r.
Qed.

End Shift.

(* ------------------------------------------------------------------ *)
(* Equilibrium equations with unit normalisation factors.               *)
(* ------------------------------------------------------------------ *)

Section Equilibrium.

Variables (R : fieldType) (d : nat) (W : 'M[R]_d).
Implicit Types (s x y : 'rV[R]_d) (X : nat -> 'rV[R]_d).

(* One step: if X_i = s_i W, then token i+1 is at equilibrium with
   normalisation factor 1, X_{i+1} = (s_i + X_{i+1}) W, exactly when
   X_{i+1} (I - W) = X_i. *)
Theorem jordan_chain_equilibrium_step s xi xi1 :
  xi = s *m W -> (xi1 = (s + xi1) *m W <-> xi1 *m (1%:M - W) = xi).
Proof.
move=> ->; rewrite mulmxDl mulmxBr mulmx1; split=> H.
  by rewrite {1}H addrK.
by rewrite -H subrK.
Qed.

(* The paper's recursion with general normalisation factors
   beta_i = 1 / ||s_i W||: X_{i+1} = beta_{i+1} (X_i / beta_i + X_{i+1} W). *)
Theorem equilibrium_step_beta s xi xi1 bi bi1 : bi != 0 ->
  xi = bi *: (s *m W) -> xi1 = bi1 *: ((s + xi1) *m W) ->
  xi1 = bi1 *: (bi^-1 *: xi + xi1 *m W).
Proof.
move=> b0 hi hi1; rewrite {1}hi1 hi scalerA mulVf // scale1r.
by rewrite mulmxDl.
Qed.

(* Causal partial sums s_i = X_0 + ... + X_i. *)
Definition csum X i : 'rV[R]_d := \sum_(j < i.+1) X j.

Lemma csumS X i : csum X i.+1 = csum X i + X i.+1.
Proof. by rewrite /csum big_ord_recr. Qed.

Lemma csum0 X : csum X 0 = X 0%N.
Proof. by rewrite /csum big_ord1. Qed.

Theorem equilibrium_chain_iff X k :
  (forall i, (i < k)%N -> X i = csum X i *m W) <->
  ((0 < k)%N -> X 0%N *m (1%:M - W) = 0) /\
  (forall i, (i.+1 < k)%N -> X i.+1 *m (1%:M - W) = X i).
Proof.
split=> [H|[H0 HS]].
  split=> [k0|i ik].
    by rewrite mulmxBr mulmx1 {1}(H 0%N k0) csum0 subrr.
  apply/(jordan_chain_equilibrium_step (s := csum X i)).
    by apply: H; apply: ltnW.
  by rewrite -csumS; apply: H.
elim=> [k0|i IH ik].
  by move: (H0 k0); rewrite mulmxBr mulmx1 csum0 => /eqP; rewrite subr_eq0 => /eqP.
rewrite csumS; apply/(jordan_chain_equilibrium_step (s := csum X i)).
  by apply: IH; apply: ltnW.
exact: HS.
Qed.

End Equilibrium.

(* ------------------------------------------------------------------ *)
(* Jordan chains are linearly independent.                               *)
(* ------------------------------------------------------------------ *)

Section Independence.

Variables (R : fieldType) (d : nat) (D : 'M[R]_d).
Implicit Types (X : nat -> 'rV[R]_d).

Local Notation iterD j v := (iter j (fun u => u *m D) v).

Lemma iterD_sum j k (c : nat -> R) X :
  iterD j (\sum_(i < k) c i *: X i) = \sum_(i < k) c i *: iterD j (X i).
Proof.
elim: j => [//|j IH]; rewrite iterS IH mulmx_suml.
by apply: eq_bigr => i _; rewrite -scalemxAl.
Qed.

Lemma iterD_chain X k : X 0%N *m D = 0 ->
  (forall i, (i.+1 < k)%N -> X i.+1 *m D = X i) ->
  forall i j, (i < k)%N ->
    iterD j (X i) = if (j <= i)%N then X (i - j)%N else 0.
Proof.
move=> H0 HS i j ik; elim: j => [|j IH]; first by rewrite subn0.
rewrite iterS IH; case: (ltngtP j i) => [ji|ij|->].
- have -> : (i - j = (i - j.+1).+1)%N by rewrite subnSK.
  by rewrite HS // subnSK // (leq_ltn_trans (leq_subr _ _) ik).
- exact: mul0mx.
- by rewrite subnn H0.
Qed.

Theorem jordan_chain_independent X k :
  X 0%N != 0 -> X 0%N *m D = 0 ->
  (forall i, (i.+1 < k)%N -> X i.+1 *m D = X i) ->
  forall c : nat -> R, \sum_(i < k) c i *: X i = 0 ->
  forall i, (i < k)%N -> c i = 0.
Proof.
move=> Xn0 H0; elim: k => [//|k IH] HS c hc.
have HS' i : (i.+1 < k)%N -> X i.+1 *m D = X i.
  by move=> ik; apply: HS; apply: ltnW.
(* apply D^k: only the last token survives, as c_k X_0 *)
have ck : c k = 0.
  have := congr1 (fun v => iterD k v) hc.
  rewrite /= iterD_sum big_ord_recr /= big1 ?add0r => [|i _].
    rewrite (iterD_chain H0 HS) // leqnn subnn.
    have -> : iter k (fun u => u *m D) (0 : 'rV[R]_d) = 0.
      by elim: (k) => [//|m IHm]; rewrite iterS IHm mul0mx.
    by move/eqP; rewrite scaler_eq0 (negbTE Xn0) orbF => /eqP.
  rewrite (iterD_chain H0 HS) ?(ltn_trans (ltn_ord i)) //.
  by rewrite leqNgt ltn_ord scaler0.
move=> i; rewrite ltnS leq_eqVlt => /orP[/eqP->//|ik].
apply: (IH HS' c) => //.
by move: hc; rewrite big_ord_recr /= ck scale0r addr0.
Qed.

End Independence.

(* ------------------------------------------------------------------ *)
(* Link with the post-LN dynamics of LayerNormScale.v.                   *)
(* ------------------------------------------------------------------ *)

Section PostLN.

Variables (R : rcfType) (N d : nat).

(* Uniform causal attention (W_Q = W_K = 0, causal mask):
   A i j = 1/(i+1) for j <= i, 0 otherwise. *)
Definition causal_avg : 'M[R]_N :=
  \matrix_(i, j) if (j <= i)%N then (i.+1)%:R^-1 else 0.

(* The token matrix with rows tok 0, ..., tok (N-1). *)
Definition tokmx (tok : nat -> 'rV[R]_d) : 'M[R]_(N, d) :=
  \matrix_(i, j) tok i 0 j.

Lemma row_tokmx tok (i : 'I_N) : row i (tokmx tok) = tok i.
Proof. by apply/rowP => j; rewrite !mxE. Qed.

Lemma row_causal_avg (X : 'M[R]_(N, d)) (i : 'I_N) :
  row i (causal_avg *m X) = (i.+1)%:R^-1 *: \sum_(j < N | (j <= i)%N) row j X.
Proof.
rewrite row_mul mulmx_sum_row scaler_sumr (bigID (fun j : 'I_N => (j <= i)%N)) /=.
rewrite [X in _ + X]big1 ?addr0 => [|j /negbTE ji]; last by rewrite !mxE ji scale0r.
by apply: eq_bigr => j ji; rewrite !mxE ji.
Qed.

Theorem jordan_chain_equilibrium (W : 'M[R]_d) (tok : nat -> 'rV[R]_d) :
  (forall i, (i < N)%N -> nrm (tok i) = 1) ->
  ((0 < N)%N -> tok 0%N *m (1%:M - W) = 0) ->
  (forall i, (i.+1 < N)%N -> tok i.+1 *m (1%:M - W) = tok i) ->
  post_ln_step causal_avg W (tokmx tok) = tokmx tok.
Proof.
move=> hn H0 HS.
have E : forall i, (i < N)%N -> tok i = csum tok i *m W.
  by apply/(equilibrium_chain_iff W tok N); split.
apply/row_matrixP => i; rewrite row_lnrows row_mul row_causal_avg.
rewrite -scalemxAl layernorm_scale_invariant ?invr_gt0 ?ltr0n //.
rewrite row_tokmx.
have -> : \sum_(j < N | (j <= i)%N) row j (tokmx tok) = csum tok i.
  rewrite /csum (big_ord_widen N (fun j => tok j)) ?ltn_ord //.
  by apply: eq_bigr => j _; rewrite row_tokmx.
by rewrite -E ?ltn_ord // /ln hn ?ltn_ord // invr1 scale1r.
Qed.

(* Such an equilibrium has N linearly independent tokens (rank N),
   provided its first token is nonzero (automatic for unit tokens). *)
Theorem jordan_equilibrium_rank (W : 'M[R]_d) (tok : nat -> 'rV[R]_d) :
  (0 < N)%N ->
  (forall i, (i < N)%N -> nrm (tok i) = 1) ->
  tok 0%N *m (1%:M - W) = 0 ->
  (forall i, (i.+1 < N)%N -> tok i.+1 *m (1%:M - W) = tok i) ->
  post_ln_step causal_avg W (tokmx tok) = tokmx tok /\
  (forall c : nat -> R, \sum_(i < N) c i *: tok i = 0 ->
     forall i, (i < N)%N -> c i = 0).
Proof.
move=> N0 hn H0 HS; split; first by apply: jordan_chain_equilibrium.
apply: jordan_chain_independent H0 HS.
apply/negP => /eqP t0; have := hn 0%N N0.
rewrite t0 /nrm big1 => [|j _]; last by rewrite mxE expr0n.
by rewrite sqrtr0 => /eqP; rewrite eq_sym oner_eq0.
Qed.

End PostLN.

(* ------------------------------------------------------------------ *)
(* Existence: unit-norm Jordan chains of W = I + w J, hence full-rank    *)
(* equilibria, for every N <= d and every w with w^2 >= 1.               *)
(* ------------------------------------------------------------------ *)

Section Existence.

Variables (R : rcfType) (n : nat) (w : R).
Hypothesis w1 : 1 <= w ^+ 2.
Local Notation d := n.+1.
Implicit Types (x : 'rV[R]_d) (b : bool).

Definition sgn b : R := if b then -1 else 1.

Lemma sgn_sq b : sgn b ^+ 2 = 1.
Proof. by case: b; rewrite /sgn ?sqrrN expr1n. Qed.

(* First token: +-e_d. *)
Definition chain0 b : 'rV[R]_d := sgn b *: delta_mx 0 ord_max.

(* w^-2 (x_1^2 + ... + x_{d-1}^2): the squared norm of the forced part of
   the next token. *)
Definition tail_sq x : R := w^-1 ^+ 2 * \sum_(j < n) x 0 (lift 0 j) ^+ 2.

(* The next token of the chain: y_j = - x_{j+1} / w for j < d - 1, and the
   last coordinate +-sqrt(1 - tail_sq x), the sign given by b. *)
Definition next b x : 'rV[R]_d :=
  \row_j (if (j < n)%N then - w^-1 * x 0 (inord j.+1)
          else sgn b * Num.sqrt (1 - tail_sq x)).

Fixpoint chain (sg : nat -> bool) (i : nat) : 'rV[R]_d :=
  if i is i'.+1 then next (sg i) (chain sg i') else chain0 (sg 0%N).

Lemma w_neq0 : w != 0.
Proof.
apply/negP => /eqP w_0; move: w1; rewrite w_0 expr0n /=.
by rewrite ler10.
Qed.

Lemma sumsq_ge0 x : 0 <= \sum_(j < n) x 0 (lift 0 j) ^+ 2.
Proof. by apply: sumr_ge0 => j _; apply: sqr_ge0. Qed.

Lemma tail_sq_le1 x : \sum_j x 0 j ^+ 2 = 1 -> tail_sq x <= 1.
Proof.
move=> s1; apply: mulr_ile1; rewrite ?sqr_ge0 ?sumsq_ge0 //.
  by rewrite exprVn invf_le1 // (lt_le_trans ltr01 w1).
by rewrite -s1 big_ord_recl ler_addr sqr_ge0.
Qed.

Lemma inord_lift (j : 'I_n) : inord j.+1 = lift 0 j :> 'I_d.
Proof. by apply: val_inj; rewrite /= inordK // ltnS. Qed.

Lemma next_sumsq b x : \sum_j x 0 j ^+ 2 = 1 -> \sum_j next b x 0 j ^+ 2 = 1.
Proof.
move=> s1; rewrite big_ord_recr /= mxE /= ltnn exprMn sgn_sq mul1r.
rewrite sqr_sqrtr ?subr_ge0 ?tail_sq_le1 //.
have -> : \sum_(j < n) next b x 0 (widen_ord (leqnSn n) j) ^+ 2 = tail_sq x.
  rewrite /tail_sq mulr_sumr; apply: eq_bigr => j _.
  by rewrite mxE /= ltn_ord inord_lift exprMn sqrrN.
by rewrite addrC subrK.
Qed.

Lemma chain0_sumsq b : \sum_j chain0 b 0 j ^+ 2 = 1.
Proof.
rewrite big_ord_recr /= big1 ?add0r => [|j _].
  rewrite !mxE; set a := (_ && _); have -> : a = true by rewrite /a !eq_refl.
  by rewrite mulr1 sgn_sq.
rewrite !mxE; have -> : (widen_ord (leqnSn n) j == ord_max) = false.
  by rewrite -val_eqE /= (ltn_eqF (ltn_ord j)).
by rewrite andbF mulr0 expr0n.
Qed.

Lemma nrm_of_sumsq x : \sum_j x 0 j ^+ 2 = 1 -> nrm x = 1.
Proof. by rewrite /nrm => ->; rewrite sqrtr1. Qed.

Lemma chain_sumsq sg i : \sum_j chain sg i 0 j ^+ 2 = 1.
Proof.
elim: i => [|i IH]; first exact: chain0_sumsq.
exact: next_sumsq.
Qed.

Lemma chain_unit sg i : nrm (chain sg i) = 1.
Proof. exact/nrm_of_sumsq/chain_sumsq. Qed.

(* Token i is supported on the last i + 1 coordinates. *)
Lemma chain_support sg i (j : 'I_d) : (j + i.+1 < d)%N -> chain sg i 0 j = 0.
Proof.
elim: i j => [|i IH] j hj /=.
  have jn : (j < n)%N by move: hj; rewrite addn1 ltnS.
  rewrite !mxE; have -> : (j == ord_max) = false.
    by rewrite -val_eqE /= (ltn_eqF jn).
  by rewrite andbF mulr0.
have jn : (j < n)%N.
  by move: hj; rewrite addnS ltnS => h; exact: leq_ltn_trans (leq_addr _ _) h.
rewrite mxE jn IH ?mulr0 // inordK; first by rewrite addSnnS.
by rewrite ltnS.
Qed.

Lemma chain0_fixed sg : chain sg 0 *m (1%:M - Wj d w) = 0.
Proof.
apply/(jordan_kernel _ w_neq0) => i hi.
by apply: chain_support; rewrite addn1.
Qed.

Lemma chain_step sg i : (i < n)%N ->
  chain sg i.+1 *m (1%:M - Wj d w) = chain sg i.
Proof.
move=> iN; apply/(jordan_preimage _ _ w_neq0); split=> [j j0|i' j ij].
  by apply: chain_support; rewrite j0 add0n ltnS.
have i'n : (i' < n)%N by rewrite -ltnS ij ltn_ord.
rewrite /= mxE i'n; congr (_ * chain sg i 0 _).
by apply: val_inj; rewrite /= inordK ?ij // ltnS.
Qed.

End Existence.

(* Theorem 3 (1), full-rank case, for the paper's W_V = I + w J: for every
   N <= d, every w with w^2 >= 1 and every choice of signs sg, the chain
   tokens form an equilibrium of the post-LN causal-average dynamics whose
   N tokens are unit vectors and linearly independent (rank N). *)
Theorem theorem3_full_rank_equilibria (R : rcfType) (n N : nat) (w : R)
    (sg : nat -> bool) :
  1 <= w ^+ 2 -> (0 < N <= n.+1)%N ->
  let tok := chain n w sg in
  post_ln_step (causal_avg R N) (Wj n.+1 w) (tokmx N tok) = tokmx N tok /\
  (forall i, (i < N)%N -> nrm (tok i) = 1) /\
  (forall c : nat -> R, \sum_(i < N) c i *: tok i = 0 ->
     forall i, (i < N)%N -> c i = 0).
Proof.
move=> w1 /andP[N0 Nd] tok.
have hn i : (i < N)%N -> nrm (tok i) = 1 by move=> _; exact: chain_unit w1 _ _.
have HS i : (i.+1 < N)%N -> tok i.+1 *m (1%:M - Wj n.+1 w) = tok i.
  move=> iN; apply: (chain_step w1).
  by rewrite -ltnS (leq_trans iN).
have [E I] := jordan_equilibrium_rank N0 hn (chain0_fixed n w1 sg) HS.
by split=> //; split.
Qed.
