Defs.vo Defs.glob Defs.v.beautified Defs.required_vo: Defs.v 
Defs.vio: Defs.v 
Defs.vos Defs.vok Defs.required_vos: Defs.v 
Oscillation.vo Oscillation.glob Oscillation.v.beautified Oscillation.required_vo: Oscillation.v Defs.vo
Oscillation.vio: Oscillation.v Defs.vio
Oscillation.vos Oscillation.vok Oscillation.required_vos: Oscillation.v Defs.vos
CentreColumn.vo CentreColumn.glob CentreColumn.v.beautified CentreColumn.required_vo: CentreColumn.v Defs.vo Oscillation.vo
CentreColumn.vio: CentreColumn.v Defs.vio Oscillation.vio
CentreColumn.vos CentreColumn.vok CentreColumn.required_vos: CentreColumn.v Defs.vos Oscillation.vos
Theorem1.vo Theorem1.glob Theorem1.v.beautified Theorem1.required_vo: Theorem1.v Defs.vo Oscillation.vo CentreColumn.vo
Theorem1.vio: Theorem1.v Defs.vio Oscillation.vio CentreColumn.vio
Theorem1.vos Theorem1.vok Theorem1.required_vos: Theorem1.v Defs.vos Oscillation.vos CentreColumn.vos
PaperRoute.vo PaperRoute.glob PaperRoute.v.beautified PaperRoute.required_vo: PaperRoute.v Defs.vo Oscillation.vo CentreColumn.vo
PaperRoute.vio: PaperRoute.v Defs.vio Oscillation.vio CentreColumn.vio
PaperRoute.vos PaperRoute.vok PaperRoute.required_vos: PaperRoute.v Defs.vos Oscillation.vos CentreColumn.vos
Lemma1.vo Lemma1.glob Lemma1.v.beautified Lemma1.required_vo: Lemma1.v 
Lemma1.vio: Lemma1.v 
Lemma1.vos Lemma1.vok Lemma1.required_vos: Lemma1.v 
Popoviciu.vo Popoviciu.glob Popoviciu.v.beautified Popoviciu.required_vo: Popoviciu.v 
Popoviciu.vio: Popoviciu.v 
Popoviciu.vos Popoviciu.vok Popoviciu.required_vos: Popoviciu.v 
MuBound.vo MuBound.glob MuBound.v.beautified MuBound.required_vo: MuBound.v Defs.vo Oscillation.vo Theorem1.vo Popoviciu.vo
MuBound.vio: MuBound.v Defs.vio Oscillation.vio Theorem1.vio Popoviciu.vio
MuBound.vos MuBound.vok MuBound.required_vos: MuBound.v Defs.vos Oscillation.vos Theorem1.vos Popoviciu.vos
Compute.vo Compute.glob Compute.v.beautified Compute.required_vo: Compute.v Defs.vo
Compute.vio: Compute.v Defs.vio
Compute.vos Compute.vok Compute.required_vos: Compute.v Defs.vos
