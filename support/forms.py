from django import forms

from .models import TicketTopic

MESSAGE_HELP = (
    "Please leave out patient information: no names, record numbers or dates of birth. "
    "A code, a modifier and what you expected to see are what helps us."
)


class ContactForm(forms.Form):
    """The contact form. Signed-in users have no email field: replies go to their account."""

    email = forms.EmailField(
        label="Your email address",
        help_text="We send your reference number and our reply here.",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "class": "form-control"}),
    )
    topic = forms.ChoiceField(
        label="What is it about?",
        choices=[("", "Choose a topic…"), *TicketTopic.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    message = forms.CharField(
        label="Your message",
        min_length=10,
        max_length=5000,
        help_text=MESSAGE_HELP,
        widget=forms.Textarea(attrs={"rows": 7, "class": "form-control"}),
        error_messages={"min_length": "Please tell us a little more (at least 10 characters)."},
    )
    # Honeypot: hidden from people (and from screen readers); bots fill in every field.
    website = forms.CharField(
        label="Leave this field empty",
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None and user.is_authenticated:
            del self.fields["email"]

    @property
    def is_spam(self) -> bool:
        return bool(self.cleaned_data.get("website"))


class ReplyForm(forms.Form):
    body = forms.CharField(
        label="Your reply",
        max_length=5000,
        help_text="No patient information, please.",
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
    )
