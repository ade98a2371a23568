"""Forms for the directory's staff pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .roster import MAX_BYTES


class RosterUploadForm(forms.Form):
    """Upload of an owners' roster (.xlsx). The content is checked by the service."""

    file = forms.FileField(
        label=_("Roster file (.xlsx)"),
        help_text=_(
            "Excel .xlsx, at most 5 MB and 20,000 rows. Columns: 楼栋, 单元, 房号, 面积, "
            "姓名, 手机, 关系. Nothing is imported unless every row is correct."
        ),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
        error_messages={
            "required": _("Choose the roster file to upload."),
            "empty": _("The file is empty. / 文件是空的。"),
        },
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _(
                    "The file is larger than 5 MB; split the roster into several files. / "
                    "文件超过5MB，请把名册拆分成几个文件。"
                ),
                code="too_big",
            )
        return upload
