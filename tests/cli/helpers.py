"""What the tests of the command line share."""

import errno
import io

from nnplay.cli import main


def run(capsys, *args):
    try:
        code = main(list(args))
    except SystemExit as e:  # argparse's own errors exit, as the installed command does
        code = e.code
    out, err = capsys.readouterr()
    return code, out, err


class LostOutput(io.StringIO):
    """Standard output that takes one print(), then fails as a closed pipe or a full disk does."""

    def __init__(self, error: OSError):
        super().__init__()
        self.error, self.left = error, 2  # print() writes its text, then "\n"

    def write(self, text):
        if self.left == 0:
            raise self.error
        self.left -= 1
        return super().write(text)


CLOSED = BrokenPipeError(errno.EPIPE, "Broken pipe")  # nnplay train | head
FULL = OSError(errno.ENOSPC, "No space left on device")  # nnplay train > /dev/full


def saved_two_steps_into_epoch_2(path):
    """Save a small digits network two steps into its second epoch, as the app's ctrl+s can,
    and return the trainer that was saved."""
    from nnplay import data
    from nnplay.core.config import TrainConfig
    from nnplay.core.serialize import save
    from nnplay.core.train import EpochStats, build

    config = TrainConfig(layers=(64, 8, 10), epochs=3)
    trainer = build(config, data.load("digits"))
    steps = trainer.run(2)
    while not isinstance(next(steps), EpochStats):
        pass
    next(steps), next(steps)
    save(path, trainer.net, config, trainer.epoch, trainer.rng, partial=trainer.partial)
    return trainer
