import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .images import process_upload
from .models import Proposal

MAX_EURO_CENTS = 10**13


def parse_euros(text: str) -> int | None:
    """'700.000', '700.000,50', '1234.5', '1,234.50 €' -> cents. German first: ',' is the decimal comma."""
    text = (text or "").replace("€", "").replace("\u00a0", "").replace(" ", "").strip()
    if not text:
        return None
    if "," in text and "." in text:
        decimal_mark = "," if text.rfind(",") > text.rfind(".") else "."
        thousands = "." if decimal_mark == "," else ","
        text = text.replace(thousands, "").replace(decimal_mark, ".")
    elif "," in text:
        text = text.replace(",", ".") if re.fullmatch(r"\d+,\d{1,2}", text) else text.replace(",", "")
    elif re.fullmatch(r"\d{1,3}(\.\d{3})+", text):
        text = text.replace(".", "")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise forms.ValidationError(
            _("Please enter an amount in euros, e.g. 700.000 or 1.250,50."), code="invalid_amount"
        ) from None
    if amount < 0:
        raise forms.ValidationError(_("The amount cannot be negative."), code="negative")
    cents = int((amount * 100).quantize(Decimal("1")))
    if cents >= MAX_EURO_CENTS:
        raise forms.ValidationError(_("That amount is too large."), code="too_large")
    return cents


class EuroField(forms.CharField):
    def to_python(self, value):
        return parse_euros(super().to_python(value))


class ProposalForm(forms.ModelForm):
    cost = EuroField(
        label=_("Estimated costs in euros (optional)"),
        required=False,
        help_text=_("If you know them roughly, e.g. 700.000."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    image_upload = forms.FileField(
        label=_("Image (optional)"),
        required=False,
        help_text=_("JPEG, PNG or WebP, up to 10 MB. No photos in which people can be recognised."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )

    class Meta:
        model = Proposal
        fields = [
            "title",
            "summary",
            "description",
            "direction",
            "topic",
            "district",
            "cost",
            "cost_period",
            "cost_note",
            "image_upload",
            "image_alt",
            "image_caption",
            "image_credit",
            "latitude",
            "longitude",
        ]
        labels = {
            "title": _("Title"),
            "summary": _("Short description"),
            "description": _("Description"),
            "direction": _("What should the city do?"),
            "topic": _("Topic"),
            "district": _("District (optional)"),
            "cost_period": _("The costs arise"),
            "cost_note": _("Note on the costs (optional)"),
            "image_alt": _("What does the image show? (alt text)"),
            "image_caption": _("Caption (optional)"),
            "image_credit": _("Photo credit (optional)"),
            "latitude": _("Latitude (optional)"),
            "longitude": _("Longitude (optional)"),
        }
        help_texts = {
            "title": _("At most 120 characters. Say in a few words what you propose."),
            "summary": _("At most 500 characters. Shown in the list of proposals."),
            "description": _(
                "Explain your proposal. You can use Markdown: **bold**, *italic*, lists, ## subheadings."
            ),
            "cost_note": _("E.g. “ca. 700.000 Euro/Jahr”."),
            "image_alt": _("Required with an image: describe it for people who cannot see it."),
            "image_credit": _("Who took the photo, e.g. “Foto: A. Schmidt”."),
            "latitude": _("For a place in the city, e.g. 47.995900."),
            "longitude": _("E.g. 7.852200."),
        }
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3, "maxlength": 500}),
            "description": forms.Textarea(attrs={"rows": 12}),
            "direction": forms.RadioSelect,
            "cost_period": forms.RadioSelect,
            "latitude": forms.TextInput(attrs={"inputmode": "decimal"}),
            "longitude": forms.TextInput(attrs={"inputmode": "decimal"}),
        }

    def __init__(self, *args, round_, **kwargs):
        super().__init__(*args, **kwargs)
        self.round = round_
        self.processed_image = None
        self.fields["topic"].queryset = round_.topics.all()
        self.fields["topic"].empty_label = _("Please choose")
        self.fields["district"].queryset = round_.districts.all()
        self.fields["district"].empty_label = _("Whole city")
        self.fields["cost_period"].choices = [("", _("not stated")), *Proposal.CostPeriod.choices]
        self.fields["cost_period"].required = False
        # As the title is typed, similar proposals appear beside it (htmx; without JS on preview).
        self.fields["title"].widget.attrs.update(
            {
                "hx-get": reverse("proposals:similar", args=[round_.slug]),
                "hx-trigger": "input changed delay:600ms",
                "hx-target": "#similar-proposals",
                "hx-swap": "innerHTML",
                "aria-controls": "similar-proposals",
            }
        )
        if self.instance.pk and self.instance.cost_cents is not None:
            self.initial["cost"] = f"{self.instance.cost_cents / 100:.2f}".replace(".", ",")

    def clean_image_upload(self):
        upload = self.cleaned_data.get("image_upload")
        if upload:
            self.processed_image = process_upload(upload)
        return upload

    def clean(self):
        cleaned = super().clean()
        has_image = bool(self.processed_image or (self.instance.pk and self.instance.image))
        if has_image and not (cleaned.get("image_alt") or "").strip():
            self.add_error("image_alt", _("Please describe the image for people who cannot see it."))
        if (cleaned.get("latitude") is None) != (cleaned.get("longitude") is None):
            self.add_error("longitude", _("Please give both latitude and longitude, or neither."))
        if cleaned.get("cost") is None and cleaned.get("cost_period"):
            self.add_error("cost", _("Please enter the amount, or leave the period open."))
        return cleaned

    def service_data(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k not in ("cost", "image_upload")}
        data["cost_cents"] = self.cleaned_data.get("cost")
        data["cost_period"] = self.cleaned_data.get("cost_period") or ""
        return data
