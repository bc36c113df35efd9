"""The ledger's public pages: the log at a glance, one entry, the verifier, downloads."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from misto.core.errors import MistoError
from misto.core.registry import CabinetPanel
from misto.ledger import merkle, services, standalone_verify
from misto.ledger.canonical import canonical_json
from misto.ledger.models import LedgerEntry, LedgerKey, SignedTreeHead


class EntryForm(forms.Form):
    index = forms.IntegerField(label=_("Entry index"), min_value=0, max_value=2**62)
    entry = forms.CharField(
        label=_("Entry (its JSON text)"), max_length=200_000,
        widget=forms.Textarea(attrs={"rows": 5, "spellcheck": "false"}), strip=False,
    )


class ReceiptForm(forms.Form):
    receipt = forms.CharField(
        label=_("Receipt"), max_length=2_000,
        # The receipt's JSON is shown as code (help texts are HTML), not as words to read.
        help_text=format_lazy('{} <code>{}</code>', _("As shown in your cabinet:"),
                              '{"leaf_index":…,"leaf_hash":"…"}'),
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
    )

    def clean_receipt(self) -> tuple[int, bytes]:
        text = self.cleaned_data["receipt"]
        try:
            data = json.loads(text)
        except ValueError:
            raise forms.ValidationError(_("The receipt is not valid JSON.")) from None
        if not isinstance(data, dict):
            raise forms.ValidationError(_("The receipt must be a JSON object."))
        index = data.get("leaf_index")
        if isinstance(index, bool) or not isinstance(index, int) or index < 0:
            raise forms.ValidationError(_("leaf_index must be a non-negative integer."))
        leaf = _decode_hash(data.get("leaf_hash"))
        if leaf is None:
            raise forms.ValidationError(_("leaf_hash must be a SHA-256 hash in base64 or hex."))
        return index, leaf


def _decode_hash(value: Any) -> bytes | None:
    if not isinstance(value, str):
        return None
    value = value.strip()
    try:
        raw = bytes.fromhex(value) if len(value) == 64 else base64.b64decode(value, validate=True)
    except (ValueError, binascii.Error):
        return None
    return raw if len(raw) == merkle.HASH_SIZE else None


def receipt_link(receipt: services.Receipt) -> str:
    query = urlencode({"mode": "receipt", "receipt": receipt.as_text()})
    return f"{reverse('ledger:verify')}?{query}"


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    size, integrated = services.tree_sizes()
    return render(request, "ledger/index.html", {
        "size": size,
        "integrated": integrated,
        "head": services.latest_head(),
        "entries": LedgerEntry.objects.order_by("-index")[:50],
        "heads": SignedTreeHead.objects.select_related("key").order_by("-id")[:20],
        "keys": LedgerKey.objects.order_by("-created_at"),
    })


@require_GET
def entry(request: HttpRequest, index: int) -> HttpResponse:
    row = LedgerEntry.objects.filter(index=index).first() if index < 2**63 else None
    if row is None:
        raise Http404(_("There is no such ledger entry."))
    verify_query = urlencode({"mode": "entry", "index": row.index, "entry": row.payload})
    return render(request, "ledger/entry.html", {
        "entry": row,
        "integrated": row.index < services.tree_sizes()[1],
        "verify_url": f"{reverse('ledger:verify')}?{verify_query}",
    })


@require_GET
def verify(request: HttpRequest) -> HttpResponse:
    """Prove a pasted entry or receipt against the latest signed head (GET: shareable)."""
    mode = request.GET.get("mode")
    entry_form = EntryForm(request.GET if mode == "entry" else None)
    receipt_form = ReceiptForm(request.GET if mode == "receipt" else None)
    context: dict[str, Any] = {
        "entry_form": entry_form, "receipt_form": receipt_form, "mode": mode,
        "head": services.latest_head(),
    }
    status = 200
    leaf: bytes | None = None
    position: int | None = None
    if mode == "entry":
        if entry_form.is_valid():
            text = entry_form.cleaned_data["entry"]
            position = entry_form.cleaned_data["index"]
            context["entry_text"] = text
            try:
                canonical = canonical_json(json.loads(text))
            except ValueError:
                canonical = text  # not JSON at all: hash the bytes as given
            if canonical != text:
                context["canonicalised"] = canonical
            leaf = merkle.leaf_hash(canonical.encode("utf-8", "surrogatepass"))
        else:
            status = 400
    elif mode == "receipt":
        if receipt_form.is_valid():
            position, leaf = receipt_form.cleaned_data["receipt"]
        else:
            status = 400
    if leaf is not None and position is not None:
        context["leaf_hash"] = leaf
        head = context["head"]
        if head is None:
            context["problem"] = _("No tree head has been signed yet, so nothing can be "
                                   "proven. Heads are signed every 10 minutes.")
            status = 404
        elif position >= head.tree_size:
            context["problem"] = _(
                "Entry #%(index)s is not covered by the latest signed head (%(size)s entries) "
                "yet. Heads are signed every 10 minutes; try again later."
            ) % {"index": position, "size": head.tree_size}
            status = 400
        else:
            try:
                context["check"] = services.check_inclusion(position, leaf)
            except MistoError as error:  # e.g. the head changed meanwhile
                context["problem"] = _("This cannot be checked: %(reason)s") % {
                    "reason": error.message}
                status = 400
    return render(request, "ledger/verify.html", context, status=status)


@require_GET
def export_entries(request: HttpRequest) -> StreamingHttpResponse:
    response = StreamingHttpResponse(services.iter_export_entries(),
                                     content_type="application/jsonl; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="entries.jsonl"'
    return response


@require_GET
def export_heads(request: HttpRequest) -> JsonResponse:
    response = JsonResponse(services.export_heads(), safe=False)
    response["Content-Disposition"] = 'attachment; filename="heads.json"'
    return response


@require_GET
def export_keys(request: HttpRequest) -> JsonResponse:
    response = JsonResponse(services.published_keys(), safe=False)
    response["Content-Disposition"] = 'attachment; filename="keys.json"'
    return response


@require_GET
def standalone_verifier(request: HttpRequest, name: str) -> FileResponse:
    """The offline verifier and the Merkle module it uses, for witnesses to download."""
    module = {"standalone_verify.py": standalone_verify, "merkle.py": merkle}.get(name)
    if module is None or not module.__file__:
        raise Http404(name)
    return FileResponse(open(module.__file__, "rb"), as_attachment=True, filename=name,
                        content_type="text/x-python")


def cabinet_panel(request: HttpRequest) -> CabinetPanel | None:
    """"My receipts": the resident's ledgered actions with index, hash, a verify link and,
    for an event entry, its opening (the private salt and the text its digest commits to)."""
    if not request.user.is_authenticated:
        return None
    receipts = services.receipts_for(str(request.user.pk))
    openings = services.openings_for(str(request.user.pk), [r.index for r in receipts])
    return CabinetPanel(
        title=_("My receipts"),
        template="ledger/receipts_panel.html",
        context={"receipts": [
            {"receipt": receipt, "text": receipt.as_text(), "link": receipt_link(receipt),
             "promise": json.dumps(receipt.promise.as_json(), separators=(",", ":"))
             if receipt.promise else None,
             "hash": base64.b64encode(receipt.leaf_hash).decode(),
             "opening": openings.get(receipt.index)}
            for receipt in receipts
        ]},
        url_name="ledger:verify",
    )
