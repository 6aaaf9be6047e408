"""Tags and parses a CoNLL-U file from its gold tokens with a spaCy pipeline, one thread; writes CoNLL-U
(UPOS, HEAD, DEPREL predicted; other columns copied) and prints words/s of tagging + parsing.
Usage: spacy-parse.py MODEL_DIR IN.conllu OUT.conllu"""
import sys, time
import spacy
from spacy.tokens import Doc

model, src, dst = sys.argv[1:4]
nlp = spacy.load(model)
sents = []
cur = []
for line in open(src, encoding='utf-8'):
    line = line.rstrip('\n')
    if not line:
        if cur:
            sents.append(cur)
            cur = []
        continue
    if line.startswith('#'):
        continue
    cols = line.split('\t')
    if '-' in cols[0] or '.' in cols[0]:
        continue
    cur.append(cols)
if cur:
    sents.append(cur)
docs = [Doc(nlp.vocab, words=[c[1] for c in s]) for s in sents]
words = sum(len(s) for s in sents)
t0 = time.perf_counter()
out_docs = list(nlp.pipe(docs, batch_size=256))
dt = time.perf_counter() - t0
with open(dst, 'w', encoding='utf-8') as f:
    for s, doc in zip(sents, out_docs):
        for c, tok in zip(s, doc):
            head = 0 if tok.head.i == tok.i else tok.head.i + 1
            dep = 'root' if head == 0 else tok.dep_
            f.write('\t'.join([c[0], c[1], c[2], tok.pos_ or '_', c[4], c[5], str(head), dep, '_', '_']) + '\n')
        f.write('\n')
print(f'sentences {len(sents)} words {words} seconds {dt:.3f} words/s {words/dt:.0f} sentences/s {len(sents)/dt:.0f}')
