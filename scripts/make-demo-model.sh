#!/usr/bin/env bash
# Rebuilds the embedded demo's model (examples/model/) with the exact commands and seeds that
# made the committed one: a random BERT over the reduced vocabulary, Octet's own masked-LM
# pretraining on the demo text (examples/pretrain.octet.json), then SYNTHETIC outliers planted
# in two hidden dimensions. About 10 minutes on 2 cores. Run from anywhere:
#
#   bash scripts/make-demo-model.sh
#
# Step 1 remakes examples/data, examples/text and the vocabulary from GLUE SST-2 and the
# bert-base-uncased vocabulary in $OCTET_SHARED_DATA (default ../shared/data); without that
# folder it keeps the committed files and takes the vocabulary from examples/model/vocab.txt.
# The committed model was made with 2 onnxruntime threads (--threads 2 below).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=runs/demo-model-build
SHARED="${OCTET_SHARED_DATA:-../shared/data}"

npx tsc -p . && node scripts/bundle.mjs
mkdir -p "$BUILD"
rm -rf "$BUILD/random" "$BUILD/pretrain"

# 1. The data sample, the pretraining text and the reduced vocabulary (seeded draw, see the script).
if [ -d "$SHARED/glue/SST-2" ] && [ -d "$SHARED/bert-base-uncased" ]; then
  node scripts/make-demo-data.mjs --shared "$SHARED" --vocab-out "$BUILD/vocab.txt"
else
  echo "no $SHARED/glue/SST-2: keeping the committed data, vocabulary from examples/model/vocab.txt" >&2
  cp examples/model/vocab.txt "$BUILD/vocab.txt"
fi

# 2. A random BERT (createRandomBert, Hugging Face's initialisation): 2 layers, hidden 128,
#    2 heads, feed-forward 512, 128 positions, weights seeded with 1.
node -e "
require('./out/engine/model/create-model')
  .createRandomBert('$BUILD/random', { vocabFile: '$BUILD/vocab.txt', layers: 2, hidden: 128, heads: 2, ffn: 512, maxPositions: 128, seed: 1 })
  .catch((e) => { console.error(e.message); process.exit(2); });
"

# 3. Continued pretraining from it (task mlm): 40 epochs over the 6,000 phrases, fp32, seed 1.
#    The run keeps the checkpoint with the lowest held-out loss as $BUILD/pretrain/model.
node dist/cli.js train examples/pretrain.octet.json --threads 2

# 4. SYNTHETIC outliers: two hidden dimensions drawn with seed 0 (88 and 100), gain 20.
rm -rf examples/model
node dist/cli.js plant-outliers "$BUILD/pretrain/model" examples/model --count 2 --seed 0 --gain 20
ls -l examples/model
