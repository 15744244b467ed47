"""manage.py import_screening_list FILE: load a sanctions/PEP list (CSV) and re-screen every customer.

CSV columns: name, aliases (separated by ';'), date_of_birth (YYYY-MM-DD or empty), country (ISO alpha-2 or
empty), list_name, source_id. The file replaces in full each list it names: entries missing from it are
delisted. A file that would delist more of a list than the limit allows (a partial file?) is refused unless
--allow-mass-delisting REASON. See docs/kyc.md and fixtures/screening_list_sample.csv.
"""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.domain_errors import DomainError
from apps.kyc.errors import MassDelistingRefused
from apps.kyc.services import import_screening_list
from apps.kyc.tasks import queue_rescreening


class Command(BaseCommand):
    help = "Import a sanctions/PEP screening list (CSV) and re-screen all customers in Celery batches."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--batch-size", type=int, default=None, help="Customers per Celery task.")
        parser.add_argument("--no-wait", action="store_true", help="Queue the batches and return at once.")
        parser.add_argument("--timeout", type=int, default=3600, help="Seconds to wait for the re-screening.")
        parser.add_argument("--allow-mass-delisting", metavar="REASON", default=None,
                            help="Allow the file to delist more of a list than the limit allows (it is the list's "
                                 "complete current version), saying why; recorded on the import.")

    def handle(self, *args, file: Path, batch_size, no_wait, timeout, allow_mass_delisting, **options):
        if not file.is_file():
            raise CommandError(f"{file} is not a file.")
        try:
            with file.open(encoding="utf-8-sig", newline="") as stream:
                record = import_screening_list(stream=stream, file_name=file.name,
                                               allow_mass_delisting=allow_mass_delisting is not None,
                                               mass_delisting_reason=allow_mass_delisting or "")
        except MassDelistingRefused as error:
            raise CommandError(f"{error} (--allow-mass-delisting REASON)") from None
        except DomainError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"{file.name}: {record.entries_created} entries created, "
                          f"{record.entries_updated} updated.")
        if record.mass_delisting_allowed:
            self.stdout.write(self.style.WARNING(f"Mass delisting allowed: {record.mass_delisting_reason}"))
        self.stdout.write(f"Lists replaced: {', '.join(record.list_names)}. {record.entries_delisted} entries "
                          f"delisted, {record.entries_relisted} listed again; {record.hits_closed} open hits closed, "
                          f"{record.hits_to_review} confirmed matches to review.")
        progress = {"screened": -1}

        def report() -> bool:
            record.refresh_from_db()
            total = record.customers_to_screen
            if record.customers_screened != progress["screened"]:
                progress["screened"] = record.customers_screened
                percent = 100 * record.customers_screened // total if total else 100
                self.stdout.write(f"  screened {record.customers_screened}/{total} customers ({percent}%), "
                                  f"{record.hits_created} new hits")
            return record.customers_screened >= total

        def after_batch(batch: list[int], sent: bool) -> None:
            if not sent:
                self.stdout.write(self.style.WARNING(f"  broker unreachable: re-screened {len(batch)} "
                                                     f"customer{'s' if len(batch) != 1 else ''} in this process"))
            if not no_wait:
                report()  # with eager Celery (embedded mode), or in this process, each batch has already run

        self.stdout.write(f"Re-screening {record.customers_to_screen} customers in batches (import #{record.pk}).")
        queue_rescreening(list_import=record, batch_size=batch_size, after_batch=after_batch,
                          backstop="this command re-screens the batch itself")
        if no_wait:
            self.stdout.write(f"Queued. Follow import #{record.pk} in the admin (Screening list imports).")
            return
        deadline = time.monotonic() + timeout
        while not report():
            if time.monotonic() > deadline:
                raise CommandError(f"Timed out; the batches go on in the workers (import #{record.pk}).")
            time.sleep(1)
        self.stdout.write(self.style.SUCCESS(f"Done: {record.hits_created} new screening hits to review."))
