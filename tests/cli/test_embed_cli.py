"""``wordalign embed map`` and ``--param map=FILE``: learn a map with a tiny random encoder, use it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from wordalign.cli.main import main
from wordalign.embed.mapping import EmbeddingMap, fit_map, load_map
from wordalign.io.pharaoh import read_pharaoh

PAIRS = [
    ("das Haus ist alt", "la chasa es veglia"),
    ("das Buch ist neu", "il cudesch es nov"),
    ("ein Haus", "üna chasa"),
    ("die Schule", "la scola"),
]
# eflomal --scores style: confident links, one weak link, one word linked twice.
LINKS = [
    "0-0-0.99 1-1-0.98 2-2-0.97 3-3-0.5",
    "0-0-0.95 1-1-0.99 2-2-0.93 3-3-0.91 3-2-0.92",
    "0-0-0.99 1-1-1",
    "",
]
TRUSTED = 3 + 2 + 2  # at 0.9, one-to-one: pair 2 loses word 3's two links (3-3, 3-2)
FAST = ["--device", "cpu", "--no-progress"]


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    bitext = tmp_path / "pairs.tsv"
    bitext.write_text("".join(f"{s}\t{t}\n" for s, t in PAIRS), encoding="utf-8")
    alignments = tmp_path / "pairs.eflomal"
    alignments.write_text("".join(f"{line}\n" for line in LINKS), encoding="utf-8")
    return {"bitext": bitext, "alignments": alignments, "out": tmp_path / "m.map.npz"}


def _map_argv(model: Path, files: dict[str, Path], *extra: str) -> list[str]:
    return [
        "embed", "map", "--model", str(model), "--bitext", str(files["bitext"]),
        "--alignments", str(files["alignments"]), "--layer", "2", *FAST, *extra,
    ]  # fmt: skip


def _one_error_line(capsys: pytest.CaptureFixture[str], code: int) -> str:
    err = capsys.readouterr().err.splitlines()
    assert code == 2, err
    assert len(err) == 1, err
    assert err[0].startswith("wordalign: error: "), err
    return err[0]


def test_embed_map_learns_an_orthogonal_map_of_the_layer(
    tiny_model_dir: Path, files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(_map_argv(tiny_model_dir, files, "--out", str(files["out"])))
    assert code == 0, capsys.readouterr().err
    emap = load_map(files["out"])
    assert (emap.layer, emap.dim, emap.n_pairs, emap.normalize) == (2, 32, TRUSTED, False)
    assert emap.model == str(tiny_model_dir)
    np.testing.assert_allclose(emap.matrix.T @ emap.matrix, np.eye(32), atol=1e-8)
    assert f"from {TRUSTED} word pairs in 3 sentence pairs" in capsys.readouterr().out


def test_embed_map_equals_the_library_fit_on_the_same_vectors(
    tiny_model_dir: Path, files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    from wordalign.embed.encoder import load_encoder

    assert main(_map_argv(tiny_model_dir, files, "--out", str(files["out"]), "--normalize")) == 0
    encoder = load_encoder(tiny_model_dir, "cpu", layer=2)
    src = encoder.embed([s.split() for s, _ in PAIRS])
    tgt = encoder.embed([t.split() for _, t in PAIRS])
    pairs = [(0, [(0, 0), (1, 1), (2, 2)]), (1, [(0, 0), (1, 1)]), (2, [(0, 0), (1, 1)])]
    x = np.vstack([src[k].word_vectors()[[i for i, _ in ls]] for k, ls in pairs])
    y = np.vstack([tgt[k].word_vectors()[[j for _, j in ls]] for k, ls in pairs])
    expected = fit_map(x, y, layer=2, normalize=True)
    saved = load_map(files["out"])
    assert saved.normalize
    np.testing.assert_allclose(saved.matrix, expected.matrix, atol=1e-4)
    np.testing.assert_allclose(saved.src_mean, expected.src_mean, atol=1e-5)


def test_embed_map_without_out_writes_beside_the_model(
    tiny_model_dir: Path, files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    beside = tiny_model_dir.parent / f"{tiny_model_dir.name}.layer2.map.npz"
    try:
        assert main(_map_argv(tiny_model_dir, files, "--overwrite")) == 0
        assert load_map(beside).layer == 2
        code = main(_map_argv(tiny_model_dir, files))  # exists already, no --overwrite
        assert "exists already" in _one_error_line(capsys, code)
    finally:
        beside.unlink(missing_ok=True)


@pytest.mark.parametrize(
    ("alignments", "extra", "message"),
    [
        ("0-0 1-1\n" * 4, ["--min-prob", "0.5"], "--min-prob needs scored links"),
        ("0-0-0.5\n" * 4, [], "no link is trusted enough"),
        ("0-0\n0-0\n", [], "sentence counts differ"),
        ("0-0\n0-9\n0-0\n0-0\n", [], ":2: a link reaches word 0-9"),
        ("0-0\n0-x\n0-0\n0-0\n", [], ":2: bad link"),
        ("0-0\n" * 4, ["--max-pairs", "0"], "--max-pairs must be positive"),
        ("0-0\n" * 4, ["--min-prob", "2"], "--min-prob is a probability"),
    ],
)
def test_embed_map_bad_input_is_one_line_before_the_model_loads(
    tiny_model_dir: Path,
    files: dict[str, Path],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    alignments: str,
    extra: list[str],
    message: str,
) -> None:
    import wordalign.embed.encoder as encoder_module

    def no_loading(*args: object, **kwargs: object) -> None:
        raise AssertionError("the encoder was loaded before the input was checked")

    monkeypatch.setattr(encoder_module, "load_encoder", no_loading)
    files["alignments"].write_text(alignments, encoding="utf-8")
    code = main(_map_argv(tiny_model_dir, files, "--out", str(files["out"]), *extra))
    assert message in _one_error_line(capsys, code)
    assert not files["out"].exists()


def _align(model: Path, bitext: Path, out: Path, method: str, *extra: str) -> list[str]:
    argv = ["align", "--method", method, "--model", str(model), "--bitext", str(bitext)]
    argv += ["--layer", "2", "--out", str(out), "--overwrite", *FAST, *extra]
    assert main(argv) == 0
    return [a.to_pharaoh() for a in read_pharaoh(out)]


@pytest.mark.parametrize("method", ["simalign-argmax", "simalign-itermax", "simalign-match"])
def test_identity_map_gives_the_links_of_no_map(
    tiny_model_dir: Path, files: dict[str, Path], tmp_path: Path, method: str
) -> None:
    identity = EmbeddingMap.identity(32, layer=2).save(tmp_path / "identity.npz")
    plain = _align(tiny_model_dir, files["bitext"], tmp_path / "a", method)
    mapped = _align(
        tiny_model_dir, files["bitext"], tmp_path / "b", method, "--param", f"map={identity}"
    )
    assert mapped == plain


def test_map_is_applied_to_the_vectors(tiny_model_dir: Path, tmp_path: Path) -> None:
    from wordalign.aligners.embedding.simalign import SimAlign
    from wordalign.embed.encoder import load_encoder

    rng = np.random.default_rng(0)
    q, _ = np.linalg.qr(rng.normal(size=(32, 32)))
    src_mean, tgt_mean = rng.normal(size=32), rng.normal(size=32)
    path = EmbeddingMap(q, src_mean, tgt_mean, True, 2).save(tmp_path / "r.npz")
    encoder = load_encoder(tiny_model_dir, "cpu", layer=2)
    src, tgt = encoder.embed([["das", "Haus"], ["la", "chasa"]])
    aligner = SimAlign(model=str(tiny_model_dir), layer=2, map=str(path), progress=False)
    emap = aligner._embedding_map()
    assert emap is not None
    mapped_src, mapped_tgt = aligner._mapped(emap, src, tgt)
    np.testing.assert_allclose(mapped_src.vectors, (src.vectors - src_mean) @ q, atol=1e-5)
    np.testing.assert_allclose(mapped_tgt.vectors, tgt.vectors - tgt_mean, atol=1e-5)
    assert np.array_equal(mapped_src.word_ids, src.word_ids)
    # align and align_embedded (shared forward passes) apply the same map.
    pair = [("das Haus", "la chasa")]
    assert aligner.align(pair) == aligner.align_embedded([(src, tgt)])
    assert aligner._embedding_map() is emap  # read once


@pytest.mark.parametrize(
    ("dim", "layer", "message"),
    [
        (16, 2, "the map is for 16-wide vectors, the encoder gives 32-wide"),
        (32, 1, "the map was learnt on layer 1, not layer 2"),
    ],
)
def test_a_map_that_does_not_fit_is_one_line_before_embedding(
    tiny_model_dir: Path,
    files: dict[str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    dim: int,
    layer: int,
    message: str,
) -> None:
    from wordalign.embed.encoder import Encoder

    def no_embedding(*args: object, **kwargs: object) -> None:
        raise AssertionError("sentences were embedded before the map was checked")

    monkeypatch.setattr(Encoder, "embed", no_embedding)
    path = EmbeddingMap.identity(dim, layer=layer).save(tmp_path / "m.npz")
    argv = ["align", "--method", "simalign-itermax", "--model", str(tiny_model_dir)]
    argv += ["--bitext", str(files["bitext"]), "--layer", "2", "--param", f"map={path}", *FAST]
    line = _one_error_line(capsys, main(argv))
    assert message in line and str(path) in line


def test_a_file_that_is_no_map_is_one_line(
    tiny_model_dir: Path, files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["align", "--method", "simalign-argmax", "--model", str(tiny_model_dir)]
    argv += ["--bitext", str(files["bitext"]), "--param", f"map={files['bitext']}", *FAST]
    line = _one_error_line(capsys, main(argv))
    assert f"{files['bitext']}: not a readable map archive" in line
