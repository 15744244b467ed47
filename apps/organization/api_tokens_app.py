"""django-rest-knox's app, named for the staff: its tokens are the channels' API logins (apps.organization.api_tokens).

Its own module: a second AppConfig in apps.py would stop Django from picking OrganizationConfig by default.
"""

from django.apps import AppConfig


class ApiTokensConfig(AppConfig):
    name = "knox"
    label = "knox"
    verbose_name = "API tokens"
