"""Typed settings (mkdocs' config_options): each option declares its TOML type, default, range
and one-line doc where it is defined; values are read into their types once, at the boundary.

An option reads a TOML (or command-line) value into its type (`read`: WrongType if the value is
another type) and says why a value of its type is out of range (`problem`: the end of a
sentence "KEY must be ..."). `setting(option)` makes it a dataclass field of a settings class;
`option_of(field)` finds it again. `kind` names what a setting is, so that a check can find
every setting of a kind (every "path" setting resolves inside the project: issue 24).
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar, NamedTuple

from .images import ImageError, load_image
from .paths import reserved_folder

__all__ = [
    "Address",
    "AddressSetting",
    "Choice",
    "Flag",
    "LanguageCode",
    "Number",
    "Option",
    "OutOfRange",
    "PathSetting",
    "Text",
    "Texts",
    "Url",
    "Whole",
    "WrongType",
    "option_of",
    "parse_address",
    "setting",
]

#: HOST:PORT, the host a name, an IPv4 address or a bracketed IPv6 one
_ADDRESS = re.compile(r"(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9][A-Za-z0-9.-]*):(?P<port>\d{1,5})")


class Address(NamedTuple):
    """A network address, HOST:PORT (a Ray head)."""

    host: str  #: a name or an IP address (IPv6 without brackets)
    port: int

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


def parse_address(text: str) -> Address | None:
    """The Address written as `HOST:PORT`, or None if it is not one."""
    found = _ADDRESS.fullmatch(text.strip())
    if found is None or not 0 < int(found["port"]) < 65536:
        return None
    return Address(found["host"].strip("[]"), int(found["port"]))


class WrongType(Exception):  # noqa: N818 - a signal to the config reader, never to the user
    """A setting holds another type than it takes; `want` says which ("a whole number")."""

    def __init__(self, want: str) -> None:
        super().__init__(want)
        self.want = want


class OutOfRange(Exception):  # noqa: N818 - a signal to the config reader, never to the user
    """A value of the right type that reading finds impossible (the end of "KEY must be ...")."""


class Option:
    """One setting: its default, its one-line doc, the type it takes and the values it allows."""

    kind: ClassVar[str] = "value"  #: what the setting is, for checks over every setting of a kind
    want: str = ""  #: the type it takes, as type errors say it ("a string")
    types: tuple[type, ...] = ()  #: the Python types its TOML value may have

    def __init__(self, default: Any, doc: str, *, example: Any = None) -> None:
        self.default = default
        self.doc = doc  #: one line, shown above the setting in a new project's audiolesson.toml
        self.example = example  #: a value to show for a setting unset by default

    def read(self, value: object) -> Any:
        """The value as the setting's type; WrongType if it is not one (a bool is no number)."""
        if not isinstance(value, self.types) or isinstance(value, bool) and bool not in self.types:
            raise WrongType(self.want)
        return value

    def problem(self, value: Any) -> str | None:
        """Why `value` is out of range (the end of "KEY must be ..."), or None."""
        return None


class Text(Option):
    """A string (None: unset, where the default is None)."""

    want = "a string"
    types = (str,)


class LanguageCode(Text):
    """A language code, `en` or `en-GB` (BCP 47's shape: letters, then subtags; None: unset)."""

    _CODE: ClassVar[re.Pattern[str]] = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8}){0,4}")

    def problem(self, value: str | None) -> str | None:
        """Not shaped like a language code."""
        if value is None or self._CODE.fullmatch(value):
            return None
        return f"a language code like en-US, en-GB or en-IN; got {value!r}"


class PathSetting(Text):
    """A path, relative to the project folder, that must stay inside it (symlinks resolved).

    `folder`: the project writes into it (output, cache): it may not be `/`, the home folder,
    the project, a folder holding the project or a source folder (`paths.reserved_folder`);
    `use` says why, in a message. `may_leave`: an absolute path may lead outside the project
    when [build] allow_outside is true (a shared cache, a web server's folder); a relative
    path never leaves it. `image`: a file that must be a whole PNG or JPEG image (`images`).
    """

    kind = "path"

    def __init__(
        self,
        default: str | None,
        doc: str,
        *,
        example: str | None = None,
        folder: bool = False,
        use: str = "",
        may_leave: bool = False,
        image: bool = False,
    ) -> None:
        super().__init__(default, doc, example=example)
        self.folder, self.use, self.may_leave, self.image = folder, use, may_leave, image

    def place(self, value: str | None, root: Path, allow_outside: bool) -> str | None:
        """Why `value` cannot be used in the project at `root` (the end of "KEY must ..."), or
        None: outside the project without the opt-in, or a folder reserved for other things."""
        if value is None:
            return None
        root = Path(root).resolve()
        try:
            path = (root / value).resolve()
        except (OSError, RuntimeError) as exc:  # a symlink loop
            return f"be a path that resolves, got {value!r} ({exc})"
        leaves = self.may_leave and allow_outside and Path(value).is_absolute()
        if not path.is_relative_to(root) and not leaves:
            how = (
                "; use a path inside it, or write an absolute path and set allow_outside = true "
                "in [build]"
                if self.may_leave
                else "; copy the file into the project"
            )
            return f"stay inside the project folder {root}, got {value!r} ({path}){how}"
        reserved = reserved_folder(path, root) if self.folder else None
        if reserved is not None:
            return f"not be {reserved} ({self.use}); name a folder of its own, like {self.default}"
        return _image_problem(path, value) if self.image else None


