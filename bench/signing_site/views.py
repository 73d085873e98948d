from django import forms
from django.http import HttpResponse, HttpResponseRedirect
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .models import InProjectSignature


class InProjectForm(forms.ModelForm):
    class Meta:
        model = InProjectSignature
        fields = ["first_name", "last_name", "email", "country", "postal_code", "consent"]


@csrf_exempt
@require_POST
def in_project(request):
    """Validate a six-field form and insert one row, inside Clarion's project."""
    form = InProjectForm(request.POST)
    if not form.is_valid():
        return HttpResponse(form.errors.as_text(), status=400)
    form.save()
    return HttpResponseRedirect("/bench/thanks/")
