"""Governance of a scorecard over time: review routines, escalation, annotations and
overrides, governance roles and the tamper-evident audit trail.

The store (:mod:`balanced_scorecard.store`) keeps definitions, targets and snapshots; this
package holds the rules around them:

* :mod:`~balanced_scorecard.governance.cadence`: review calendars, meetings and agendas;
* :mod:`~balanced_scorecard.governance.escalation`: escalation rules and who is told;
* :mod:`~balanced_scorecard.governance.annotations`: comments, required commentary and
  status overrides by the owner;
* :mod:`~balanced_scorecard.governance.roles`: governance-role coverage checks;
* :mod:`~balanced_scorecard.governance.planning`: actuals against every planning cycle;
* :mod:`~balanced_scorecard.governance.change_control`: change requests, approvals, impact
  analysis and the scope-creep cap;
* :mod:`~balanced_scorecard.governance.effective`: effective-dated definitions and history
  re-scored with the definition in force;
* :mod:`~balanced_scorecard.governance.audit`: hash-chained audit records and ``verify``.
"""

from __future__ import annotations

from balanced_scorecard.governance.annotations import (
    Annotation,
    Override,
    apply_overrides,
    commentary_required,
)
from balanced_scorecard.governance.audit import (
    GENESIS_HASH,
    AuditRecord,
    VerifyResult,
    make_record,
    verify,
)
from balanced_scorecard.governance.cadence import (
    Agenda,
    Meeting,
    ReviewCalendar,
    agenda,
    default_review_calendars,
    review_meetings,
)
from balanced_scorecard.governance.change_control import (
    Approval,
    ApprovalRules,
    ChangeRequest,
    Comment,
    Impact,
    PeerComparison,
    apply_request,
    approve,
    comment,
    impact,
    new_request,
    reject,
    submit,
    target_row_patch,
)
from balanced_scorecard.governance.effective import definition_in_force, evaluate_history
from balanced_scorecard.governance.escalation import (
    EscalationRule,
    default_escalation_rules,
    evaluate_escalations,
)
from balanced_scorecard.governance.planning import compare_plans
from balanced_scorecard.governance.roles import check_governance, role_matrix

__all__ = [
    "GENESIS_HASH",
    "Agenda",
    "Annotation",
    "Approval",
    "ApprovalRules",
    "AuditRecord",
    "ChangeRequest",
    "Comment",
    "EscalationRule",
    "Impact",
    "Meeting",
    "Override",
    "PeerComparison",
    "ReviewCalendar",
    "VerifyResult",
    "agenda",
    "apply_overrides",
    "apply_request",
    "approve",
    "check_governance",
    "comment",
    "commentary_required",
    "compare_plans",
    "default_escalation_rules",
    "default_review_calendars",
    "definition_in_force",
    "evaluate_escalations",
    "evaluate_history",
    "impact",
    "make_record",
    "new_request",
    "reject",
    "review_meetings",
    "role_matrix",
    "submit",
    "target_row_patch",
    "verify",
]
