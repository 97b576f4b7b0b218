"""A test rewritten for the behaviour the change alters is a question, not tampering: a deleted
test whose place a new test takes, making the same call of the repository's code, is a
low-confidence notice naming the replacement; a new test that repeats another with other literals
only is a parametrize question (notice), while a copy that changes names stays a warning."""

from __future__ import annotations

from pathlib import Path

from slopguard.models import Severity

from .strict_scan import only as _only
from .strict_scan import strict_findings as _scan

DELETED = "python.test-tampering.deleted-test"
COPY = "python.bloat.copy-paste"


SOURCE = "def encode(data, files):\n    if isinstance(files, str):\n        raise TypeError(files)\n    return files\n"
ALLOWED = "def encode(data, files):\n    return files\n"
HELPER = "def other(files):\n    return files\n"
OLD_TEST = """import pytest

from pkg.codec import encode, other


def test_encode_keeps_bytes():
    assert encode(data={}, files=b"x") == b"x"


def test_encode_rejects_str():
    with pytest.raises(TypeError):
        encode(data={}, files="x")
"""
NEW_TEST = """import pytest

from pkg.codec import encode, other


def test_encode_keeps_bytes():
    assert encode(data={}, files=b"x") == b"x"


def test_encode_allows_str():
    result = encode(data={}, files="y")
    assert result
"""


def _files(source: str, test: str) -> dict[str, str]:
    return {"pkg/__init__.py": "", "pkg/codec.py": source + "\n\n" + HELPER, "tests/test_codec.py": test}


def test_a_test_replaced_in_place_with_the_same_call_is_a_notice(tmp_path: Path) -> None:
    finding = _only(_scan(tmp_path, _files(SOURCE, OLD_TEST), _files(ALLOWED, NEW_TEST)), DELETED)
    assert finding.severity is Severity.NOTICE and finding.confidence == "low"
    assert "`test_encode_allows_str`" in finding.message and "`encode(data={}, files=\"y\")`" in finding.message


def test_without_a_source_change_the_deleted_test_stays_a_warning(tmp_path: Path) -> None:
    finding = _only(_scan(tmp_path, _files(SOURCE, OLD_TEST), _files(SOURCE, NEW_TEST)), DELETED)
    assert finding.severity is Severity.WARNING


def test_a_replacement_calling_other_code_is_no_replacement(tmp_path: Path) -> None:
    head = NEW_TEST.replace('result = encode(data={}, files="y")', 'result = other(files="y")')
    finding = _only(_scan(tmp_path, _files(SOURCE, OLD_TEST), _files(ALLOWED, head)), DELETED)
    assert finding.severity is Severity.WARNING


def test_a_replacement_with_other_arguments_is_no_replacement(tmp_path: Path) -> None:
    head = NEW_TEST.replace('encode(data={}, files="y")', 'encode(data=None, files=[])')
    finding = _only(_scan(tmp_path, _files(SOURCE, OLD_TEST), _files(ALLOWED, head)), DELETED)
    assert finding.severity is Severity.WARNING


CASE = """

def test_upload_{name}():
    files = {{"file": ("a.txt", {value}, "text/plain")}}
    headers, stream = encode(data={{}}, files=files)
    assert isinstance(stream, list)
    content = "--{{0}}; name=file; {{1}}".format("b", {value})
    assert headers == {{"Content-Type": "multipart/form-data", "Content-Length": str(len(content))}}
    assert content == "".join(stream)
    assert headers["Content-Type"].startswith("multipart/")
    assert len(stream) == 1
    assert stream[0].endswith("\\r\\n")
    assert "name=file" in content
    assert content.count("--") == 1
    assert headers["Content-Length"] != "0"
    assert not content.startswith("Content")
    assert stream == [content]
    assert headers.get("Content-Encoding") is None
    assert sorted(headers) == ["Content-Length", "Content-Type"]
"""


def test_a_test_repeated_with_other_literals_only_is_a_parametrize_notice(tmp_path: Path) -> None:
    base = "from pkg.codec import encode\n" + CASE.format(name="bytes", value='b"<bytes>"')
    head = base + CASE.format(name="str", value='"<str>"')
    finding = _only(_scan(tmp_path, _files(ALLOWED, base), _files(ALLOWED, head)), COPY)
    assert finding.severity is Severity.NOTICE and finding.confidence == "low"
    assert "other literals only" in finding.message and "parametrize" in finding.message


