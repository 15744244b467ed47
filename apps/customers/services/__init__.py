"""Writes about customers: their profile (``profiles``) and their channel login (``channels``)."""

from apps.customers.services.channels import (
    ENROL_PERMISSION,
    enrol_customer_for_channels,
    issue_password_reset,
    redeem_channel_code,
    request_password_reset,
    revoke_channel_access,
)
from apps.customers.services.profiles import (
    BLOCK_PERMISSION,
    CHANGE_PERMISSION,
    EDITABLE_FIELDS,
    ONBOARD_PERMISSION,
    OWNING_SERVICES,
    UNBLOCK_PERMISSION,
    UPGRADE_PERMISSION,
    block_customer,
    ensure_may_onboard,
    onboard_customer,
    refuse_fields_not_editable,
    unblock_customer,
    update_customer,
    upgrade_to_premium,
)

__all__ = [
    "BLOCK_PERMISSION",
    "CHANGE_PERMISSION",
    "EDITABLE_FIELDS",
    "ENROL_PERMISSION",
    "ONBOARD_PERMISSION",
    "OWNING_SERVICES",
    "UNBLOCK_PERMISSION",
    "UPGRADE_PERMISSION",
    "block_customer",
    "enrol_customer_for_channels",
    "ensure_may_onboard",
    "issue_password_reset",
    "onboard_customer",
    "redeem_channel_code",
    "refuse_fields_not_editable",
    "request_password_reset",
    "revoke_channel_access",
    "unblock_customer",
    "update_customer",
    "upgrade_to_premium",
]
