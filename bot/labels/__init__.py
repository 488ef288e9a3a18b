"""标注与准确率: operators label their customers' real messages with the tags they should get, and the
rules are scored on those labels (precision, recall, F1; per tag; the messages they get wrong).

`store` keeps the labels, `scores` measures a tagger against them.
"""
