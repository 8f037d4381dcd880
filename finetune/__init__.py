"""Text classifier: LoRA fine-tuning, calibrated predictions with review flags, batch runs, the review loop."""

from shopfloor.finetune.batch import classify_file
from shopfloor.finetune.coldstart import ColdStartClassifier
from shopfloor.finetune.config import TrainConfig
from shopfloor.finetune.evaluate import evaluate
from shopfloor.finetune.predict import Classifier, MultiTaskClassifier, Prediction, TextClassifier, load_tasks
from shopfloor.finetune.reviews import add_review, reviewed_rows
from shopfloor.finetune.trainer import train

__all__ = ["Classifier", "ColdStartClassifier", "MultiTaskClassifier", "Prediction", "TextClassifier", "TrainConfig",
           "add_review", "classify_file", "evaluate", "load_tasks", "reviewed_rows", "train"]
