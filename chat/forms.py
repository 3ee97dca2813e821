"""The web app's chat forms; their limits are the API serializers' limits."""

from django import forms

from chat.models import Rating
from chat.serializers import QUESTION_MAX_LENGTH


class AskForm(forms.Form):
    question = forms.CharField(max_length=QUESTION_MAX_LENGTH, strip=True, widget=forms.Textarea(attrs={"rows": 2}))
    session_id = forms.UUIDField(required=False, widget=forms.HiddenInput)


class RenameForm(forms.Form):
    title = forms.CharField(max_length=200, strip=True)


class FeedbackForm(forms.Form):
    rating = forms.ChoiceField(choices=Rating.choices)
    comment = forms.CharField(max_length=2000, required=False, strip=True)
