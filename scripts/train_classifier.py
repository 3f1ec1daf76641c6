"""Train the course's MNIST classifier and write gan_lib/assets/ (weights + card).

    python scripts/train_classifier.py

Takes about a minute on a 2-core CPU. The card records the held-out accuracy
and the SHA-256 of the weights; gan_lib refuses weights that do not match it.
"""
import json

from gan_lib import classifier

if __name__ == "__main__":
    info = classifier.train_classifier()
    print(json.dumps(info, indent=2))
