"""Bank statements in the back-office (SCH-5): import, the result, the lines to match, the list.

Accountants and administrators only (those who record transfers: `payments.reconcile_payment`);
for anyone else the pages answer 403 and the menu does not show them. Each page parses its
request and calls one service or selector.

The import stores the file's new transfers in the request; their matching runs in a worker
(OPS-4): the result page polls a small progress fragment (htmx) until it is done, then shows the
counts.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from payments.errors import PaymentError
from payments.models import Payment
from portal.admin_helpers import ReadOnlyAdminMixin
from portal.money import money_format
from programmes.selectors import programmes_scope
from schedules.models import BankStatement, StatementLine
from schedules.selectors_statements import (
    bank_statement_progress,
    bank_statements_for,
    statement_lines_for,
    statement_lines_to_match,
    suggestions_for_lines,
)
from schedules.services.statements import statement_import, statement_line_ignore, statement_line_match
from schedules.statements import StatementError
from schedules.statements.csv import CsvMapping
from schedules.statements.matching import reference_key

# Who records transfers on payments (ACC-3) imports and matches the statements they come from.
STATEMENTS_PERMISSION = "payments.reconcile_payment"
MAX_FILE_BYTES = 20 * 1024 * 1024
LINES_PER_PAGE = 50


class StatementImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Statement file"))
    format = forms.ChoiceField(label=gettext_lazy("Format"), choices=BankStatement.Format.choices)
    # The CSV's column mapping: each column's header as it appears in the file.
    column_date = forms.CharField(label=gettext_lazy("CSV: date column"), required=False, max_length=100)
    column_amount = forms.CharField(label=gettext_lazy("CSV: amount column"), required=False, max_length=100)
    column_name = forms.CharField(
        label=gettext_lazy("CSV: payer's name column"), required=False, max_length=100
    )
    column_reference = forms.CharField(
        label=gettext_lazy("CSV: structured reference column"), required=False, max_length=100
    )
    column_text = forms.CharField(label=gettext_lazy("CSV: free text column"), required=False, max_length=100)
    column_bank_reference = forms.CharField(
        label=gettext_lazy("CSV: bank reference column"),
        required=False,
        max_length=100,
        help_text=gettext_lazy("Without it, a transaction is recognised by its date, amount, name and text."),
    )
    delimiter = forms.ChoiceField(
        label=gettext_lazy("CSV: separator"),
        choices=[(";", ";"), (",", ","), ("\t", gettext_lazy("tab"))],
        initial=";",
    )
    decimal_comma = forms.BooleanField(
        label=gettext_lazy("CSV: decimal comma (1.234,56)"), required=False, initial=True
    )
    currency = forms.ChoiceField(
        label=gettext_lazy("CSV: currency"), choices=[("EUR", "EUR"), ("PLN", "PLN")], initial="EUR"
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        return upload

    def clean(self):
        data = super().clean()
        if data.get("format") == BankStatement.Format.CSV:
            for field in ("column_date", "column_amount"):
                if not data.get(field):
                    self.add_error(field, _("Give this column's header to import a CSV."))
        return data

    def mapping(self) -> CsvMapping | None:
        data = self.cleaned_data
        if data["format"] != BankStatement.Format.CSV:
            return None
        return CsvMapping(
            date=data["column_date"],
            amount=data["column_amount"],
            name=data["column_name"],
            reference=data["column_reference"],
            text=data["column_text"],
            bank_reference=data["column_bank_reference"],
            delimiter=data["delimiter"],
            decimal_comma=data["decimal_comma"],
            default_currency=data["currency"],
        )


class StatementLineInline(admin.TabularInline):
    """The statement's transfers, as imported, with what became of each."""

    model = StatementLine
    fields = [
        "booked_on",
        "amount",
        "currency",
        "debtor_name",
        "creditor_reference",
        "remittance",
        "state",
        "payment",
    ]
    readonly_fields = fields
    extra = 0
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("payment")

    # Read by whoever may open the statement; written only by the import and matching services.
    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(STATEMENTS_PERMISSION)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(BankStatement)
class BankStatementAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "file_name",
        "format",
        "account_iban",
        "lines_total",
        "lines_new",
        "lines_matched",
        "state",
        "imported_by",
        "imported_at",
    ]
    list_filter = ["format", "state", ("imported_at", admin.DateFieldListFilter)]
    search_fields = ["file_name", "account_iban"]
    list_select_related = ["imported_by"]
    show_full_result_count = False
    fields = list_display + ["lines_done", "error", "sha256"]
    readonly_fields = fields
    change_list_template = "admin/schedules/statement_change_list.html"
    inlines = [StatementLineInline]

    # Access: accountants and administrators ----------------------------------------------------

    def _allowed(self, request) -> bool:
        return request.user.has_perm(STATEMENTS_PERMISSION)

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def get_queryset(self, request):
        return bank_statements_for(request.user)

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        # Another account's statement does not exist for this user: 404, as everywhere.
        raise Http404

    def _check(self, request) -> None:
        if not self._allowed(request):
            raise PermissionDenied

    def get_urls(self):
        def wrap(view, *, post_only=False):
            return self.admin_site.admin_view(require_POST(view) if post_only else view)

        return [
            path("import/", wrap(self.import_view), name="schedules_bankstatement_import"),
            path("lines/", wrap(self.lines_view), name="schedules_bankstatement_lines"),
            path(
                "<int:statement_id>/progress/",
                wrap(self.progress_view),
                name="schedules_bankstatement_progress",
            ),
            path(
                "lines/<int:line_id>/match/",
                wrap(self.match_view, post_only=True),
                name="schedules_bankstatement_match",
            ),
            path(
                "lines/<int:line_id>/ignore/",
                wrap(self.ignore_view, post_only=True),
                name="schedules_bankstatement_ignore",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        context = {
            "import_url": reverse("admin:schedules_bankstatement_import"),
            "lines_url": reverse("admin:schedules_bankstatement_lines"),
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra_context=context)

    def _page(self, request, template: str, title: str, **context):
        return TemplateResponse(
            request,
            f"admin/schedules/{template}",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": title,
                "changelist_url": reverse("admin:schedules_bankstatement_changelist"),
                "import_url": reverse("admin:schedules_bankstatement_import"),
                "lines_url": reverse("admin:schedules_bankstatement_lines"),
                **context,
            },
        )

    # Import ------------------------------------------------------------------------------------

    def import_view(self, request):
        self._check(request)
        form = StatementImportForm(request.POST or None, request.FILES or None)
        problems: list[str] = []
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = statement_import(
                    file_name=upload.name,
                    content=upload.read(),
                    format=form.cleaned_data["format"],
                    mapping=form.mapping(),
                    actor=request.user,
                )
            except StatementError as error:
                problems = error.lines()
            else:
                # Read again: a worker running eagerly (the quick start) has already matched it.
                statement = (
                    bank_statement_progress(request.user, result.statement.pk) if result.statement else None
                )
                return self._page(
                    request,
                    "statement_result.html",
                    _("Statement imported"),
                    result=result,
                    statement=statement,
                )
        return self._page(
            request, "statement_import.html", _("Import a bank statement"), form=form, problems=problems
        )

    def progress_view(self, request, statement_id):
        """The import's progress fragment, polled by its result page until the matching is done."""
        self._check(request)
        statement = bank_statement_progress(request.user, statement_id)
        if statement is None:
            raise Http404
        return TemplateResponse(
            request,
            "admin/schedules/statement_progress.html",
            {"statement": statement, "lines_url": reverse("admin:schedules_bankstatement_lines")},
        )

    # Lines to match ----------------------------------------------------------------------------

    def lines_view(self, request):
        self._check(request)
        page = Paginator(statement_lines_to_match(request.user), LINES_PER_PAGE).get_page(
            request.GET.get("page")
        )
        lines = list(page.object_list)
        suggestions = suggestions_for_lines(lines, request.user)
        return self._page(
            request,
            "statement_lines.html",
            _("Bank transfers to match"),
            page=page,
            rows=[
                {
                    "line": line,
                    "amount": money_format(line.amount, line.currency),
                    "suggestions": [
                        {
                            "payment": payment,
                            "due": money_format(payment.amount - payment.amount_paid, payment.currency),
                        }
                        for payment in suggestions.get(line.pk, [])
                    ],
                }
                for line in lines
            ],
        )

    def _line_or_404(self, request, line_id) -> StatementLine:
        self._check(request)
        line = statement_lines_for(request.user).filter(pk=line_id).first()
        if line is None:
            raise Http404
        return line

    def _to_lines(self):
        return HttpResponseRedirect(reverse("admin:schedules_bankstatement_lines"))

    def match_view(self, request, line_id):
        line = self._line_or_404(request, line_id)
        payments = programmes_scope(Payment.objects.all(), request.user, "programme")
        # A suggestion's button sends the payment; the line's field, a transfer reference (RF…).
        chosen = request.POST.get("payment", "")
        typed = reference_key(request.POST.get("reference", ""))
        payment = None
        if chosen.isdigit():
            payment = payments.filter(pk=int(chosen)).first()
        elif typed:
            payment = payments.filter(creditor_reference=typed).first()
        if payment is None:
            messages.error(request, _("No payment of your programmes has this reference."))
            return self._to_lines()
        try:
            statement_line_match(line=line, payment=payment, actor=request.user)
        except PaymentError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("The transfer from %(name)s is recorded on %(payment)s.")
                % {"name": line.debtor_name or line.bank_reference, "payment": payment},
            )
        return self._to_lines()

    def ignore_view(self, request, line_id):
        line = self._line_or_404(request, line_id)
        try:
            statement_line_ignore(line=line, actor=request.user)
        except PaymentError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The transfer is set aside."))
        return self._to_lines()
