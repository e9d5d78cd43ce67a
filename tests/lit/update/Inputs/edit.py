"""edit.py FILE PATTERN REPLACEMENT: replaces the one match of the regular expression PATTERN
(DOTALL) in FILE; fails unless there is exactly one. \\n in either is a line break. Tests use it
to play a user editing a project's files or its spec."""
import re
import sys

path, pattern, replacement = sys.argv[1], sys.argv[2].replace("\\n", "\n"), sys.argv[3].replace("\\n", "\n")
with open(path, encoding="utf-8") as file:
    text = file.read()
matches = list(re.finditer(pattern, text, re.DOTALL))
if len(matches) != 1:
    sys.exit(f"edit.py: {path}: {len(matches)} matches of {pattern!r}, expected 1")
text = text[: matches[0].start()] + matches[0].expand(replacement) + text[matches[0].end() :]
with open(path, "w", encoding="utf-8") as file:
    file.write(text)
