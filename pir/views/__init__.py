"""Projections: what the log says now, folded from its entries (never stored as truth)."""

from pir.views.checklist import Alert, StepStatus, alerts, checklist
from pir.views.state import IncidentState

__all__ = ["Alert", "IncidentState", "StepStatus", "alerts", "checklist"]
