"""``wordalign finetune``: fine-tune an encoder for alignment (awesome-align's objectives).

The output folder is a standard Hugging Face model folder for ``wordalign align --method awesome
--model DIR``; rerunning the same command continues from its latest checkpoint.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from wordalign.cli.align import add_bitext_options, read_pairs
from wordalign.finetuning.trainer import (
    DEFAULT_OBJECTIVES,
    MLM_VOCABS,
    OBJECTIVES,
    finetune,
    parse_objectives,
)


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "finetune",
        help="fine-tune an encoder on a parallel text for awesome-align",
        description=(
            "Fine-tune a masked-language model (mBERT, XLM-R, a local folder) on a parallel text "
            "with awesome-align's objectives (Dou & Neubig 2021) and save a model folder that "
            "'wordalign align --method awesome --model DIR' uses (the encoder alone unless "
            "--save-lm-head). Checkpoints go to DIR/checkpoint-STEP; running the same command "
            "again resumes from the latest (exactly as an uninterrupted run with "
            "--save-optimizer). A model without a masked-LM head (a BertModel folder such as "
            "multilingual-e5) is refused for mlm and tlm unless --new-head."
        ),
    )
    parser.add_argument(
        "--model", required=True, metavar="M", help="hub name, local folder, mbert or xlmr"
    )
    add_bitext_options(parser)
    parser.add_argument("--out", required=True, metavar="DIR", help="folder for the model")
    parser.add_argument(
        "--objectives",
        default=",".join(DEFAULT_OBJECTIVES),
        metavar="LIST",
        help=f"comma-separated, from {', '.join(OBJECTIVES)} (default: %(default)s)",
    )
    parser.add_argument(
        "--max-steps", type=int, metavar="N", help="optimizer steps (default: --epochs passes)"
    )
    parser.add_argument(
        "--epochs", type=float, default=1.0, metavar="E", help="passes (default: %(default)s)"
    )
    parser.add_argument(
        "--batch-size", type=int, default=2, metavar="B", help="pairs per batch (default: 2)"
    )
    parser.add_argument(
        "--gradient-accumulation-steps",
        type=int,
        default=4,
        metavar="N",
        help="batches per optimizer step (default: %(default)s)",
    )
    parser.add_argument(
        "--learning-rate", type=float, default=2e-5, metavar="LR", help="default: %(default)s"
    )
    parser.add_argument(
        "--warmup-steps", type=int, default=0, metavar="N", help="default: %(default)s"
    )
    parser.add_argument(
        "--align-layer",
        type=int,
        default=8,
        metavar="L",
        help="layer the alignments come from (default: %(default)s)",
    )
    parser.add_argument(
        "--threshold",
        type=float,
        default=1e-3,
        metavar="P",
        help="softmax threshold of the self-training alignments (default: %(default)s)",
    )
    parser.add_argument(
        "--mlm-probability", type=float, default=0.15, metavar="P", help="default: %(default)s"
    )
    parser.add_argument(
        "--tlm-full", action="store_true", help="TLM on both concatenation orders every batch"
    )
    parser.add_argument(
        "--mlm-vocab",
        choices=MLM_VOCABS,
        default="full",
        help="softmax of mlm/tlm over the model's whole vocabulary or only the subwords of the "
        "training pairs (faster for large vocabularies; default: %(default)s)",
    )
    parser.add_argument(
        "--new-head",
        action="store_true",
        help="allow mlm/tlm on a model without a masked-LM head: train a random one (warned)",
    )
    parser.add_argument(
        "--block-size", type=int, metavar="N", help="longest input in subwords (default: model's)"
    )
    parser.add_argument(
        "--save-steps",
        type=int,
        default=500,
        metavar="N",
        help="checkpoint every N steps, 0 = only at the end (default: %(default)s)",
    )
    parser.add_argument(
        "--keep-checkpoints",
        type=int,
        default=2,
        metavar="N",
        help="newest checkpoints kept, 0 = all (default: %(default)s)",
    )
    parser.add_argument(
        "--save-optimizer",
        action="store_true",
        help="keep the optimizer state in checkpoints (twice the model's size) for exact resuming",
    )
    parser.add_argument(
        "--save-lm-head",
        action="store_true",
        help="save the masked-LM model (encoder and head), not the encoder alone",
    )
    parser.add_argument("--seed", type=int, default=42, metavar="S", help="default: %(default)s")
    parser.add_argument(
        "--device", default="auto", help="auto, cpu, cuda, cuda:N or mps (default: auto)"
    )
    parser.add_argument(
        "--overwrite",
        action="store_true",
        help="start afresh: delete DIR's checkpoints and replace a model there",
    )
    parser.add_argument(
        "--no-progress",
        action="store_true",
        help="no progress (else a bar on a terminal, a line at least every 30 s elsewhere)",
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.set_defaults(run=run)
    return parser


def run(args: argparse.Namespace) -> int:
    objectives = parse_objectives(args.objectives)  # before reading anything
    pairs = read_pairs(args)
    result = finetune(
        args.model,
        pairs,
        args.out,
        objectives=objectives,
        max_steps=args.max_steps,
        epochs=args.epochs,
        batch_size=args.batch_size,
        gradient_accumulation_steps=args.gradient_accumulation_steps,
        learning_rate=args.learning_rate,
        warmup_steps=args.warmup_steps,
        mlm_probability=args.mlm_probability,
        align_layer=args.align_layer,
        threshold=args.threshold,
        tlm_full=args.tlm_full,
        mlm_vocab=args.mlm_vocab,
        new_head=args.new_head,
        block_size=args.block_size,
        save_steps=args.save_steps,
        keep_checkpoints=args.keep_checkpoints,
        save_optimizer=args.save_optimizer,
        save_lm_head=args.save_lm_head,
        seed=args.seed,
        device=args.device,
        overwrite=args.overwrite,
        progress=not args.no_progress,
        log=lambda message: print(f"wordalign: {message}", file=sys.stderr),
    )
    if args.json:
        print(json.dumps(result.to_dict(), indent=1))
    else:
        losses = ", ".join(f"{k} {v:.4f}" for k, v in result.last_losses().items())
        print(
            f"fine-tuned on {result.pairs} pairs: step {result.steps} "
            f"({result.steps - result.start_step} in this run, {result.seconds:.1f} s); "
            f"last losses {losses}; model in {result.out_dir}"
        )
    return 0
