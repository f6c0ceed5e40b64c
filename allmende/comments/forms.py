from django import forms
from django.utils.translation import gettext_lazy as _

from allmende.forms import RenderedOncePerLanguage

from .services import MAX_LENGTH


class CommentForm(RenderedOncePerLanguage, forms.Form):
    body = forms.CharField(
        label=_("Your comment"),
        max_length=MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("At most 5,000 characters. Markdown: **bold**, *italic*, lists, links."),
        error_messages={
            "required": _("Please write something before sending."),
            "max_length": _(
                "A comment can have at most %(limit_value)d characters; yours has %(show_value)d."
            ),
        },
    )
    official = forms.BooleanField(label=_("Post as an official reply"), required=False)

    def __init__(self, *args, can_be_official=False, prefix_id="", **kwargs):
        super().__init__(*args, **kwargs)
        if not can_be_official:
            del self.fields["official"]
        if prefix_id:
            self.auto_id = f"id_{prefix_id}_%s"
