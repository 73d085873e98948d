from django import forms
from django.http import HttpResponse, HttpResponseRedirect
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django_countries.data import COUNTRIES

from .models import Action

COUNTRY_CODES = frozenset(COUNTRIES)


class ActionForm(forms.ModelForm):
    class Meta:
        model = Action
        fields = ["first_name", "last_name", "email", "country", "postal_code", "consent"]

    def clean_country(self):
        country = self.cleaned_data["country"].upper()
        if country and country not in COUNTRY_CODES:  # one lookup, not a walk through choices
            raise forms.ValidationError("Unknown country.")
        return country


@csrf_exempt  # as Clarion's form: it is served from a shared cache, so it has no token
@require_POST
def act(request):
    """Validate the six fields and insert one row."""
    form = ActionForm(request.POST)
    if not form.is_valid():
        return HttpResponse(form.errors.as_text(), status=400, content_type="text/plain")
    form.save()
    return HttpResponseRedirect("/thanks/")
