"""Every write about deposit accounts, one module per area (opening, lifecycle, holds, teller, accrual,
interest posting, term deposits). Import from the module: ``from apps.accounts.services.teller import ...``."""
