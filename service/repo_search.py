"""Candidate files for a repository-wide question, found by a text search over one side's tree.

"Is this name used anywhere else?" needs only the files whose text contains the name: a parser
can only find a use (a word in code) where the raw bytes hold that word. `git grep` answers on a
commit (bare repositories and refs that are not checked out included) without reading the other
files into Python; the working tree is searched the same way with `--untracked`. The answer is a
superset: a hit may be in a comment or a string, and the caller decides on the parsed file.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import re
from collections.abc import Callable, Iterable

from .blobcache import BlobCache
from .blobindex import BlobIndex, matching
from .diff import NULL_SHA
from .gitrepo import Git

# git grep exits 1 when nothing matched; anything above is an error.
_NO_MATCH = 1
IDENTIFIER_CHARS = "A-Za-z0-9_"  # a bracket expression's body
# Below this many bytes in a tree, reading every file once beats a `git grep` process per question;
# a larger tree is read whole (up to INDEXED_TREE_BYTES) once a scan has asked GREP_BUDGET questions.
SMALL_TREE_BYTES = 6_000_000
INDEXED_TREE_BYTES = 64_000_000
GREP_BUDGET = 12
_REFINE_LIMIT = 400  # files a second, exact (slower) search may go through
_PATHSPEC_LIMIT = 200  # unseen files named to `git grep`; beyond, it searches the whole tree
_MATCH = 1  # `indexed_grep`'s key of a blob that matches


def identifier_pattern(name: str, word_chars: str = IDENTIFIER_CHARS) -> str:
    """An extended regular expression matching `name` as a whole identifier token: no identifier
    character on either side, except digits before it (`0xff` holds the token `xff` for a
    tokenizer that starts identifiers at a letter)."""
    escaped = re.sub(r"([\\.^$|?*+()\[\]{}])", r"\\\1", name)
    return f"(^|[^{word_chars}])[0-9]*{escaped}($|[^{word_chars}])"


def grep_files(git: Git, commit: str | None, patterns: Iterable[str], *, mode: str = "identifier",
               word_chars: str = IDENTIFIER_CHARS) -> set[str]:
    """Paths of `commit` (None: the working tree, untracked files included) whose bytes contain
    one of `patterns`: as identifier tokens (`mode` "identifier", see `identifier_pattern`), as
    fixed strings ("fixed") or as extended regular expressions ("regex"). Binary files are
    searched too (a caller may read them as text). Identifiers are looked for as fixed strings
    first (fast), then as tokens in the files found when they are few: with many, the answer is
    the files holding the string (still a superset of the files holding the token)."""
    unique = sorted({p for p in patterns if p})
    if not unique:
        return set()
    if mode != "identifier":
        return _grep(git, commit, unique, "-F" if mode == "fixed" else "-E", [":/"])
    found = _grep(git, commit, unique, "-F", [":/"])
    if not found or len(found) > _REFINE_LIMIT:
        return found
    tokens = [identifier_pattern(p, word_chars) for p in unique]
    return _grep(git, commit, tokens, "-E", [f":(top,literal){p}" for p in sorted(found)])


def indexed_grep(git: Git, commit: str, files: dict[str, str], patterns: Iterable[str], mode: str,
                 index: BlobIndex | None) -> set[str]:
    """`grep_files` in "fixed" or "regex" mode over the regular files of `commit` (`files`, path ->
    blob id). Whether a blob matches is a pure function of its content, so each blob's answer is kept
    in `index` (a key for a match, none otherwise): a later scan greps only the blobs it has not seen
    (by path; the whole tree when they are many) and looks the others up."""
    unique = sorted({p for p in patterns if p})
    if not unique:
        return set()
    kind = f"grep-{mode}-" + hashlib.sha1("\n".join(unique).encode()).hexdigest()[:16]
    flag = "-F" if mode == "fixed" else "-E"

    def keys(paths: list[str]) -> dict[str, tuple[int, ...]]:
        specs = [":/"] if len(paths) > _PATHSPEC_LIMIT else [f":(top,literal){p}" for p in paths]
        hits = _grep(git, commit, unique, flag, specs)
        return {p: (_MATCH,) if p in hits else () for p in paths}  # every path: a miss is an answer too

    return matching(index, {p: (kind, blob) for p, blob in files.items()}, keys, {_MATCH})


def _grep(git: Git, commit: str | None, patterns: list[str], kind: str, pathspecs: list[str]) -> set[str]:
    args = ["grep", "-l", "-z", "-a", "--no-color", kind, "-f", "-"]
    args += ["--full-name", "--untracked"] if commit is None else ["--full-name", commit]
    out = git.run(*args, "--", *pathspecs, input="\n".join(patterns).encode() + b"\n", ok=(0, _NO_MATCH))
    prefix = f"{commit}:" if commit is not None else ""
    found: set[str] = set()
    for raw in out.split(b"\0"):
        if not raw:
            continue
        name = raw.decode("utf-8", "replace")
        found.add(name[len(prefix):] if prefix and name.startswith(prefix) else name)
    return found


def search_blobs(blobs: dict[str, bytes], patterns: Iterable[str], *, mode: str = "identifier",
                 word_chars: str = IDENTIFIER_CHARS) -> set[str]:
    """`grep_files` over file contents already in memory ("identifier" and "fixed" modes)."""
    unique = sorted({p for p in patterns if p})
    if not unique:
        return set()
    if mode == "fixed":
        keys = [p.encode() for p in unique]
        return {path for path, data in blobs.items() if any(k in data for k in keys)}
    if mode != "identifier":
        raise ValueError(f"search_blobs cannot search in mode {mode!r}")
    names = b"|".join(re.escape(p.encode()) for p in unique)
    chars = word_chars.encode()
    token = re.compile(rb"(?<![" + chars + rb"])[0-9]*(?:" + names + rb")(?![" + chars + rb"])")
    return {path for path, data in blobs.items() if token.search(data)}


class TokenIndex:
    """Which files hold each identifier token (`identifier_pattern` semantics), built from file
    contents in one pass: a scan that asks about many names pays one read, not one search each.
    Each file's tokens are a pure function of its content: with a cache they are kept by blob id,
    so a later scan (another push of the pull request) reads only the files that changed."""

    def __init__(self, tokens: dict[str, bytes], blobs: Callable[[], dict[str, bytes]],
                 word_chars: str = IDENTIFIER_CHARS) -> None:
        self._tokens = tokens  # per file (`file_tokens`): a few dozen questions cost less than inverting them
        self._blobs = blobs
        self._word_chars = word_chars
        self._joined: tuple[bytes, list[int], list[str]] | None = None

    def lookup(self, names: Iterable[str]) -> set[str]:
        found: set[str] = set()
        for name in names:
            key = name.encode()
            if name[:1].isdigit():  # not an identifier: search the text
                found |= search_blobs(self._blobs(), [name], word_chars=self._word_chars)
            elif not key or b"\n" in key:
                found.update(path for path, tokens in self._tokens.items() if b"\n" + key + b"\n" in tokens)
            else:
                found |= self._holding(key)
        return found

    def _holding(self, key: bytes) -> set[str]:
        """The files whose tokens hold `key`, found in all files' tokens joined into one string (one
        search, not one a file). Each file's part starts and ends with a newline and `key` is not
        empty and has none, so a match of newline, key, newline lies within one file's part."""
        if self._joined is None:
            paths = list(self._tokens)
            starts, at = [], 0
            for path in paths:
                starts.append(at)
                at += len(self._tokens[path])
            self._joined = (b"".join(self._tokens[p] for p in paths), starts, paths)
        data, starts, paths = self._joined
        needle, end = b"\n" + key, len(key) + 1
        found: set[str] = set()
        at = data.find(needle)
        while at >= 0:
            if data[at + end : at + end + 1] == b"\n":
                found.add(paths[bisect.bisect_right(starts, at) - 1])
            at = data.find(needle, at + end)
        return found


