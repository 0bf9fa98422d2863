"""Admin forms of the publication: an author's links as rows of name and address, a tag name
that no other tag spells in another case, and the target of a tag merge."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.utils.html import format_html, format_html_join
from taggit.models import Tag

from .models import Author

LINK_NAME_LENGTH = 100
LINK_ADDRESS_LENGTH = 1000


class LinkRowsWidget(forms.Widget):
    """Rows of two inputs, name and address, each with its own label; `extra` empty rows follow
    the filled ones, to add more without a script."""

    extra = 3

    def value_from_datadict(self, data, files, name):
        rows = []
        while f"{name}-{len(rows)}-name" in data or f"{name}-{len(rows)}-url" in data:
            prefix = f"{name}-{len(rows)}"
            rows.append((data.get(f"{prefix}-name", ""), data.get(f"{prefix}-url", "")))
        return rows

    def value_omitted_from_data(self, data, files, name):
        return f"{name}-0-name" not in data and f"{name}-0-url" not in data

    def id_for_label(self, id_):
        return None  # each input has its own label; the field's names the table

    def render(self, name, value, attrs=None, renderer=None):
        rows = list(value or [])
        # As posted, so that an error's row number is the row shown; then enough empty rows.
        rows += [("", "")] * max(0, self.extra - _trailing_empty_rows(rows))
        base_id = (attrs or {}).get("id") or f"id_{name}"
        body = format_html_join(
            "",
            "<tr>{}{}</tr>",
            (
                (
                    self._cell(name, base_id, index, "name", label, LINK_NAME_LENGTH, renderer),
                    self._cell(name, base_id, index, "url", url, LINK_ADDRESS_LENGTH, renderer),
                )
                for index, (label, url) in enumerate(rows)
            ),
        )
        return format_html(
            '<table class="link-rows" id="{}"><thead><tr><th scope="col">Name</th>'
            '<th scope="col">Address (http(s) URL or e-mail)</th></tr></thead>'
            "<tbody>{}</tbody></table>",
            base_id,
            body,
        )

    @staticmethod
    def _cell(name, base_id, index, part, value, max_length, renderer):
        """One input of row `index` with its label, read by screen readers ("Link 2 address")."""
        input_id = f"{base_id}-{index}-{part}"
        label = f"Link {index + 1} {'name' if part == 'name' else 'address'}"
        attrs = {"id": input_id, "maxlength": max_length, "autocomplete": "off"}
        field = forms.TextInput().render(f"{name}-{index}-{part}", value, attrs, renderer)
        return format_html(
            '<td><label class="visually-hidden" for="{}">{}</label>{}</td>', input_id, label, field
        )


def _trailing_empty_rows(rows) -> int:
    filled = [index for index, row in enumerate(rows) if any(part.strip() for part in row)]
    return len(rows) - (filled[-1] + 1 if filled else 0)


def _checked_address(address: str) -> str | None:
    """The error for an address that is neither an http(s) URL nor an e-mail address."""
    validate = EmailValidator() if "@" in address and "/" not in address else None
    try:
        (validate or URLValidator(schemes=["http", "https"]))(address)
    except ValidationError:
        return f"“{address}” is neither an http(s) address nor an e-mail address."
    return None


def links_from_rows(rows) -> dict[str, str]:
    """Name → address of the filled rows, in order; every error of every row at once, each
    naming its row."""
    errors, links, seen = [], {}, {}
    for number, (label, address) in enumerate(rows, start=1):
        label, address = label.strip(), address.strip()
        if not (label or address):
            continue
        if not label:
            errors.append(f"Link {number}: give {address} a name.")
        elif not address:
            errors.append(f"Link {number}: enter an address for “{label}”, or clear the name.")
        elif len(label) > LINK_NAME_LENGTH or len(address) > LINK_ADDRESS_LENGTH:
            errors.append(
                f"Link {number}: names are at most {LINK_NAME_LENGTH} characters and addresses "
                f"at most {LINK_ADDRESS_LENGTH}."
            )
        elif label.casefold() in seen:
            errors.append(
                f"Link {number}: the name “{label}” is link {seen[label.casefold()]}'s already."
            )
        elif problem := _checked_address(address):
            errors.append(f"Link {number}: {problem}")
        else:
            seen[label.casefold()] = number
            links[label] = address
    if errors:
        raise ValidationError(errors)
    return links


class LinksField(forms.Field):
    """Links by name, stored as Author.links is (name → address, in the order given); a row
    left empty is no link."""

    widget = LinkRowsWidget

    def prepare_value(self, value):
        if isinstance(value, dict):
            return [(str(label), str(address)) for label, address in value.items()]
        return value

    def to_python(self, value):
        return self.prepare_value(value) or []

    def clean(self, value):
        return links_from_rows(self.to_python(value))

    def has_changed(self, initial, data):
        try:
            return self.clean(data) != dict(initial or {})
        except ValidationError:
            return True


class AuthorForm(forms.ModelForm):
    links = LinksField(
        required=False,
        help_text="Shown on the author's page: a name, and a web address (https://…) or an "
        "e-mail address. Empty rows are ignored; clear a row to remove its link.",
    )

    class Meta:
        model = Author
        fields = ["name", "slug", "bio", "affiliation", "photo", "user", "links"]


class TagForm(forms.ModelForm):
    """Tags are one whatever their case ("NATO" is "nato"): a name another tag spells in another
    case is refused, where the database would keep both."""

    class Meta:
        model = Tag
        fields = ["name", "slug"]

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        other = Tag.objects.filter(name__iexact=name).exclude(pk=self.instance.pk).first()
        if other is not None:
            raise ValidationError(
                f"The tag “{other.name}” already exists, and tags are the same whatever their "
                "case: use it, or merge the two."
            )
        return name


class MergeTagsForm(forms.Form):
    """The tag that the selected ones become: one of theirs, another existing one, or new."""

    new_tag_name = forms.CharField(
        max_length=Tag._meta.get_field("name").max_length,
        help_text="The name of one of them, of another tag, or a new one.",
    )

    def __init__(self, *args, tags, **kwargs):
        super().__init__(*args, **kwargs)
        names = ", ".join(f"“{tag.name}”" for tag in tags)
        self.fields["new_tag_name"].label = f"Merge {names} into"

    def clean_new_tag_name(self):
        return " ".join(self.cleaned_data["new_tag_name"].split())