def test_a_test_copy_that_changes_a_name_stays_a_warning(tmp_path: Path) -> None:
    base = "from pkg.codec import encode\n" + CASE.format(name="bytes", value='b"<bytes>"')
    head = base + CASE.format(name="str", value='"<str>"').replace("files=files)", "data_files=files)")
    finding = _only(_scan(tmp_path, _files(ALLOWED, base), _files(ALLOWED, head)), COPY)
    assert finding.severity is Severity.WARNING


WEAKENED = "python.test-tampering.weakened-assertion"
ITEMS = "class TextItem:\n    type = \"text\"\n\n\ndef items():\n    return [TextItem()]\n"
TAG_TEST = """from pkg.codec import TextItem, items


def test_items():
    result = items()
    assert result[0].type == "text"
"""


def test_a_tag_comparison_turned_class_check_is_a_question(tmp_path: Path) -> None:
    head = TAG_TEST.replace('    assert result[0].type == "text"\n',
                            "    item = result[0]\n    assert isinstance(item, TextItem)\n")
    files = {"pkg/__init__.py": "", "pkg/codec.py": ITEMS}
    finding = _only(_scan(tmp_path, {**files, "tests/test_items.py": TAG_TEST}, {**files, "tests/test_items.py": head}),
                    WEAKENED)
    assert finding.severity is Severity.NOTICE and finding.confidence == "low"
    assert "`assert result[0].type == \"text\"` became `assert isinstance(item, TextItem)`" in finding.message


def test_a_class_check_of_another_object_stays_a_weakening(tmp_path: Path) -> None:
    head = TAG_TEST.replace('    assert result[0].type == "text"\n', "    assert isinstance(result[0].type, str)\n")
    files = {"pkg/__init__.py": "", "pkg/codec.py": ITEMS}
    finding = _only(_scan(tmp_path, {**files, "tests/test_items.py": TAG_TEST}, {**files, "tests/test_items.py": head}),
                    WEAKENED)
    assert finding.severity is Severity.WARNING


NESTED = """from pkg.codec import items


def test_{name}():
    with open(__file__) as fh:
        assert fh.readable()
        result = items()
        assert len(result) == 1
        assert result[0].type == "text"
"""


def test_a_renamed_test_keeping_its_nested_assertions_is_no_deletion(tmp_path: Path) -> None:
    files = {"pkg/__init__.py": "", "pkg/codec.py": ITEMS}
    base = NESTED.format(name="items_exception_content")
    head = NESTED.format(name="items_error_details").replace("        result = items()\n", (
        "        first = items()\n        second = items()\n        assert first[0].type == second[0].type\n"
        "        result = [*first]\n")).replace("with open(__file__) as fh",
                                          "with open(__file__, encoding='utf-8') as fh")
    findings = _scan(tmp_path, {**files, "tests/test_items.py": base}, {**files, "tests/test_items.py": head})
    assert not [f for f in findings if f.rule == DELETED]


REMOVED = "python.test-tampering.removed-assertion"
BRANCHES = """from pkg.codec import items


def test_items_never_resend():
    output = {"status": items()[0].type}
    if output["status"] == "error":
        assert output["status"] != "resend"
    else:
        assert output["status"] != "resend"
    assert len(output) == 1
"""


def test_an_assertion_repeated_in_both_branches_made_once_is_kept(tmp_path: Path) -> None:
    head = BRANCHES.replace('''    if output["status"] == "error":
        assert output["status"] != "resend"
    else:
        assert output["status"] != "resend"
''', '''    assert output["status"] != "resend"
''')
    files = {"pkg/__init__.py": "", "pkg/codec.py": ITEMS}
    findings = _scan(tmp_path, {**files, "tests/test_items.py": BRANCHES}, {**files, "tests/test_items.py": head})
    assert not [f for f in findings if f.rule == REMOVED]
    gone = head.replace('    assert output["status"] != "resend"\n', "")
    findings = _scan(tmp_path / "gone", {**files, "tests/test_items.py": BRANCHES},
                     {**files, "tests/test_items.py": gone})
    assert [f for f in findings if f.rule == REMOVED]