def file_tokens(data: bytes, word_chars: str = IDENTIFIER_CHARS) -> bytes:
    """The distinct identifier tokens of one file, leading digits dropped, one per line between
    newlines (one compact object per file; a token is found with `b"\\n" + token + b"\\n" in`).
    The runs of `word_chars` are the words `bytes.split` finds once every other byte is a blank."""
    runs = set(data.translate(_blanking(word_chars)).split())
    return b"\n" + b"\n".join(sorted({run.lstrip(b"0123456789") for run in runs})) + b"\n"


# Word characters of the languages whose tables a scan builds (JavaScript adds `$`): the table of
# one is the table of the other for the files that hold no `$`, which a first scan reads once.
JS_WORD_CHARS = IDENTIFIER_CHARS + "$"
_SIBLINGS = {IDENTIFIER_CHARS: JS_WORD_CHARS, JS_WORD_CHARS: IDENTIFIER_CHARS}


@functools.cache
def _apart(first: str, second: str) -> re.Pattern[bytes]:
    """A byte that is a word character of one of two sets and not of the other."""
    one, two = _blanking(first), _blanking(second)
    return re.compile(b"|".join(re.escape(bytes([b])) for b in range(256) if one[b] != two[b]) or b"(?!)")


def _tokens_kind(word_chars: str) -> str:
    return "tokens-lines-" + hashlib.sha1(word_chars.encode()).hexdigest()[:8]


