from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.idempotency.models import IdempotencyKey


@transaction.atomic
def prune_idempotency_keys(*, now=None) -> int:
    """Forget completed keys older than IDEMPOTENCY_KEY_TTL (48 hours by default); returns how many."""
    cutoff = (now or timezone.now()) - settings.IDEMPOTENCY_KEY_TTL
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
