#!/usr/bin/env bash
# spaCy reference for the parse-ewt benchmark: trains tagger+morphologizer+parser from scratch on UD English-EWT train
# (efficiency config, CPU, no pretrained vectors), then tags and parses EWT test from gold tokens (spacy-parse.py).
# Usage: scripts/bench/parse-ewt/spacy-train.sh WORKDIR   (needs $SPACY_PY: a python with spaCy 3.x installed)
# Writes WORKDIR/train-time.txt (/usr/bin/time -v of `spacy train`), WORKDIR/model/model-last, WORKDIR/spacy-test.conllu.
set -euo pipefail
WORK=${1:?usage: spacy-train.sh WORKDIR}
PY=${SPACY_PY:-python3}
CORPORA=${EBM_CORPORA_DIR:-/work/shared/corpora}/ud_english_ewt
STEPS=${SPACY_MAX_STEPS:-6000}
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$WORK/conllu" "$WORK/spacy"
for split in train dev test; do
  gzip -dc "$CORPORA/en_ewt-ud-$split.conllu.gz" > "$WORK/conllu/$split.conllu"
done
for split in train dev; do
  "$PY" -m spacy convert "$WORK/conllu/$split.conllu" "$WORK/spacy" --converter conllu --n-sents 10 > /dev/null
done
"$PY" -m spacy init config "$WORK/config.cfg" --lang en --pipeline tagger,morphologizer,parser --optimize efficiency --force > /dev/null
# One thread, as the ebmkit side.
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
/usr/bin/time -v -o "$WORK/train-time.txt" "$PY" -m spacy train "$WORK/config.cfg" --output "$WORK/model" \
  --paths.train "$WORK/spacy/train.spacy" --paths.dev "$WORK/spacy/dev.spacy" \
  --training.max_steps "$STEPS" --nlp.batch_size 256 > "$WORK/train.log" 2>&1
/usr/bin/time -v -o "$WORK/parse-time.txt" "$PY" "$HERE/spacy-parse.py" "$WORK/model/model-last" \
  "$WORK/conllu/test.conllu" "$WORK/spacy-test.conllu" > "$WORK/parse.log" 2>&1
echo "done: $WORK/spacy-test.conllu"
