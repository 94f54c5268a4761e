"""Every user mistake with an input or output file is one line on stderr and exit code 2.

One table over (command, file option) x (kind of mistake): each command that reads or writes a
file gets each bad input (missing, a directory, not gzip, corrupt gzip, not UTF-8, a malformed
line) and each bad output (under a file, a directory, a place nobody may write). The commands run
in-process through ``main([...])``; an uncaught exception (a traceback) fails the test by itself.
"""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from wordalign.cli.main import main

FAST = ["--method", "ibm1", "--n-iter", "1", "--no-progress"]

GOOD = {
    "bitext": "das Haus ||| la chasa\nein Haus ||| üna chasa\ndas Buch ||| il cudesch\n",
    "sentences": "das Haus\nein Haus\ndas Buch\n",
    "pharaoh": "0-0 1-1\n0-0 1-1\n0-0 1-1\n",
    "document": "Das Haus ist alt.\nDas Buch ist neu.\nEs regnet.\n",
    "dictionary": "haus\tchasa\nbuch\tcudesch\n",
}
# Line 2 of each kind of file, made malformed.
MALFORMED = {
    "bitext": "ein Haus ohne Trenner",
    "sentences": "ein Haus",  # after a first line '1<TAB>das Haus': the INDEX column is missing
    "pharaoh": "0-0 x-1",
    "document": "ein\tTab",
    "dictionary": "kein Tabulator",
}


@dataclass(frozen=True)
class Slot:
    """One file option of one command: the argv, with ``{name}`` placeholders, and the option."""

    command: str
    argv: tuple[str, ...]
    slot: str  # the placeholder the bad file goes into
    kind: str  # which GOOD/MALFORMED content the slot holds


ALIGN_BITEXT = ("align", *FAST, "--bitext", "{bitext}", "--out", "{out}", "--overwrite")
ALIGN_TWO = ("align", *FAST, "--src", "{src}", "--tgt", "{tgt}", "--out", "{out}", "--overwrite")
TRAIN = ("train", *FAST, "--bitext", "{bitext}", "--model-out", "{model}")
EVAL = ("eval", "--gold", "{gold}", "--pred", "{pred}", "--per-sentence", "{out}")
EVAL_TEXT = ("eval", "--gold", "{gold}", "--pred", "{pred}", "--bitext", "{bitext}")
SYMMETRIZE: tuple[str, ...] = ("symmetrize", "--forward", "{fwd}", "--reverse", "{rev}")
SYMMETRIZE += ("--out", "{out}", "--overwrite")
COMBINE = ("combine", "--inputs", "{fwd}", "{rev}", "--out", "{out}", "--overwrite")
SENTALIGN: tuple[str, ...] = ("corpus", "sentalign", "--src", "{doc_src}", "--tgt", "{doc_tgt}")
SENTALIGN += ("--dictionary", "{dictionary}", "--out", "{out}", "--overwrite")

INPUTS = [
    Slot("align", ALIGN_BITEXT, "bitext", "bitext"),
    Slot("align", ALIGN_TWO, "src", "sentences"),
    Slot("align", ALIGN_TWO, "tgt", "sentences"),
    Slot("train", TRAIN, "bitext", "bitext"),
    Slot("eval", EVAL, "gold", "pharaoh"),
    Slot("eval", EVAL, "pred", "pharaoh"),
    Slot("eval", EVAL_TEXT, "bitext", "bitext"),
    Slot("symmetrize", SYMMETRIZE, "fwd", "pharaoh"),
    Slot("symmetrize", SYMMETRIZE, "rev", "pharaoh"),
    Slot("combine", COMBINE, "rev", "pharaoh"),
    Slot("corpus sentalign", SENTALIGN, "doc_src", "document"),
    Slot("corpus sentalign", SENTALIGN, "dictionary", "dictionary"),
]
OUTPUTS = [
    Slot("align", ALIGN_BITEXT, "out", "file"),
    Slot("train", TRAIN, "model", "folder"),
    Slot("eval", EVAL, "out", "file"),
    Slot("symmetrize", SYMMETRIZE, "out", "file"),
    Slot("combine", COMBINE, "out", "file"),
    Slot("corpus sentalign", SENTALIGN, "out", "file"),
]
INPUT_CLASSES = ["missing", "directory", "not_gzip", "corrupt_gzip", "not_utf8", "malformed"]
OUTPUT_CLASSES = ["under_a_file", "directory_or_file", "not_permitted"]

# The class of mistake -> what the line must say beyond the file name (and the line number).
EXPECTED = {
    "missing": ("no such file", None),
    "directory": ("is a directory", None),
    "not_gzip": ("not a valid gzip file", None),
    "corrupt_gzip": ("corrupt gzip data", 1),
    "not_utf8": ("not valid UTF-8", 2),
    "malformed": ("", 2),
    "under_a_file": ("cannot write (", None),
    "directory_or_file": ("cannot write (", None),
    "not_permitted": ("cannot write (", None),
}


def _corrupt_gzip(text: str) -> bytes:
    data = bytearray(gzip.compress(text.encode()))
    data[10] = 0xFF  # the first deflate block: 'invalid block type'
    return bytes(data)


