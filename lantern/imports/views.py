"""Upload an import through the browser: managers of a council (903) or a police force (reports).

A thin adapter over ``lantern.imports.services``: the files are saved to a private temporary
folder, imported exactly as ``lantern import`` would, and the folder is removed. The page shows
what was added or every problem found, with file, line and column.
"""

import tempfile
from pathlib import Path
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from lantern.accounts import policy
from lantern.accounts.models import OrgType
from lantern.accounts.roles import Role
from lantern.imports import services
from lantern.imports.files import ImportRejected
from lantern.imports.forms import UploadForm
from lantern.imports.models import ImportRun


def _kind_for(user: Any) -> tuple[str, Any]:
    """What the user may import: only managers, for their own council or force; else 404."""
    if not policy.has_role(user, {Role.MANAGER}):
        raise Http404("No page found")
    membership = policy.acting_membership(user)
    organisation = membership.organisation if membership else None
    if organisation is None:
        raise Http404("No page found")
    if organisation.type == OrgType.LOCAL_AUTHORITY:
        return "ssda903", organisation
    if organisation.type == OrgType.POLICE:
        return "police", organisation
    raise Http404("No page found")


@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    kind, organisation = _kind_for(request.user)
    form = UploadForm(request.POST or None, request.FILES or None, kind=kind)
    run: ImportRun | None = None
    rejected: ImportRejected | None = None
    if request.method == "POST" and form.is_valid():
        with tempfile.TemporaryDirectory(prefix="lantern-import-") as folder:
            directory = Path(folder)
            paths = []
            for index, upload_file in enumerate(form.cleaned_data["upload"]):
                # Our own names: never a path from the browser.
                name = Path(upload_file.name).name or f"file{index}.csv"
                path = directory / name
                if path.exists():  # two files with one name: keep both
                    path = directory / f"{index}-{name}"
                with open(path, "wb") as handle:
                    for chunk in upload_file.chunks():
                        handle.write(chunk)
                paths.append(path)
            try:
                if kind == "ssda903":
                    run = services.ssda903_import(
                        actor=request.user, directory=directory, la=organisation, via="web"
                    )
                else:
                    run = services.police_import(
                        actor=request.user, path=paths[0], force=organisation, via="web"
                    )
            except ImportRejected as error:
                rejected = error
    recent = ImportRun.objects.filter(organisation=organisation).order_by("-started_at")[:10]
    return render(
        request,
        "imports/upload.html",
        {
            "form": form,
            "kind": kind,
            "organisation": organisation,
            "run": run,
            "rejected": rejected,
            "recent": recent,
        },
    )
