"""Home worklist and the About page."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def worklist(request: HttpRequest) -> HttpResponse:
    return render(request, "home/worklist.html", {})


@login_not_required
def about(request: HttpRequest) -> HttpResponse:
    return render(request, "home/about.html", {})