@pytest.fixture
def workspace(tmp_path: Path) -> dict[str, Path]:
    paths = {
        "bitext": ("bitext.txt", "bitext"),
        "src": ("text.src", "sentences"),
        "tgt": ("text.tgt", "sentences"),
        "gold": ("gold.txt", "pharaoh"),
        "pred": ("pred.txt", "pharaoh"),
        "fwd": ("fwd.txt", "pharaoh"),
        "rev": ("rev.txt", "pharaoh"),
        "doc_src": ("doc.de", "document"),
        "doc_tgt": ("doc.rm", "document"),
        "dictionary": ("dict.tsv", "dictionary"),
    }
    out = {}
    for key, (name, kind) in paths.items():
        out[key] = tmp_path / name
        out[key].write_text(GOOD[kind], encoding="utf-8")
    out["out"] = tmp_path / "result.txt"
    out["model"] = tmp_path / "model"
    (tmp_path / "a_folder").mkdir()
    (tmp_path / "a_file").write_text("x\n")
    return out


def _bad_input(tmp_path: Path, kind: str, mistake: str) -> Path:
    if mistake == "missing":
        return tmp_path / "absent.txt"
    if mistake == "directory":
        return tmp_path / "a_folder"
    path = tmp_path / ("bad.txt.gz" if "gzip" in mistake else "bad.txt")
    good = GOOD[kind]
    if mistake == "not_gzip":
        path.write_text(good, encoding="utf-8")
    elif mistake == "corrupt_gzip":
        path.write_bytes(_corrupt_gzip(good))
    else:
        first = good.splitlines()[0]
        if kind == "sentences":
            first = "1\t" + first
        second = MALFORMED[kind].encode()
        if mistake == "not_utf8":
            second = "Schwätzli".encode("latin-1")
        path.write_bytes(first.encode() + b"\n" + second + b"\n")
    return path


def _bad_output(tmp_path: Path, slot: Slot, mistake: str) -> Path:
    if mistake == "under_a_file":
        return tmp_path / "a_file" / "out"
    if mistake == "directory_or_file":
        # A file output that is a directory; a model folder that is a file.
        return tmp_path / ("a_file" if slot.kind == "folder" else "a_folder")
    return Path("/sys/wordalign-test-output")


def _run(
    slot: Slot, paths: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> tuple[int, list[str]]:
    capsys.readouterr()
    argv = [part.format(**{k: str(v) for k, v in paths.items()}) for part in slot.argv]
    code = main(argv)
    err = capsys.readouterr().err
    return code, err.splitlines()


def _check(code: int, lines: list[str], bad: Path, mistake: str) -> None:
    assert code == 2, lines
    assert len(lines) == 1, lines
    line = lines[0]
    assert "Traceback" not in line
    assert line.startswith("wordalign: error: ")
    fragment, line_no = EXPECTED[mistake]
    assert fragment in line, line
    where = re.escape(str(bad)) + (f":{line_no}:" if line_no is not None else ":")
    assert re.search(where, line), line


def _id(slot: Slot, mistake: str) -> str:
    return f"{slot.command.replace(' ', '-')}-{slot.slot}-{mistake}"


@pytest.mark.parametrize(
    ("slot", "mistake"),
    [
        pytest.param(slot, mistake, id=_id(slot, mistake))
        for slot in INPUTS
        for mistake in INPUT_CLASSES
    ],
)
def test_bad_input_is_one_line_with_exit_code_2(
    slot: Slot,
    mistake: str,
    workspace: dict[str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    bad = _bad_input(tmp_path, slot.kind, mistake)
    code, lines = _run(slot, {**workspace, slot.slot: bad}, capsys)
    _check(code, lines, bad, mistake)


@pytest.mark.parametrize(
    ("slot", "mistake"),
    [
        pytest.param(slot, mistake, id=_id(slot, mistake))
        for slot in OUTPUTS
        for mistake in OUTPUT_CLASSES
    ],
)
def test_bad_output_is_one_line_with_exit_code_2(
    slot: Slot,
    mistake: str,
    workspace: dict[str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    if mistake == "not_permitted" and not Path("/sys").is_dir():
        pytest.skip("needs /sys, a place where nobody may create files")
    bad = _bad_output(tmp_path, slot, mistake)
    code, lines = _run(slot, {**workspace, slot.slot: bad}, capsys)
    _check(code, lines, bad, mistake)
    assert not bad.is_file() or bad == tmp_path / "a_file"  # nothing written where it was asked
    leftovers = [p.name for p in tmp_path.rglob("*.tmp")]
    assert leftovers == []


@pytest.mark.parametrize(
    "what",
    ["a_file", "a_folder", "absent"],
)
def test_bad_model_folder_for_align_is_one_line(
    what: str,
    workspace: dict[str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ("align", "--bitext", "{bitext}", "--model", "{model}", "--no-progress")
    slot = Slot("align", argv, "model", "folder")
    bad = tmp_path / what
    code, lines = _run(slot, {**workspace, "model": bad}, capsys)
    assert code == 2, lines
    assert len(lines) == 1, lines
    assert str(bad) in lines[0], lines
