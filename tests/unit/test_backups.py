"""A backup file without the database: splitting dump text into statements, counting INSERT rows, and
telling a complete backup of this schema from anything else."""
from __future__ import annotations

import io
import json

import pytest

from backend import errors
from backend.services.backups import (
    END_MARKER,
    MARKER,
    BackupService,
    insert_rows,
    schema_fingerprint,
    schema_tables,
    split_statements,
)


def _split(text: str) -> list[str]:
    return list(split_statements(io.StringIO(text)))


@pytest.mark.parametrize(("case", "text", "statements"), [
    ("empty input", "", []),
    ("blank lines only", "\n  \n\t\n", []),
    ("one per line", "SET NAMES utf8mb4;\nSET FOREIGN_KEY_CHECKS = 0;\n",
     ["SET NAMES utf8mb4;", "SET FOREIGN_KEY_CHECKS = 0;"]),
    ("semicolons inside strings", "INSERT INTO `t` VALUES (1,'a;b'),(2,'; ;');\n",
     ["INSERT INTO `t` VALUES (1,'a;b'),(2,'; ;');"]),
    ("escaped quotes and an escaped newline", "INSERT INTO `t` VALUES ('it\\'s; \\\\',\"x\",'end;\\nnext');\n",
     ["INSERT INTO `t` VALUES ('it\\'s; \\\\',\"x\",'end;\\nnext');"]),
    ("multi-line statement", "CREATE TABLE `t` (\n  `id` int NOT NULL COMMENT 'a;b',\n  PRIMARY KEY (`id`)\n);\n",
     ["CREATE TABLE `t` (\n  `id` int NOT NULL COMMENT 'a;b',\n  PRIMARY KEY (`id`)\n);"]),
    ("comments and blank lines between statements",
     "-- shopwright-backup v1 schema=x\n\n-- a comment\nSET NAMES utf8mb4;\n\n--\n-- Table `t`\n--\nDROP TABLE t;\n",
     ["SET NAMES utf8mb4;", "DROP TABLE t;"]),
    ("a comment inside a statement stays in it", "CREATE TABLE `t` (\n-- why\n  `id` int\n);\n",
     ["CREATE TABLE `t` (\n-- why\n  `id` int\n);"]),
    ("a blank line inside a statement stays in it", "SELECT 1\n\nFROM dual;\n", ["SELECT 1\n\nFROM dual;"]),
    ("MariaDB's client-only sandbox line is dropped",
     "/*M!999999\\- enable the sandbox mode */ \nSET NAMES utf8mb4;\n", ["SET NAMES utf8mb4;"]),
    ("versioned comments are statements", "/*!40101 SET NAMES utf8mb4 */;\n", ["/*!40101 SET NAMES utf8mb4 */;"]),
    ("trailing spaces after the semicolon", "SET NAMES utf8mb4;  \nCOMMIT;\t\n", ["SET NAMES utf8mb4;  ", "COMMIT;\t"]),
    ("CRLF line ends", "SET NAMES utf8mb4;\r\nCOMMIT;\r\n", ["SET NAMES utf8mb4;\r", "COMMIT;\r"]),
    ("a last statement without a semicolon", "SET NAMES utf8mb4;\nCOMMIT", ["SET NAMES utf8mb4;", "COMMIT"]),
    ("no newline at the end", "COMMIT;", ["COMMIT;"]),
    ("the trailer is a comment", f"COMMIT;\n{END_MARKER} rows={{}}\n", ["COMMIT;"]),
])
def test_split_statements(case, text, statements):
    assert _split(text) == statements


def test_split_statements_reads_lazily():
    lines = iter(["SET NAMES utf8mb4;\n", "COMMIT;\n"])
    statements = split_statements(lines)
    assert next(statements) == "SET NAMES utf8mb4;"
    assert next(lines) == "COMMIT;\n"  # the second line was not read for the first statement


@pytest.mark.parametrize(("statement", "counted"), [
    ("INSERT INTO `products` VALUES (1,'Lamp',9.99);", ("products", 1)),
    ("INSERT INTO `products` VALUES (1,'Lamp',9.99),(2,'Desk',120.00),(3,NULL,0x00FF);", ("products", 3)),
    ("INSERT INTO `t` VALUES (1,'a),(b'),(2,'),(');", ("t", 2)),       # joints inside strings are not rows
    ("INSERT INTO `t` VALUES (1,'it\\'s ),( here'),(2,'x');", ("t", 2)),  # an escaped quote does not end it
    ("INSERT INTO `t` VALUES (1,'a\\\\'),(2,'b');", ("t", 2)),          # an escaped backslash before the quote
    ("INSERT INTO `t` VALUES (1) , (2)  ,(3);", ("t", 3)),
    ("INSERT INTO `odd``name` VALUES (1);", ("odd`name", 1)),
    ("insert into `t` values (1),(2);", ("t", 2)),
    ("CREATE TABLE `t` (id int);", None),
    ("SET NAMES utf8mb4;", None),
    ("INSERT INTO t VALUES (1);", None),  # dumps always quote the name
])
def test_insert_rows(statement, counted):
    assert insert_rows(statement) == counted


def _backup(tmp_path, header: str | None = None, trailer: str | None = None):
    tables = schema_tables()
    header = header if header is not None else \
        f"{MARKER} schema={schema_fingerprint()} method=python database=shop tables={','.join(tables)}\n"
    trailer = trailer if trailer is not None else f"{END_MARKER} rows={json.dumps({t: 0 for t in tables})}\n"
    path = tmp_path / "backup.sql"
    path.write_text(header + "SET NAMES utf8mb4;\n" + trailer, encoding="utf-8")
    return path


def test_check_file_reads_a_complete_backup(tmp_path):
    header = BackupService.check_file(_backup(tmp_path))
    assert header["tables"] == schema_tables() and header["method"] == "python"
    assert header["rows"] == {t: 0 for t in schema_tables()}


@pytest.mark.parametrize(("header", "trailer", "why"), [
    ("SET NAMES utf8mb4;\n", None, "no backup header"),
    (f"{MARKER}x schema=abc\n", None, "no backup header"),
    (f"{MARKER} schema=abc tables=orders\n", None, "it was made with another schema"),
    (None, "", "the file is incomplete"),
    (None, "INSERT INTO `t` VALUES (1);\n", "the file is incomplete"),
])
def test_check_file_refuses(tmp_path, header, trailer, why):
    with pytest.raises(errors.Conflict) as raised:
        BackupService.check_file(_backup(tmp_path, header, trailer))
    assert raised.value.code == "invalid_backup" and why in raised.value.message


def test_check_file_refuses_other_tables_and_unreadable_files(tmp_path):
    fewer = ",".join(schema_tables()[1:])
    with pytest.raises(errors.Conflict, match="its tables differ"):
        BackupService.check_file(_backup(tmp_path, f"{MARKER} schema={schema_fingerprint()} tables={fewer}\n"))
    binary = tmp_path / "binary.sql"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(errors.Conflict, match="cannot be read"):
        BackupService.check_file(binary)
    with pytest.raises(errors.Conflict, match="cannot be read"):
        BackupService.check_file(tmp_path / "missing.sql")