@functools.cache
def _blanking(word_chars: str) -> bytes:
    """A `bytes.translate` table keeping the bytes of the bracket expression `word_chars` and
    turning every other byte into a space."""
    word = re.compile(rb"[" + word_chars.encode() + rb"]")
    kept = [b for b in range(256) if word.fullmatch(bytes([b]))]
    if any(bytes([b]).isspace() for b in kept):
        raise ValueError(f"word characters {word_chars!r} include a blank")
    return bytes(b if b in kept else 0x20 for b in range(256))


def token_index(blob_ids: dict[str, str], read: Callable[[list[str]], dict[str, bytes]],
                blobs: Callable[[], dict[str, bytes]], cache: BlobCache | None,
                word_chars: str = IDENTIFIER_CHARS, seen: dict[str, bytes] | None = None) -> TokenIndex:
    """The token table of the files `blob_ids` names (path -> blob id, NULL_SHA for a file of the
    working tree): tokens of a blob kept in `cache` (or in `seen`, blob id -> tokens, which the
    other side of the scan shares) are not read again; `read(paths)` gives the contents of the others,
    `blobs()` those of every file (kept by the caller) when most are not known."""
    kind = _tokens_kind(word_chars)
    seen = {} if seen is None else seen
    tokens: dict[str, bytes] = {}
    missing = []
    stored = cache.get_many(kind, [b for b in blob_ids.values() if b not in seen and b != NULL_SHA]) if cache else {}
    for path, blob in blob_ids.items():
        if blob in seen:
            tokens[path] = seen[blob]
            continue
        value = stored.get(blob)
        if isinstance(value, bytes):
            tokens[path] = seen[blob] = value
        else:
            missing.append(path)
    # most of the tree unseen (a first scan): read it whole through `blobs`, which keeps the contents
    # for the table of other word characters, instead of reading every file again for that one
    contents = blobs() if len(missing) > len(blob_ids) // 2 else read(missing)
    sibling = _SIBLINGS.get(word_chars)
    known = cache.get_many(_tokens_kind(sibling), [blob_ids[p] for p in missing if blob_ids[p] != NULL_SHA]) \
        if cache is not None and sibling is not None and missing else {}
    apart = _apart(word_chars, sibling) if known and sibling is not None else None
    for path, data in ((p, contents[p]) for p in missing if p in contents):
        other = known.get(blob_ids[path])
        # a file without a byte the two sets of word characters disagree on splits the same way
        if isinstance(other, bytes) and apart is not None and apart.search(data) is None:
            tokens[path] = other
        else:
            tokens[path] = file_tokens(data, word_chars)
        if blob_ids[path] != NULL_SHA:
            seen[blob_ids[path]] = tokens[path]
            if cache is not None:
                cache.put(kind, blob_ids[path], tokens[path])
    return TokenIndex(tokens, blobs, word_chars)
