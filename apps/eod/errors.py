from apps.domain_errors import Conflict


class EodRefused(Conflict):
    code = "eod_refused"
    title = "End of day refused"


class EodRunUnfinished(EodRefused):
    code = "eod_run_unfinished"
    title = "An earlier end of day is unfinished: resume it first"


class EodDateClosed(EodRefused):
    code = "eod_date_closed"
    title = "That business date is already closed"


class EodAlreadyRunning(EodRefused):
    code = "eod_already_running"
    title = "An end of day is already running"


class EodDateNotCurrent(EodRefused):
    code = "eod_date_not_current"
    title = "That is no longer the business date to close"


class EodRunStartedMeanwhile(EodRefused):
    code = "eod_run_started_meanwhile"
    title = "That end of day was started or resumed meanwhile"