def _image_problem(path: Path, value: str) -> str | None:
    """Why the file at `path` is not a usable image (the end of "KEY must ..."), or None."""
    try:
        load_image(path)
    except FileNotFoundError:
        why = "is not found"
    except ImageError as exc:
        why = str(exc)
    except OSError as exc:
        why = f"cannot be read ({exc.strerror or exc})"
    else:
        return None
    return f"be a PNG or JPEG image, but {value!r} {why}"


class Url(Text):
    """A URL starting with one of `schemes` (None: unset)."""

    kind = "url"

    def __init__(
        self, default: str | None, doc: str, *, schemes: Sequence[str], example: str | None = None
    ) -> None:
        super().__init__(default, doc, example=example)
        self.schemes = tuple(schemes)

    def problem(self, value: str | None) -> str | None:
        """Not a URL of one of the schemes."""
        if value is None or value.startswith(self.schemes):
            return None
        return f"a URL ({', '.join(self.schemes)}...); got {value!r}"


class Flag(Option):
    """true or false."""

    want = "true or false"
    types = (bool,)


class Whole(Option):
    """A whole number, at least `minimum`."""

    want = "a whole number"
    types = (int,)

    def __init__(self, default: int, doc: str, *, minimum: int, must: str) -> None:
        super().__init__(default, doc)
        self.minimum, self.must = minimum, must  #: `must`: a template of {value}

    def problem(self, value: int) -> str | None:
        """Below the minimum."""
        return self.must.format(value=value) if value < self.minimum else None


class Number(Option):
    """A number (read as a float): between `within` in `unit`, or positive."""

    want = "a number"
    types = (int, float)

    def __init__(
        self,
        default: float | None,
        doc: str,
        *,
        within: tuple[float, float] | None = None,
        unit: str = "",
        positive: bool = False,
        example: float | None = None,
    ) -> None:
        super().__init__(default, doc, example=example)
        self.within, self.unit, self.positive = within, unit, positive

    def read(self, value: object) -> float:
        """The number as a float."""
        return float(super().read(value))

    def problem(self, value: float | None) -> str | None:
        """Not finite, or outside the range (None, an unset setting, is never out of it)."""
        if value is None:
            return None
        if not math.isfinite(value):  # TOML has nan and inf; no setting means anything by them
            return f"a finite number, got {value}"
        if self.positive and value <= 0:
            return f"positive, got {value}"
        if self.within is not None and not self.within[0] <= value <= self.within[1]:
            low, high = self.within
            return f"between {low:g} and {high:g} {self.unit}, got {value}"
        return None


class Choice(Option):
    """One of some values (strings or whole numbers); `unset` (e.g. 0 for a default) passes."""

    def __init__(
        self, values: Sequence[Any], default: Any, doc: str, *, must: str, unset: Any = None
    ) -> None:
        super().__init__(default, doc)
        self.values, self.must, self.unset = tuple(values), must, unset
        self.types = (type(self.values[0]),)  # str or int, as the values are
        self.want = "a string" if self.types == (str,) else "a whole number"

    def problem(self, value: Any) -> str | None:
        """Not one of the values. `must` is a template of {value}, {values} (the tuple) and
        {listed} (the values joined with commas)."""
        if value in self.values or value == self.unset:
            return None
        listed = ", ".join(str(v) for v in self.values)
        return self.must.format(value=value, values=self.values, listed=listed)


class Texts(Option):
    """A list of strings (read as a tuple), each one of `choices`."""

    want = "a list of strings"
    types = (list, tuple)

    def __init__(self, default: tuple[str, ...], doc: str, *, choices: Sequence[str]) -> None:
        super().__init__(default, doc)
        self.choices = tuple(choices)

    def read(self, value: object) -> tuple[str, ...]:
        """The strings as a tuple."""
        items = super().read(value)
        if not all(isinstance(item, str) for item in items):
            raise WrongType(self.want)
        return tuple(items)

    def problem(self, value: tuple[str, ...]) -> str | None:
        """The first string that is not a choice."""
        unknown = [item for item in value if item not in self.choices]
        return f"a list of: {', '.join(self.choices)}; got {unknown[0]!r}" if unknown else None


class AddressSetting(Option):
    """HOST:PORT, read into an Address (None: unset)."""

    kind = "address"
    want = "a string"
    types = (str,)

    def read(self, value: object) -> Address:
        """The Address; OutOfRange if the string is not HOST:PORT."""
        found = parse_address(super().read(value))
        if found is None:
            raise OutOfRange(f"the Ray head as HOST:PORT (e.g. 10.0.0.5:6379), got {value!r}")
        return found


def setting(option: Option) -> Any:
    """A dataclass field holding `option` (its default is the option's)."""
    return dataclasses.field(default=option.default, metadata={"option": option})


def option_of(field: dataclasses.Field[Any]) -> Option:
    """The option a settings dataclass field was declared with (see `setting`)."""
    return field.metadata["option"]
