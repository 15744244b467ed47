"""Standing orders: set up through the service, read-only once set up."""

import calendar

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AdminDateWidget
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html

from apps.accounts.models import Account
from apps.domain_errors import DomainError
from apps.money import Money, format_amount
from apps.organization.branch_scope import visible_to
from apps.payments import selectors
from apps.payments.models import StandingOrder, StandingOrderExecution
from apps.payments.services.standing_orders import (
    CANCEL_PERMISSION,
    build_standing_order,
    cancel_standing_order,
    create_standing_order,
)
from config.admin_money import money_column
from config.admin_operations import operation_page
from config.history_admin import EvidenceHistoryAdmin


class StandingOrderExecutionInline(admin.TabularInline):
    model = StandingOrderExecution
    fields = ["due_date", "status", "attempts", "last_attempt_on", "failure_code", "transfer"]
    readonly_fields = fields
    extra = 0
    can_delete = False


class StandingOrderAddForm(forms.ModelForm):
    """What ``create_standing_order`` needs. The payer is an account the staff member may change (chosen by
    autocomplete); the payee is typed as an account number, since it may be any account of the bank. ``clean``
    asks the service to check the order, so a refusal is a form error and nothing is written."""

    _field = StandingOrder._meta.get_field
    to_account_number = forms.CharField(label="Payee account number", max_length=40)
    # A string, not a DecimalField: Money reads it and refuses what the ledger would refuse.
    amount = forms.CharField(max_length=30, widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 16}))
    currency = _field("currency").formfield()
    reference = _field("reference").formfield()
    frequency = _field("frequency").formfield()
    day_of_month = _field("day_of_month").formfield(help_text="Monthly orders: 1-31 (the 31st is each month's "
                                                              "last day).")
    weekday = forms.TypedChoiceField(choices=[("", "---------"), *enumerate(calendar.day_name)], coerce=int,
                                     empty_value=None, required=False, help_text="Weekly orders.")
    start_date = forms.DateField(widget=AdminDateWidget)
    end_date = forms.DateField(widget=AdminDateWidget, required=False)
    remaining_count = _field("remaining_count").formfield(label="Number of payments")
    del _field

    created_by = None  # the staff member, set by StandingOrderAdmin.get_form

    class Meta:
        model = StandingOrder
        # Only the payer is a model field: every other value goes to the service, which checks it (the form's
        # own model validation would repeat the service's checks and show each refusal twice).
        fields = ["from_account"]

    def standing_order_arguments(self) -> dict:
        chosen = self.cleaned_data
        return {
            "from_account": chosen["from_account"], "to_account_number": chosen["to_account_number"],
            "money": Money(chosen["amount"], chosen["currency"]), "frequency": chosen["frequency"],
            "start_date": chosen["start_date"], "created_by": self.created_by,
            "day_of_month": chosen["day_of_month"], "weekday": chosen["weekday"], "end_date": chosen["end_date"],
            "count": chosen["remaining_count"], "reference": chosen["reference"],
        }

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned  # a missing or malformed field already says what is wrong
        try:
            self.order = build_standing_order(**self.standing_order_arguments())
        except DomainError as refusal:
            self.add_error(None, forms.ValidationError(str(refusal), code=refusal.code))
        except ValidationError as invalid:  # the model's checks (e.g. payer and payee the same account)
            for name, errors in invalid.message_dict.items():
                self.add_error(name if name in self.fields else None, errors)
        return cleaned


class CancelStandingOrderForm(forms.Form):
    reason = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
                             help_text="Recorded in the standing order's history.")


CANCELLABLE = (StandingOrder.Status.ACTIVE, StandingOrder.Status.SUSPENDED)


ORDER_AMOUNT = money_column("amount")


@admin.register(StandingOrder)
class StandingOrderAdmin(EvidenceHistoryAdmin):
    """Standing orders of the accounts the staff member may see. A new one is set up through
    ``create_standing_order`` (the add form asks the service first, so a refusal is a form error); once set up an
    order is read-only: a change is a new order."""

    list_display = ["id", "from_account", "to_account", ORDER_AMOUNT, "frequency", "next_due_date", "status"]
    list_filter = ["status", "frequency"]
    search_fields = ["=from_account__number", "=to_account__number", "reference"]
    list_select_related = ["from_account", "to_account"]
    readonly_fields = ["next_due_date", "status", "created_by"]
    autocomplete_fields = ["from_account"]  # AccountAdmin's search, limited to the staff member's branch
    inlines = [StandingOrderExecutionInline]

    def get_queryset(self, request):
        return selectors.standing_orders_visible_to(request.user)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None:
            return super().get_form(request, obj, change, **kwargs)
        form = super().get_form(request, obj, change, form=StandingOrderAddForm, **kwargs)
        return type(form.__name__, (form,), {"created_by": request.user})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "from_account":
            kwargs["queryset"] = visible_to(request.user, Account.objects.all(), "change")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return self.readonly_fields
        fields = [f.name for f in StandingOrder._meta.fields]  # set up once; a change is a new order
        if obj.status in CANCELLABLE and request.user.has_perm(CANCEL_PERMISSION):
            fields.append("cancel_link")
        return fields

    # --- Cancel: a page of its own asking the reason, calling cancel_standing_order ----------------------------
    def get_urls(self):
        return [path("<path:object_id>/cancel/", self.admin_site.admin_view(self.cancel_view),
                     name="payments_standingorder_cancel"), *super().get_urls()]

    @admin.display(description="Cancel")
    def cancel_link(self, order):
        return format_html('<a class="button" href="{}">Cancel standing order</a>',
                           reverse("admin:payments_standingorder_cancel", args=[order.pk]))

    def cancel_view(self, request, object_id):
        order = self.get_object(request, unquote(object_id))
        if order is None:  # not paid from an account the staff member may see
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not request.user.has_perm(CANCEL_PERMISSION):
            raise PermissionDenied
        change_url = reverse("admin:payments_standingorder_change", args=[order.pk])
        form = CancelStandingOrderForm(request.POST or None)
        if form.is_bound and form.is_valid():
            try:
                cancel_standing_order(order=order, reason=form.cleaned_data["reason"], cancelled_by=request.user)
            except DomainError as refusal:
                form.add_error(None, str(refusal))
            else:
                self.message_user(request, f"Standing order {order.pk} is cancelled: no further payment is made.",
                                  messages.SUCCESS)
                return HttpResponseRedirect(change_url)
        return operation_page(
            self, request, form=form, obj=order, title="Cancel standing order",
            submit_label="Cancel standing order", cancel_url=change_url,
            intro="No further payment is made; the payments already made stay.",
            facts=[("From", order.from_account), ("To", order.to_account),
                   ("Amount", format_amount(order.amount, order.currency)),
                   ("Schedule", order.get_frequency_display()), ("Next due", order.next_due_date or "—"),
                   ("Status", order.get_status_display())])

    def save_form(self, request, form, change):
        constructed = super().save_form(request, form, change)  # also readies form.save_m2m for save_related
        return constructed if change else form.order  # the order the service checked in the form's clean()

    def save_model(self, request, obj, form, change):
        if change:
            return
        created = create_standing_order(**form.standing_order_arguments())
        obj.pk, obj._state.adding = created.pk, False
