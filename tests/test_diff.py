import os

from slopguard.diff import parse_patch, parse_raw, unquote_path

PATCH = b"""diff --git a/app/x.py b/app/x.py
index 1111111..2222222 100644
--- a/app/x.py
+++ b/app/x.py
@@ -3 +3,2 @@ def f():
-    return 1\r
+    return 2\r
+    # --- not a header
@@ -10,0 +12 @@
+new
diff --git a/gone.py b/gone.py
deleted file mode 100644
--- a/gone.py
+++ /dev/null
@@ -1,2 +0,0 @@
-a
--- b
diff --git a/new.py b/new.py
new file mode 100644
--- /dev/null
+++ b/new.py
@@ -0,0 +1 @@
+hello
\\ No newline at end of file
diff --git "a/t\\303\\251st file.py" "b/t\\303\\251st file.py"
--- "a/t\\303\\251st file.py"
+++ "b/t\\303\\251st file.py"
@@ -1 +1 @@
-x
+y
"""


def test_parse_patch_hunks_and_paths() -> None:
    files = parse_patch(PATCH)
    assert set(files) == {"app/x.py", "gone.py", "new.py", "tést file.py"}
    first, second = files["app/x.py"]
    assert (first.old_start, first.old_count, first.new_start, first.new_count) == (3, 1, 3, 2)
    assert first.added == ("    return 2", "    # --- not a header")
    assert first.removed == ("    return 1",)
    assert list(second.added_lines) == [12]
    assert list(second.removed_lines) == []
    (gone,) = files["gone.py"]
    assert gone.removed == ("a", "-- b") and gone.new_count == 0
    (new,) = files["new.py"]
    assert new.added == ("hello",)


def test_unquote_path() -> None:
    assert unquote_path(b'"a/t\\303\\251st\\tx"') == "a/tést\tx"
    assert unquote_path(b"plain/path.py") == "plain/path.py"


def test_parse_raw_rename_and_modes() -> None:
    data = (
        b":100644 100644 " + b"a" * 40 + b" " + b"b" * 40 + b" R087\0old.py\0new.py\0"
        b":100644 100755 " + b"c" * 40 + b" " + b"c" * 40 + b" M\0run.sh\0"
    )
    rename, mode = parse_raw(data)
    assert (rename.status, rename.old_path, rename.new_path) == ("R", "old.py", "new.py")
    assert (mode.status, mode.old_mode, mode.new_mode) == ("M", "100644", "100755")


def test_patch_names_with_a_space_lose_git_s_trailing_tab_and_keep_non_utf8_bytes() -> None:
    patch = (b"diff --git a/auth helpers.py b/auth helpers.py\n--- a/auth helpers.py\t\n+++ b/auth helpers.py\t\n"
             b"@@ -1 +1 @@\n-a\n+b\n"
             b"diff --git a/caf\xe9.py b/caf\xe9.py\n--- /dev/null\n+++ b/caf\xe9.py\n@@ -0,0 +1 @@\n+x\n")
    files = parse_patch(patch)
    assert set(files) == {"auth helpers.py", "caf\udce9.py"}
    assert os.fsencode("caf\udce9.py") == b"caf\xe9.py"
