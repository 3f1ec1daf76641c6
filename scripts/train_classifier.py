"""Train one of the course's shipped classifiers and write gan_lib/assets/ (weights + card).

    python scripts/train_classifier.py           # the MNIST digit classifier (about a minute)
    python scripts/train_classifier.py --emoji   # the emoji category classifier (a few minutes)

Both take a 2-core CPU. Each card records the held-out accuracy and the SHA-256
of the weights; gan_lib refuses weights that do not match it.
"""
import json
import sys

from gan_lib import classifier
from gan_lib.measure import emoji_classifier

if __name__ == "__main__":
    if sys.argv[1:] not in ([], ["--emoji"]):
        sys.exit("usage: python scripts/train_classifier.py [--emoji]")
    info = (emoji_classifier if sys.argv[1:] == ["--emoji"] else classifier).train_classifier()
    print(json.dumps(info, indent=2))
