import pytest
from slopguard.parsing import language_for_path, parse_source, walk

SAMPLES = {
    "a.py": ("python", "def f(x):\n    return x.y\n", "function_definition"),
    "a.js": ("javascript", "function f(x) { return x.y; }\n", "function_declaration"),
    "a.mjs": ("javascript", "export const f = (x) => x.y;\n", "arrow_function"),
    "a.ts": ("typescript", "function f(x: number): number { return x; }\n", "function_declaration"),
    "a.tsx": ("tsx", "const C = () => <div>{1}</div>;\n", "jsx_element"),
    "a.go": ("go", "package a\nfunc F(x int) int { return x }\n", "function_declaration"),
    "A.java": ("java", "class A { int f(int x) { return x; } }\n", "method_declaration"),
}


@pytest.mark.parametrize("path", sorted(SAMPLES))
def test_every_language_parses_offline(path: str) -> None:
    language, code, node_type = SAMPLES[path]
    src = parse_source(path, code)
    assert src.language == language == language_for_path(path)
    assert src.root is not None and not src.root.has_error
    assert any(n.type == node_type for n in walk(src.root))


def test_syntax_errors_still_give_a_tree() -> None:
    src = parse_source("bad.py", "def f(:\n    x = d.get(1)\n    return x.y\n")
    assert src.root is not None and src.root.has_error
    assert any(n.type == "attribute" for n in walk(src.root))


def test_unknown_language_has_text_but_no_tree() -> None:
    src = parse_source("notes.txt", "hello\nworld\n")
    assert src.tree is None and src.lines == ["hello", "world"] and src.line_text(2) == "world"
