"""The compliance app's tables: what was monitored, the typologies' settings, alerts and cases, and the
reports to the financial intelligence unit. One module per part; every model is importable from here."""

from apps.compliance.models.alerts import Alert, Case, CaseNote, Suppression
from apps.compliance.models.backtests import BacktestRun
from apps.compliance.models.monitoring import EvaluationFailure, ExpectedActivity, MonitoredTransaction
from apps.compliance.models.reports import CtrThreshold, CurrencyTransactionReport, SuspiciousActivityReport
from apps.compliance.models.typologies import TypologySetting

__all__ = [
           "Alert",
           "BacktestRun",
           "Case",
           "CaseNote",
           "CtrThreshold",
           "CurrencyTransactionReport",
           "EvaluationFailure",
           "ExpectedActivity",
           "MonitoredTransaction",
           "Suppression",
           "SuspiciousActivityReport",
           "TypologySetting",
]
