"""Print a new API token for a login (``Authorization: Token <token>``); it expires like a login's.

For operators and for .ci/schemathesis.sh, which calls it for a demo customer and a demo staff member.
"""

from django.core.management.base import BaseCommand, CommandError

from apps.organization.api_tokens import issue_api_token
from apps.organization.models import User


def issue_token(user: User) -> str:
    """The one place that knows how API tokens are made: a new knox token (one device), its secret."""
    _, secret = issue_api_token(user=user)
    return secret


class Command(BaseCommand):
    help = "Issue a new API token for USERNAME and print its secret (shown once)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active login {username!r}.")
        self.stdout.write(issue_token(user))
