"""Print an API token for a login (``Authorization: Token <token>``), creating it if needed.

For operators and for .ci/schemathesis.sh, which calls it for a demo customer and a demo staff member.
"""

from django.core.management.base import BaseCommand, CommandError

from apps.organization.models import User


def issue_token(user: User) -> str:
    """The one place that knows how API tokens are made (DRF's authtoken today)."""
    from rest_framework.authtoken.models import Token

    token, _ = Token.objects.get_or_create(user=user)
    return token.key


class Command(BaseCommand):
    help = "Print an API token for USERNAME (created if it has none)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username: str, **options):
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active login {username!r}.")
        self.stdout.write(issue_token(user))
