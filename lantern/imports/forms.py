"""The upload form: files only; what they must hold is checked by the import itself."""

from typing import Any

from django import forms

FILES_REQUIRED_903 = "Choose the Header, Episodes and Missing files (three CSV files)"
FILE_REQUIRED_POLICE = "Choose the police reports file (one CSV file)"
NOT_CSV = "Choose CSV files only"
TOO_BIG = "Each file must be smaller than 200 MB"
MAX_BYTES = 200 * 1024 * 1024


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".csv,text/csv"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        # How many files are needed depends on the import: the form checks that.
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class UploadForm(forms.Form):
    upload = MultipleFileField(label="Files")

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        field = self.fields["upload"]
        field.error_messages["required"] = (
            FILES_REQUIRED_903 if kind == "ssda903" else FILE_REQUIRED_POLICE
        )
        if kind == "ssda903":
            field.label = "SSDA903 Header, Episodes and Missing files"
            field.help_text = (
                "Select all three CSV files at once. Dates as dd/mm/YYYY; the columns are those "
                "of the 903 return."
            )
        else:
            field.label = "Police missing-person reports file"
            field.help_text = "One CSV file in the format described in Lantern's import guide."
            field.widget = forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"})

    def clean_upload(self) -> list[Any]:
        files = self.cleaned_data.get("upload") or []
        wanted = 3 if self.kind == "ssda903" else 1
        if len(files) != wanted:
            raise forms.ValidationError(
                FILES_REQUIRED_903 if self.kind == "ssda903" else FILE_REQUIRED_POLICE
            )
        for upload in files:
            if not upload.name.lower().endswith(".csv"):
                raise forms.ValidationError(NOT_CSV)
            if upload.size > MAX_BYTES:
                raise forms.ValidationError(TOO_BIG)
        return files
