"""AWS's request patterns (java.util.regex, full match) as Python regular expressions.

The service checks a member's pattern the Java way, on the whole value; Python's `re` reads
some of the same text differently, so a pattern is translated before it is compiled:

- `\\s \\S \\d \\D \\w \\W \\b` are ASCII in Java (`\\s` = [ \\t\\n\\x0B\\f\\r]): compiled with re.ASCII, where
  Python's are the same sets (without it Python's \\s also takes U+00A0, U+2028, \\x1c-\\x1f...).
- `.` stops at every Java line terminator (\\n \\r \\u0085 \\u2028 \\u2029), not only at \\n.
- `\\p{..}`/`\\P{..}` (Unicode categories such as L, M, Lu, and the POSIX names Alpha, Punct...)
  do not exist in `re`: expanded to the code point ranges they stand for.
- `\\z` is Python's `\\Z`; `(?<name>` is `(?P<name>`, `\\k<name>` is `(?P=name)`; `\\Q..\\E` is quoted text.
- Constructs with no faithful translation (class intersection `&&`, nested classes, `\\Z`, `\\G`,
  `\\R`, `\\X`) raise UnsupportedPattern rather than being read loosely.

Patterns must match the whole value (Java's String.matches), the stricter of the readings.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from functools import cache

# Java's line terminators: what '.' does not match without DOTALL.
_DOT = "[^\\n\\r\\x85\\u2028\\u2029]"
# Java 8+: \h horizontal and \v vertical whitespace.
_HSPACE = "\\t \\xa0\\u1680\\u180e\\u2000-\\u200a\\u202f\\u205f\\u3000"
_VSPACE = "\\n\\x0b\\x0c\\r\\x85\\u2028\\u2029"
# java.util.regex's POSIX classes (US-ASCII only, as Java has them without UNICODE_CHARACTER_CLASS).
_PUNCT = re.escape("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
_POSIX = {
    "Lower": "a-z",
    "Upper": "A-Z",
    "ASCII": "\\x00-\\x7f",
    "Alpha": "a-zA-Z",
    "Digit": "0-9",
    "Alnum": "a-zA-Z0-9",
    "Punct": _PUNCT,
    "Graph": "a-zA-Z0-9" + _PUNCT,
    "Print": "\\x20a-zA-Z0-9" + _PUNCT,
    "Blank": " \\t",
    "Cntrl": "\\x00-\\x1f\\x7f",
    "XDigit": "0-9a-fA-F",
    "Space": " \\t\\n\\x0b\\x0c\\r",
}
_UNSUPPORTED_ESCAPES = {"Z": "\\Z (end before a final line terminator)", "G": "\\G", "R": "\\R", "X": "\\X"}


class UnsupportedPattern(ValueError):
    """A Java construct this translator cannot render faithfully."""


@cache
def compile_java(pattern: str) -> re.Pattern[str]:
    """The pattern, as Python must spell it to accept exactly what Java accepts."""
    return re.compile(translate(pattern), re.ASCII)


def full_match(pattern: str, value: str) -> bool:
    return compile_java(pattern).fullmatch(value) is not None


def translate(pattern: str) -> str:
    out: list[str] = []
    in_class = False
    class_start = 0  # index in `out` where the current class began
    i, n = 0, len(pattern)
    while i < n:
        char = pattern[i]
        if char == "\\":
            if i + 1 >= n:
                raise UnsupportedPattern(f"trailing backslash in {pattern!r}")
            nxt = pattern[i + 1]
            if nxt in "pP":
                name, i = _property_name(pattern, i + 2)
                ranges = _property_ranges(name)
                if in_class:
                    if nxt == "P":
                        raise UnsupportedPattern(f"\\P{{{name}}} inside a character class in {pattern!r}")
                    out.append(ranges)
                else:
                    out.append(("[^" if nxt == "P" else "[") + ranges + "]")
                continue
            if nxt == "Q":
                end = pattern.find("\\E", i + 2)
                literal = pattern[i + 2 : end if end >= 0 else n]
                out.append(re.escape(literal))
                i = n if end < 0 else end + 2
                continue
            if nxt in _UNSUPPORTED_ESCAPES:
                raise UnsupportedPattern(f"{_UNSUPPORTED_ESCAPES[nxt]} in {pattern!r}")
            if nxt == "k" and pattern.startswith("<", i + 2):
                end = pattern.find(">", i + 3)
                if end < 0:
                    raise UnsupportedPattern(f"unclosed \\k< in {pattern!r}")
                out.append(f"(?P={pattern[i + 3 : end]})")
                i = end + 1
                continue
            if nxt == "z":
                out.append("\\Z")
            elif nxt == "h":
                out.append(_HSPACE if in_class else f"[{_HSPACE}]")
            elif nxt == "v":
                out.append(_VSPACE if in_class else f"[{_VSPACE}]")
            else:
                out.append(pattern[i : i + 2])
            i += 2
            continue
        if in_class:
            if char == "[":
                raise UnsupportedPattern(f"nested character class (a union in Java) in {pattern!r}")
            if char == "&" and pattern.startswith("&&", i):
                raise UnsupportedPattern(f"character class intersection '&&' in {pattern!r}")
            if char == "]" and len(out) > class_start + 1:
                in_class = False
            out.append(char)
            i += 1
            continue
        if char == "[":
            in_class, class_start = True, len(out)
            out.append(char)
            if pattern.startswith("^", i + 1):
                out.append("^")
                i += 1
            i += 1
            continue
        if char == ".":
            out.append(_DOT)
        elif char == "(" and pattern.startswith("(?<", i) and not pattern.startswith(("(?<=", "(?<!"), i):
            out.append("(?P<")
            i += 3
            continue
        else:
            out.append(char)
        i += 1
    if in_class:
        raise UnsupportedPattern(f"unclosed character class in {pattern!r}")
    return "".join(out)


def _property_name(pattern: str, start: int) -> tuple[str, int]:
    """(name, index after it) for the text after \\p: {Name} or a one-letter name."""
    if pattern.startswith("{", start):
        end = pattern.find("}", start)
        if end < 0:
            raise UnsupportedPattern(f"unclosed \\p{{ in {pattern!r}")
        return pattern[start + 1 : end], end + 1
    if start >= len(pattern):
        raise UnsupportedPattern(f"\\p without a name in {pattern!r}")
    return pattern[start], start + 1


@cache
def _property_ranges(name: str) -> str:
    """The body of a character class holding the code points of a Java property."""
    if name in _POSIX:
        return _POSIX[name]
    category = name[2:] if name.startswith("Is") else name
    if category.startswith("general_category="):
        category = category.split("=", 1)[1]
    if not re.fullmatch(r"[A-Z][a-z]?", category):
        raise UnsupportedPattern(f"\\p{{{name}}}: only Unicode general categories and POSIX classes are translated")
    return _category_ranges(category)


@cache
def _category_ranges(category: str) -> str:
    """Code point ranges of a Unicode general category (one letter: the whole group, e.g. L)."""
    parts: list[str] = []
    start = previous = -2
    for code in range(sys.maxunicode + 1):
        if not unicodedata.category(chr(code)).startswith(category):
            continue
        if code != previous + 1:
            if start >= 0:
                parts.append(_range(start, previous))
            start = code
        previous = code
    if start >= 0:
        parts.append(_range(start, previous))
    if not parts:
        raise UnsupportedPattern(f"\\p{{{category}}}: no such Unicode general category")
    return "".join(parts)


def _range(first: int, last: int) -> str:
    return f"\\U{first:08x}" if first == last else f"\\U{first:08x}-\\U{last:08x}"
