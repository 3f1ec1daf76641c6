"""Write gan_lib/data/mnist_10k_split.npz: the course's fixed train / held-out split.

Run once (the file is committed); tests check that the stored split equals what
gan_lib.data.make_split() builds, so it can always be rebuilt and checked.
"""
import numpy as np

from gan_lib import data

x, y = data.load_shipped_raw()
train_idx, heldout_idx = data.make_split(y)
np.savez_compressed(data.SPLIT_FILE, train_idx=train_idx.astype(np.uint16), heldout_idx=heldout_idx.astype(np.uint16))
print(f"wrote {data.SPLIT_FILE}: {len(train_idx)} train, {len(heldout_idx)} held-out")
print("held-out per class:", np.bincount(y[heldout_idx], minlength=10).tolist())
